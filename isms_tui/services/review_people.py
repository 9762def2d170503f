"""Who took part in a management review and what top management concluded (9.3).

Attendance is recorded per person of the workspace (their role at the meeting, whether they sit
as top management, present or apologies), so the minutes name people, not typed strings. The
conclusions are top management's verdict on the ISMS's continuing suitability, adequacy and
effectiveness, each with its reason. Approval needs both: a top-management attendee who was
present, and all three conclusions; the approver must be such an attendee.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from isms_tui.models import (
    Attendance,
    ConclusionAspect,
    ManagementReview,
    Person,
    ReviewAttendee,
    ReviewConclusion,
    Verdict,
)

from .errors import InputError

ASPECT_QUESTIONS: dict[ConclusionAspect, str] = {
    ConclusionAspect.SUITABILITY: "Is the ISMS still suitable for the organisation and its context?",
    ConclusionAspect.ADEQUACY: "Is the ISMS adequate: enough scope, resources and controls for its purpose?",
    ConclusionAspect.EFFECTIVENESS: "Is the ISMS effective: does it achieve its intended outcomes?",
}


@dataclass(frozen=True)
class AttendeeInput:
    """One person at the meeting, as a form or a caller gives it."""

    person_id: int | None
    meeting_role: str = ""
    top_management: bool = False
    attendance: Attendance = Attendance.PRESENT


@dataclass(frozen=True)
class ConclusionInput:
    aspect: ConclusionAspect
    verdict: Verdict | None
    rationale: str


def attendees(session: Session, review_id: int) -> list[ReviewAttendee]:
    return list(
        session.exec(
            select(ReviewAttendee).where(ReviewAttendee.review_id == review_id).order_by(col(ReviewAttendee.id))
        )
    )


def check_attendance(session: Session, rows: Sequence[AttendeeInput]) -> list[AttendeeInput]:
    """The rows as they will be stored: each a known person, once; somebody present."""
    seen: set[int] = set()
    out: list[AttendeeInput] = []
    for n, row in enumerate(rows, 1):
        if row.person_id is None or session.get(Person, row.person_id) is None:
            raise InputError(f"Attendee {n}: unknown person.", {"attendees": "Unknown person."})
        if row.person_id in seen:
            name = session.get(Person, row.person_id)
            raise InputError(f"{name.name if name else 'A person'} is listed twice.", {"attendees": "Listed twice."})
        seen.add(row.person_id)
        out.append(
            AttendeeInput(row.person_id, row.meeting_role.strip(), bool(row.top_management), Attendance(row.attendance))
        )
    if not any(r.attendance == Attendance.PRESENT for r in out):
        raise InputError("Who attended? Nobody is marked present.", {"attendees": "Who attended?"})
    return out


def replace_attendance(session: Session, review_id: int, rows: Sequence[AttendeeInput]) -> None:
    """Store the attendance as given (rows already checked), replacing what was recorded."""
    current = {a.person_id: a for a in attendees(session, review_id)}
    wanted = {r.person_id for r in rows}
    for person_id, row in current.items():
        if person_id not in wanted:
            session.delete(row)
    session.flush()
    for r in rows:
        assert r.person_id is not None  # checked
        row = current.get(r.person_id) or ReviewAttendee(review_id=review_id, person_id=r.person_id)
        row.meeting_role, row.top_management, row.attendance = r.meeting_role, r.top_management, r.attendance
        session.add(row)
    session.flush()


def conclusions(session: Session, review_id: int) -> dict[ConclusionAspect, ReviewConclusion]:
    return {c.aspect: c for c in session.exec(select(ReviewConclusion).where(ReviewConclusion.review_id == review_id))}


def save_conclusions(session: Session, review_id: int, data: Sequence[ConclusionInput]) -> None:
    """Record top management's three conclusions; every one needs a verdict and a reason."""
    errors: dict[str, str] = {}
    given = {c.aspect: c for c in data}
    for aspect in ConclusionAspect:
        c = given.get(aspect)
        if c is None or c.verdict is None:
            errors.setdefault(f"{aspect.value}_verdict", "Choose yes, partly or no.")
        if c is None or not c.rationale.strip():
            errors.setdefault(f"{aspect.value}_rationale", "Say why, in a sentence or two.")
    if errors:
        first = next(iter(errors))
        if len(errors) == 1:
            raise InputError(f"The conclusion on {first.split('_')[0]}: {errors[first]}", errors)
        raise InputError(
            f"Each of the three conclusions needs a verdict and a reason: {len(errors)} are missing.", errors
        )
    stored = conclusions(session, review_id)
    for aspect in ConclusionAspect:
        c = given[aspect]
        assert c.verdict is not None  # checked
        row = stored.get(aspect) or ReviewConclusion(
            review_id=review_id, aspect=aspect, verdict=Verdict(c.verdict), rationale=""
        )
        row.verdict, row.rationale = Verdict(c.verdict), c.rationale.strip()
        session.add(row)
    session.flush()


def approvers(session: Session, review_id: int) -> list[Person]:
    """Who may approve the minutes: top-management attendees who were present."""
    rows = attendees(session, review_id)
    ids = [a.person_id for a in rows if a.top_management and a.attendance == Attendance.PRESENT]
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids)))}
    return [people[i] for i in ids if i in people]


def approval_gaps(session: Session, review_id: int) -> list[str]:
    """What stands between a held review and its approval, in sentences (empty: it may be approved)."""
    gaps = []
    if not approvers(session, review_id):
        gaps.append("No attendee present is marked as top management (h records the attendance).")
    missing = [a.value for a in ConclusionAspect if a not in conclusions(session, review_id)]
    if missing:
        gaps.append(
            "Top management's conclusion on " + ", ".join(missing) + " of the ISMS is not recorded yet (t records it)."
        )
    return gaps


def check_approver(session: Session, review: ManagementReview, approver_id: int | None) -> Person:
    """The person approving, who must be a top-management attendee who was present."""
    assert review.id is not None
    gaps = approval_gaps(session, review.id)
    if gaps:
        raise InputError("The minutes cannot be approved yet. " + " ".join(gaps))
    if approver_id is None:
        raise InputError("Who approves the minutes?", {"approved_by": "Required."})
    allowed = {p.id: p for p in approvers(session, review.id)}
    if approver_id not in allowed:
        raise InputError(
            "The minutes are approved by a top-management attendee who was at the meeting.",
            {"approved_by": "Not a top-management attendee."},
        )
    return allowed[approver_id]


def attendance_record(session: Session, review_id: int, names: dict[int | None, str]) -> list[dict[str, Any]]:
    """The attendance as the minutes (and the frozen snapshot) hold it."""
    return [
        {
            "person_id": a.person_id,
            "name": names.get(a.person_id, ""),
            "meeting_role": a.meeting_role,
            "top_management": a.top_management,
            "attendance": a.attendance.value,
        }
        for a in attendees(session, review_id)
    ]


def conclusions_record(session: Session, review_id: int) -> list[dict[str, Any]]:
    """The three conclusions in a fixed order (missing ones are absent)."""
    stored = conclusions(session, review_id)
    return [
        {"aspect": a.value, "verdict": stored[a].verdict.value, "rationale": stored[a].rationale}
        for a in ConclusionAspect
        if a in stored
    ]
