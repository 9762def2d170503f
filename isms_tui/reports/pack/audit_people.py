"""The people side of one audit in the pack: impartiality line by line (9.2.2 b), the team's
competence on record (7.2) and to whom, when and how the results were reported (9.2.2 c)."""

from __future__ import annotations

from isms_tui.models import Audit
from isms_tui.reports import layout as L
from isms_tui.reports.layout import BAD
from isms_tui.services import audit_views, competence
from isms_tui.services.formatting import iso, long_date

from .cells import text_cell
from .context import Context


def impartiality(ctx: Context, audit: Audit, view: audit_views.AuditView, sub: int, in_toc: bool) -> None:
    s = ctx.story
    st = L.styles()
    s.heading(sub, "Impartiality", ref="9.2.2 b): objectivity and impartiality", toc=in_toc, keep=40 * L.mm)
    if view.conflicts:
        s.para("An auditor assesses lines that a responsibility of their own covers:", st.body)
        s.add(
            L.data_table(
                ["Person", "Role in the audit", "Their responsibility", "Lines"],
                [[text_cell(c.person), c.role, text_cell(c.area), ", ".join(c.refs)] for c in view.conflicts],
                [2, 1.4, 2.6, 3],
            )
        )
        s.space(4)
    else:
        s.para(
            "Nobody assessed a line that their own responsibilities cover (checked line by line against the areas "
            "and processes each auditor is responsible for, and clauses 9 and 10 for whoever runs the ISMS).",
            st.body,
        )
    if view.kept_off:
        s.para("Who did not assess what, and why:", st.body)
        s.add(
            L.data_table(
                ["Auditor", "Their responsibility", "Lines they did not assess", "Assessed instead by"],
                [
                    [text_cell(k.person), text_cell(k.duty), ", ".join(k.refs), text_cell(", ".join(k.assessed_by))]
                    for k in view.kept_off
                ],
                [2, 2.4, 3, 2],
            )
        )
        s.space(4)
    if audit.independence_declaration:
        s.add(
            L.kv_table(
                [
                    ("Independence declaration", audit.independence_declaration),
                    ("Declared by", f"{audit.declared_by or '—'} on {iso(audit.declared_at)}"),
                ]
            )
        )
    elif view.conflicts:
        s.markup(
            f'<font color="{BAD.text.hexval()}"><b>No independence declaration is recorded</b></font>: '
            "the audit cannot start until those lines go to another auditor or the declaration is made.",
            st.body,
        )
    s.heading(sub, "Audit team and competence", ref="7.2 and 9.2.2 b)", toc=in_toc, keep=30 * L.mm)
    counts = dict(view.assessor_counts())
    s.add(
        L.data_table(
            ["Auditor", "Lines assessed", f"Competence on record on {long_date(competence.as_of(audit))}"],
            [[text_cell(name), str(counts.get(name, 0)), text_cell(text)] for name, text in view.competence],
            [2, 1.2, 6.2],
        )
    )


def reporting(ctx: Context, view: audit_views.AuditView) -> None:
    st = L.styles()
    record = view.reporting
    if record is None:
        ctx.story.para("Results reported: not yet; nobody is recorded as having received them.", st.muted)
        return
    ctx.story.add(
        L.kv_table(
            [
                ("Results reported on", long_date(record.reported_on)),
                ("How", record.how),
                ("To", "; ".join(f"{r.name} ({r.role})" if r.role else r.name for r in record.recipients)),
            ]
        )
    )
