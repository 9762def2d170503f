"""ISMS evaluations (9.1): every evaluation of the ISMS as a whole, newest first, with when
the next one is due. Reached from Monitoring with E; n records one, f sets how often."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static

from isms_tui.services import clock
from isms_tui.widgets.tables import RecordTable, cursor_id, sync_rows

from .base import SectionScreen, WriteBinding

if TYPE_CHECKING:
    from isms_tui.services.isms_evaluation import EvaluationDue

COLUMNS = [("Period", 25), ("Evaluated", 10), ("By", 16), ("Performance", 30), ("Effectiveness", 30)]


class IsmsEvaluationsScreen(SectionScreen):
    HELP = (
        "Evaluations of the ISMS as a whole (9.1): the performance and effectiveness of the ISMS over a "
        "period, from a basis pre-filled with the period's facts, with follow-ups raised as actions."
    )

    DEFAULT_CSS = """
    IsmsEvaluationsScreen .section-title { text-style: bold; color: $primary; padding: 0 1; }
    #evaluations-due { height: auto; padding: 0 1 1 1; }
    #evaluations { height: 1fr; }
    #evaluation-detail { height: auto; max-height: 50%; padding: 0 1; border-top: hkey $panel-lighten-2; }
    """
    BINDINGS = [
        WriteBinding("n", "new_evaluation", "New evaluation"),
        WriteBinding("f", "frequency", "Frequency"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.frequency = ""

    def body(self) -> ComposeResult:
        yield Label(
            "Evaluations of the ISMS as a whole (9.1) · n records one · f sets how often", classes="section-title"
        )
        yield Static("", id="evaluations-due")
        yield RecordTable(id="evaluations", cursor_type="row", zebra_stripes=True)
        yield Static("", id="evaluation-detail")

    def on_mount(self) -> None:
        table = self.query_one("#evaluations", DataTable)
        for title, width in COLUMNS:
            table.add_column(title, width=width)
        table.focus()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="evaluations")
    def load(self) -> None:
        from isms_tui.services import isms_evaluation
        from isms_tui.services.review_inputs import people_by_id

        with self.isms.session() as session:
            people = people_by_id(session)
            rows = [isms_evaluation.as_json(e, people) for e in isms_evaluation.list_evaluations(session)]
            due = isms_evaluation.evaluation_due(session, clock.today())
            freq = isms_evaluation.evaluation_frequency(session).value
        self.app.call_from_thread(self.show, rows, due, freq)

    def show(self, rows: list[dict[str, Any]], due: EvaluationDue | None, frequency: str) -> None:
        self.rows, self.frequency = rows, frequency
        sync_rows(self.query_one("#evaluations", DataTable), [(str(r["id"]), _cells(r)) for r in rows])
        self.query_one("#evaluations-due", Static).update(_due_line(due, frequency, bool(rows)))
        self._show_detail()

    def _show_detail(self) -> None:
        chosen = cursor_id(self.query_one("#evaluations", DataTable))
        row = next((r for r in self.rows if r["id"] == chosen), None)
        self.query_one("#evaluation-detail", Static).update(_detail(row) if row else "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def action_new_evaluation(self) -> None:
        from .isms_evaluation_form import IsmsEvaluationForm

        self.app.push_screen(IsmsEvaluationForm(), self._saved)

    def _saved(self, evaluation_id: int | None) -> None:
        if evaluation_id is not None:
            self.notify("ISMS evaluation recorded.")
            self.load()

    def action_frequency(self) -> None:
        from isms_tui.models import Frequency

        from .isms_evaluation_form import EvaluationFrequencyForm

        current = Frequency(self.frequency) if self.frequency else Frequency.QUARTERLY
        self.app.push_screen(EvaluationFrequencyForm(current), self._frequency_set)

    def _frequency_set(self, value: str | None) -> None:
        if value is not None:
            self.notify(f"The ISMS is now evaluated {value}.", markup=False)
            self.load()

    def action_back(self) -> None:
        self.app.pop_screen()


def _cells(r: dict[str, Any]) -> list[Any]:
    return [
        f"{r['period_from']} to {r['period_to']}",
        r["evaluated_on"],
        Text(r["evaluator"] or "—"),
        Text(r["performance"].replace("\n", " ")),
        Text(r["effectiveness"].replace("\n", " ")),
    ]


def _due_line(due: EvaluationDue | None, frequency: str, any_rows: bool) -> Text:
    line = Text(f"Evaluated {frequency}. ", style="bold")
    if due is None:
        line.append("Nothing to evaluate yet: define KPIs first.", style="dim")
    elif due.due:
        line.append(f"The evaluation of {due.period} is due since {due.due_on.isoformat()}.", style="bold yellow")
    else:
        line.append(f"Next: {due.period}, due from {due.due_on.isoformat()}.", style="green")
    if not any_rows:
        line.append("  No evaluation recorded yet.", style="dim")
    return line


def _detail(r: dict[str, Any]) -> Text:
    parts: list[tuple[str, str]] = [
        ("Period", f"{r['period_from']} to {r['period_to']}, evaluated {r['evaluated_on']} by {r['evaluator'] or '—'}"),
        ("Performance", r["performance"]),
        ("Effectiveness", r["effectiveness"]),
        ("Basis", r["basis"] or "—"),
        ("Follow-up", r["follow_up"] or "none"),
    ]
    return Text("\n").join(Text.assemble((f"{label}: ", "bold"), value) for label, value in parts)
