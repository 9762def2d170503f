"""The cover page and the summary of the period."""

from __future__ import annotations

from collections import Counter
from typing import Any

from reportlab.platypus import PageBreak, Spacer

from isms_tui.models import Audit, Grading, ManagementReview, require_id
from isms_tui.reports import layout as L
from isms_tui.reports.layout import P, esc
from isms_tui.services import actions as actions_service
from isms_tui.services import audits as audits_service
from isms_tui.services import isms_evaluation, objective_fulfilment, pack_data
from isms_tui.services import programme as programme_service
from isms_tui.services.formatting import grading_count, grouped_hex, iso, long_date, plural

from .cells import STATUS_TONE, VERDICT_TONE, text_cell
from .context import Context
from .monitoring import KpiPart


def write_cover(ctx: Context, n_files: int) -> None:
    st = L.styles()
    s = ctx.story
    f = ctx.facts
    count, head = f["journal"]
    s.add(Spacer(1, 18 * L.mm))
    s.markup(f'<font color="{L.MUTED.hexval()}">ISO/IEC 27001:2022 · ISMS EVIDENCE PACK</font>', st.muted)
    s.space(4)
    s.add(P(f["title"], st.title))
    s.add(P(f["subtitle"], st.subtitle))
    pairs: list[tuple[str, Any]] = [
        ("Organisation", f["org"]),
        ("ISMS scope", f["scope"] or "not recorded"),
        ("Period covered", f"{long_date(ctx.period_from)} to {long_date(ctx.period_to)}"),
        ("Issued", iso(f["issued_at"]) + (f" by {f['issued_by']}" if f["issued_by"] else "")),
        ("Signed by", f["signer"]),
        ("Signer certificate SHA-256", grouped_hex(f["fingerprint"])),
        ("CA certificate SHA-256", f.get("ca_fingerprint") or "none (the signer's certificate has no CA here)"),
        ("Journal head at issue", f"{grouped_hex(head)}  ({plural(count, 'change')} recorded)"),
        ("Embedded evidence", plural(n_files, "file") + " (see the evidence register and the manifest)"),
    ]
    pairs.extend(ctx.facts.get("cover_extra", []))
    s.add(
        L.kv_table(
            pairs, 0.27, mono_keys=("Signer certificate SHA-256", "CA certificate SHA-256", "Journal head at issue")
        )
    )
    s.space(14)
    s.note(
        "How to check this pack. The PDF is digitally signed (PAdES, SHA-256) and the signature covers the whole "
        "file, including every embedded evidence file. manifest.json, embedded beside them, lists each file's "
        "SHA-256, as does the manifest at the end of this document. Check the signature with `isms verify FILE.pdf "
        "--trust CA.pem`, with poppler's pdfsig after importing the organisation's CA certificate, or in Adobe "
        "Acrobat, trusting only the CA whose SHA-256 is printed above; any change after signing (an edited byte, "
        "an added page or attachment) is reported. The journal head is the hash of the last entry of the "
        "workspace's hash-chained change journal at the moment of issue: `isms journal verify` on the workspace "
        "shows the same head if nothing has changed since."
    )
    s.add(PageBreak())


def write_summary(
    ctx: Context,
    kpis: list[KpiPart],
    prog: Any,
    cycle: list[Audit],
    inside: list[Audit],
    reviews: list[ManagementReview],
) -> None:
    s = ctx.story
    s.heading(0, "Summary of the period", new_page=True)
    s.para(
        f"This pack presents the evidence of the performance evaluation of the information security "
        f"management system of {ctx.facts['org']} for the period from {long_date(ctx.period_from)} to "
        f"{long_date(ctx.period_to)}, structured by the clauses of ISO/IEC 27001:2022: monitoring, measurement, "
        "analysis and evaluation (9.1), internal audit (9.2) and management review (9.3). Statuses are evaluated "
        f"as of {long_date(ctx.period_to)}."
    )
    counts = Counter(p.state.status for p in kpis)
    readings = sum(len(p.readings) for p in kpis)
    analyses = pack_data.analyses_between(ctx.session, ctx.period_from, ctx.period_to)
    ctx.facts["analyses"] = analyses
    evaluations = isms_evaluation.evaluations_between(ctx.session, ctx.period_from, ctx.period_to)
    verdicts = Counter(o.verdict for o in objective_fulfilment.fulfilment(ctx.session, ctx.period_from, ctx.period_to))
    objective_counts = ", ".join(f"{verdicts[v]} {v}" for v in VERDICT_TONE if verdicts.get(v))
    findings = [
        f
        for a in inside
        for f in audits_service.findings(ctx.session, require_id(a))
        if ctx.period_from <= f.raised_on <= ctx.period_to
    ]
    by_grading = Counter(f.grading for f in findings)
    open_ca = list(actions_service.list_actions(ctx.session, open_only=True, source="finding"))
    overdue = [a for a in open_ca if actions_service.is_overdue(a, ctx.period_to)]
    held = [r for r in reviews if r.held_on]
    held_on = [r.held_on for r in held if r.held_on is not None]
    rows = [
        [
            "9.1",
            "KPIs monitored",
            plural(len(kpis), "KPI")
            + ": "
            + (", ".join(f"{counts[st]} {st.value}" for st in STATUS_TONE if counts.get(st)) or "none"),
        ],
        ["9.1", "Readings recorded in the period", str(readings)],
        ["9.1", "KPI analysis records", str(len(analyses))],
        ["9.1", "Evaluations of the ISMS as a whole", str(len(evaluations))],
        ["6.2", "Objectives over the period", objective_counts or "none recorded"],
        [
            "9.2",
            "Audit programme",
            (f"{prog.title} ({iso(prog.cycle_start)} to {iso(programme_service.cycle_end(prog))})")
            if prog
            else "none recorded",
        ],
        [
            "9.2",
            "Audits in the period",
            ", ".join(f"{n} {st.value}" for st, n in Counter(a.status for a in inside).items()) or "none",
        ],
        [
            "9.2",
            "Findings raised in the period",
            ", ".join(grading_count(by_grading[g], g.value) for g in Grading if by_grading.get(g)) or "none",
        ],
        [
            "10.2",
            "Corrective actions open at the end of the period",
            f"{len(open_ca)} open, {len(overdue)} overdue" if open_ca else "none open",
        ],
        [
            "9.3",
            "Management reviews in the period",
            (f"{len(held)} held (last on {iso(max(held_on))})" if held else "none held")
            + (f", {len(reviews) - len(held)} planned" if len(reviews) > len(held) else ""),
        ],
    ]
    s.add(
        L.data_table(
            ["Clause", "What", "In this period"],
            [[r[0], text_cell(r[1]), text_cell(r[2])] for r in rows],
            [0.9, 3, 6.1],
        )
    )
    s.space(8)
    s.markup(
        "Legend. "
        + " · ".join(
            f'<font color="{t.text.hexval()}">{esc(L.symbol(t) + st.value)}</font>' for st, t in STATUS_TONE.items()
        )
        + ". Every status is shown as a label, not by colour alone.",
        L.styles().muted,
    )
    ctx.facts["cover_extra"] = [
        (
            "Contents of the pack",
            f"{plural(len(kpis), 'KPI')}, {plural(len(inside), 'audit')} in the period, "
            f"{plural(len(reviews), 'management review')}",
        )
    ]
