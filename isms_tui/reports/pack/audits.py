"""Section 9.2: the audit programme, its coverage, each audit's report and its findings."""

from __future__ import annotations

from collections import Counter
from typing import Any

from reportlab.platypus import Paragraph

from isms_tui.models import Action, Audit, AuditResult, AuditStatus, Evidence, Grading, require_id
from isms_tui.reports import layout as L
from isms_tui.reports.layout import BAD, NEUTRAL, M, Tone, esc
from isms_tui.services import actions as actions_service
from isms_tui.services import audit_views, pack_data
from isms_tui.services import audits as audits_service
from isms_tui.services import programme as programme_service
from isms_tui.services.formatting import grading_count, iso, long_date, plural

from . import audit_people
from .cells import (
    AUDIT_TONE,
    RESULT_CODE,
    RESULT_TONE,
    bold_cell,
    lines_cell,
    muted_cell,
    text_cell,
    tone_label,
)
from .context import Context
from .nonconformities import action_cell
from .soa import write_soa_summary

MATRIX_AUDITS = 8  # audit columns per coverage matrix table


def gather_audits(ctx: Context) -> tuple[Any, list[Audit], list[Audit]]:
    prog = programme_service.current_programme(ctx.session, ctx.period_to)
    every = audits_service.list_audits(ctx.session)
    cycle = [a for a in every if prog is not None and a.programme_id == prog.id]
    inside = [
        a
        for a in every
        if (a.actual_start or a.planned_start) <= ctx.period_to
        and (a.actual_end or (a.planned_end if a.status != AuditStatus.IN_PROGRESS else ctx.period_to))
        >= ctx.period_from
    ]
    return prog, cycle, inside


def write_section_92(ctx: Context, prog: Any, cycle: list[Audit], inside: list[Audit]) -> None:
    s = ctx.story
    s.heading(0, "9.2 Internal audit", new_page=True)
    s.para(
        "The audit programme and its risk-based priorities, the coverage of the requirements of the standard "
        "by the audits of the cycle, and every audit that took place in the period, with its plan, the "
        "impartiality of its auditors, its results by requirement, its findings and their corrective actions."
    )
    s.heading(1, "9.2.2 Internal audit programme")
    if prog is None:
        s.para("No audit programme is recorded in this workspace.")
    else:
        s.add(
            L.kv_table(
                [
                    ("Programme", prog.title),
                    (
                        "Cycle",
                        f"{long_date(prog.cycle_start)} to {long_date(programme_service.cycle_end(prog))} "
                        f"({plural(prog.cycle_years, 'year')})",
                    ),
                    ("Owner", ctx.person(prog.owner_id)),
                    ("Objectives", prog.objectives),
                    ("Methods", prog.methods),
                    ("Responsibilities", prog.responsibilities),
                    ("Planning", prog.planning or "not recorded"),
                    ("Reporting", prog.reporting or "not recorded"),
                ]
            )
        )
        s.space(6)
        _programme_audits(ctx, cycle)
        s.heading(2, "Risk-based priorities", toc=False, keep=50 * L.mm)
        s.para(
            "Frequency and depth follow the importance of each area and the results of previous audits.",
            L.styles().muted,
        )
        prios = programme_service.priorities(ctx.session, ctx.period_to)
        if prios:
            rows = [
                [
                    bold_cell(p.area.name),
                    f"{p.area.importance} of 5",
                    f"{p.interval_months} months",
                    iso(p.last_audited),
                    iso(p.next_due) + (" overdue" if p.overdue else ""),
                    text_cell("; ".join(p.reasons)),
                ]
                for p in prios
            ]
            s.add(
                L.data_table(
                    ["Area", "Importance", "Interval", "Last audited", "Next due", "Why"],
                    rows,
                    [1.9, 1.05, 0.95, 1.1, 1.05, 3.45],
                )
            )
        else:
            s.para("No audit areas are defined.", L.styles().muted)
        write_soa_summary(ctx)
        _coverage(ctx, prog)
    s.heading(1, "Audits in the period", ref="9.2.1 and 9.2.2")
    if not inside:
        s.para("No audit took place in the period.")
    for i, audit in enumerate(inside):
        audit_block(ctx, audit, title_level=2, sub_level=3, numbered=f"Audit {audit.id}: ")
        ctx.progress(0.35 + 0.1 * (i + 1) / len(inside), "Writing the audit reports")


def _programme_audits(ctx: Context, cycle: list[Audit]) -> None:
    s = ctx.story
    if not cycle:
        s.para("The programme plans no audit yet.", L.styles().muted)
        return
    rows = []
    tones = []
    counts: Counter[tuple[int, Grading]] = Counter()
    for f in (f for a in cycle for f in audits_service.findings(ctx.session, require_id(a))):
        counts[(f.audit_id, f.grading)] += 1
    for i, a in enumerate(cycle):
        aid = require_id(a)
        found = ", ".join(grading_count(counts[(aid, g)], g.value) for g in Grading if counts.get((aid, g))) or "—"
        actual = (
            (f"{iso(a.actual_start)} to\n{iso(a.actual_end)}" if a.actual_end else f"{iso(a.actual_start)} to\n…")
            if a.actual_start
            else "—"
        )
        rows.append(
            [
                str(a.id),
                text_cell(a.title),
                text_cell(audit_views.ref_ranges(a.scope_refs)),
                text_cell(f"{iso(a.planned_start)} to\n{iso(a.planned_end)}"),
                text_cell(actual),
                text_cell(ctx.person(a.lead_auditor_id)),
                tone_label(AUDIT_TONE[a.status], a.status.value),
                text_cell(found),
            ]
        )
        tones.append((6, i, AUDIT_TONE[a.status]))
    s.add(
        L.data_table(
            ["#", "Audit", "Scope", "Planned", "Actual", "Lead auditor", "Status", "Findings"],
            rows,
            [0.3, 1.8, 1.5, 1.15, 1.15, 1.05, 1.15, 1.6],
            tones=tones,
        )
    )


def _coverage(ctx: Context, prog: Any) -> None:
    s = ctx.story
    st = L.styles()
    cov = programme_service.coverage(ctx.session, prog.id)
    s.heading(1, "Coverage of the requirements", ref="9.2.2: the whole ISMS over the cycle", keep=120 * L.mm)
    planned = cov.planned_only
    own = sum(r.kind == "custom" for r in cov.rows)
    s.para(
        f"{cov.covered} of {len(cov.required)} requirements ({cov.percent}%) were audited in the cycle: an "
        "audit answered every working-paper line for them, one line per question (not applicable counts only "
        "with a justification noted on the line; a plan, or a line closed as not audited, counts for nothing; "
        "a requirement with only some lines answered is partly audited). Each cell gives the result recorded "
        "for the requirement in that audit; an empty cell means the requirement is not in the audit's scope."
        + (f" {plural(own, 'requirement')} of the organisation's own checklists are rows of their own." if own else "")
        + (
            f" {plural(len(cov.excluded), 'control')} excluded by the statement of applicability "
            f"{'needs' if len(cov.excluded) == 1 else 'need'} no audit."
            if cov.excluded
            else ""
        )
    )
    if cov.uncovered:
        refs = ", ".join(r.ref for r in cov.uncovered)
        s.markup(f"<b>Not audited in the cycle ({len(cov.uncovered)}):</b> {esc(refs)}.", st.muted)
    if cov.partly:
        s.markup(f"<b>Of these, partly audited:</b> {esc(', '.join(r.ref for r in cov.partly))}.", st.muted)
    if planned:
        s.markup(f"<b>Of these, planned:</b> {esc(', '.join(r.ref for r in planned))}.", st.muted)
    legend = " · ".join(
        f'<font color="{RESULT_TONE[k].text.hexval()}"><b>{esc(code)}</b></font> {esc(k)}'
        for k, code in RESULT_CODE.items()
    )
    s.markup("Legend: " + legend + ".", st.muted)
    if not cov.audits:
        s.para("No audit is planned in the programme yet.", st.muted)
        return
    for start in range(0, len(cov.audits), MATRIX_AUDITS):
        group = cov.audits[start : start + MATRIX_AUDITS]
        if len(cov.audits) > MATRIX_AUDITS:
            s.heading(3, f"Audits {start + 1} to {start + len(group)} of {len(cov.audits)}", toc=False, keep=60 * L.mm)
        key = "; ".join(
            f"A{a.id} = {a.title} ({iso(a.actual_start or a.planned_start)}, {a.status.value})" for a in group
        )
        s.para(key, st.muted)
        header = ["Ref", "Requirement"] + [f"A{a.id}" for a in group]
        rows: list[list[Any]] = []
        cmds: list[tuple[Any, ...]] = []
        toned: list[tuple[int, int, Tone]] = []
        for ri, row in enumerate(cov.rows):
            title = (
                text_cell(row.title)
                if row.covered
                else M(f"{esc(row.title)} <i>(not applicable in the SoA)</i>", st.cell)
                if row.excluded
                else M(
                    f'{esc(row.title)} <font color="{BAD.text.hexval()}"><b>{esc(L.symbol(BAD))}not audited</b></font>',
                    st.cell,
                )
            )
            cells: list[Any] = [row.ref, title]
            for ci, value in enumerate(row.cells[start : start + len(group)]):
                if value:
                    tone = RESULT_TONE.get(value, NEUTRAL)
                    cells.append(RESULT_CODE.get(value, value))
                    toned.append((ci + 2, ri + 1, tone))
                else:
                    cells.append("")
            if not row.covered and not row.excluded:
                cmds.append(("TEXTCOLOR", (0, ri + 1), (0, ri + 1), BAD.text))
            rows.append(cells)
        cmds += L.tone_commands(toned, text=True)
        cmds += [
            ("ALIGN", (2, 0), (-1, -1), "CENTER"),
            ("FONT", (2, 1), (-1, -1), st.fonts.bold, 6.8, 8.6),
            ("FONT", (0, 1), (0, -1), st.fonts.regular, 7.4, 9.4),
        ]
        widths = [0.75, 3.6] + [0.62] * len(group)
        s.add(L.data_table(header, rows, widths, extra=cmds))


def audit_block(ctx: Context, audit: Audit, *, title_level: int | None, sub_level: int, numbered: str = "") -> None:
    """One audit: plan, impartiality, conclusion, results by requirement, findings and actions.

    Sub-headings at `sub_level` (in the contents when at level 2 or above)."""
    s = ctx.story
    st = L.styles()
    view = audit_views.audit_view(ctx.session, require_id(audit))
    items = audits_service.items(ctx.session, require_id(audit))
    sub = sub_level
    in_toc = sub <= 2
    if title_level is not None:
        s.heading(title_level, f"{numbered}{audit.title}", keep=80 * L.mm)
    s.heading(sub, "Plan", ref="9.2.2 a) and b): criteria, scope, auditors", toc=in_toc, keep=50 * L.mm)
    actual = (
        "not started"
        if not audit.actual_start
        else f"{long_date(audit.actual_start)} to {long_date(audit.actual_end)}"
        if audit.actual_end
        else f"started {long_date(audit.actual_start)}, in progress"
    )
    s.add(
        L.kv_table(
            [
                ("Status", tone_label(AUDIT_TONE[audit.status], audit.status.value)),
                ("Programme", view.programme.title if view.programme else "not part of a programme"),
                ("Scope (requirements)", audit_views.ref_ranges(audit.scope_refs) or "—"),
                ("Scope (areas)", ", ".join(audit.scope_areas) or "—"),
                ("Criteria", audit.criteria),
                ("Methods", audit.methods),
                ("Planned", f"{long_date(audit.planned_start)} to {long_date(audit.planned_end)}"),
                ("Fieldwork", actual),
                ("Lead auditor", view.lead or "—"),
                ("Audit team", ", ".join(view.team) or "none besides the lead auditor"),
                ("Auditees", audit.auditees),
            ]
        )
    )
    audit_people.impartiality(ctx, audit, view, sub, in_toc)
    s.heading(sub, "Summary and conclusion", ref="9.2.2 c): results reported to management", toc=in_toc, keep=30 * L.mm)
    s.add(
        L.kv_table(
            [
                ("Summary", audit.summary or "not written yet"),
                (
                    "Conclusion",
                    audit.conclusion
                    or (
                        "not written yet: the audit is not completed"
                        if audit.status in (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)
                        else "not written"
                    ),
                ),
            ]
        )
    )
    audit_people.reporting(ctx, view)
    s.heading(sub, "Results by requirement", ref="9.2.1 a) and b)", toc=in_toc, keep=60 * L.mm)
    prog = view.progress
    counts = "; ".join(grading_count(prog.counts.get(r, 0), r.value) for r in AuditResult if prog.counts.get(r))
    s.para(
        f"{plural(prog.total, 'line')} in the working paper: {prog.summary()}" + (f" ({counts})." if counts else "."),
        st.muted,
    )
    links = pack_data.evidence_links(ctx.session, {audit_views.EVIDENCE_ENTITY: [require_id(i) for i in items]})
    files: dict[int, list[Evidence]] = {}
    for ev, _e, item_id in links:
        files.setdefault(item_id, []).append(ev)
    rows, tones = [], []
    for i, item in enumerate(items):
        res = item.result.value if item.result else None
        evs = files.get(require_id(item), [])
        for ev in evs:
            ctx.evidence.add(ev, f"Audit {audit.id}, line {item.position} ({item.ref})")
        sample = ""
        if item.sample_population or item.sample_size is not None or item.sample_items:
            sample = " ".join(
                x
                for x in (
                    item.sample_population,
                    f"({item.sample_size} sampled)" if item.sample_size is not None else "",
                    item.sample_items,
                )
                if x
            )
        rows.append(
            [
                str(item.position),
                bold_cell(item.ref),
                text_cell(item.title),
                tone_label(RESULT_TONE[res], res) if res else muted_cell("no result yet"),
                lines_cell(
                    item.notes,
                    ("Assessed by", view.assessed_by.get(require_id(item), "")),
                    ("Methods", ", ".join(str(m) for m in item.methods)),
                    ("Sample", sample),
                    ("Evidence", ", ".join(e.original_name for e in evs)),
                ),
            ]
        )
        if res:
            tones.append((3, i, RESULT_TONE[res]))
    if rows:
        s.add(
            L.data_table(
                ["#", "Ref", "Requirement", "Result", "Notes, methods, sample and evidence"],
                rows,
                [0.35, 0.7, 2.3, 1.35, 4.6],
                tones=tones,
            )
        )
    s.heading(sub, "Findings and corrective actions", ref="9.2.2 and 10.2", toc=in_toc, keep=40 * L.mm)
    _findings(ctx, view)


def _findings(ctx: Context, view: audit_views.AuditView) -> None:
    s = ctx.story
    if not view.findings:
        s.para("No findings were raised.", L.styles().muted)
        return
    rows, tones = [], []
    for i, fv in enumerate(view.findings):
        f, act = fv.finding, fv.action
        tone = RESULT_TONE.get(f.grading.value, NEUTRAL)
        statement = lines_cell(f.statement, ("Evidence", f.evidence), ("Raised", iso(f.raised_on)))
        rows.append(
            [
                str(i + 1),
                bold_cell(f.ref),
                tone_label(tone, f.grading.value),
                statement,
                _action_cell(ctx, act, fv.owner),
            ]
        )
        tones.append((2, i, tone))
    s.add(
        L.data_table(
            ["#", "Ref", "Grading", "Finding and evidence", "Corrective action"],
            rows,
            [0.3, 0.7, 1.3, 3.6, 3.7],
            tones=tones,
        )
    )


def _action_cell(ctx: Context, act: Action | None, owner: str) -> Paragraph:
    if act is None:
        return M(f'<font color="{L.MUTED.hexval()}">No action required for this grading.</font>', L.styles().cell)
    reopens = actions_service.reopen_history(ctx.session, {act.id or 0}).get(act.id or 0, [])
    return action_cell(ctx, act, owner, reopens)
