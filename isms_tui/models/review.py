"""Clause 9.3 management review: the record, its inputs and commentary, decisions, approval."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import UniqueConstraint, event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import get_history
from sqlmodel import Field, SQLModel

from .enums import Attendance, ConclusionAspect, DecisionKind, ReviewStatus, Verdict


class ManagementReview(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str
    planned_on: date
    held_on: date | None = None
    chair_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    period_from: date
    period_to: date
    status: ReviewStatus = ReviewStatus.DRAFT
    approved_by: str = ""  # the approver's name as it was at approval (the minutes keep it)
    # The approving person. No foreign key: adding one would mean rebuilding this table, whose
    # children cascade; people are deactivated, never deleted, and the name above stays anyway.
    approved_by_id: int | None = None
    approved_at: datetime | None = None
    # Frozen at approval: the assembled inputs, commentary, decisions and actions as canonical JSON.
    snapshot: str | None = None
    snapshot_sha256: str | None = None


class ReviewNote(SQLModel, table=True):
    """Management's commentary and discussion on one input (a … g, d1 … d4)."""

    __table_args__ = (UniqueConstraint("review_id", "section", name="uq_reviewnote_section"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="managementreview.id", index=True, ondelete="CASCADE")
    section: str
    commentary: str = ""


class ReviewEntry(SQLModel, table=True):
    """A structured entry for an input whose data lives outside the workspace (b, c, e, f, g)."""

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="managementreview.id", index=True, ondelete="CASCADE")
    section: str
    title: str
    detail: str = ""
    source: str = ""  # where it comes from: a register, a survey, a customer, a risk report…


class ReviewDecision(SQLModel, table=True):
    """An output of 9.3.3; its actions live in the shared register (source 'review')."""

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="managementreview.id", index=True, ondelete="CASCADE")
    kind: DecisionKind
    text: str


class ReviewAttendee(SQLModel, table=True):
    """A person of the workspace at the review meeting: their role there, whether they sit as
    top management, and whether they were present or sent apologies."""

    __table_args__ = (UniqueConstraint("review_id", "person_id", name="uq_reviewattendee_person"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="managementreview.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="RESTRICT")
    meeting_role: str = ""  # chair, secretary, presenter of input d3…
    top_management: bool = False
    attendance: Attendance = Attendance.PRESENT


class ReviewConclusion(SQLModel, table=True):
    """Top management's conclusion on one aspect of the ISMS (suitability, adequacy, effectiveness)."""

    __table_args__ = (UniqueConstraint("review_id", "aspect", name="uq_reviewconclusion_aspect"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="managementreview.id", index=True, ondelete="CASCADE")
    aspect: ConclusionAspect
    verdict: Verdict
    rationale: str


REVIEW_PARTS = (ReviewNote, ReviewEntry, ReviewDecision, ReviewAttendee, ReviewConclusion)
"""Every table that belongs to one review: frozen with it once it is approved."""

FROZEN = "This review is approved and frozen; record changes in the next review."


def _was_approved(review: ManagementReview) -> bool:
    """Approved as stored, whatever the object says now (the approval itself may be pending)."""
    hist = get_history(review, "status")
    stored = hist.deleted[0] if hist.deleted else (hist.unchanged[0] if hist.unchanged else None)
    return stored == ReviewStatus.APPROVED


@event.listens_for(OrmSession, "before_flush")
def _refuse_changes_to_approved_reviews(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    """Central guard: no write path may change an approved review or any of its parts."""
    for obj in [*session.dirty, *session.deleted, *session.new]:
        if isinstance(obj, ManagementReview) and obj not in session.new:
            if (obj in session.deleted or session.is_modified(obj)) and _was_approved(obj):
                raise PermissionError(FROZEN)
        elif isinstance(obj, REVIEW_PARTS):
            parent = session.get(ManagementReview, obj.review_id)
            if parent is not None and _was_approved(parent):
                raise PermissionError(FROZEN)
