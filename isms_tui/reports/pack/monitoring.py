"""Section 9.1: the monitoring plan, the KPI results with readings and charts, the analyses."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reportlab.platypus import Flowable, Spacer

from isms_tui.models import Evidence, Frequency, Kpi, KpiTarget, Status, require_id
from isms_tui.reports import layout as L
from isms_tui.reports.layout import BAD, GOOD, LATE, NEUTRAL, WARN, M, Tone, esc
from isms_tui.services import pack_data, periods, targets
from isms_tui.services.evaluation import Targets
from isms_tui.services.formatting import iso, long_date, number
from isms_tui.services.risk_watch import WatchedRisk, watched_risks

from .cells import STATUS_TONE, bold_cell, kpi_target, kpi_warning, lines_cell, text_cell, tone_label
from .context import Context
from .evaluations import write_isms_evaluations, write_objectives
from .kpi_risks import watched_block
from .kpi_targets import kpi_chart, target_history

PER_YEAR = {
    Frequency.WEEKLY: 52,
    Frequency.MONTHLY: 12,
    Frequency.QUARTERLY: 4,
    Frequency.SEMIANNUAL: 2,
    Frequency.ANNUAL: 1,
}
DETAILED_READINGS = 16  # up to this many readings a KPI gets a detailed table, beyond it a grid


@dataclass
class KpiPart:
    kpi: Kpi
    state: Any
    readings: list[pack_data.ReadingRow]  # voided ones included, marked
    statuses: list[Status]  # one per reading
    collector: str
    analyst: str
    objective: str
    late: frozenset[int] = frozenset()  # ids of readings recorded after their due date
    targets: Targets | None = None  # the definition in force for each period
    versions: list[KpiTarget] = field(default_factory=list)  # the target history, oldest first
    risks: list[WatchedRisk] = field(default_factory=list)  # the risks that name this KPI

    @property
    def live(self) -> list[tuple[pack_data.ReadingRow, Status]]:
        """The readings that count (not voided), with their statuses."""
        return [(r, st) for r, st in zip(self.readings, self.statuses, strict=True) if not r.voided]


def gather_kpis(ctx: Context) -> list[KpiPart]:
    from isms_tui.services.evaluation import evaluate_value, is_late

    s = ctx.session
    histories, recorded = targets.all_targets(s), targets.all_versions(s)
    watching = watched_risks(s)
    objectives = pack_data.objective_labels(s)
    by_kpi = pack_data.readings_between(s, ctx.period_from, ctx.period_to)
    kpis = pack_data.pack_kpis(s, ctx.period_from, ctx.period_to, by_kpi)
    out = []
    for i, k in enumerate(kpis):
        rows = by_kpi.get(require_id(k), [])
        history = targets.targets_of(histories, k)
        out.append(
            KpiPart(
                kpi=k,
                state=pack_data.state_as_of(s, k, ctx.period_to),
                readings=rows,
                statuses=[evaluate_value(history.at(r.period_start), r.value) for r in rows],
                collector=ctx.person(k.collector_id),
                analyst=ctx.person(k.analyst_id),
                objective=objectives.get(k.objective_id or 0, ""),
                late=frozenset(r.id for r in rows if is_late(k, r.period_start, r.entered_on)),
                targets=history,
                versions=recorded.get(require_id(k), []),
                risks=watching.get(k.code, []),
            )
        )
        if i % 25 == 0:
            ctx.progress(0.02 + 0.2 * i / max(len(kpis), 1), "Reading the KPIs")
    return out


def write_section_91(ctx: Context, parts: list[KpiPart]) -> None:
    s = ctx.story
    st = L.styles()
    s.heading(0, "9.1 Monitoring, measurement, analysis and evaluation", new_page=True)
    s.para(
        "The organisation determined what is monitored and measured, the methods, when and by whom, and when "
        "and by whom the results are analysed and evaluated (the monitoring plan below). The results of the "
        "period follow for every KPI with its trend against the target, then the analysis and evaluation records. "
        "Every reading whose measurement period overlaps the range is included; one whose period straddles the "
        "start or the end of the range is marked \u201cpartly in range\u201d. A value taken before its period closed "
        "is marked partial."
    )
    if not parts:
        s.para("No KPI is defined in this workspace.")
        return
    s.heading(1, "Monitoring plan", ref="9.1 a) to f)")
    rows = []
    for p in parts:
        k = p.kpi
        rows.append(
            [
                M(f"<b>{esc(k.code)}</b><br/>{esc(k.name)}" + ("" if k.active else "<br/><i>retired</i>"), st.cell),
                lines_cell(
                    ("Need", k.information_need),
                    ("Objective", p.objective),
                    ("Requirements", k.requirements),
                    ("Type", k.kpi_type.value),
                ),
                lines_cell(
                    ("Method", k.method),
                    ("Unit", k.unit),
                    ("Source", k.data_source),
                    ("Reported as", k.reporting_format),
                ),
                lines_cell(
                    ("Measured", k.frequency.value),
                    ("Analysed", k.analysis_frequency.value),
                    ("Grace", f"{k.grace_days} days"),
                ),
                lines_cell(("Measures", p.collector), ("Analyses", p.analyst)),
                lines_cell(("Target", kpi_target(k)), ("Warning", kpi_warning(k))),
            ]
        )
    s.add(
        L.data_table(
            ["KPI", "What (information need)", "How (method)", "When", "Who", "Target"],
            rows,
            [1.45, 2.3, 2.3, 1.25, 1.35, 1.2],
        )
    )

    s.heading(1, "Results by KPI", ref="9.1, evidence of the results")
    s.para(
        f"Status of each KPI on {long_date(ctx.period_to)} and its readings in the period; each KPI's chart, "
        "readings and analyses follow."
    )
    overview = []
    tones = []
    for i, p in enumerate(parts):
        live = p.live
        c = Counter(st for _, st in live)
        last = (
            (f"{periods.period_label(p.state.last_period, p.kpi.frequency)}: {number(p.state.last_value, p.kpi.unit)}")
            if p.state.last_period
            else "—"
        )
        overview.append(
            [
                bold_cell(p.kpi.code),
                text_cell(p.kpi.name),
                str(len(live)),
                str(sum(r.id in p.late for r, _ in live)),
                f"{c.get(Status.ON_TARGET, 0)} / {c.get(Status.WARNING, 0)} / {c.get(Status.OFF_TARGET, 0)}",
                text_cell(last),
                tone_label(STATUS_TONE[p.state.status], p.state.status.value),
                text_cell(p.state.trend or "—"),
            ]
        )
        tones.append((6, i, STATUS_TONE[p.state.status]))
    s.add(
        L.data_table(
            ["KPI", "Name", "Readings", "Late", "On / warn / off", "Last reading", "Status", "Trend"],
            overview,
            [1.3, 2.15, 1.1, 0.7, 1.25, 1.55, 1.35, 1.1],
            tones=tones,
            align_right=(2, 3),
        )
    )
    s.para(
        "Late: readings recorded after their period's due date (the period's end plus the KPI's grace days). "
        "Voided readings are listed with each KPI but count in no status, trend or chart.",
        st.muted,
    )
    analyses = ctx.facts.get("analyses") or pack_data.analyses_between(ctx.session, ctx.period_from, ctx.period_to)
    by_kpi: dict[str, list[pack_data.AnalysisRow]] = {}
    for a in analyses:
        by_kpi.setdefault(a.kpi_code, []).append(a)
    links = pack_data.evidence_links(ctx.session, {"reading": [r.id for p in parts for r in p.readings]})
    files: dict[int, list[Evidence]] = {}
    for ev, _entity, rid in links:
        files.setdefault(rid, []).append(ev)
    for i, p in enumerate(parts):
        _kpi_results(ctx, p, by_kpi.get(p.kpi.code, []), files)
        if i % 10 == 0:
            ctx.progress(0.22 + 0.13 * i / len(parts), "Charting the KPIs")
    _analysis_section(ctx, parts, analyses)


def _kpi_results(
    ctx: Context, p: KpiPart, analyses: list[pack_data.AnalysisRow], files: dict[int, list[Evidence]]
) -> None:
    s = ctx.story
    st = L.styles()
    k = p.kpi
    s.heading(2, f"{k.code}  {k.name}", keep=95 * L.mm)
    tone = STATUS_TONE[p.state.status]
    last = (
        (
            f"last reading {periods.period_label(p.state.last_period, k.frequency)} = "
            f"{number(p.state.last_value, k.unit)}"
        )
        if p.state.last_period
        else "no reading yet"
    )
    s.markup(
        f'<font color="{tone.text.hexval()}"><b>{esc(L.symbol(tone) + p.state.status.value)}</b></font>'
        f" on {esc(iso(ctx.period_to))} · {esc(last)}"
        + (f" · trend {esc(p.state.trend)}" if p.state.trend else "")
        + f" · target {esc(kpi_target(k))}, warning {esc(kpi_warning(k))}"
        + (f" from {esc(periods.period_label(p.versions[-1].from_period, k.frequency))}" if len(p.versions) > 1 else "")
        + f" · measured {esc(k.frequency.value)} by {esc(p.collector)}, analysed "
        f"{esc(k.analysis_frequency.value)} by {esc(p.analyst)}",
        st.muted,
    )
    s.add(*target_history(k, p.versions))
    s.add(*watched_block(p.risks, ctx.today))
    if p.state.overdue_periods:
        missing = ", ".join(periods.period_label(d, k.frequency) for d in sorted(p.state.overdue_periods)[:8])
        s.markup(
            f'<font color="{LATE.text.hexval()}">Readings overdue for {esc(missing)}'
            f"{' and more' if len(p.state.overdue_periods) > 8 else ''}.</font>",
            st.muted,
        )
    if not p.readings:
        s.para("No reading was recorded in the period.", st.muted)
    else:
        s.space(3)
        s.add(kpi_chart(ctx, p))
        s.space(4)
        s.add(*_readings_table(p, files))
        noted = [(r, files.get(r.id, [])) for r in p.readings if files.get(r.id)]
        for r, evs in noted:
            for ev in evs:
                ctx.evidence.add(ev, f"Reading {k.code} {periods.period_label(r.period_start, k.frequency)}")
    if analyses:
        s.space(4)
        rows = [
            [
                iso(a.analysis.analysed_on),
                text_cell(_analysis_period(a, k)),
                text_cell(a.analyst),
                text_cell(a.analysis.conclusion),
                text_cell(a.analysis.follow_up or "—"),
            ]
            for a in analyses
        ]
        s.add(
            L.data_table(["Analysed", "Period", "Analyst", "Conclusion", "Follow-up"], rows, [1.0, 1.0, 1.3, 3.85, 2.4])
        )
    elif p.readings:
        s.para("No analysis of this KPI was recorded in the period.", st.muted)


def _analysis_period(a: pack_data.AnalysisRow, kpi: Kpi | None) -> str:
    if kpi is None:
        return iso(a.analysis.period_start)
    return periods.period_label(a.analysis.period_start, kpi.frequency)


def _period_cell(r: pack_data.ReadingRow, k: Kpi) -> Any:
    """The reading's period, marked when it straddles the start or end of the range."""
    label = periods.period_label(r.period_start, k.frequency)
    return text_cell(f"{label} (partly in range)") if r.straddles else label


def _readings_table(p: KpiPart, files: dict[int, list[Evidence]]) -> list[Flowable]:
    """Up to DETAILED_READINGS readings: one line each with its note and evidence; more (weekly
    KPIs): a compact grid of period, value and status three abreast, then the notes."""
    k = p.kpi
    if len(p.readings) <= DETAILED_READINGS:
        rows, tones = [], []
        for i, (r, stt) in enumerate(zip(p.readings, p.statuses, strict=True)):
            evs = files.get(r.id, [])
            tone, label = _status_of(r, stt)
            rows.append(
                [
                    _period_cell(r, k),
                    number(r.value, k.unit),
                    tone_label(tone, label),
                    _recorded_cell(r, r.id in p.late),
                    text_cell(_note(r) or "—"),
                    text_cell(", ".join(e.original_name for e in evs) or "—"),
                ]
            )
            tones.append((2, i, tone))
        return [
            L.data_table(
                ["Period", "Value", "Status", "Recorded", "Note", "Evidence"],
                rows,
                [0.85, 0.9, 1.35, 1.5, 3.1, 2.3],
                tones=tones,
                align_right=(1,),
            )
        ]
    per = 3
    n_rows = -(-len(p.readings) // per)
    rows = []
    toned: list[tuple[int, int, Tone]] = []
    for row in range(n_rows):
        cells: list[Any] = []
        for col in range(per):
            idx = col * n_rows + row
            if idx < len(p.readings):
                r, stt = p.readings[idx], p.statuses[idx]
                tone, label = _status_of(r, stt)
                cells += [
                    _period_cell(r, k),
                    number(r.value, k.unit),
                    L.symbol(tone) + label + (" · late" if r.id in p.late else ""),
                ]
                toned.append((col * 3 + 2, row + 1, tone))
            else:
                cells += ["", "", ""]
        rows.append(cells)
    extra = L.tone_commands(toned, text=True)
    extra += [("LINEAFTER", (c * 3 + 2, 0), (c * 3 + 2, -1), 0.8, L.RULE) for c in range(per - 1)]
    table = L.data_table(
        ["Period", "Value", "Status"] * per,
        rows,
        [1, 1, 1.25] * per,
        align_right=tuple(c * 3 + 1 for c in range(per)),
        extra=extra,
    )
    notes = [(r, files.get(r.id, [])) for r in p.readings if _note(r) or files.get(r.id)]
    if not notes:
        return [table]
    note_rows = [
        [
            periods.period_label(r.period_start, k.frequency),
            text_cell(r.entered_by),
            text_cell(_note(r) or "—"),
            text_cell(", ".join(e.original_name for e in evs) or "—"),
        ]
        for r, evs in notes
    ]
    return [
        table,
        Spacer(1, 4),
        L.data_table(["Period", "Entered by", "Note", "Evidence"], note_rows, [0.9, 1.5, 4.4, 2.4]),
    ]


def _status_of(r: pack_data.ReadingRow, status: Status) -> tuple[Tone, str]:
    """A voided reading has no status; a partial one says so beside it."""
    if r.voided:
        return NEUTRAL, "voided"
    return STATUS_TONE[status], status.value + (" · partial" if r.partial else "")


def _recorded_cell(r: pack_data.ReadingRow, late: bool) -> Any:
    """Who recorded the reading and when, with the late marker."""
    when = esc(r.entered_at[:10])
    if late:
        when += f' <font color="{LATE.text.hexval()}"><b>{esc(L.symbol(LATE))}late</b></font>'
    return M(f"{esc(r.entered_by or '—')}<br/>{when}", L.styles().cell)


def _note(r: pack_data.ReadingRow) -> str:
    """The reading's note, after what put it right: voided or corrected, by whom, when and why."""
    lines = [f"VOIDED {r.voided}" if r.voided else "", f"Corrected {r.corrected}" if r.corrected else "", r.note]
    return "\n".join(line for line in lines if line)


def _analysis_section(ctx: Context, parts: list[KpiPart], analyses: list[pack_data.AnalysisRow]) -> None:
    s = ctx.story
    s.heading(1, "Analysis and evaluation", ref="9.1 e) and f)")
    years = max(((ctx.period_to - ctx.period_from).days + 1) / 365.25, 1 / 52)
    counts = Counter(a.kpi_code for a in analyses)
    last: dict[str, date] = {}
    for a in analyses:
        last[a.kpi_code] = max(last.get(a.kpi_code, a.analysis.analysed_on), a.analysis.analysed_on)
    s.para(
        "When and by whom each KPI's results were analysed and evaluated in the period, against the analysis "
        "frequency of the monitoring plan."
    )
    rows, tones = [], []
    for i, p in enumerate(parts):
        k = p.kpi
        expected = max(1, round(PER_YEAR[k.analysis_frequency] * years)) if p.readings else 0
        done = counts.get(k.code, 0)
        tone, label = (
            (GOOD, "on schedule")
            if done >= expected
            else (WARN, "fewer than planned")
            if done
            else (BAD, "not analysed")
        )
        if not expected:
            tone, label = NEUTRAL, "nothing to analyse"
        rows.append(
            [
                bold_cell(k.code),
                text_cell(p.analyst),
                k.analysis_frequency.value,
                f"{done} of {expected}",
                iso(last.get(k.code)),
                tone_label(tone, label),
            ]
        )
        tones.append((5, i, tone))
    s.add(
        L.data_table(
            ["KPI", "Analyst", "Frequency", "Records", "Last analysed", "Assessment"],
            rows,
            [1.3, 1.8, 1.1, 0.9, 1.2, 1.9],
            tones=tones,
            align_right=(3,),
        )
    )
    write_isms_evaluations(ctx)
    write_objectives(ctx)
