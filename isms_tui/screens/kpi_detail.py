"""One KPI: its definition, a trend chart against target and thresholds, readings, analyses."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Label, Static

from isms_tui.models import require_id
from isms_tui.services import clock, periods
from isms_tui.services.chart_series import period_series, target_steps
from isms_tui.services.evaluation import evaluate_value
from isms_tui.services.formatting import Targeted, number, target_text
from isms_tui.services.plausible import range_text
from isms_tui.services.targets import stated
from isms_tui.widgets.status import status_text, trend_text
from isms_tui.widgets.tables import RecordTable, cursor_key, sync_rows
from isms_tui.widgets.trend_chart import TrendChart

from .base import SectionScreen, WriteBinding

if TYPE_CHECKING:
    from isms_tui.models import Reading
    from isms_tui.services.kpi_report import KpiReport

    from .reading_fix import CorrectReadingForm, VoidReadingForm

CHART_POINTS = 36
RECENT_ROWS = 104  # two years of weekly readings
_LEGEND = Text.assemble(("⣀⡠ reading", "cyan"), "  ", ("── target", "green"), "  ", ("── warning", "yellow"))


class KpiDetailScreen(SectionScreen):
    """Definition, trend and records of one KPI; r/a/e act on it, v/c put a reading right."""

    HELP = (
        "One KPI (9.1): its definition, trend and readings, the analyses of its results and the targets that "
        "judged each period. Record or put right a reading, record an analysis and raise its follow-up "
        "action."
    )

    CSS_PATH = "kpi_detail.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        WriteBinding("r", "reading", "Reading"),
        WriteBinding("a", "analysis", "Analysis"),
        Binding("f", "follow_up", "Follow-up action", show=False),  # named in the analyses title
        WriteBinding("e", "edit", "Edit KPI"),
        WriteBinding("v", "void", "Void reading"),
        WriteBinding("c", "correct", "Correct reading"),
        Binding("l", "show_all", "All readings"),
        Binding("h", "history", "History"),
        Binding("tab", "app.focus_next", "Next table", show=False),
    ]

    def __init__(self, kpi_id: int) -> None:
        super().__init__()
        self.kpi_id = kpi_id
        self.report: KpiReport | None = None
        self.show_all = False  # years of weekly readings: show the recent ones unless asked
        self._definition_of: object = None

    def body(self) -> ComposeResult:
        with Horizontal(id="detail-top"):
            with VerticalScroll(id="definition-box"):
                yield Static("", id="definition")
            with Vertical(id="chart-box"):
                yield Static("", id="state-line")
                yield Static(_LEGEND, id="legend")
                yield TrendChart(id="trend")
        with Horizontal(id="detail-bottom"):
            with Vertical(id="readings-box"):
                yield Label("Readings", id="readings-title", classes="section-title", markup=False)
                yield RecordTable(id="readings", cursor_type="row", zebra_stripes=True)
            with Vertical(id="analyses-box"):
                yield Label("Analyses · a adds one · f raises an action", classes="section-title")
                yield RecordTable(id="analyses", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#readings", DataTable).add_columns(
            "Period", "Value", "Status", "Recorded by", "Recorded", "Evid.", "Note"
        )
        self.query_one("#analyses", DataTable).add_columns("Period", "Analyst", "On", "Conclusion", "Follow-up")
        self.query_one("#readings", DataTable).focus()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="kpi-detail")
    def load(self) -> None:
        from isms_tui.services.kpi_report import kpi_report

        with self.isms.session() as session:
            report = kpi_report(session, self.kpi_id, clock.today())
        self.app.call_from_thread(self.show, report)

    def show(self, report: KpiReport) -> None:
        self.report = report
        k, state = report.kpi, report.state
        self.sub_title = f"{k.code} {k.name}"
        definition_key = (
            k.model_dump(),
            report.objective,
            report.people,
            [v.model_dump() for v in report.versions],
            report.risks,
        )
        if definition_key != self._definition_of:  # re-laying out the panel is the costly part
            self._definition_of = definition_key
            self.query_one("#definition", Static).update(_definition(report))
        line = Text.assemble(status_text(state.status), "  ", trend_text(state.trend))
        if state.due_periods:
            labels = ", ".join(periods.period_label(p, k.frequency) for p in state.due_periods[:4])
            more = "…" if len(state.due_periods) > 4 else ""
            line.append(f"  ·  due: {labels}{more}", style="magenta")
        self.update_static("#state-line", line)
        recent = report.live[-CHART_POINTS:]
        series = period_series([(r.period_start, r.value) for r in recent], k.frequency)
        fractions = series.fractions()
        self.query_one(TrendChart).show(
            series.values,
            [periods.period_label(d, k.frequency) for d in series.starts],
            fractions=fractions,
            steps=target_steps(series.starts, fractions, report.targets),
        )
        shown = report.readings if self.show_all else report.readings[-RECENT_ROWS:]
        sync_rows(
            self.query_one("#readings", DataTable),
            [
                (
                    str(require_id(r)),
                    [
                        Text(periods.period_label(r.period_start, k.frequency), style="dim" if r.voided_at else ""),
                        Text(number(r.value, k.unit, strip=True), style="dim strike" if r.voided_at else ""),
                        _status_cell(report, r),
                        Text(r.entered_by),
                        _recorded_cell(report, r),
                        str(report.evidence_counts.get(require_id(r), "")),
                        _note_cell(r),
                    ],
                )
                for r in reversed(shown)
            ],
        )
        hidden = len(report.readings) - len(shown)
        self.update_static(
            "#readings-title",
            "Readings (newest first) · r records · v voids · c corrects"
            + (f" · {hidden} older: l shows all" if hidden else ""),
        )
        sync_rows(
            self.query_one("#analyses", DataTable),
            [
                (
                    str(a.id),
                    [
                        periods.period_label(a.period_start, k.frequency),
                        Text(report.person(a.analyst_id)),
                        a.analysed_on.isoformat(),
                        Text(a.conclusion),
                        Text(a.follow_up),
                    ],
                )
                for a in report.analyses
            ],
        )

    def action_show_all(self) -> None:
        self.show_all = True
        if self.report is not None:
            self.show(self.report)

    def highlighted_reading(self, *, focused: bool = True) -> Reading | None:
        table = self.query_one("#readings", DataTable)
        key = cursor_key(table)
        if key is None or self.report is None or (focused and not table.has_focus):
            return None
        return next((r for r in self.report.readings if str(r.id) == key), None)

    def highlighted_period(self) -> date | None:
        reading = self.highlighted_reading()
        return reading.period_start if reading is not None else None

    def action_void(self) -> None:
        from .reading_fix import VoidReadingForm

        self._put_right(VoidReadingForm)

    def action_correct(self) -> None:
        from .reading_fix import CorrectReadingForm

        self._put_right(CorrectReadingForm)

    def _put_right(self, form: type[VoidReadingForm] | type[CorrectReadingForm]) -> None:
        reading = self.highlighted_reading(focused=False)
        if self.report is None or reading is None:
            self.notify("Highlight a reading first.", severity="warning")
            return
        if reading.voided_at is not None:
            self.notify("That reading is voided already; it counts nowhere.", severity="warning")
            return
        self.app.push_screen(form(self.report.kpi, reading), self._reload_if_saved)

    def action_reading(self) -> None:
        from .reading_form import open_reading_form

        open_reading_form(self, self.kpi_id, on_done=self.load, period=self.highlighted_period())

    def action_analysis(self) -> None:
        from .reading_form import AnalysisForm

        report = self.report
        if report is None:
            return  # not loaded yet
        period = self.highlighted_period()
        if period is None and report.readings:
            period = report.readings[-1].period_start
        period = period or periods.last_closed_period(clock.today(), report.kpi.frequency)
        self.app.push_screen(AnalysisForm(self.kpi_id, period), self._reload_if_saved)

    def action_follow_up(self) -> None:
        """The highlighted analysis's follow-up as an action: a corrective action for a nonconformity
        when the analysed period was off target, else a plain follow-up."""
        from .action_forms import ActionForm

        key = cursor_key(self.query_one("#analyses", DataTable))
        if key is None:
            self.notify("Highlight an analysis first (tab reaches the analyses).", severity="warning")
            return
        self.app.push_screen(ActionForm(None, source=("analysis", int(key))), self._follow_up_saved)

    def _follow_up_saved(self, action_id: int | None) -> None:
        if action_id is not None:
            self.notify(f"Action #{action_id} raised; it is in the action register (c).", markup=False)

    def action_history(self) -> None:
        """The journal entries of this KPI and of the highlighted reading (read-only)."""
        from .history import HistoryModal, HistorySubject

        if self.report is None:
            return
        k = self.report.kpi
        subjects = [HistorySubject("kpi", self.kpi_id, f"KPI {k.code} {k.name}")]
        reading = self.highlighted_reading(focused=False)
        if reading is not None:
            label = f"Reading {periods.period_label(reading.period_start, k.frequency)} of {k.code}"
            subjects.append(HistorySubject("reading", require_id(reading), label))
        self.app.push_screen(HistoryModal(subjects))

    def action_edit(self) -> None:
        from .kpi_form import KpiForm

        self.app.push_screen(KpiForm(self.kpi_id), self._reload_if_saved)

    def _reload_if_saved(self, saved: int | None) -> None:
        if saved:
            self.load()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "readings":
            self.action_reading()


def _status_cell(report: KpiReport, r: Reading) -> Text:
    if r.voided_at is not None:
        return Text("voided", style="dim italic")
    in_force = report.in_force(r)
    cell = status_text(evaluate_value(in_force, r.value))
    if r.partial:
        cell.append(" partial", style="italic")
    if in_force != report.targets.current:  # judged by the target of its time, not today's
        cell.append(f" ({target_text(stated(in_force, ''), strip=True)})", style="dim")  # unit: see Value
    return cell


def _recorded_cell(report: KpiReport, r: Reading) -> Text:
    """When the reading was recorded; late when after its period's due date."""
    cell = Text(r.entered_at.strftime("%Y-%m-%d"))
    if report.late(r):
        cell.append(" late", style="bold magenta")
    return cell


def _note_cell(r: Reading) -> Text:
    """The note, after what put the reading right: voided or corrected, when, by whom and why."""
    if r.voided_at is not None:
        by = f" by {r.voided_by}" if r.voided_by else ""
        return Text.assemble(
            (f"VOIDED {r.voided_at:%Y-%m-%d}{by}: ", "bold"), r.void_reason, f" · {r.note}" if r.note else ""
        )
    if r.corrected_at is not None and r.corrected_from is not None:
        by = f" by {r.corrected_by}" if r.corrected_by else ""
        return Text.assemble(
            (f"corrected from {r.corrected_from:g} on {r.corrected_at:%Y-%m-%d}{by}: ", "italic"),
            r.correction_reason,
            f" · {r.note}" if r.note else "",
        )
    return Text(r.note)


def _definition(report: KpiReport) -> Table:
    """The what/how/when/who of the measure, as 9.1 asks for it."""
    k = report.kpi
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    rows = [
        ("KPI", Text(f"{k.code} {k.name}", style="bold")),
        ("Why", Text(k.information_need or "—")),
        ("Type", k.kpi_type.value),
        ("How", Text(k.method or "—")),
        *_target_rows(report),
        ("Watches", _watched_risks(report)),
        ("When", f"{k.frequency.value}, due {k.grace_days} days after the period"),
        ("Values", range_text(k)),
        ("Measures", Text(report.person(k.collector_id))),
        ("Analyses", Text(f"{report.person(k.analyst_id)}, {k.analysis_frequency.value}")),
        ("Source", Text(k.data_source or "—")),
        ("Reported", Text(k.reporting_format or "—")),
        ("Objective", Text(f"{report.objective.code} {report.objective.statement}" if report.objective else "—")),
        ("Clauses", Text(k.requirements or "—")),
        ("Since", k.started_on.isoformat() + ("" if k.active else "  (inactive)")),
    ]
    for key, value in rows:
        grid.add_row(key, value)
    return grid


def _watched_risks(report: KpiReport) -> Text:
    """The risks that name this KPI: ref, title, the level they stand at, and any excess over appetite."""
    if not report.risks:
        return Text("no risk names this KPI", style="dim")
    out = Text()
    for i, r in enumerate(report.risks):
        out.append(("\n" if i else "") + f"{r.ref} ", style="bold")
        out.append(f"{r.title}: level {r.level} {r.band}, {r.status}")
        if r.above_appetite:
            out.append(" ▲ above appetite", style="bold red")
    return out


def _target_rows(report: KpiReport) -> list[tuple[str, Text]]:
    """The target now and every earlier one: the periods each judges, why it changed, who, when."""
    k, versions = report.kpi, report.versions
    if not versions:  # a KPI stored without a history: its definition has always applied
        return [("Target", Text(_target_line(k)))]
    out: list[tuple[str, Text]] = []
    for i in range(len(versions) - 1, -1, -1):
        v = versions[i]
        start = periods.period_label(v.from_period, k.frequency)
        definition = _target_line(stated(v, k.unit))
        if i == len(versions) - 1:
            line = Text(f"{definition} since {start}")
        else:
            end = periods.previous_period(versions[i + 1].from_period, k.frequency)
            if end < v.from_period:
                continue  # replaced within its first period: it judged nothing (the journal keeps it)
            line = Text(f"{start} to {periods.period_label(end, k.frequency)}: {definition}")
        line.append(f"\n{v.reason or '—'} ({v.recorded_by or 'unknown'}, {v.recorded_at:%Y-%m-%d})", style="dim")
        out.append(("Target" if not out else "Before" if len(out) == 1 else "", line))
    return out


def _target_line(k: Targeted) -> str:
    """'≤ 30 days (warning 45 days)', with both warning bounds for a range."""
    if k.warning is None:
        return target_text(k, strip=True)
    warning = number(k.warning, k.unit, strip=True)
    if k.warning_high is not None:
        warning += f"–{number(k.warning_high, k.unit, strip=True)}"
    return f"{target_text(k, strip=True)} (warning {warning})"
