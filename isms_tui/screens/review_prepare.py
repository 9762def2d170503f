"""Preparing, holding and approving one management review (9.3).

Left: the inputs of 9.3.2 in agenda order (a, the previous review's actions, first; d split
into d1–d4) and the outputs of 9.3.3. Right: the selected input as assembled from the
workspace (figures, charts, tables), its structured entries (b, c, e, f, g) and management's
commentary. Once approved the screen shows the frozen snapshot and says so; every edit key
then answers with the service's one sentence instead of opening a form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from isms_tui.services import clock
from isms_tui.services.errors import InputError, NotFound
from isms_tui.services.review import ENTRY_SECTIONS
from isms_tui.widgets.review_people_render import render_attendance, render_conclusions
from isms_tui.widgets.review_render import (
    REVIEW_STATUS_STYLE,
    SHORT_TITLES,
    render_commentary,
    render_data,
    render_decisions,
    render_entries,
)
from isms_tui.widgets.tables import RecordTable, cursor_id, cursor_key, sync_rows

from .base import SectionScreen, WriteBinding

OUTPUTS = "out"  # the pseudo-input listing the decisions and actions (9.3.3)


@dataclass(frozen=True)
class PrepData:
    """One consistent read of a review: its state and the whole record (`review.minutes`)."""

    review_id: int
    status: str
    approved_by: str
    approved_at: str
    sha256: str
    record: dict[str, Any]
    live: dict[int, dict[str, Any]]  # the review's actions as they stand today

    def section(self, key: str) -> dict[str, Any]:
        return next(i for i in self.record["inputs"] if i["section"] == key)


class ReviewPrepareScreen(SectionScreen):
    """One review's inputs, entries, commentary, meeting, decisions and approval."""

    HELP = (
        "Preparing one management review (9.3.2): the inputs a to g assembled from the data, with entries and"
        " commentary; then the meeting, top management's conclusions, decisions with actions (9.3.3) and "
        "approval."
    )

    CSS_PATH = "review_prepare.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        WriteBinding("n", "add_entry", "Entry"),
        WriteBinding(
            "x",
            "delete_entry",
            "Del. entry",
            tooltip="Delete the highlighted entry (asked first; its files stay in the evidence store)",
        ),
        WriteBinding("e", "commentary", "Commentary"),
        WriteBinding("h", "hold", "Hold"),
        WriteBinding("t", "conclusions", "Conclusions"),
        WriteBinding("o", "decision", "Decision"),
        WriteBinding("A", "approve", "Approve"),
        Binding("M", "minutes", "Minutes"),
    ]

    def __init__(self, review_id: int) -> None:
        super().__init__()
        self.review_id = review_id
        self.data: PrepData | None = None
        self.section = "a"

    def body(self) -> ComposeResult:
        yield Static("Loading…", id="review-head")
        with Horizontal(id="prep-body"):
            yield OptionList(
                *(Option(Text(f"{k:<3}{t}"), id=k) for k, t in SHORT_TITLES.items()),
                Option(Text("⇒  Meeting, conclusions, decisions"), id=OUTPUTS),
                id="inputs",
            )
            with VerticalScroll(id="input-pane"):
                yield Static("", id="input-title")
                yield Static("", id="input-data")
                with Vertical(id="entries-box"):
                    yield Label("", id="entries-title")
                    yield RecordTable(id="entries", cursor_type="row", zebra_stripes=True)
                    yield Static("", id="entry-detail")
                with Vertical(id="commentary-box"):
                    yield Label("Management's commentary · e edits it", classes="pane-title")
                    yield Static("", id="commentary")
        yield Static("", id="prep-message")

    def on_mount(self) -> None:
        table = self.query_one("#entries", DataTable)
        table.add_column("Entry", width=44)
        table.add_column("Source", width=20)
        table.add_column("Files", width=5)
        self.query_one("#inputs", OptionList).focus()

    # -- data ------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-prepare")
    def load(self) -> None:
        """Assemble the record off the main thread (d2 and d4 read every KPI's readings)."""
        from isms_tui.services import review
        from isms_tui.services.review_views import current_actions

        try:
            with self.isms.session() as session:
                r = review.get_review(session, self.review_id)
                data = PrepData(
                    review_id=self.review_id,
                    status=r.status.value,
                    approved_by=r.approved_by,
                    approved_at=r.approved_at.strftime("%Y-%m-%d %H:%M UTC") if r.approved_at else "",
                    sha256=r.snapshot_sha256 or "",
                    record=review.minutes(session, r),
                    live=current_actions(session, self.review_id, clock.today()),
                )
        except (InputError, NotFound) as exc:  # an altered snapshot, or a review gone
            self.app.call_from_thread(self.say, str(exc))
            return
        self.app.call_from_thread(self.show, data)

    def show(self, data: PrepData) -> None:
        self.data = data
        self.query_one("#review-head", Static).update(_head(data))
        inputs = self.query_one("#inputs", OptionList)
        for key, title in SHORT_TITLES.items():
            inputs.replace_option_prompt(key, _option_label(key, title, data.section(key)))
        n = len(data.record["decisions"])
        inputs.replace_option_prompt(
            OUTPUTS, Text.assemble("⇒  Meeting, conclusions, decisions", (f"  {n}" if n else "", "bold"))
        )
        if inputs.highlighted is None:
            inputs.highlighted = 0
        self.render_pane()

    def render_pane(self) -> None:
        data = self.data
        if data is None:
            return
        key = self.section
        entries_box = self.query_one("#entries-box")
        commentary_box = self.query_one("#commentary-box")
        body = self.query_one("#input-data", Static)
        if key == OUTPUTS:
            rec = data.record["review"]
            self.query_one("#input-title", Static).update(
                Text("The meeting, top management's conclusions and the outputs (9.3.3)", style="bold")
            )
            attended = (
                Group(Text.assemble(("Held on ", "dim"), rec["held_on"]), render_attendance(rec["attendees"]))
                if rec["held_on"]
                else Text("Not held yet: h records the meeting and who attended.", style="yellow")
            )
            frozen = data.status == "approved"
            concluded = Group(
                Text("Top management's conclusions on the ISMS", style="bold"),
                render_conclusions(data.record.get("conclusions"), legacy=frozen),
            )
            hint = Text(
                "The actions' status today is shown beside the one recorded at approval."
                if frozen
                else "o records a decision with its actions (owner, due date); they join the shared action "
                "register (c).",
                style="dim",
            )
            decided = render_decisions(data.record["decisions"], data.live if frozen else None)
            body.update(
                Group(
                    attended, Text(""), concluded, Text(""), Text("Decisions and actions", style="bold"), hint, decided
                )
            )
            body.display = True
            entries_box.display = commentary_box.display = False
            return
        item = data.section(key)
        title = Text.assemble((f"{key}) ", "bold"), (item["title"], "bold"))
        if key == "a":
            title.append("  · first on the agenda", style="dim")
        self.query_one("#input-title", Static).update(title)
        rendered = render_data(key, item["data"])
        body.display = rendered is not None
        if rendered is not None:
            body.update(rendered)
        entries_box.display = key in ENTRY_SECTIONS
        if key in ENTRY_SECTIONS:
            self._render_entries(item["entries"])
        commentary_box.display = True
        self.query_one("#commentary", Static).update(render_commentary(item["commentary"]))

    def _render_entries(self, entries: list[dict[str, Any]]) -> None:
        hint = "n adds · x deletes the highlighted one (tab reaches the table)"
        self.query_one("#entries-title", Label).update(
            Text.assemble((f"Entries ({len(entries)})", "bold"), "  ", (hint, "dim"))
        )
        table = self.query_one("#entries", DataTable)
        table.display = bool(entries)
        sync_rows(
            table,
            [
                (
                    str(e["id"]),
                    [
                        Text(e["title"], no_wrap=True, overflow="ellipsis"),
                        Text(e["source"] or "—", no_wrap=True, overflow="ellipsis"),
                        Text(str(len(e.get("evidence", []))) if e.get("evidence") else "—"),
                    ],
                )
                for e in entries
            ],
        )
        self._show_entry()

    def _show_entry(self) -> None:
        """The highlighted entry in full: titles and details are sentences, not cells."""
        detail = self.query_one("#entry-detail", Static)
        item = self.data.section(self.section) if self.data and self.section in ENTRY_SECTIONS else None
        if not item or not item["entries"]:
            detail.update(
                Text(
                    "No entries yet: n adds what management should know (a change, a survey, a "
                    "risk report…), with its source and files.",
                    style="dim",
                )
            )
            return
        key = cursor_key(self.query_one("#entries", DataTable))
        entry = next((e for e in item["entries"] if str(e["id"]) == key), item["entries"][0])
        detail.update(render_entries([entry], numbered=False))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_entry()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.section = event.option.id or "a"
        self.query_one("#prep-message", Static).update("")
        self.query_one("#input-pane", VerticalScroll).scroll_home(animate=False)
        self.render_pane()

    def select_section(self, key: str) -> None:
        inputs = self.query_one("#inputs", OptionList)
        inputs.highlighted = inputs.get_option_index(key)

    # -- messages --------------------------------------------------------------------------

    def say(self, message: str) -> None:
        """One sentence at the bottom (and as a toast) when a key cannot do what it says."""
        self.query_one("#prep-message", Static).update(Text(message, style="bold yellow"))
        self.notify(message, severity="warning", markup=False)

    def _editable(self) -> bool:
        """Ask the service whether the review may change; say its sentence when it may not."""
        from isms_tui.services import review

        try:
            with self.isms.session() as session:
                review.check_editable(session, self.review_id)
        except InputError as exc:
            self.say(str(exc))
            return False
        return self.data is not None

    def _then(self, section: str | None = None, note: str = "") -> Callable[[Any], None]:
        """After a form: reload, optionally jump to a section and confirm in a toast."""

        def done(result: Any) -> None:
            if result is None:
                return
            self.query_one("#prep-message", Static).update("")
            if note:
                self.notify(note, markup=False)
            if section is not None:
                self.select_section(section)
            self.load()

        return done

    # -- actions ---------------------------------------------------------------------------

    def action_add_entry(self) -> None:
        if not self._editable():
            return
        if self.section not in ENTRY_SECTIONS:
            where = "the outputs" if self.section == OUTPUTS else f"input {self.section}"
            self.say(
                f"Entries belong to inputs b, c, e, f and g; {where} is assembled from the workspace "
                "(e records commentary on an input)."
            )
            return
        from .review_forms import EntryForm

        self.app.push_screen(EntryForm(self.review_id, self.section), self._then(note="Entry added."))

    def action_delete_entry(self) -> None:
        if not self._editable():
            return
        table = self.query_one("#entries", DataTable)
        if self.section not in ENTRY_SECTIONS or not table.row_count:
            self.say("There is no entry here to delete: pick an input among b, c, e, f and g that has one.")
            return
        entry_id = cursor_id(table)
        assert entry_id is not None  # the table has rows
        title = str(table.get_row_at(table.cursor_row)[0])
        from isms_tui.widgets.confirm import ConfirmModal

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            from isms_tui.services import review

            try:
                with self.isms.session() as session:
                    review.delete_entry(session, entry_id)
            except (InputError, NotFound) as exc:
                self.say(str(exc))
                return
            self.notify("Entry deleted.")
            self.load()

        self.app.push_screen(
            ConfirmModal(f"Delete the entry “{title}”? Its files stay in the evidence store."), confirmed
        )

    def action_commentary(self) -> None:
        if not self._editable():
            return
        if self.section == OUTPUTS:
            self.say("Commentary belongs to an input (a to g); o records a decision.")
            return
        from .review_forms import CommentaryForm

        current = self.data.section(self.section)["commentary"] if self.data else ""
        self.app.push_screen(
            CommentaryForm(self.review_id, self.section, current), self._then(note="Commentary saved.")
        )

    def action_hold(self) -> None:
        if not self._editable():
            return
        from .review_meeting import HoldForm

        self.app.push_screen(
            HoldForm(self.review_id), self._then(OUTPUTS, "Meeting recorded: o records its decisions and actions.")
        )

    def action_conclusions(self) -> None:
        if not self._editable():
            return
        if self.data is not None and self.data.status != "held":
            self.say("Top management concludes at the meeting: h records the meeting first.")
            return
        from .review_meeting import ConclusionsForm

        self.app.push_screen(ConclusionsForm(self.review_id), self._then(OUTPUTS, "Conclusions recorded."))

    def action_decision(self) -> None:
        if not self._editable():
            return
        if self.data is not None and self.data.status != "held":
            self.say("Decisions are recorded once the review has been held: h records the meeting first.")
            return
        from .review_forms import DecisionForm

        self.app.push_screen(DecisionForm(self.review_id), self._then(OUTPUTS, "Decision recorded."))

    def action_approve(self) -> None:
        if not self._editable():
            return
        if self.data is not None and self.data.status != "held":
            self.say("Only a review that has been held can be approved: h records the meeting first.")
            return
        from isms_tui.services import review_people

        with self.isms.session() as session:
            gaps = review_people.approval_gaps(session, self.review_id)
        if gaps:
            self.say("The minutes cannot be approved yet. " + " ".join(gaps))
            return
        from .review_meeting import ApproveForm

        self.app.push_screen(ApproveForm(self.review_id), self._approved)

    def _approved(self, sha256: str | None) -> None:
        if sha256:
            self.notify(f"Minutes approved and frozen. SHA-256 {sha256}", markup=False, timeout=10)
            self.load()

    def action_minutes(self) -> None:
        from .review_minutes import ReviewMinutesScreen

        self.app.push_screen(ReviewMinutesScreen(self.review_id))


def _option_label(key: str, title: str, item: dict[str, Any]) -> Text:
    """'b  Issues (external, internal)  2 ✎': entries counted, ✎ once commentary exists."""
    label = Text(f"{key:<3}{title}")
    if item["entries"]:
        label.append(f"  {len(item['entries'])}", style="bold")
    if item["commentary"]:
        label.append("  ✎", style="green")
    if key == "a" and item["data"] and not item["data"].get("first_review"):
        overdue = sum(1 for a in item["data"]["actions"] if a["overdue"])
        if overdue:
            label.append(f"  {overdue}!", style="bold red")
    return label


def _head(data: PrepData) -> Group:
    rec = data.record["review"]
    status = data.status
    badge = f"reverse {REVIEW_STATUS_STYLE.get(status, '')}"
    line = Text.assemble((f"#{data.review_id} {rec['title']}", "bold"), "  ", (f" {status} ", badge))
    facts = Text.assemble(
        ("Planned ", "dim"),
        rec["planned_on"],
        ("  ·  held ", "dim"),
        rec["held_on"] or "—",
        ("  ·  period ", "dim"),
        f"{rec['period'][0]} → {rec['period'][1]}",
        ("  ·  chair ", "dim"),
        rec["chair"] or "—",
    )
    if status == "approved":
        state = Text.assemble(
            ("✔ Approved by ", "green"),
            (data.approved_by, "bold green"),
            (f" on {data.approved_at} · frozen: edits are refused", "green"),
            ("\nSnapshot SHA-256 ", "dim"),
            (data.sha256, "dim"),
        )
    elif status == "held":
        state = Text(
            "Held. t records top management's conclusions, o decisions and actions; A approves the minutes "
            "and freezes the record.",
            style="cyan",
        )
    else:
        state = Text("Draft. Collect entries (n) and commentary (e) per input; h records the meeting.", style="yellow")
    return Group(line, facts, state)
