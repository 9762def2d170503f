"""The Review section (9.3): every management review with its state and its actions' follow-up.

Enter opens a review's preparation screen (inputs a–g, hold, decisions, approval); n plans a
new one, e edits one not yet approved, M shows the minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static

from isms_tui.services import clock
from isms_tui.services.formatting import plural
from isms_tui.widgets.review_people_render import CONCLUSION_STYLE
from isms_tui.widgets.review_render import REVIEW_STATUS_STYLE
from isms_tui.widgets.tables import RecordTable, cursor_id, sync_rows

from .base import SectionScreen, WriteBinding

if TYPE_CHECKING:
    from isms_tui.services.review_views import ReviewRow

COLUMNS = [("#", 3), ("Title", 31), ("Planned", 10), ("Held", 10), ("Period", 23), ("Status", 8), ("Actions", 18)]


class ReviewsScreen(SectionScreen):
    """All management reviews, newest first."""

    HELP = (
        "Management reviews (9.3): plan one, prepare its inputs a to g from the data, hold it, record "
        "decisions and actions, and have top management approve the minutes."
    )

    CSS_PATH = "reviews.tcss"
    BINDINGS = [
        WriteBinding("n", "new_review", "New review"),
        WriteBinding("e", "edit_review", "Edit"),
        Binding("M", "minutes", "Minutes"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ReviewRow] = []
        self.summary: dict[str, Any] = {}

    def body(self) -> ComposeResult:
        yield Label(
            "Management reviews (9.3) · enter opens one · n plans a new one · M shows the minutes",
            classes="section-title",
        )
        yield Static("", id="reviews-summary")
        yield RecordTable(id="reviews", cursor_type="row", zebra_stripes=True)
        yield Static("", id="review-detail")
        yield Static("", id="reviews-message")

    def on_mount(self) -> None:
        table = self.query_one("#reviews", DataTable)
        for title, width in COLUMNS:
            table.add_column(title, width=width)
        table.focus()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="reviews")
    def load(self) -> None:
        from isms_tui.services.review_views import review_rows, reviews_summary

        with self.isms.session() as session:
            rows = review_rows(session, clock.today())
            summary = reviews_summary(session)
        self.app.call_from_thread(self.show, rows, summary)

    def show(self, rows: list[ReviewRow], summary: dict[str, Any]) -> None:
        self.rows, self.summary = rows, summary
        sync_rows(self.query_one("#reviews", DataTable), [(str(r.review.id), _cells(r)) for r in rows])
        self.query_one("#reviews-summary", Static).update(_summary_line(summary, bool(rows)))
        self._show_detail()

    def _show_detail(self) -> None:
        """Chair, attendance and approval of the highlighted review, under the table."""
        review_id = self.selected_id()
        row = next((r for r in self.rows if r.review.id == review_id), None)
        self.query_one("#review-detail", Static).update(_detail(row) if row else "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def selected_id(self) -> int | None:
        return cursor_id(self.query_one("#reviews", DataTable))

    def say(self, message: str) -> None:
        """One sentence under the table (and as a toast) when a key cannot do what it says."""
        self.query_one("#reviews-message", Static).update(Text(message, style="bold yellow"))
        self.notify(message, severity="warning", markup=False)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        review_id = self.selected_id()
        if review_id is not None:
            from .review_prepare import ReviewPrepareScreen

            self.app.push_screen(ReviewPrepareScreen(review_id))

    def action_new_review(self) -> None:
        from .review_forms import ReviewForm

        self.app.push_screen(ReviewForm(None), self._created)

    def _created(self, review_id: int | None) -> None:
        if review_id is None:
            return
        from .review_prepare import ReviewPrepareScreen

        self.notify("Review planned: its inputs are assembled from the workspace.")
        self.app.push_screen(ReviewPrepareScreen(review_id))

    def action_edit_review(self) -> None:
        from isms_tui.services import review
        from isms_tui.services.errors import InputError

        review_id = self.selected_id()
        if review_id is None:
            return
        try:
            with self.isms.session() as session:
                review.check_editable(session, review_id)
        except InputError as exc:
            self.say(str(exc))
            return
        from .review_forms import ReviewForm

        self.app.push_screen(ReviewForm(review_id), self._reload_if_saved)

    def _reload_if_saved(self, saved: int | None) -> None:
        if saved:
            self.load()

    def action_minutes(self) -> None:
        review_id = self.selected_id()
        if review_id is not None:
            from .review_minutes import ReviewMinutesScreen

            self.app.push_screen(ReviewMinutesScreen(review_id))


def _cells(r: ReviewRow) -> list[Text | str]:
    rv = r.review
    if not r.actions:
        acts = Text("none yet" if rv.status.value != "approved" else "no actions", style="dim")
    elif not r.open_actions:
        acts = Text(f"all {r.actions} closed", style="green")
    else:
        acts = Text(f"{r.open_actions} open", style="bold")
        if r.overdue_actions:
            acts.append(f" · {r.overdue_actions} overdue", style="bold red")
    return [
        Text(str(rv.id), style="dim", justify="right"),  # the number `isms pack --review` takes
        Text(rv.title, no_wrap=True, overflow="ellipsis"),
        rv.planned_on.isoformat(),
        rv.held_on.isoformat() if rv.held_on else Text("—", style="dim"),
        f"{rv.period_from.isoformat()} → {rv.period_to.isoformat()}",
        Text(rv.status.value, style=REVIEW_STATUS_STYLE.get(rv.status.value, "")),
        acts,
    ]


def _summary_line(summary: dict[str, Any], any_rows: bool) -> Text:
    if not any_rows:
        return Text.assemble(
            ("No management review yet. ", "bold"),
            "Press n to plan the first one: its inputs (9.3.2 a–g) are assembled from the "
            "workspace's data for the period it covers.",
        )
    last, nxt = summary.get("last"), summary.get("next")
    line = Text("Last held: ", style="dim")
    line.append(
        f"{last['held_on']} (#{last['id']} {last['title']}, {last['status']})" if last else "none yet",
        style="" if last else "dim",
    )
    line.append(" · next planned: ", style="dim")
    line.append(f"{nxt['planned_on']} (#{nxt['id']} {nxt['title']})" if nxt else "none", style="bold" if nxt else "dim")
    n = summary.get("open_actions", 0)
    line.append(" · ", style="dim")
    line.append(plural(n, "open review action"), style="bold" if n else "green")
    return line


def _detail(row: ReviewRow) -> Text:
    rv = row.review
    text = Text.assemble(("Chair ", "dim"), row.chair or "—")
    if row.present:
        text.append("  ·  attended by ", style="dim")
        text.append(", ".join(row.present))
    if row.apologies:
        text.append("  ·  apologies ", style="dim")
        text.append(", ".join(row.apologies))
    if row.verdicts:
        text.append("\nConclusions: ", style="dim")
        for i, (aspect, verdict) in enumerate(row.verdicts):
            text.append((" · " if i else "") + f"{aspect} ")
            text.append(verdict, style=CONCLUSION_STYLE.get(verdict, ""))
    if rv.approved_at is not None:
        text.append("\nApproved by ", style="dim")
        text.append(rv.approved_by)
        text.append(f" on {rv.approved_at:%Y-%m-%d}", style="")
        text.append("  ·  frozen\nSnapshot SHA-256 ", style="dim")
        text.append(rv.snapshot_sha256 or "", style="dim")
    return text
