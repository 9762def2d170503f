"""The action register: corrective actions (10.2), review actions (9.3.3) and follow-ups.

An action only closes through an effectiveness check (who checked, when, the result): an
effective result closes it, a not-effective one sends it back to work. The check is planned
for the implementation date plus the action's settling period, and a check recorded before
that day is refused: a change has to run for a while before anyone can say it worked. The
check is made by someone other than the action's owner, or the owner says why. A closed
action can be reopened with a reason (the check that closed it is kept beside the reason),
and it closes again only through a new check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from isms_tui.models import Action, ActionReopen, ActionStatus, Effectiveness, Person

from . import clock
from .errors import InputError, NotFound

OPEN_STATES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.IMPLEMENTED)
MAX_SETTLING_DAYS = 730


@dataclass
class ActionInput:
    """The editable fields; the nonconformity's own ones (description to isms_change) are kept
    only on an action that answers a nonconformity."""

    title: str
    owner_id: int | None = None
    due_date: date | None = None
    correction: str = ""
    root_cause: str = ""
    corrective_action: str = ""
    description: str = ""
    detected_on: date | None = None
    extent: str = ""
    isms_change: str = ""
    source_ref: str = ""
    settling_days: int = 0


def get_action(session: Session, action_id: int) -> Action:
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound(f"No action with id {action_id}.")
    return action


def create_action(
    session: Session, source: str, source_id: int | None, data: ActionInput, *, nonconformity: bool | None = None
) -> Action:
    """A new action; a finding's action corrects a nonconformity (only NC gradings raise one)."""
    nc = source == "finding" if nonconformity is None else nonconformity
    action = Action(source=source, source_id=source_id, title=data.title.strip(), nonconformity=nc)
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
    if not 0 <= data.settling_days <= MAX_SETTLING_DAYS:
        errors["settling_days"] = f"Give the settling period in days, 0 to {MAX_SETTLING_DAYS}."
    if action.nonconformity and action.source != "finding":  # a finding holds its own statement and date
        if not data.description.strip():
            errors["description"] = "Say what happened."
        if data.detected_on is None:
            errors["detected_on"] = "When was it detected?"
        elif data.detected_on > clock.today():
            errors["detected_on"] = "It cannot be detected in the future."
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    if action.nonconformity:
        action.description = data.description.strip()
        action.detected_on = data.detected_on
        action.extent = data.extent.strip()
        action.isms_change = data.isms_change.strip()
        action.source_ref = data.source_ref.strip()
    action.settling_days = data.settling_days
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
    if status == ActionStatus.IMPLEMENTED and action.nonconformity:
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
    # The settling period runs from the day it was marked implemented, again after each return.
    action.implemented_on = clock.today() if status == ActionStatus.IMPLEMENTED else None
    session.add(action)
    session.flush()
    return action


def planned_check_on(action: Action) -> date | None:
    """The day the effectiveness check is due: implemented plus the settling period."""
    if action.implemented_on is None:
        return None
    return action.implemented_on + timedelta(days=action.settling_days)


def record_effectiveness(
    session: Session,
    action_id: int,
    checked_by_id: int | None,
    result: Effectiveness,
    notes: str,
    checked_on: date | None = None,
    checker_reason: str = "",
) -> Action:
    """Record the effectiveness check; effective closes the action, not effective reopens it.

    Refused before the planned day (implemented plus the settling period, when one is set; with
    none the check may follow at once, or be recorded with the earlier day it was made), and
    refused when the owner checks their own action without saying why.
    """
    action = get_action(session, action_id)
    errors: dict[str, str] = {}
    if action.status != ActionStatus.IMPLEMENTED:
        raise InputError("Check effectiveness once the action is implemented.")
    if checked_by_id is None or session.get(Person, checked_by_id) is None:
        errors["effectiveness_by_id"] = "Who checked it?"
    if not notes.strip():
        errors["effectiveness_notes"] = "Say what was checked and what was seen."
    when = checked_on or clock.today()
    planned = planned_check_on(action)
    if when > clock.today():
        errors["effectiveness_on"] = "The check cannot be in the future."
    elif planned is not None and action.settling_days and when < planned:
        errors["effectiveness_on"] = (
            f"The check is planned for {planned.isoformat()}, {action.settling_days} days after it was "
            "implemented; whether it worked cannot be judged before then."
        )
    own = checked_by_id is not None and checked_by_id == action.owner_id
    if own and not checker_reason.strip():
        errors["checker_reason"] = "The owner is checking their own action: say why nobody else can."
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    action.effectiveness_by_id = checked_by_id
    action.effectiveness_on = when
    action.effectiveness = result
    action.effectiveness_notes = notes.strip()
    action.checker_reason = checker_reason.strip() if own else ""
    if result == Effectiveness.EFFECTIVE:
        action.status = ActionStatus.CLOSED
        action.closed_on = when
    else:
        action.status = ActionStatus.IN_PROGRESS
        action.implemented_on = None
    session.add(action)
    session.flush()
    return action


def reopen_action(session: Session, action_id: int, reason: str, reopened_by: str) -> Action:
    """Reopen a closed action: the reason and the check that closed it are kept in ActionReopen,
    and the action goes back in progress, to close again only through a new check."""
    action = get_action(session, action_id)
    if action.status != ActionStatus.CLOSED:
        raise InputError(f"Action #{action_id} is {action.status.value}; only a closed action is reopened.")
    if not reason.strip():
        raise InputError("Say why the action is reopened.", {"reason": "Say why the action is reopened."})
    session.add(
        ActionReopen(
            action_id=action_id,
            reopened_on=clock.today(),
            reopened_by=reopened_by,
            reason=reason.strip(),
            closed_on=action.closed_on,
            effectiveness_by_id=action.effectiveness_by_id,
            effectiveness_on=action.effectiveness_on,
            effectiveness_notes=action.effectiveness_notes,
            checker_reason=action.checker_reason,
        )
    )
    action.status = ActionStatus.IN_PROGRESS
    action.closed_on = None
    action.implemented_on = None
    action.effectiveness = None
    action.effectiveness_by_id = None
    action.effectiveness_on = None
    action.effectiveness_notes = ""
    action.checker_reason = ""
    session.add(action)
    session.flush()
    return action


def reopen_history(session: Session, action_ids: set[int]) -> dict[int, list[ActionReopen]]:
    """Each action's reopenings, oldest first."""
    if not action_ids:
        return {}
    out: dict[int, list[ActionReopen]] = {}
    rows = session.exec(
        select(ActionReopen).where(col(ActionReopen.action_id).in_(action_ids)).order_by(col(ActionReopen.id))
    )
    for r in rows:
        out.setdefault(r.action_id, []).append(r)
    return out


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
