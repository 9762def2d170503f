"""The dashboard: the state of the ISMS at a glance — counts by status, due readings, trends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Digits, Label, Static

from isms_tui.models.enums import Status
from isms_tui.services import clock
from isms_tui.widgets.status import (
    STATUS_STYLE,
    fmt_value,
    spark,
    status_text,
    target_text,
    trend_text,
)

from .base import SectionScreen

if TYPE_CHECKING:
    from isms_tui.services.monitoring import Overview


class StatusTile(Vertical):
    """A count of KPIs in one status, in big digits."""

    def __init__(self, status: Status) -> None:
        super().__init__(id=f"tile-{status.name.lower()}", classes="tile")
        self.status = status

    def compose(self) -> ComposeResult:
        mark, _ = STATUS_STYLE[self.status]
        yield Digits("–", classes="tile-count")
        yield Label(f"{mark} {self.status.value}", classes="tile-label")

    def set_count(self, count: int) -> None:
        self.query_one(Digits).update(str(count))
        self.set_class(count > 0, "-nonzero")


class DashboardScreen(SectionScreen):
    """Headline counts, the readings due and the KPIs that need attention first."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("r", "enter_due", "Enter due readings"),
        Binding("enter", "open_kpi", "Open KPI", show=False),
        Binding("f5", "refresh", "Refresh"),
    ]

    def body(self) -> ComposeResult:
        with Vertical(id="dashboard"):
            yield Static("", id="headline", markup=False)
            with Horizontal(id="tiles"):
                for status in Status:
                    yield StatusTile(status)
            yield Static("", id="due-line")
            yield Label("KPIs by urgency", classes="section-title")
            yield DataTable(id="urgent", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#urgent", DataTable)
        table.add_columns("Code", "KPI", "Status", "Last", "Value", "Target", "Trend", "Recent")

    def refresh_data(self) -> None:
        self.load()

    def action_refresh(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard")
    def load(self) -> None:
        from isms_tui.services import monitoring, workspace

        today = clock.today()
        with self.isms.session() as session:
            ov = monitoring.overview(session, today)
            ws = workspace.get_workspace(session)
            headline = (ws.org_name if ws else "Unnamed workspace", ws.scope if ws else "")
        self.app.call_from_thread(self.show, ov, headline, today)

    def show(self, ov: "Overview", headline: tuple[str, str], today) -> None:
        org, scope = headline
        text = Text(org, style="bold")
        text.append(f"  ·  ISMS status on {today.isoformat()}", style="dim")
        if scope:
            text.append(f"\nScope: {scope}", style="dim")
        self.query_one("#headline", Static).update(text)
        for tile in self.query(StatusTile):
            tile.set_count(ov.counts[tile.status])
        overdue = sum(len(r.state.overdue_periods) for r in ov.rows)
        if ov.due:
            noun = "reading" if len(ov.due) == 1 else "readings"
            due = Text(f"{len(ov.due)} {noun} due", style="bold")
            if overdue:
                due.append(f" ({overdue} overdue)", style="magenta")
            due.append(" — press r to enter them", style="dim")
        else:
            due = Text(f"No readings due · {ov.total} active KPIs", style="green")
        self.query_one("#due-line", Static).update(due)
        table = self.query_one("#urgent", DataTable)
        order = list(Status)
        rows = sorted(ov.rows, key=lambda r: (order.index(r.state.status), r.kpi.code))
        cursor = table.cursor_row
        table.clear()
        for r in rows:
            k = r.kpi
            table.add_row(
                k.code,
                Text(k.name),
                status_text(r.state.status),
                r.last_label,
                fmt_value(r.state.last_value, k.unit),
                target_text(k),
                trend_text(r.state.trend),
                spark(r.recent),
                key=str(k.id),
            )
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    def action_open_kpi(self) -> None:
        table = self.query_one("#urgent", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            from .kpi_detail import KpiDetailScreen

            self.app.push_screen(KpiDetailScreen(int(key)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_kpi()

    def action_enter_due(self) -> None:
        from .due_readings import DueReadingsScreen

        self.app.push_screen(DueReadingsScreen())

