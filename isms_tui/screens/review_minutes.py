"""The minutes of a management review, read-only and scrollable.

Built from `review.minutes()`: an approved review from its frozen snapshot (checked against its
SHA-256), any other from the workspace as it stands. Each action shows the status recorded in
the minutes and, beside it, its status today, so follow-up is visible without editing history.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from isms_tui.services import clock
from isms_tui.services.errors import InputError, NotFound
from isms_tui.widgets.review_people_render import render_attendance, render_conclusions
from isms_tui.widgets.review_render import (
    REVIEW_STATUS_STYLE,
    render_commentary,
    render_data,
    render_decisions,
    render_entries,
)

from .base import SectionScreen


class ReviewMinutesScreen(SectionScreen):
    """Header, every input with its data, entries and commentary, then decisions and actions."""

    HELP = (
        "The minutes of one management review (9.3.3): every input, the decisions and actions, and, once "
        "approved, the frozen record with its hash."
    )

    CSS_PATH = "review_minutes.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("home", "top", "Top", show=False),
        Binding("end", "bottom", "End", show=False),
    ]

    def __init__(self, review_id: int) -> None:
        super().__init__()
        self.review_id = review_id
        self.record: dict[str, Any] | None = None

    def body(self) -> ComposeResult:
        with VerticalScroll(id="minutes-scroll"):
            yield Static("Loading…", id="minutes")

    def on_mount(self) -> None:
        self.query_one("#minutes-scroll", VerticalScroll).focus()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-minutes")
    def load(self) -> None:
        from isms_tui.services import review
        from isms_tui.services.review_views import current_actions

        try:
            with self.isms.session() as session:
                r = review.get_review(session, self.review_id)
                record = review.minutes(session, r)
                state = {
                    "status": r.status.value,
                    "approved_by": r.approved_by,
                    "approved_at": r.approved_at.strftime("%Y-%m-%d %H:%M UTC") if r.approved_at else "",
                    "sha256": r.snapshot_sha256 or "",
                }
                live = current_actions(session, self.review_id, clock.today())
        except (InputError, NotFound) as exc:  # an altered snapshot is reported, never shown as valid
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.show, record, state, live)

    def _failed(self, message: str) -> None:
        self.query_one("#minutes", Static).update(Text(message, style="bold red"))

    def show(self, record: dict[str, Any], state: dict[str, str], live: dict[int, dict[str, Any]]) -> None:
        self.record = record
        self.sub_title = f"Minutes · #{self.review_id} {record['review']['title']}"
        self.query_one("#minutes", Static).update(minutes_renderable(record, state, live))

    def action_top(self) -> None:
        self.query_one("#minutes-scroll", VerticalScroll).scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.query_one("#minutes-scroll", VerticalScroll).scroll_end(animate=False)


def minutes_renderable(
    record: dict[str, Any], state: dict[str, str], live: dict[int, dict[str, Any]]
) -> RenderableType:
    """The whole minutes as one renderable; every text from the record goes through Text."""
    rec = record["review"]
    status = state["status"]
    head = Table.grid(padding=(0, 2))
    head.add_column(style="dim", no_wrap=True)
    head.add_column(overflow="fold")
    head.add_row("Review", Text(rec["title"], style="bold"))
    head.add_row("Status", Text(status, style=REVIEW_STATUS_STYLE.get(status, "")))
    head.add_row("Planned / held", f"{rec['planned_on']} / {rec['held_on'] or 'not held yet'}")
    head.add_row("Period covered", f"{rec['period'][0]} → {rec['period'][1]}")
    head.add_row("Chair", Text(rec["chair"] or "—"))
    head.add_row("Attendance", render_attendance(rec["attendees"]))
    if status == "approved":
        head.add_row("Approved", Text(f"by {rec.get('approved_by') or state['approved_by']} on {state['approved_at']}"))
        head.add_row("Snapshot SHA-256", Text(state["sha256"]))
        note = Text("Frozen at approval: the inputs below are as they were assembled then.", style="green")
    else:
        note = Text(
            "Not approved yet: the inputs below are assembled from the workspace as it stands now.", style="yellow"
        )
    parts: list[RenderableType] = [
        Text("Minutes of the management review (ISO/IEC 27001:2022, 9.3)", style="bold underline"),
        Text(""),
        head,
        note,
    ]
    for item in record["inputs"]:
        parts += [Text(""), Rule(Text(f"{item['section']}) {item['title']}", style="bold"), align="left", style="dim")]
        data = render_data(item["section"], item["data"])
        if data is not None:
            parts.append(data)
        if item["entries"] or item["data"] is None:
            parts += [Text(""), Text("Entries", style="bold"), render_entries(item["entries"])]
        parts += [Text(""), Text("Commentary", style="bold"), render_commentary(item["commentary"])]
    parts += [
        Text(""),
        Rule(Text("Top management's conclusions on the ISMS (9.3)", style="bold"), align="left", style="dim"),
        render_conclusions(record.get("conclusions"), legacy=status == "approved"),
        Text(""),
        Rule(Text("Outputs (9.3.3): decisions and actions", style="bold"), align="left", style="dim"),
        Text(
            "Each action's status as recorded at approval, and its status now."
            if status == "approved"
            else "Each action's status now.",
            style="dim",
        ),
        render_decisions(record["decisions"], live if status == "approved" else None),
    ]
    return Group(*parts)
