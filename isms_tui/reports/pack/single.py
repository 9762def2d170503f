"""The packs of one audit (its report) and of one management review (its minutes)."""

from __future__ import annotations

from isms_tui.models import Audit, ManagementReview

from .audits import audit_block
from .context import Context
from .reviews import review_block


def write_audit_pack(ctx: Context, audit: Audit) -> None:
    s = ctx.story
    s.heading(0, f"9.2 Internal audit: {audit.title}", new_page=True, toc_text=f"9.2 Internal audit: {audit.title}")
    s.para(
        "The report of one internal audit: its plan and scope, the impartiality of its auditors, the results "
        "by requirement, the findings and the corrective actions they opened (10.2)."
    )
    if ctx.story.decor.draft:
        s.note(ctx.story.decor.draft)
    ctx.facts["cover_extra"] = [("Audit", f"#{audit.id}, {audit.status.value}")]
    audit_block(ctx, audit, title_level=None, sub_level=1)
    ctx.progress(0.45, "Audit report written")


def write_review_pack(ctx: Context, review: ManagementReview) -> None:
    s = ctx.story
    s.heading(0, f"9.3 Management review: {review.title}", new_page=True)
    s.para("The minutes of one management review: the record, its inputs (9.3.2) and its results (9.3.3).")
    if ctx.story.decor.draft:
        s.note(ctx.story.decor.draft)
    ctx.facts["cover_extra"] = [("Management review", f"#{review.id}, {review.status.value}")]
    review_block(ctx, review, title_level=None, sub_level=1)
    ctx.progress(0.45, "Minutes written")
