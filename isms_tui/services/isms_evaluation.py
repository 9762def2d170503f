"""Evaluations of the ISMS as a whole (9.1): recording them, finding them by period, and
when the next one comes due.

The per-KPI analyses say how one measure did; this record says what the organisation
concluded about its information security performance and about the effectiveness of the
ISMS over a period, on what data, and what it decided to do about it. Each follow-up line
may raise an action in the shared register (source "evaluation").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from isms_tui.models import Frequency, IsmsEvaluation, Kpi, Person, require_id

from . import clock, periods
from .actions import ActionInput, create_action
from .errors import InputError, NotFound
from .workspace import get_workspace

SOURCE = "evaluation"  # Action.source of the actions an evaluation raised


@dataclass
class EvaluationInput:
    period_from: date | None
    period_to: date | None
    performance: str
    effectiveness: str
    basis: str = ""
    follow_up: str = ""
    evaluator_id: int | None = None
    evaluated_on: date | None = None
    raise_actions: bool = False  # one action per follow-up line, owned by the evaluator
    action_due: date | None = None


def follow_ups(text: str) -> list[str]:
    """The follow-up lines, without bullets or blanks."""
    return [line.strip().lstrip("-•*").strip() for line in text.splitlines() if line.strip().lstrip("-•*").strip()]


def record_evaluation(session: Session, data: EvaluationInput) -> IsmsEvaluation:
    """Check every field, then save the evaluation and the actions it raises, or nothing."""
    today = clock.today()
    when = data.evaluated_on or today
    errors: dict[str, str] = {}
    if data.period_from is None:
        errors["period_from"] = "Give the first day of the period evaluated."
    if data.period_to is None:
        errors["period_to"] = "Give the last day of the period evaluated."
    elif data.period_from is not None and data.period_to < data.period_from:
        errors["period_to"] = "The period cannot end before it starts."
    elif data.period_to > when:
        errors["period_to"] = "The period evaluated cannot end after the day of the evaluation."
    if when > today:
        errors["evaluated_on"] = "The evaluation date cannot be in the future."
    if not data.performance.strip():
        errors["performance"] = "Say what was concluded about information security performance."
    if not data.effectiveness.strip():
        errors["effectiveness"] = "Say what was concluded about the effectiveness of the ISMS."
    if data.evaluator_id is not None and session.get(Person, data.evaluator_id) is None:
        errors["evaluator_id"] = "Unknown person."
    lines = follow_ups(data.follow_up)
    if data.raise_actions and not lines:
        errors["follow_up"] = "Write the follow-ups to raise as actions, one a line."
    if data.raise_actions and data.evaluator_id is None:
        errors["evaluator_id"] = "Actions need an owner: name who evaluated."
    if data.action_due is not None and data.action_due < when:
        errors["action_due"] = "The actions cannot be due before the evaluation."
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    assert data.period_from is not None and data.period_to is not None  # checked above
    record = IsmsEvaluation(
        period_from=data.period_from,
        period_to=data.period_to,
        evaluator_id=data.evaluator_id,
        evaluated_on=when,
        performance=data.performance.strip(),
        effectiveness=data.effectiveness.strip(),
        basis=data.basis.strip(),
        follow_up="\n".join(lines),
    )
    session.add(record)
    session.flush()
    if data.raise_actions:
        for line in lines:
            create_action(session, SOURCE, require_id(record), ActionInput(line, data.evaluator_id, data.action_due))
    return record


def get_evaluation(session: Session, evaluation_id: int) -> IsmsEvaluation:
    found = session.get(IsmsEvaluation, evaluation_id)
    if found is None:
        raise NotFound(f"No ISMS evaluation with id {evaluation_id}.")
    return found


def list_evaluations(session: Session) -> list[IsmsEvaluation]:
    """Every evaluation, the most recent first."""
    q = select(IsmsEvaluation).order_by(col(IsmsEvaluation.evaluated_on).desc(), col(IsmsEvaluation.id).desc())
    return list(session.exec(q))


def evaluations_between(session: Session, start: date, end: date) -> list[IsmsEvaluation]:
    """The evaluations whose period overlaps [start, end], oldest first: what a pack or a
    review of that range reports (an evaluation of Q4 made in January still speaks of Q4)."""
    q = (
        select(IsmsEvaluation)
        .where(IsmsEvaluation.period_from <= end, IsmsEvaluation.period_to >= start)
        .order_by(col(IsmsEvaluation.period_from), col(IsmsEvaluation.id))
    )
    return list(session.exec(q))


def as_json(e: IsmsEvaluation, people: dict[int | None, str]) -> dict[str, Any]:
    return {
        "id": e.id,
        "period_from": e.period_from.isoformat(),
        "period_to": e.period_to.isoformat(),
        "evaluated_on": e.evaluated_on.isoformat(),
        "evaluator": people.get(e.evaluator_id, ""),
        "performance": e.performance,
        "effectiveness": e.effectiveness,
        "basis": e.basis,
        "follow_up": e.follow_up,
    }


def evaluation_frequency(session: Session) -> Frequency:
    ws = get_workspace(session)
    return ws.evaluation_frequency if ws is not None else Frequency.QUARTERLY


def set_evaluation_frequency(session: Session, value: Frequency | str) -> None:
    ws = get_workspace(session)
    if ws is None:
        raise InputError("Set up the organisation first.")
    try:
        ws.evaluation_frequency = Frequency(value)
    except ValueError:
        choices = ", ".join(f.value for f in Frequency)
        raise InputError(f"Unknown frequency {value!r}; choose one of {choices}.") from None
    session.add(ws)
    session.flush()


@dataclass(frozen=True)
class EvaluationDue:
    """When the next evaluation of the ISMS comes due, and whether it has."""

    frequency: Frequency
    last_on: date | None  # the day the latest evaluation was made
    evaluated_to: date | None  # the last day any evaluation covered
    period: str  # the frequency period to evaluate next, e.g. '2026-Q3'
    due_on: date  # the first day after that period: it is due from then
    today: date

    @property
    def due(self) -> bool:
        return self.due_on <= self.today

    def as_json(self) -> dict[str, Any]:
        return {
            "frequency": self.frequency.value,
            "last_evaluated_on": self.last_on.isoformat() if self.last_on else None,
            "evaluated_to": self.evaluated_to.isoformat() if self.evaluated_to else None,
            "next_period": self.period,
            "due_on": self.due_on.isoformat(),
            "due": self.due,
        }


def evaluation_due(session: Session, today: date) -> EvaluationDue | None:
    """Due once the frequency period after the last evaluated day has closed; with no
    evaluation yet, counted from the first KPI's start. None while there is nothing to
    evaluate (no KPI and no evaluation)."""
    freq = evaluation_frequency(session)
    last_on, evaluated_to = session.exec(
        select(func.max(IsmsEvaluation.evaluated_on), func.max(IsmsEvaluation.period_to))
    ).one()
    if evaluated_to is not None:
        first = evaluated_to + timedelta(days=1)
    else:
        started = session.exec(select(func.min(Kpi.started_on))).one()
        if started is None:
            return None
        first = started
    start = periods.period_start(first, freq)
    return EvaluationDue(
        freq, last_on, evaluated_to, periods.period_label(start, freq), periods.next_period(start, freq), today
    )
