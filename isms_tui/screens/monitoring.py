"""The monitoring plan: every KPI with its status, sortable and filterable by status or owner."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Select, Static

from isms_tui.models.enums import Status
from isms_tui.services import clock
from isms_tui.services.formatting import number, target_text
from isms_tui.widgets.status import ANALYSIS_MARK, spark, status_text, trend_text
from isms_tui.widgets.tables import RecordTable, cursor_id, sync_rows

from .base import SectionScreen, WriteBinding
from .transfer import TransferKeys, transfer_bindings

if TYPE_CHECKING:
    from isms_tui.services.monitoring import KpiRow

# column title -> sort key over a KpiRow
SORTS: dict[str, Callable[[KpiRow], Any]] = {
    "Code": lambda r: r.kpi.code,
    "KPI": lambda r: r.kpi.name.lower(),
    "Status": lambda r: list(Status).index(r.state.status),
    "Last": lambda r: r.state.last_period.isoformat() if r.state.last_period else "",
    "Freq.": lambda r: r.kpi.frequency.value,
    "Collector": lambda r: r.collector.lower(),
    "Analyst": lambda r: r.analyst.lower(),
}
COLUMNS = ("Code", "KPI", "Status", "Last", "Value", "Target", "Trend", "Recent", "Freq.", "Collector", "Analyst")


KPI_WIDTH = 34  # the KPI name column; 24 below 100 columns


class KpiListScreen(TransferKeys, SectionScreen):
    """The monitoring plan as a table; enter opens a KPI, n defines a new one."""

    HELP = (
        "The monitoring plan (9.1): what is measured, by whom and how often, with each KPI's status against "
        "the target in force. Define and edit KPIs, record readings, and open the evaluations of the ISMS as "
        "a whole (E)."
    )

    CSS_PATH = "monitoring.tcss"
    BINDINGS = [
        # The footer shows the keys in this order and cuts the rest on a small terminal: the
        # readings first (what is done here most), then the plan, then the view.
        WriteBinding("r", "enter_reading", "Reading"),
        WriteBinding("R", "enter_due", "Due readings"),
        WriteBinding("n", "new_kpi", "New KPI"),
        WriteBinding("e", "edit_kpi", "Edit"),
        Binding("slash", "focus_filter", "Filter"),
        Binding("E", "evaluations", "Evaluate ISMS"),
        Binding("o", "cycle_sort", "Sort"),
        Binding("i", "toggle_inactive", "Show inactive"),
        WriteBinding("x", "toggle_active", "(De)activate", tooltip="(De)activate the KPI; its readings are kept"),
        Binding("escape", "focus_table", "Table", show=False),
        *transfer_bindings(),
    ]
    transfer_register = "readings"

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[KpiRow] = []
        self.analyses_due: set[int] = set()  # KPIs (ids) whose results wait for an analysis
        self.sort_column = "Status"
        self.show_inactive = False

    def body(self) -> ComposeResult:
        with Horizontal(id="filters"):
            yield Input(placeholder="/ filter by code or name", id="filter-text")
            yield Select([(s.value, s) for s in Status], prompt="any status", id="filter-status")
            yield Select([], prompt="any owner", id="filter-owner")
        yield Static("", id="list-summary")
        yield RecordTable(id="kpis", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#kpis", DataTable)
        for title in COLUMNS:
            table.add_column(title, width=KPI_WIDTH if title == "KPI" else None, key=title.lower())
        self.query_one("#kpis", DataTable).focus()

    def on_resize(self) -> None:
        """Below 100 columns the KPI name gives up ten cells so that Value stays in view."""
        self.query_one("#kpis", RecordTable).set_column_width("kpi", 24 if self.size.width < 100 else KPI_WIDTH)

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="kpi-list")
    def load(self) -> None:
        from isms_tui.services import attention, monitoring

        today = clock.today()
        with self.isms.session() as session:
            rows = monitoring.kpi_rows(session, today, include_inactive=self.show_inactive)
            active = [r for r in rows if r.kpi.active]  # a retired KPI is no longer analysed
            due = {a.kpi_id for a in attention.analyses_due(session, today, active)}
        self.app.call_from_thread(self.show, rows, due)

    def show(self, rows: list[KpiRow], analyses_due: set[int] | None = None) -> None:
        self.rows = rows
        self.analyses_due = analyses_due or set()
        owners = sorted({n for r in rows for n in (r.collector, r.analyst) if n})
        owner_select = self.query_one("#filter-owner", Select)
        current = owner_select.value
        owner_select.set_options([(n, n) for n in owners])
        if current in owners:
            owner_select.value = current
        self.render_table()

    def visible_rows(self) -> list[KpiRow]:
        text = self.query_one("#filter-text", Input).value.strip().lower()
        status = self.query_one("#filter-status", Select).value
        owner = self.query_one("#filter-owner", Select).value
        out = []
        for r in self.rows:
            if text and text not in r.kpi.code.lower() and text not in r.kpi.name.lower():
                continue
            if status is not Select.NULL and r.state.status != status:
                continue
            if owner is not Select.NULL and owner not in (r.collector, r.analyst):
                continue
            out.append(r)
        return sorted(out, key=lambda r: (SORTS[self.sort_column](r), r.kpi.code))

    def render_table(self) -> None:
        rows = self.visible_rows()
        sync_rows(
            self.query_one("#kpis", DataTable),
            [
                (
                    str(r.kpi.id),
                    [
                        r.kpi.code,
                        Text(r.kpi.name, style="" if r.kpi.active else "dim strike", overflow="ellipsis", no_wrap=True),
                        _status_cell(r, r.kpi.id in self.analyses_due),
                        r.last_label + (" partial" if r.last_partial else ""),
                        number(r.state.last_value, r.kpi.unit, strip=True),
                        target_text(r.kpi, strip=True),
                        trend_text(r.state.trend),
                        spark(r.recent),
                        r.kpi.frequency.value,
                        r.collector,
                        r.analyst,
                    ],
                )
                for r in rows
            ],
        )
        summary = Text(f"{len(rows)} of {len(self.rows)} KPIs", style="dim")
        if self.analyses_due:
            summary.append(f" · {ANALYSIS_MARK} {len(self.analyses_due)} waiting for an analysis", style="yellow")
        summary.append(f" · sorted by {self.sort_column}", style="dim")
        self.query_one("#list-summary", Static).update(summary)

    def selected_kpi_id(self) -> int | None:
        return cursor_id(self.query_one("#kpis", DataTable))

    @on(Input.Changed, "#filter-text")
    @on(Select.Changed)
    def _filters_changed(self) -> None:
        self.render_table()

    @on(Input.Submitted, "#filter-text")
    def _filter_done(self) -> None:
        self.action_focus_table()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        label = str(event.label)
        if label in SORTS:
            self.sort_column = label
            self.render_table()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_detail()

    def open_detail(self) -> None:
        kpi_id = self.selected_kpi_id()
        if kpi_id is not None:
            from .kpi_detail import KpiDetailScreen

            self.app.push_screen(KpiDetailScreen(kpi_id))

    def action_cycle_sort(self) -> None:
        names = list(SORTS)
        self.sort_column = names[(names.index(self.sort_column) + 1) % len(names)]
        self.render_table()

    def action_focus_filter(self) -> None:
        self.query_one("#filter-text", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one("#kpis", DataTable).focus()

    def action_toggle_inactive(self) -> None:
        self.show_inactive = not self.show_inactive
        self.load()

    def action_new_kpi(self) -> None:
        from .kpi_form import KpiForm

        self.app.push_screen(KpiForm(None), self._saved)

    def action_edit_kpi(self) -> None:
        kpi_id = self.selected_kpi_id()
        if kpi_id is not None:
            from .kpi_form import KpiForm

            self.app.push_screen(KpiForm(kpi_id), self._saved)

    def _saved(self, result: object) -> None:
        if result is not None:
            self.load()

    def action_enter_reading(self) -> None:
        kpi_id = self.selected_kpi_id()
        if kpi_id is not None:
            from .reading_form import open_reading_form

            open_reading_form(self, kpi_id, on_done=self.load)

    def action_enter_due(self) -> None:
        from .due_readings import DueReadingsScreen

        self.app.push_screen(DueReadingsScreen())

    def action_evaluations(self) -> None:
        from .isms_evaluations import IsmsEvaluationsScreen

        self.app.push_screen(IsmsEvaluationsScreen())

    def action_toggle_active(self) -> None:
        kpi_id = self.selected_kpi_id()
        if kpi_id is None:
            return
        from isms_tui.services import kpis

        with self.isms.session() as session:
            kpi = kpis.get_kpi(session, kpi_id)
            kpi = kpis.set_active(session, kpi_id, not kpi.active)
            state = "reactivated" if kpi.active else "deactivated; its readings are kept"
            self.notify(f"{kpi.code} {state}.", markup=False)
        self.load()


def _status_cell(row: KpiRow, analysis_due: bool) -> Text:
    """The KPI's status, marked when its results wait for an analysis."""
    text = status_text(row.state.status)
    if analysis_due:
        text.append(f" {ANALYSIS_MARK}", style="bold yellow")
    return text
