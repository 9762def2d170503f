"""The dashboard: the state of the ISMS at a glance — counts by status, due readings, trends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Digits, Label, Static

from isms_tui.models.enums import Status
from isms_tui.services import clock, periods
from isms_tui.services.formatting import number, plural
from isms_tui.widgets.actions_panel import ActionsPanel
from isms_tui.widgets.status import (
    ANALYSIS_MARK,
    STATUS_STYLE,
    spark,
    status_text,
    trend_text,
)
from isms_tui.widgets.tables import RecordTable, cursor_id, cursor_key, sync_rows

from .base import SectionScreen, WriteBinding

if TYPE_CHECKING:
    from isms_tui.models import Analysis
    from isms_tui.services.attention import Figures
    from isms_tui.services.first_view import FirstView


class StatusTile(Vertical):
    """A count of KPIs in one status, in big digits (`count`: made with it, styled once)."""

    def __init__(self, status: Status, count: int | None = None) -> None:
        super().__init__(id=f"tile-{status.name.lower()}", classes="tile -nonzero" if count else "tile")
        self.status = status
        self._count = count

    def compose(self) -> ComposeResult:
        mark, _ = STATUS_STYLE[self.status]
        yield Digits("–" if self._count is None else str(self._count), classes="tile-count")
        yield Label(f"{mark} {self.status.value}", classes="tile-label")

    def set_count(self, count: int) -> None:
        digits = self.query_one(Digits)
        if digits.value != str(count):  # an update lays the tiles out again
            digits.update(str(count))
        self.set_class(count > 0, "-nonzero")


class AnalysesTile(Vertical):
    """The number of KPIs whose results wait for an analysis, beside the status tiles."""

    def __init__(self, count: int | None = None) -> None:
        super().__init__(id="tile-analyses", classes="tile -nonzero" if count else "tile")
        self._count = count

    def compose(self) -> ComposeResult:
        yield Digits("–" if self._count is None else str(self._count), classes="tile-count")
        yield Label(f"{ANALYSIS_MARK} to analyse", classes="tile-label")

    def set_count(self, count: int) -> None:
        digits = self.query_one(Digits)
        if digits.value != str(count):
            digits.update(str(count))
        self.set_class(count > 0, "-nonzero")


def tiles_line(counts: dict[Status, int], analyses: int, actions: dict[str, Any] | None, width: int = 80) -> Text:
    """The status tiles folded into one line of at most `width` cells (the gaps narrow first),
    and the actions panel's counts on a second, for terminals too small for the big digits
    (the `-narrow` and `-short` screen classes)."""
    tiles = [(*STATUS_STYLE[status], counts.get(status, 0), status.value) for status in Status]
    tiles.append((ANALYSIS_MARK, "bold yellow", analyses, "to analyse"))
    size = sum(len(f"{mark}{count} {label}") for mark, _, count, label in tiles)
    gap = next((g for g in (3, 2) if size + g * (len(tiles) - 1) <= width), 1)
    line = Text(no_wrap=True, overflow="ellipsis")
    for i, (mark, style, count, label) in enumerate(tiles):
        line.append(" " * gap if i else "")
        line.append(f"{mark}{count}", style=style if count else "dim")
        line.append(f" {label}", style="" if count else "dim")
    line.append("\nActions · c: ", style="bold")
    if actions is None:
        line.append("…", style="dim")
    elif not actions["open"]:
        line.append("no open actions", style="green")
    else:
        line.append(f"{actions['open']} open · ")
        overdue = actions["overdue"]
        line.append(f"{overdue} overdue" if overdue else "none overdue", style="bold red" if overdue else "green")
    return line


KPI_WIDTH = 36  # the KPI name column of the urgency table; 24 below 100 columns


class DashboardScreen(SectionScreen):
    """Headline counts, the readings due and the KPIs that need attention first.

    Below 100 columns or 32 rows the big-digit tiles and the actions panel fold into two
    lines, the scope shows its first line, the lower tables stack and the body scrolls, so
    that every table stays reachable at 80x24 (the app's breakpoint classes, dashboard.tcss)."""

    HELP = (
        "The state of the ISMS at a glance (9.1): KPIs by status, the readings due and overdue, the analyses "
        "waiting, the latest conclusions and the open actions. Start here: r enters the due readings one "
        "after the other, enter opens a KPI."
    )

    CSS_PATH = "dashboard.tcss"
    AUTO_FOCUS = ""  # on_mount focuses the KPI table
    BINDINGS = [
        WriteBinding("r", "enter_due", "Enter due readings"),
        Binding("enter", "open_kpi", "Open KPI", show=False),
        Binding("f5", "refresh", "Refresh"),
    ]

    class DataShown(Message):
        """The dashboard's data is on screen for the first time (the app then warms the other
        sections' imports, which must not delay it)."""

    def __init__(self, first: tuple[FirstView, date] | None = None) -> None:
        super().__init__()
        # The first view, shown as the screen mounts: its first frame then has the figures.
        self._first = first
        self._latest: dict[str, tuple[Analysis, str]] = {}  # the latest analyses shown, by row key
        self._shown = False
        self._headline: tuple[tuple[str, str, dict[str, Any]], date] | None = None  # to lay out again
        self._counts: tuple[dict[Status, int], int] = ({}, 0)
        self._actions: dict[str, Any] | None = None

    def body(self) -> ComposeResult:
        with VerticalScroll(id="dashboard"):
            yield Static("", id="headline", markup=False)
            # Made with the first view's counts: a tile whose class changes once mounted is styled again.
            fig = self._first[0].figures if self._first is not None else None
            with Horizontal(id="tiles"):
                for status in Status:
                    yield StatusTile(status, None if fig is None else fig.counts[status])
                yield AnalysesTile(None if fig is None else len(fig.analyses_due))
                yield ActionsPanel()
            yield Static("", id="tiles-line", markup=False)
            yield Static("", id="due-line")
            yield Label("KPIs by urgency · enter opens one", classes="section-title")
            yield RecordTable(id="urgent", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="lower"):
                with Vertical(id="due-box"):
                    yield Label("Readings due · r enters them", classes="section-title")
                    yield RecordTable(id="due", cursor_type="row", zebra_stripes=True)
                with Vertical(id="analyses-due-box"):
                    yield Label("Analyses due · enter opens the KPI", classes="section-title")
                    yield RecordTable(id="analyses-due", cursor_type="row", zebra_stripes=True)
                with Vertical(id="analyses-box"):
                    yield Label("Latest analyses · enter reads one", classes="section-title")
                    yield RecordTable(id="latest-analyses", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#urgent", DataTable)
        table.add_column("Code", width=10)
        table.add_column("KPI", width=KPI_WIDTH, key="kpi")
        for title in ("Status", "Last", "Value", "Trend", "Recent"):
            table.add_column(title)
        self.query_one("#due", DataTable).add_columns("KPI", "Period", "Due by")
        self.query_one("#analyses-due", DataTable).add_columns("KPI", "Since", "Not analysed")
        self.query_one("#latest-analyses", DataTable).add_columns("On", "KPI", "Conclusion")
        table.focus(scroll_visible=False)
        if self._first is not None:
            self.show_first(*self._first)

    def refresh_data(self) -> None:
        if self.isms.engine is not None:  # not before the workspace is open (the first view shows)
            self.load()

    def action_refresh(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard")
    def load(self) -> None:
        from isms_tui.services import analysis, attention, status, workspace
        from isms_tui.services.review_views import reviews_summary
        from isms_tui.services.schedule import schedule

        today = clock.today()
        with self.isms.session() as session:
            fig = attention.figures(session, today)
            ws = workspace.get_workspace(session)
            cycle = {
                "audit": status.next_audit(session, today),
                "audits": status.audits_summary(session),
                "reviews": reviews_summary(session),
                "schedule": schedule(session, today),
            }
            headline = (ws.org_name if ws else "Unnamed workspace", ws.scope if ws else "", cycle)
            latest = analysis.latest_analyses(session, 12)
            from isms_tui.services.action_register import actions_summary

            acts = actions_summary(session, today)
        self.app.call_from_thread(self.show, fig, headline, today, latest)
        self.app.call_from_thread(self.show_actions, acts)

    def show_actions(self, summary: dict[str, Any]) -> None:
        self.query_one(ActionsPanel).show_summary(summary)
        self._actions = summary
        self._show_tiles_line()

    @property
    def compact(self) -> bool:
        """Whether the terminal is too small for the big digits (see the breakpoints)."""
        return self.has_class("-narrow") or self.has_class("-short")

    def on_resize(self) -> None:
        narrow = self.size.width < 100
        self.query_one("#urgent", RecordTable).set_column_width("kpi", 24 if narrow else KPI_WIDTH)  # Value stays
        if self._headline is not None:
            self.call_after_refresh(self.show_headline, *self._headline)  # once laid out anew
        elif self._first is not None:
            self.call_after_refresh(self._show_first_headline, *self._first)
        self.call_after_refresh(self._show_tiles_line)

    def _text_width(self) -> int:
        """The cells a line of the body has: the screen less the padding and, on a small
        terminal, the scrollbar's column (counted whether or not it shows yet, so the text
        does not depend on when the scrollbar appeared)."""
        return (self.size.width or self.app.size.width) - 2 - (1 if self.compact else 0)  # the app's until laid out

    def _show_tiles_line(self) -> None:
        self.update_static("#tiles-line", tiles_line(*self._counts, self._actions, self._text_width()))

    def show_headline(self, headline: tuple[str, str, dict[str, Any]], today: date) -> None:
        """Organisation, scope, where 9.2 and 9.3 stand and the schedule's warnings."""
        self._headline = (headline, today)
        org, scope, cycle = headline
        text = self._head_text(org, scope, today)
        text.append_text(_cycle_line(cycle, today, self._text_width()))
        for warning in cycle["schedule"]["warnings"]:  # reviews and audits past their intervals
            text.append("\n⚠ " + warning, style="bold magenta")
        self.update_static("#headline", text)

    def _head_text(self, org: str, scope: str, today: date) -> Text:
        """The organisation, the day and the scope, ending a line: the whole scope wrapped, or on
        a small terminal its first line only, cut by cells (Settings shows it in full)."""
        text = Text(org, style="bold")
        text.append(f"  ·  ISMS status on {today.isoformat()}", style="dim")
        if scope:
            line = Text("\nScope: " + scope, style="dim")
            if self.compact:  # wide characters count twice
                line = Text("\nScope: " + " ".join(scope.split()), style="dim")
                line.truncate(self._text_width(), overflow="ellipsis")
            text.append_text(line)
        text.append("\n")
        return text

    def show(
        self,
        fig: Figures,
        headline: tuple[str, str, dict[str, Any]],
        today: date,
        latest: Sequence[tuple[Analysis, str]] = (),
    ) -> None:
        self.show_headline(headline, today)
        self.show_figures(fig, today, latest)
        if not self._shown:
            self._shown = True
            self.call_after_refresh(self.post_message, self.DataShown())

    def show_first(self, view: FirstView, today: date) -> None:
        """The KPI figures read before the data layer was loaded (`services/first_view.py`);
        the audits, reviews, actions and latest analyses follow with the full load."""
        self._first = (view, today)
        self._show_first_headline(view, today)
        # Only the rows a terminal of this height can show: the full load fills in the rest,
        # so the first frame with data does not wait for rows nobody sees yet.
        self.show_figures(view.figures, today, (), limit=max(self.app.size.height, 24))

    def _show_first_headline(self, view: FirstView, today: date) -> None:
        if self._headline is None:  # not once the full load has shown its own
            text = self._head_text(view.org, view.scope, today)
            text.append("Audits, reviews and actions: loading…", style="dim")
            self.update_static("#headline", text)

    def show_figures(
        self, fig: Figures, today: date, latest: Sequence[tuple[Analysis, str]], limit: int | None = None
    ) -> None:
        """The tiles, the due line and the tables: everything but the headline; with `limit`,
        only the first rows of each table (the tiles and the due line count every row)."""
        ov = fig.overview
        self.show_lower(fig, today, latest, limit)
        for tile in self.query(StatusTile):
            tile.set_count(fig.counts[tile.status])
        self.query_one(AnalysesTile).set_count(len(fig.analyses_due))
        self._counts = (dict(fig.counts), len(fig.analyses_due))
        self._show_tiles_line()
        self.update_static("#due-line", due_line(fig))
        table = self.query_one("#urgent", DataTable)
        order = list(Status)
        rows = sorted(ov.rows, key=lambda r: (order.index(r.state.status), r.kpi.code))[:limit]
        sync_rows(
            table,
            [
                (
                    str(r.kpi.id),
                    [
                        r.kpi.code,
                        Text(r.kpi.name, overflow="ellipsis", no_wrap=True),
                        status_text(r.state.status),
                        r.last_label,
                        number(r.state.last_value, r.kpi.unit, strip=True),
                        trend_text(r.state.trend),
                        spark(r.recent),
                    ],
                )
                for r in rows
            ],
        )

    def show_lower(
        self, fig: Figures, today: date, latest: Sequence[tuple[Analysis, str]], limit: int | None = None
    ) -> None:
        from isms_tui.services.evaluation import due_date

        due_rows: list[tuple[str, list[str | Text]]] = []
        for row, period in list(reversed(fig.overview.due))[:limit]:  # newest periods first
            by = due_date(row.kpi, period)
            due_rows.append(
                (
                    f"{row.kpi.id}:{period.isoformat()}",
                    [
                        row.kpi.code,
                        periods.period_label(period, row.kpi.frequency),
                        Text(by.isoformat(), style="magenta" if by < today else ""),
                    ],
                )
            )
        sync_rows(self.query_one("#due", DataTable), due_rows)
        sync_rows(
            self.query_one("#analyses-due", DataTable),
            [
                (str(a.kpi_id), [a.code, a.since.isoformat(), Text(a.brief, overflow="ellipsis", no_wrap=True)])
                for a in fig.analyses_due[:limit]
            ],
        )
        self._latest = {str(record.id): (record, code) for record, code in latest}
        sync_rows(
            self.query_one("#latest-analyses", DataTable),
            [
                (str(record.id), [record.analysed_on.isoformat(), code, _one_line(record.conclusion, 52)])
                for record, code in latest
            ],
        )

    def action_open_kpi(self) -> None:
        kpi_id = cursor_id(self.query_one("#urgent", DataTable))
        if kpi_id is not None:
            from .kpi_detail import KpiDetailScreen

            self.app.push_screen(KpiDetailScreen(kpi_id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "analyses-due":
            kpi_id = cursor_id(event.data_table)
            if kpi_id is not None:
                from .kpi_detail import KpiDetailScreen

                self.app.push_screen(KpiDetailScreen(kpi_id))
            return
        if event.data_table.id == "latest-analyses":
            self.read_analysis(event.data_table)
            return
        self.action_open_kpi()

    def read_analysis(self, table: DataTable[Any]) -> None:
        """The highlighted analysis in full: the table shows its conclusion's first words."""
        from isms_tui.widgets.full_text import FullTextScreen

        key = cursor_key(table)
        if key is None or key not in self._latest:
            return
        record, code = self._latest[key]
        title = f"{code}: analysis of {record.analysed_on.isoformat()} (period from {record.period_start.isoformat()})"
        parts = [("Conclusion", record.conclusion), ("Follow-up", record.follow_up)]
        self.app.push_screen(FullTextScreen(title, parts))

    def action_enter_due(self) -> None:
        from .due_readings import DueReadingsScreen

        self.app.push_screen(DueReadingsScreen())


def due_line(fig: Figures) -> Text:
    """Readings, analyses and the ISMS evaluation due, in the numbers the tiles show (one
    `Figures` feeds both)."""
    total = fig.overview.total
    if not total:
        return Text("No KPIs yet: m opens the monitoring plan, where n defines the first one.", style="bold")
    line = Text()
    if fig.readings_due:
        line.append(plural(fig.readings_due, "reading") + " due", style="bold")
        if fig.readings_overdue:
            line.append(f", {fig.readings_overdue} past their due date", style="magenta")
        line.append(" (r enters them)", style="dim")
    else:
        line.append(f"No readings due · {plural(total, 'active KPI')}", style="green")
    if fig.kpis_overdue:
        line.append(f" · {plural(fig.kpis_overdue, 'KPI')} overdue", style="magenta")
    analyses = len(fig.analyses_due)
    if analyses:
        line.append(f" · {plural(analyses, 'analysis', 'analyses')} due", style="bold yellow")
    else:
        line.append(" · no analyses due", style="green")
    ev = fig.evaluation
    if ev is not None and ev.due:
        line.append(f" · ISMS evaluation of {ev.period} due", style="bold yellow")
    return line


def _cycle_line(cycle: dict[str, Any], today: date, width: int) -> Text:
    """Where 9.2 and 9.3 stand, on one line of `width` cells (the audit's title gives way)."""
    line = _cycle_text(cycle, today, cycle["audit"]["title"] if cycle["audit"] else "")
    over = line.cell_len - width
    if over > 0 and cycle["audit"]:
        title = cycle["audit"]["title"]
        line = _cycle_text(cycle, today, title[: max(8, len(title) - over - 1)].rstrip() + "…")
    return line


def _cycle_text(cycle: dict[str, Any], today: date, title: str) -> Text:
    """The audit running or next, open NCs, the last and next review, open review actions."""
    line = Text()
    audit, audits, reviews = cycle["audit"], cycle["audits"], cycle["reviews"]
    line.append("Audit: ", style="bold")
    if audit is None:
        line.append("none planned", style="magenta")
    elif audit["state"] == "in progress":
        line.append(f"{title} (in progress)", style="cyan")
    elif audit["state"] == "late":
        line.append(f"{title} (late: planned from {audit['on']})", style="bold red")
    else:
        line.append(f"{title} from {audit['on']}")
    ncs = audits["open_nonconformities"]
    line.append(f" · {ncs} open NC{'' if ncs == 1 else 's'}", style="bold red" if ncs else "green")
    line.append("   Review: ", style="bold")
    last, nxt = reviews["last"], reviews["next"]
    line.append(f"last {last['held_on']}" if last else "none held yet", style="" if last else "magenta")
    if nxt:
        late = nxt["planned_on"] < today.isoformat()
        line.append(
            f" · next {nxt['planned_on']}" + (" (past its date)" if late else ""), style="bold red" if late else ""
        )
    else:
        line.append(" · none planned", style="magenta")
    if reviews["open_actions"]:
        n = reviews["open_actions"]
        line.append(f" · {n} open action{'' if n == 1 else 's'}", style="yellow")
    return line


def _one_line(text: str, width: int) -> str:
    """The first `width` characters of `text` on one line, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: max(1, width - 1)] + "…"
