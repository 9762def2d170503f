"""Read models for the management review screens and `isms status` (9.3).

Kept apart from services/review.py, which holds the rules: these are queries shaped for a
list, a summary or the minutes view, so screens never assemble data themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from isms_tui.models import (
    Action,
    Attendance,
    ManagementReview,
    Person,
    ReviewAttendee,
    ReviewConclusion,
    ReviewDecision,
    ReviewStatus,
    require_id,
)

from .actions import OPEN_STATES, is_overdue
from .review_records import list_reviews


@dataclass(frozen=True)
class ReviewRow:
    """One review as the list shows it."""

    review: ManagementReview
    chair: str
    actions: int  # actions decided at this review
    open_actions: int
    overdue_actions: int
    present: tuple[str, ...] = ()  # names, top management marked as such
    apologies: tuple[str, ...] = ()
    verdicts: tuple[tuple[str, str], ...] = ()  # (aspect, verdict) in the order recorded


def _attendance(session: Session, people: dict[int | None, str]) -> dict[int, tuple[list[str], list[str]]]:
    out: dict[int, tuple[list[str], list[str]]] = {}
    for a in session.exec(select(ReviewAttendee).order_by(col(ReviewAttendee.id))):
        present, apologies = out.setdefault(a.review_id, ([], []))
        name = people.get(a.person_id, "") + (" (top management)" if a.top_management else "")
        (present if a.attendance == Attendance.PRESENT else apologies).append(name)
    return out


def _review_actions(session: Session) -> dict[int, list[Action]]:
    """The actions decided at each review, by review id."""
    decided = dict(session.exec(select(ReviewDecision.id, ReviewDecision.review_id)).all())
    out: dict[int, list[Action]] = {}
    for a in session.exec(select(Action).where(Action.source == "review").order_by(col(Action.id))):
        review_id = decided.get(a.source_id)
        if review_id is not None:
            out.setdefault(review_id, []).append(a)
    return out


def review_rows(session: Session, today: date) -> list[ReviewRow]:
    """Every review, newest planned first, with its actions' follow-up counts."""
    people: dict[int | None, str] = {p.id: p.name for p in session.exec(select(Person))}
    acts = _review_actions(session)
    attendance = _attendance(session, people)
    verdicts: dict[int, list[tuple[str, str]]] = {}
    for c in session.exec(select(ReviewConclusion).order_by(col(ReviewConclusion.id))):
        verdicts.setdefault(c.review_id, []).append((c.aspect.value, c.verdict.value))
    rows = []
    for r in reversed(list_reviews(session)):
        mine = acts.get(require_id(r), [])
        rows.append(
            ReviewRow(
                review=r,
                chair=people.get(r.chair_id, "") if r.chair_id is not None else "",
                actions=len(mine),
                open_actions=sum(a.status in OPEN_STATES for a in mine),
                overdue_actions=sum(is_overdue(a, today) for a in mine),
                present=tuple(attendance.get(require_id(r), ([], []))[0]),
                apologies=tuple(attendance.get(require_id(r), ([], []))[1]),
                verdicts=tuple(verdicts.get(require_id(r), [])),
            )
        )
    return rows


def current_actions(session: Session, review_id: int, today: date) -> dict[int, dict[str, Any]]:
    """The live status of a review's actions by id (the minutes show the frozen one beside it)."""
    return {
        require_id(a): {
            "status": a.status.value,
            "overdue": is_overdue(a, today),
            "closed_on": a.closed_on.isoformat() if a.closed_on else None,
        }
        for a in _review_actions(session).get(review_id, [])
    }


def reviews_summary(session: Session) -> dict[str, Any]:
    """`isms status` keys: the last review held, the next one planned, open review actions."""
    reviews = list_reviews(session)
    held = sorted((r for r in reviews if r.held_on is not None), key=lambda r: (r.held_on, r.id))
    planned = sorted((r for r in reviews if r.status == ReviewStatus.DRAFT), key=lambda r: (r.planned_on, r.id))
    last, nxt = (held[-1] if held else None), (planned[0] if planned else None)
    open_actions = session.exec(
        select(func.count(col(Action.id))).where(Action.source == "review", col(Action.status).in_(OPEN_STATES))
    ).one()
    return {
        "last": {"id": last.id, "title": last.title, "held_on": last.held_on.isoformat(), "status": last.status.value}
        if last and last.held_on
        else None,
        "next": {"id": nxt.id, "title": nxt.title, "planned_on": nxt.planned_on.isoformat()} if nxt else None,
        "open_actions": open_actions,
    }
