"""The statement of applicability in a Clause 9 pack: one summary line, the controls excluded
with their justification, and those not yet decided, so the auditor sees what the coverage
matrix leaves out and why."""

from __future__ import annotations

from isms_tui.reports import layout as L
from isms_tui.reports.layout import esc
from isms_tui.services import soa as soa_service
from isms_tui.services.audit_views import ref_ranges

from .cells import text_cell
from .context import Context


def write_soa_summary(ctx: Context) -> None:
    s = ctx.story
    st = L.styles()
    rows = soa_service.statement(ctx.session)
    summary = soa_service.summarise(rows)
    s.heading(1, "Statement of applicability", ref="6.1.3 d: what the audits must cover")
    s.para(
        f"{summary.sentence} A control excluded with a justification needs no audit and is left out of the "
        "coverage below; a control not yet decided is still counted as needing one."
    )
    excluded = [r for r in rows if r.decision == soa_service.NOT_APPLICABLE]
    if excluded:
        s.add(
            L.data_table(
                ["Ref", "Control not applicable", "Justification"],
                [[r.ref, text_cell(r.title), text_cell(r.justification)] for r in excluded],
                [0.75, 2.6, 5.0],
            )
        )
    undecided = [r.ref for r in rows if r.decision == soa_service.UNDECIDED]
    if undecided:
        s.markup(f"<b>Not yet decided ({len(undecided)}):</b> {esc(ref_ranges(undecided))}.", st.muted)
