"""The action register: corrective actions (10.2), review actions (9.3.3) and follow-ups.

An action only closes through an effectiveness check (who checked, when, the result): an
effective result closes it, a not-effective one sends it back to work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from isms_tui.models import Action, ActionStatus, Effectiveness, Person

from . import clock
from .errors import InputError, NotFound

OPEN_STATES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.IMPLEMENTED)


@dataclass
class ActionInput:
    title: str
    owner_id: int | None = None
    due_date: date | None = None
    correction: str = ""
    root_cause: str = ""
    corrective_action: str = ""


def get_action(session: Session, action_id: int) -> Action:
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound(f"No action with id {action_id}.")
    return action


def create_action(session: Session, source: str, source_id: int | None, data: ActionInput) -> Action:
    action = Action(source=source, source_id=source_id, title=data.title.strip())
    return update_action(session, action, data)


def update_action(session: Session, action: Action, data: ActionInput) -> Action:
    """Save the editable fields; a closed action is part of the record and stays as it is."""
    if action.status == ActionStatus.CLOSED:
        raise InputError("This action is closed; its record can no longer change.")
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "An action needs a title."
    if data.owner_id is not None and session.get(Person, data.owner_id) is None:
        errors["owner_id"] = "Unknown person."
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    action.title = data.title.strip()
    action.owner_id = data.owner_id
    action.due_date = data.due_date
    action.correction = data.correction.strip()
    action.root_cause = data.root_cause.strip()
    action.corrective_action = data.corrective_action.strip()
    session.add(action)
    session.flush()
    return action


def set_status(session: Session, action_id: int, status: ActionStatus) -> Action:
    """Move an action along open → in progress → implemented; closing needs the check."""
    action = get_action(session, action_id)
    if status == ActionStatus.CLOSED:
        raise InputError("An action closes only through its effectiveness check.")
    if action.status == ActionStatus.CLOSED:
        raise InputError("This action is closed.")
    if status == ActionStatus.IMPLEMENTED and action.source == "finding":
        missing = [
            name
            for name, value in (("root cause", action.root_cause), ("corrective action", action.corrective_action))
            if not value
        ]
        if missing:
            raise InputError(
                f"Record the {' and the '.join(missing)} before marking it implemented.",
                {m.replace(" ", "_"): "Required." for m in missing},
            )
    action.status = status
    session.add(action)
    session.flush()
    return action


def record_effectiveness(
    session: Session,
    action_id: int,
    checked_by_id: int | None,
    result: Effectiveness,
    notes: str,
    checked_on: date | None = None,
) -> Action:
    """Record the effectiveness check; effective closes the action, not effective reopens it."""
    action = get_action(session, action_id)
    errors: dict[str, str] = {}
    if action.status != ActionStatus.IMPLEMENTED:
        raise InputError("Check effectiveness once the action is implemented.")
    if checked_by_id is None or session.get(Person, checked_by_id) is None:
        errors["effectiveness_by_id"] = "Who checked it?"
    if not notes.strip():
        errors["effectiveness_notes"] = "Say what was checked and what was seen."
    when = checked_on or clock.today()
    if when > clock.today():
        errors["effectiveness_on"] = "The check cannot be in the future."
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    action.effectiveness_by_id = checked_by_id
    action.effectiveness_on = when
    action.effectiveness = result
    action.effectiveness_notes = notes.strip()
    if result == Effectiveness.EFFECTIVE:
        action.status = ActionStatus.CLOSED
        action.closed_on = when
    else:
        action.status = ActionStatus.IN_PROGRESS
    session.add(action)
    session.flush()
    return action


def list_actions(session: Session, *, open_only: bool = False, source: str | None = None) -> list[Action]:
    q = select(Action).order_by(col(Action.due_date).is_(None), col(Action.due_date), col(Action.id))
    if open_only:
        q = q.where(col(Action.status).in_(OPEN_STATES))
    if source:
        q = q.where(Action.source == source)
    return list(session.exec(q))


def is_overdue(action: Action, today: date) -> bool:
    return action.status in OPEN_STATES and action.due_date is not None and action.due_date < today


def overdue_actions(session: Session, today: date) -> list[Action]:
    return [a for a in list_actions(session, open_only=True) if is_overdue(a, today)]
