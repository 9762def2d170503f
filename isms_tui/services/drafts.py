"""Which records are still drafts: an audit not yet completed, a management review not yet
approved. A pack of a draft says so on every page, and both front ends say so before issuing,
so nobody mistakes work in progress for the organisation's final word."""

from __future__ import annotations

from sqlmodel import Session

from isms_tui.models import Audit, AuditStatus, ManagementReview, ReviewStatus

FINAL_AUDIT = (AuditStatus.COMPLETED, AuditStatus.REPORTED)


def audit_draft_reason(status: AuditStatus) -> str | None:
    """Why a report of an audit in `status` is a draft, or None when the audit is completed."""
    if status in FINAL_AUDIT:
        return None
    return f"This audit is not completed yet ({status.value}): its report is a DRAFT until it is."


def review_draft_reason(status: ReviewStatus) -> str | None:
    """Why the minutes of a review in `status` are a draft, or None once it is approved."""
    if status == ReviewStatus.APPROVED:
        return None
    return f"This management review is not approved yet ({status.value}): its minutes are a DRAFT until they are."


def draft_reason(audit: Audit | None = None, review: ManagementReview | None = None) -> str | None:
    """The sentence that marks a pack of this audit or review as a draft; None for a final one
    (and for a Clause 9 pack, which reports a period, whatever state its records are in)."""
    if audit is not None:
        return audit_draft_reason(audit.status)
    if review is not None:
        return review_draft_reason(review.status)
    return None


def pack_draft_reason(session: Session, kind: str, audit_id: int | None, review_id: int | None) -> str | None:
    """`draft_reason` for a pack request as typed (an unknown id is no draft: the request's own
    check refuses it with its own sentence)."""
    if kind == "audit" and audit_id is not None:
        return draft_reason(audit=session.get(Audit, audit_id))
    if kind == "review" and review_id is not None:
        return draft_reason(review=session.get(ManagementReview, review_id))
    return None
