"""Are management reviews (9.3.1) and internal audits (9.2.1) happening at their planned intervals?

Each has an interval in the workspace's settings: the longest time, in months, allowed between
two management reviews held, and between the starts of two internal audits. The next one is
due by the last one's date plus that interval. The audit interval is about how often an audit
takes place at all; the programme's cycle (`audit_cycle_years`) is about covering every area
of the scope, which the coverage matrix follows. Both rules hold side by side.

What is judged: a review counts once held (held or approved), an audit once started (in
progress, completed or reported). A warning is one sentence: nothing planned, the next one
overdue, or the one planned falling after its due date. The dashboard and `isms status` (and
its --json) read the same dicts.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from isms_tui.models import Audit, AuditStatus, ManagementReview, ReviewStatus

from .workspace import get_workspace

DEFAULT_INTERVAL_MONTHS = 12
INTERVAL_RANGE = range(1, 37)  # one month to three years


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _judge(
    what: str, last: date | None, last_words: str, planned: date | None, running: bool, months: int, today: date
) -> dict[str, Any]:
    due = add_months(last, months) if last else None
    warnings: list[str] = []
    overdue = due is not None and due < today and not running
    if overdue:
        assert last is not None and due is not None
        warnings.append(
            f"The next {what} is overdue: it was due by {due.isoformat()}, {months} months after the one "
            f"{last_words} {last.isoformat()}."
        )
    if planned is None and not running:
        if last is None:
            warnings.append(f"No {what} has taken place or is planned.")
        elif not overdue:
            assert due is not None
            warnings.append(f"No {what} is planned; the next is due by {due.isoformat()}.")
        else:
            warnings.append(f"No {what} is planned.")
    elif planned is not None and due is not None and planned > due and not (running or overdue):
        warnings.append(f"The {what} planned for {planned.isoformat()} falls after its due date {due.isoformat()}.")
    return {
        "interval_months": months,
        "last": last.isoformat() if last else None,
        "due_by": due.isoformat() if due else None,
        "next_planned": planned.isoformat() if planned else None,
        "overdue": overdue,
        "warnings": warnings,
    }


def _intervals(session: Session) -> tuple[int, int]:
    ws = get_workspace(session)
    if ws is None:
        return DEFAULT_INTERVAL_MONTHS, DEFAULT_INTERVAL_MONTHS
    return ws.review_interval_months, ws.audit_interval_months


def review_schedule(session: Session, today: date) -> dict[str, Any]:
    """The last review held, the next planned, when the next is due, and what is wrong."""
    months, _ = _intervals(session)
    reviews = list(session.exec(select(ManagementReview)))
    held = [r.held_on for r in reviews if r.held_on is not None and r.status != ReviewStatus.DRAFT]
    planned = [r.planned_on for r in reviews if r.status == ReviewStatus.DRAFT]
    return _judge(
        "management review", max(held, default=None), "held on", min(planned, default=None), False, months, today
    )


def audit_schedule(session: Session, today: date) -> dict[str, Any]:
    """The last internal audit started, the next planned, when the next is due, and what is wrong."""
    _, months = _intervals(session)
    started = [
        a.actual_start or a.planned_start
        for a in session.exec(select(Audit).where(Audit.status != AuditStatus.PLANNED))
    ]
    running = session.exec(select(Audit.id).where(Audit.status == AuditStatus.IN_PROGRESS)).first() is not None
    planned = session.exec(
        select(Audit).where(Audit.status == AuditStatus.PLANNED).order_by(col(Audit.planned_start))
    ).first()
    first = planned.planned_start if planned else None
    return _judge("internal audit", max(started, default=None), "started on", first, running, months, today)


def schedule(session: Session, today: date) -> dict[str, Any]:
    """`isms status` keys: both schedules, and every warning in one list."""
    review, audit = review_schedule(session, today), audit_schedule(session, today)
    return {"review": review, "audit": audit, "warnings": [*audit["warnings"], *review["warnings"]]}
