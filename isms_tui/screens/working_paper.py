"""The working paper: run a checklist audit from the keyboard.

One key records the highlighted line's result and moves to the next line. Only that row and the
counters are redrawn (never a table rebuild), so a 123-line audit stays instant. The write is
one small transaction on the main thread, committed before the screen changes: everything shown
is in the workspace, so an audit interrupted on site resumes on its first unanswered line.
(A background writer was measured too: on two busy cores it saved nothing, since the ORM work
then competes with the repaint for the interpreter; benchmarks/audit_working_paper.py.)
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from isms_tui.models.enums import AuditResult, AuditStatus
from isms_tui.widgets.audit_style import RESULT_STYLE, methods_text, progress_bar, result_text, status_text
from isms_tui.widgets.row_table import RowTable

from .base import SectionScreen, WriteBinding, workspace_session

if TYPE_CHECKING:
    from textual.timer import Timer

    from isms_tui.models import Audit, AuditItem
    from isms_tui.services.audit_views import WorkingPaper

DETAIL_DELAY = 0.12  # seconds without a cursor move before the detail pane follows
RESULTS = list(AuditResult)  # key 1 is RESULTS[0] … key 7 is RESULTS[6]
# column key, title, width
# 64 columns of content plus cell padding: the table and the 36-column detail pane fit 120 columns.
COLUMNS = [
    ("pos", "#", 3),
    ("ref", "Ref", 6),
    ("title", "Requirement", 17),
    ("by", "By", 2),
    ("result", "Result", 13),
    ("methods", "Meth", 4),
    ("sample", "Smpl", 4),
    ("notes", "Notes", 10),
    ("ev", "Ev", 2),
    ("f", "F", 1),
]


class WorkingPaperScreen(SectionScreen):
    """Lines of the audit with a detail pane; 1–7 record and move on, 0/backspace clear."""

    HELP = (
        "The working paper of one audit (9.2): one line per requirement or question. Record each result (1 to"
        " 7) with notes, sample, methods and evidence; raise a finding from a line."
    )

    CSS_PATH = "working_paper.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        *(WriteBinding(str(i), f"record({i})", r.value, show=False) for i, r in enumerate(RESULTS, 1)),
        WriteBinding("0", "record(0)", "Clear", show=False),
        WriteBinding("backspace", "record(0)", "Clear", show=False),
        WriteBinding("n", "edit_item", "Notes, sample, files"),
        WriteBinding("f", "finding", "Finding"),
        Binding("u", "next_open", "Next unanswered"),
        WriteBinding("a", "assessor", "Assessed by"),
    ]

    def __init__(self, audit_id: int) -> None:
        super().__init__()
        self.audit_id = audit_id
        self.audit: Audit | None = None
        self.items: list[AuditItem] = []
        self.row_of: dict[int, int] = {}  # item id -> row index
        self.evidence: dict[int, list[str]] = {}
        self.findings: Counter[int] = Counter()
        self.counts: Counter[AuditResult | None] = Counter()
        self.names: dict[int, str] = {}
        self._detail_timer: Timer | None = None

    def body(self) -> ComposeResult:
        yield Static("Loading the working paper…", id="wp-head")
        yield Static("", id="wp-done")
        yield Static("", id="wp-counts")
        with Horizontal(id="wp-main"):
            yield RowTable(id="items", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="item-box"):
                yield Static("", id="item-detail")

    def on_mount(self) -> None:
        table = self.query_one("#items", DataTable)
        for key, title, width in COLUMNS:
            table.add_column(title, width=width, key=key)
        table.focus()

    # -- data ------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="working-paper")
    def load(self) -> None:
        from isms_tui.services.audit_views import working_paper

        with self.isms.session() as session:
            paper = working_paper(session, self.audit_id)
        self.app.call_from_thread(self.show, paper)

    def show(self, paper: WorkingPaper) -> None:
        """First load: build the table and land on the first unanswered line. Later loads (back
        from a form or another section) only touch the rows that changed and keep the cursor."""
        table = self.query_one("#items", DataTable)
        first = not self.items or [i.id for i in paper.items] != [i.id for i in self.items]
        old = {i.id: i for i in self.items}
        old_evidence, old_findings = self.evidence, self.findings
        self.audit = paper.audit
        self.items = list(paper.items)
        self.row_of = {item.id: n for n, item in enumerate(self.items)}  # type: ignore[misc]
        self.evidence = paper.evidence
        self.names = paper.names
        self.findings = Counter(paper.findings)
        self.counts = Counter(item.result for item in self.items)
        if first:
            table.clear()
            for item in self.items:
                table.add_row(*self.cells(item), key=str(item.id))
            if self.items:
                table.move_cursor(row=paper.first_unanswered(), animate=False, scroll=True)
        else:
            for item in self.items:
                assert item.id is not None
                if (
                    _snapshot(old.get(item.id)) != _snapshot(item)
                    or old_evidence.get(item.id) != self.evidence.get(item.id)
                    or old_findings.get(item.id) != self.findings.get(item.id)
                ):
                    self.update_row(item)
        self.sub_title = f"#{paper.audit.id} {paper.audit.title}"
        self.show_head()
        self.show_counts()
        self.show_detail()

    def cells(self, item: AuditItem) -> tuple[object, ...]:
        assert item.id is not None
        notes = item.notes.splitlines()[0] if item.notes else ""
        files = len(self.evidence.get(item.id, []))
        found = self.findings.get(item.id, 0)
        return (
            Text(str(item.position), style="dim", justify="right"),
            Text(item.ref),
            Text(item.title, no_wrap=True, overflow="ellipsis"),
            Text(initials(self.assessor(item)), style="dim" if item.assessed_by_id is None else "bold"),
            result_text(item.result, short=True),
            methods_text(item.methods),
            "" if item.sample_size is None else str(item.sample_size),
            Text(notes, no_wrap=True, overflow="ellipsis"),
            str(files) if files else "",
            Text(str(found), style="bold red") if found else "",
        )

    def assessor(self, item: AuditItem) -> str:
        """Who assesses the line: the named team member, else the lead auditor."""
        pid = item.assessed_by_id or (self.audit.lead_auditor_id if self.audit else None)
        return self.names.get(pid or 0, "")

    def update_row(self, item: AuditItem) -> None:
        """Redraw one row in place (no re-measuring: the columns have fixed widths)."""
        self.query_one("#items", RowTable).update_row(str(item.id), self.cells(item))

    def show_head(self) -> None:
        audit = self.audit
        if audit is None:
            return
        hints = {
            AuditStatus.PLANNED: (
                "Planned: start the audit (s on the audit screen) before recording results.",
                "bold yellow",
            ),
            AuditStatus.IN_PROGRESS: ("1–7 records the highlighted line and moves on · 0 clears", "dim"),
            AuditStatus.COMPLETED: ("Completed: the results are final; f still raises findings.", "dim"),
            AuditStatus.REPORTED: ("Reported: the results are final.", "dim"),
        }
        hint, style = hints[audit.status]
        self.query_one("#wp-head", Static).update(
            Text.assemble((audit.title, "bold"), "  ", status_text(audit.status), "  ", (hint, style))
        )

    def show_counts(self) -> None:
        """Progress and counts: two fixed one-line widgets, so a result never re-lays the screen."""
        total = len(self.items)
        open_lines = self.counts.get(None, 0)
        done = total - open_lines
        self.query_one("#wp-done", Static).update(
            Text.assemble(
                progress_bar(done, total),
                "  ",
                (f"{done} of {total} answered", "bold"),
                "  ·  ",
                (f"{open_lines} open", "yellow" if open_lines else "green"),
            ),
            layout=False,
        )
        line = Text()
        for i, result in enumerate(RESULTS, 1):
            mark, label, style = RESULT_STYLE[result]
            if i == 5 and self.has_class("-narrow"):  # two lines at 80 columns, cut between entries
                line.append("\n")
            line.append(f"{i}", style="bold reverse")
            line.append(f" {mark} {label} ", style=style)
            line.append(f"{self.counts.get(result, 0)}", style="bold")
            line.append("" if i == 4 and self.has_class("-narrow") else "  ")
        line.append("0", style="bold reverse")
        line.append(" clear", style="dim")
        self.query_one("#wp-counts", Static).update(line, layout=False)  # fixed height: one line (two when narrow)

    def on_resize(self) -> None:
        """Across the narrow breakpoint the counts go to two lines or back to one."""
        if self.items:
            self.show_counts()

    def current_item(self) -> AuditItem | None:
        table = self.query_one("#items", DataTable)
        if not table.row_count:
            return None
        return self.items[table.cursor_row]

    def show_detail(self) -> None:
        item = self.current_item()
        detail = self.query_one("#item-detail", Static)
        if item is None:
            detail.update("")
            return
        assert item.id is not None
        detail.update(
            item_detail(item, self.evidence.get(item.id, []), self.findings.get(item.id, 0), self.assessor(item))
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.schedule_detail()

    def schedule_detail(self) -> None:
        """Show the highlighted line's detail once the keys pause: the pane changes height, and
        laying it out on every key of a fast run of results would double the cost of each."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_DELAY, self.show_detail)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_item()

    # -- actions ---------------------------------------------------------------------------

    def action_record(self, key: int) -> None:
        """Record result `key` (1–7; 0 clears) on the highlighted line, then move to the next."""
        from isms_tui.services import audits
        from isms_tui.services.errors import InputError, NotFound

        item = self.current_item()
        if item is None or item.id is None:
            return
        result = RESULTS[key - 1] if key else None
        if result != item.result:
            try:
                with workspace_session(self) as session:
                    saved = audits.record_result(session, item.id, result)
            except (InputError, NotFound) as exc:
                self.notify(str(exc), title="Not recorded", severity="warning", markup=False)
                return
            self.replace_item(saved)
            if saved.result in audits.NC_RESULTS and not self.findings.get(item.id):
                self.notify(
                    f"{saved.ref} is a {saved.result.value}: ↑ then f raises its finding, "
                    "which the audit needs before it can be completed.",
                    markup=False,
                    timeout=6,
                )
        if key:
            self.advance()

    def replace_item(self, saved: AuditItem, files: list[str] | None = None) -> None:
        """Put a freshly saved line in place: its row, the counters and the detail pane."""
        assert saved.id is not None
        row = self.row_of[saved.id]
        self.counts[self.items[row].result] -= 1
        self.counts[saved.result] += 1
        self.items[row] = saved
        if files is not None:
            self.evidence[saved.id] = files
        self.update_row(saved)
        self.show_counts()
        if self.query_one("#items", DataTable).cursor_row == row:
            self.schedule_detail()

    def advance(self) -> None:
        table = self.query_one("#items", RowTable)
        if table.cursor_row < table.row_count - 1:
            table.move_cursor_paged(table.cursor_row + 1)
        elif self.counts.get(None, 0):
            self.notify(f"Last line. {self.counts[None]} line(s) still open: u jumps to the next one.")
        else:
            self.notify("Every line has a result: c on the audit screen completes the audit.")

    def action_next_open(self) -> None:
        table = self.query_one("#items", DataTable)
        n = len(self.items)
        for step in range(1, n + 1):
            row = (table.cursor_row + step) % n
            if self.items[row].result is None:
                table.move_cursor(row=row, animate=False)
                return
        self.notify("Every line has a result.")

    def action_assessor(self) -> None:
        """Give the line to another member of the audit team (the service guards impartiality)."""
        item = self.current_item()
        if item is None or item.id is None or self.audit is None:
            return
        from isms_tui.services import impartiality

        from .assessor_form import AssessorForm

        with workspace_session(self) as session:
            choices = impartiality.choices(session, self.audit, item.ref)
        current = item.assessed_by_id or self.audit.lead_auditor_id
        self.app.push_screen(AssessorForm(item, choices, current), self._assessor_saved)

    def _assessor_saved(self, saved: object) -> None:
        from isms_tui.models import AuditItem

        if isinstance(saved, AuditItem):
            self.replace_item(saved)
            self.notify(f"{saved.ref} is assessed by {self.assessor(saved)}.", markup=False)

    def action_edit_item(self) -> None:
        item = self.current_item()
        if item is None or item.id is None:
            return
        from .item_form import ItemForm

        self.app.push_screen(ItemForm(item, self.evidence.get(item.id, [])), self._item_saved)

    def _item_saved(self, result: object) -> None:
        from .item_form import ItemSaved

        if isinstance(result, ItemSaved):
            self.replace_item(result.item, result.files)

    def action_finding(self) -> None:
        item = self.current_item()
        if item is None or item.id is None:
            return
        from .finding_form import FindingForm

        self.app.push_screen(
            FindingForm(self.audit_id, item, self.evidence.get(item.id, [])),
            lambda saved: self._finding_raised(item.id, saved),
        )

    def _finding_raised(self, item_id: int | None, saved: object) -> None:
        from .finding_form import finding_message

        if saved is None or item_id is None:
            return
        self.findings[item_id] += 1
        self.update_row(self.items[self.row_of[item_id]])
        self.schedule_detail()
        self.notify(finding_message(saved), markup=False)


def _snapshot(item: AuditItem | None) -> tuple[object, ...] | None:
    """The fields a row shows, to tell whether a reloaded line changed."""
    if item is None:
        return None
    return (item.result, item.notes, tuple(item.methods), item.sample_size, item.title, item.assessed_by_id)


def initials(name: str) -> str:
    """'Ada Auditor' -> 'AA': who assesses a line, in the table's narrow column."""
    return "".join(word[0] for word in name.split()[:2]).upper()


def item_detail(item: AuditItem, files: list[str], findings: int, assessor: str = "") -> Group:
    """Everything about one line: the question, what to look for and what was recorded."""
    parts: list[Text] = [Text(f"{item.ref} {item.title}", style="bold")]

    def section(title: str, body: str | Text, empty: str = "—") -> None:
        parts.append(Text(f"\n{title}", style="bold cyan"))
        if isinstance(body, Text):
            parts.append(body)
        else:
            parts.append(Text(body) if body else Text(empty, style="dim"))

    section("Assessed by", assessor, "— (a names a member of the audit team)")
    section("Question", item.question)
    section("Evidence to look for", item.evidence_hint)
    result = result_text(item.result) if item.result else Text("not answered yet", style="dim")
    if item.recorded_at and item.result:
        result.append(f"  ({item.recorded_at.date().isoformat()})", style="dim")
    section("Result", result)
    section("Methods", ", ".join(str(m) for m in item.methods))
    sample = []
    if item.sample_population:
        sample.append(f"population: {item.sample_population}")
    if item.sample_size is not None:
        sample.append(f"size: {item.sample_size}")
    if item.sample_items:
        sample.append(f"items: {item.sample_items}")
    section("Sample", "\n".join(sample))
    section("Notes", item.notes, "— (n adds notes, sample and files)")
    section("Evidence files", "\n".join(files))
    if findings:
        parts.append(Text(f"\n{findings} finding(s) raised from this line", style="bold red"))
    return Group(*parts)
