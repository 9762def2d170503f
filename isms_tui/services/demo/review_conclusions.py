"""The demo reviews' meeting: who took part, top management's conclusions, who approved (9.3).

`reviews` calls `hold` on the meeting day and `conclude_and_approve` a week later, so last
year's approved review carries attendance by person (the Managing Director and the Head of IT
Operations attending as top management, the Head of Development sending apologies) and the
three conclusions that explain its decisions: the scope has to take in NIS2 (suitability
partly), the security work rests on one person (adequacy partly), and the controls deliver
what they are for (effectiveness yes). The Managing Director approves.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from isms_tui.models import Attendance, ConclusionAspect, Verdict
from isms_tui.services import review
from isms_tui.services.review_people import AttendeeInput, ConclusionInput

APPROVER = "Tom Okafor"
ATTENDANCE: tuple[tuple[str, str, bool, Attendance], ...] = (
    ("Tom Okafor", "chair", True, Attendance.PRESENT),
    ("Elena Varga", "presents IT operations and backups", True, Attendance.PRESENT),
    ("Priya Raman", "secretary; presents inputs a to g", False, Attendance.PRESENT),
    ("James Whitfield", "resources and suppliers", False, Attendance.PRESENT),
    ("Olivia Chen", "compliance and NIS2", False, Attendance.PRESENT),
    ("Aisha Bello", "secure development", False, Attendance.APOLOGIES),
)
CONCLUSIONS: tuple[tuple[ConclusionAspect, Verdict, str], ...] = (
    (
        ConclusionAspect.SUITABILITY,
        Verdict.PARTLY,
        "Right for the analytics platform as it stands, but two hosting clients now pass NIS2 duties on "
        "to us: the scope and the Statement of Applicability must take them in.",
    ),
    (
        ConclusionAspect.ADEQUACY,
        Verdict.PARTLY,
        "Controls and budget are sufficient, but vulnerability and incident work rests on one engineer; "
        "a part-time security engineer is funded to remove that dependency.",
    ),
    (
        ConclusionAspect.EFFECTIVENESS,
        Verdict.YES,
        "Most measures met their targets over the year, the internal audits found the audited controls "
        "working, and the nonconformities raised were corrected in time.",
    ),
)


def hold(session: Session, review_id: int, held_on: date, people: dict[str, int]) -> None:
    """The meeting as it took place: attendance by person."""
    review.hold(
        session,
        review_id,
        held_on,
        [AttendeeInput(people[name], role, top, attendance) for name, role, top, attendance in ATTENDANCE],
    )


def conclude_and_approve(session: Session, review_id: int, people: dict[str, int]) -> None:
    """Top management's conclusions, then the Managing Director's approval (which freezes it)."""
    review.conclude(session, review_id, [ConclusionInput(a, v, why) for a, v, why in CONCLUSIONS])
    review.approve(session, review_id, people[APPROVER])
