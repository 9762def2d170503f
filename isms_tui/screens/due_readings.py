"""The quick 'enter due readings' flow: every due KPI and period, one after the other.

Type the value, enter: saved and on to the next. Tab reaches the note; ctrl+n skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, ProgressBar, Static

from isms_tui.models import require_id
from isms_tui.models.enums import Status
from isms_tui.services import clock, periods
from isms_tui.services.formatting import number, target_text
from isms_tui.widgets.status import spark

from .base import SectionScreen, current_actor, workspace_session
from .reading_form import ReadingSaved, ask_for_analysis


@dataclass(frozen=True)
class DueItem:
    kpi_id: int
    code: str
    name: str
    label: str
    period: date
    text_target: str
    unit: str
    method: str
    recent: list[float]
    overdue: bool


class DueReadingsScreen(SectionScreen):
    HELP = "The readings due (9.1), one after the other: type the value, enter saves it and moves to the next."

    CSS_PATH = "due_readings.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Done"),
        Binding("ctrl+n", "skip", "Skip", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[DueItem] = []
        self.index = 0
        self.saved = 0
        self.loaded = False

    def body(self) -> ComposeResult:
        with Vertical(id="due-box"):
            yield Static("", id="due-progress-text")
            yield ProgressBar(id="due-progress", show_eta=False)
            yield Static("", id="due-kpi")
            yield Input(placeholder="value, then enter", id="due-value")
            yield Input(placeholder="note (optional), enter saves too", id="due-note")
            yield Static("", id="due-error", markup=False)
            yield Static("enter saves and moves on · tab note · ctrl+n skip · escape done", id="due-help")

    def refresh_data(self) -> None:
        if not self.loaded:
            self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="due")
    def load(self) -> None:
        from isms_tui.services import monitoring
        from isms_tui.services.targets import stated

        with self.isms.session() as session:
            ov = monitoring.overview(session, clock.today())
        items = [
            DueItem(
                require_id(r.kpi),
                r.kpi.code,
                r.kpi.name,
                periods.period_label(p, r.kpi.frequency),
                p,
                target_text(stated(r.history.at(p), r.kpi.unit), strip=True),
                r.kpi.unit,
                r.kpi.method,
                r.recent,
                p in r.state.overdue_periods,
            )
            for r, p in ov.due
        ]
        self.app.call_from_thread(self.start, items)

    def start(self, items: list[DueItem]) -> None:
        self.items, self.index, self.loaded = items, 0, True
        self.query_one(ProgressBar).update(total=max(1, len(items)), progress=0)
        self.show_current()

    @property
    def current(self) -> DueItem | None:
        return self.items[self.index] if self.index < len(self.items) else None

    def show_current(self) -> None:
        item = self.current
        done = self.index >= len(self.items)
        self.query_one(ProgressBar).update(progress=self.index)
        self.query_one("#due-progress-text", Static).update(
            Text(
                f"{min(self.index + 1, len(self.items))} of {len(self.items)} due readings · {self.saved} saved",
                style="bold",
            )
        )
        for widget_id in ("#due-value", "#due-note"):
            self.query_one(widget_id, Input).display = not done
        if item is None:
            msg = "Nothing is due. " if not self.items else "All due readings handled. "
            self.query_one("#due-kpi", Static).update(Text(msg + "Press escape to go back.", style="green"))
            return
        text = Text()
        text.append(f"{item.code}  {item.name}\n", style="bold")
        text.append(f"Period {item.label}", style="magenta" if item.overdue else "")
        text.append("  (overdue: recorded now, it is marked late)\n" if item.overdue else "\n", style="magenta")
        text.append(f"Target {item.text_target}")
        if item.recent:
            text.append(f"   recent {spark(item.recent)}  last {number(item.recent[-1], item.unit, strip=True)}")
        if item.method:
            text.append(f"\nHow: {item.method}", style="dim")
        self.query_one("#due-kpi", Static).update(text)
        self.query_one("#due-value", Input).value = ""
        self.query_one("#due-note", Input).value = ""
        self.query_one("#due-error", Static).update("")
        self.query_one("#due-value", Input).focus()

    @on(Input.Submitted)
    def save(self) -> None:
        from isms_tui.services import evaluation, kpis, readings, targets
        from isms_tui.services.errors import InputError

        item = self.current
        if item is None:
            return
        try:
            value = readings.parse_value(self.query_one("#due-value", Input).value)
            with workspace_session(self) as session:
                readings.record_reading(
                    session,
                    item.kpi_id,
                    item.period,
                    value,
                    entered_by=current_actor(self),
                    note=self.query_one("#due-note", Input).value,
                )
                in_force = targets.targets_for(session, kpis.get_kpi(session, item.kpi_id)).at(item.period)
                status = evaluation.evaluate_value(in_force, value)
        except InputError as exc:
            self.query_one("#due-error", Static).update(str(exc))
            self.query_one("#due-value", Input).focus()
            return
        self.saved += 1
        self.notify(f"{item.code} {item.label}: {number(value, item.unit, strip=True)}", markup=False)
        result = ReadingSaved(item.kpi_id, item.period, value, status, item.unit, item.text_target)
        self.index += 1
        if status == Status.OFF_TARGET:
            ask_for_analysis(self, result, on_done=lambda: None)
        self.show_current()

    def action_skip(self) -> None:
        if self.current is not None:
            self.index += 1
            self.show_current()
