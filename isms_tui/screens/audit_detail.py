"""One audit: its plan, status, impartiality, progress and findings, and the steps of its life
(start → working paper → findings → complete → reported), one key each."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Static

from isms_tui.models import require_id
from isms_tui.models.enums import AuditResult, AuditStatus
from isms_tui.widgets.audit_plan import impartiality_text, plan_grid
from isms_tui.widgets.audit_style import RESULT_STYLE, action_text, grading_text, progress_bar, status_text
from isms_tui.widgets.form import FormField, FormModal
from isms_tui.widgets.form_parts import FORM_CSS, notes_area, with_field_errors
from isms_tui.widgets.tables import RecordTable, cursor_key

from .base import SectionScreen, WriteBinding, current_person, workspace_session

if TYPE_CHECKING:
    from isms_tui.services.audit_views import AuditView
    from isms_tui.services.audits import Progress
    from isms_tui.services.impartiality import Conflict

FINDING_COLUMNS = [
    ("#", 3),
    ("Ref", 8),
    ("Grading", 11),
    ("Statement", 33),
    ("Raised", 10),
    ("Action", 16),
    ("Owner", 14),
    ("Due", 10),
]


class AuditDetailScreen(SectionScreen):
    """The audit's record and the keys that move it along; escape returns to the list."""

    HELP = (
        "One internal audit (9.2.2): its plan, impartiality and progress. Start it, work through the working "
        "paper, record findings, complete it and record to whom its results were reported."
    )

    CSS_PATH = "audit_detail.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        WriteBinding("s", "start", "Start"),
        Binding("w", "working_paper", "Working paper"),
        WriteBinding("f", "finding", "Finding"),
        WriteBinding("c", "complete", "Complete"),
        # When a step is not available its key still belongs to this screen (it says why)
        # rather than falling through to the Settings and Actions sections.
        WriteBinding("s", "explain('start')", "Start", show=False),
        WriteBinding("c", "explain('complete')", "Complete", show=False),
        WriteBinding("p", "reported", "Reported"),
        Binding("v", "report", "Report"),
        WriteBinding("e", "edit", "Edit plan"),
        WriteBinding("K", "issue_kit", "Issue kit"),
        WriteBinding("X", "issue_results", "Issue results"),
        Binding("O", "oscal", "OSCAL", tooltip="Export the audit as OSCAL JSON: its assessment results, or its plan"),
    ]

    def __init__(self, audit_id: int) -> None:
        super().__init__()
        self.audit_id = audit_id
        self.view: AuditView | None = None
        self.exchange_line = ""  # where the audit came from or went (docs/audit-exchange.md)
        self.external = False  # imported from a client's kit: its results can be issued

    def body(self) -> ComposeResult:
        yield Static("", id="audit-head")
        with Horizontal(id="audit-top"):
            with VerticalScroll(id="plan-box"):
                yield Static("", id="plan")
            with VerticalScroll(id="state-box"):
                yield Label("Impartiality", classes="section-title")
                yield Static("", id="impartiality")
                yield Label("Working paper · w opens it", classes="section-title")
                yield Static("", id="audit-progress")
                yield Static("", id="audit-counts")
        yield Label("Findings · f raises one; nonconformities open a corrective action", classes="section-title")
        yield RecordTable(id="findings", cursor_type="row", zebra_stripes=True)
        yield Static("", id="finding-detail", markup=False)  # the highlighted statement in full

    def on_mount(self) -> None:
        table = self.query_one("#findings", DataTable)
        for label, width in FINDING_COLUMNS:
            table.add_column(label, width=width)
        table.focus()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit-detail")
    def load(self) -> None:
        from isms_tui.services import exchange
        from isms_tui.services.audit_views import audit_view

        with self.isms.session() as session:
            view = audit_view(session, self.audit_id)
            line = exchange.describe(session, self.audit_id)
            external = any(
                r.kind == exchange.KIT and r.direction == exchange.IN
                for r in exchange.packages_for(session, self.audit_id)
            )
        self.exchange_line, self.external = line, external
        self.app.call_from_thread(self.show, view)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_statement()

    def _show_statement(self) -> None:
        """The statement column cuts a finding short; the line under the table shows all of it."""
        table = self.query_one("#findings", DataTable)
        key = cursor_key(table)
        found = next((fv for fv in self.view.findings if str(fv.finding.id) == key), None) if self.view else None
        detail = self.query_one("#finding-detail", Static)
        if found is None:
            detail.update("")
        else:
            detail.update(Text.assemble((found.finding.ref + "  ", "bold"), found.finding.statement))

    def show(self, view: AuditView) -> None:
        self.view = view
        a = view.audit
        self.sub_title = a.title
        self.query_one("#audit-head", Static).update(
            Text.assemble(
                (f"#{a.id} ", "bold"),
                (a.title, "bold"),
                "  ",
                status_text(a.status),
                "  ",
                (_next_step(view), "dim"),
                ("\n" + self.exchange_line if self.exchange_line else "", "italic"),
            )
        )
        self.query_one("#plan", Static).update(plan_grid(view))
        self.query_one("#impartiality", Static).update(impartiality_text(view.conflicts, view))
        prog = view.progress
        self.query_one("#audit-progress", Static).update(progress_bar(prog.answered, prog.total))
        self.query_one("#audit-counts", Static).update(counts_text(prog))
        table = self.query_one("#findings", DataTable)
        cursor = table.cursor_row
        table.clear()
        for fv in view.findings:
            f, act = fv.finding, fv.action
            action_cell = action_text(act.status if act else None)
            if act is not None:  # the number `isms nc reopen` takes
                action_cell = Text.assemble((f"#{act.id} ", "dim"), action_cell)
            table.add_row(
                Text(str(f.id), style="dim", justify="right"),
                Text(f.ref),
                grading_text(f.grading),
                Text(f.statement, no_wrap=True, overflow="ellipsis"),
                f.raised_on.isoformat(),
                action_cell,
                Text(fv.owner),
                act.due_date.isoformat() if act and act.due_date else "",
                key=str(f.id),
            )
        if view.findings:
            table.move_cursor(row=min(cursor, len(view.findings) - 1))
        self._show_statement()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show only the steps the audit's status allows."""
        if not super().check_action(action, parameters):
            return None  # a write key in a read-only workspace: shown dimmed
        if self.view is None:
            return action != "explain"
        status = self.view.audit.status
        allowed = {
            "start": status == AuditStatus.PLANNED,
            "complete": status == AuditStatus.IN_PROGRESS,
            "reported": status == AuditStatus.COMPLETED,
            "edit": status == AuditStatus.PLANNED,
            "finding": status in (AuditStatus.IN_PROGRESS, AuditStatus.COMPLETED),
            "issue_kit": status == AuditStatus.PLANNED and not self.external,
            "issue_results": self.external and status in (AuditStatus.COMPLETED, AuditStatus.REPORTED),
        }
        return allowed.get(action, True)

    # -- actions ---------------------------------------------------------------------------

    def _reload(self, result: object) -> None:
        if result is not None:
            self.load()

    def action_explain(self, step: str) -> None:
        status = self.view.audit.status.value if self.view else "not loaded yet"
        if step == "start":
            self.notify(f"The audit is {status}; only a planned audit can start.", markup=False)
        else:
            self.notify(f"The audit is {status}; only an audit in progress can be completed.", markup=False)

    def action_start(self) -> None:
        """Start the audit; a conflict of interest first asks for a justified declaration."""
        from isms_tui.services import audits
        from isms_tui.services.errors import InputError

        view = self.view
        if view is None:
            return
        if view.blocked:
            kept = [f"{k.person} does not assess {', '.join(k.refs)} ({k.duty})." for k in view.kept_off]
            self.app.push_screen(IndependenceForm(self.audit_id, view.conflicts, kept), self._declared)
            return
        try:
            with workspace_session(self) as session:
                audits.start_audit(session, self.audit_id)
        except InputError as exc:
            self.notify(str(exc), title="Not started", severity="error", markup=False)
            return
        self.notify("Audit started: w opens the working paper.")
        self.load()

    def _declared(self, result: int | None) -> None:
        if result is None:
            first = self.view.conflicts[0] if self.view and self.view.conflicts else None
            reason = f"{first.person} ({first.role}) is responsible for {first.area}. " if first else ""
            self.notify(
                reason + "Record an independence declaration or change the auditor (e).",
                title="Not started",
                severity="warning",
                markup=False,
            )
            return
        self.notify("Declaration recorded and audit started: w opens the working paper.")
        self.load()

    def action_working_paper(self) -> None:
        from .working_paper import WorkingPaperScreen

        self.app.push_screen(WorkingPaperScreen(self.audit_id))

    def action_finding(self) -> None:
        from .finding_form import FindingForm

        self.app.push_screen(FindingForm(self.audit_id), self._finding_raised)

    def _finding_raised(self, result: object) -> None:
        from .finding_form import finding_message

        if result is not None:
            self.notify(finding_message(result), markup=False)
            self.load()

    def action_complete(self) -> None:
        from isms_tui.services import audits
        from isms_tui.services.errors import InputError

        if self.view is None:
            return
        try:  # say what stands in the way before the auditor writes the conclusion
            with self.isms.session() as session:
                audits.check_completable(session, self.audit_id)
        except InputError as exc:
            self.notify(str(exc), title="Not ready to complete", severity="warning", markup=False, timeout=10)
            return
        self.app.push_screen(CompleteForm(self.audit_id, self.view.progress), self._completed)

    def _completed(self, result: int | None) -> None:
        if result is not None:
            self.notify("Audit completed. v shows the report; p records that it was reported to management.")
            self.load()

    def action_reported(self) -> None:
        """Record to whom, when and how the results were reported; that marks the audit reported."""
        from isms_tui.services import clock, workspace

        from .reporting_form import ReportingForm

        with workspace_session(self) as session:
            people = [(require_id(p), p.name, p.role) for p in workspace.list_people(session)]
        self.app.push_screen(ReportingForm(self.audit_id, people, clock.today().isoformat()), self._reported)

    def _reported(self, done: bool | None) -> None:
        if done:
            self.notify("The reporting is recorded; the audit is reported.")
            self.load()

    def action_report(self) -> None:
        from .audit_report import AuditReportScreen

        self.app.push_screen(AuditReportScreen(self.audit_id))

    def action_edit(self) -> None:
        from .audit_forms import AuditPlanForm

        self.app.push_screen(AuditPlanForm(self.audit_id), self._reload)

    def action_issue_kit(self) -> None:
        from .exchange_forms import IssueKitForm

        self.app.push_screen(IssueKitForm(self.audit_id), self._issued)

    def action_issue_results(self) -> None:
        from .exchange_forms import IssueResultsForm

        self.app.push_screen(IssueResultsForm(self.audit_id), self._issued)

    def action_oscal(self) -> None:
        from .oscal_export import OscalExportScreen

        planned = self.view is not None and self.view.audit.status == AuditStatus.PLANNED
        self.app.push_screen(OscalExportScreen(self.audit_id, planned=planned))

    def _issued(self, sentence: str | None) -> None:
        if sentence:
            self.notify(sentence, markup=False, timeout=10)
            self.load()


def _next_step(view: AuditView) -> str:
    status = view.audit.status
    if status == AuditStatus.PLANNED:
        return "· impartiality first: s asks for a declaration" if view.blocked else "· s starts it"
    if status == AuditStatus.IN_PROGRESS:
        return "· w records results, c completes it"
    if status == AuditStatus.COMPLETED:
        return "· p once reported to management, v shows the report"
    return "· v shows the report"


def counts_text(prog: Progress) -> Table:
    """'answered 42 of 123, not audited 5' and the count of each result, one per line."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right")
    summary = prog.summary()
    grid.add_row(Text(summary[0].upper() + summary[1:], style="bold"), "")
    for result in AuditResult:
        mark, label, style = RESULT_STYLE[result]
        count = prog.counts.get(result, 0)
        grid.add_row(Text(f"{mark} {label}", style=style if count else "dim"), str(count))
    grid.add_row(Text("· not answered yet", style="dim"), str(prog.total - prog.done))
    return grid


class IndependenceForm(FormModal[int]):
    """The conflicts, and a justified declaration that lets the audit start (shown in the report)."""

    HELP = (
        "The impartiality conflicts of this audit (9.2.2 b) and the declaration, with its justification, that"
        " lets it start."
    )

    DEFAULT_CSS = (
        FORM_CSS
        + """
    IndependenceForm #conflicts { color: $warning; padding: 0 0 1 0; }
    """
    )

    def __init__(self, audit_id: int, conflicts: list[Conflict], kept_off: list[str] | None = None) -> None:
        """`kept_off`: who already does not assess which lines, and why (shown with the conflicts)."""
        super().__init__()
        self.audit_id = audit_id
        self.conflicts = conflicts
        self.kept_off = kept_off or []
        self.form_title = "Impartiality: the audit cannot start as planned"

    def fields(self) -> Iterable[Widget]:
        lines = [f"⚠ {c.sentence()}" for c in self.conflicts] + self.kept_off
        lines.append(
            "Either press escape and give those lines to another member of the team (a on the working paper) "
            "or change the team (e on the audit), or explain below why the audit stays objective. The "
            "declaration appears in the audit report."
        )
        yield Static("\n".join(lines), id="conflicts", markup=False)
        yield FormField(
            "Justification",
            notes_area(""),
            key="independence_declaration",
            hint="e.g. who reviews this auditor's conclusions, or why the work audited is not theirs.",
        )
        yield FormField("Declared by", Input(current_person(self)), key="declared_by")

    def on_mount(self) -> None:
        self.query_one("#field-independence_declaration", FormField).control.focus()

    def submit(self) -> int:
        from isms_tui.services import audits
        from isms_tui.services.errors import InputError

        by = self.value("declared_by").strip()
        missing = {} if by else {"declared_by": "Who declares it?"}
        with workspace_session(self) as session:
            try:
                audits.declare_independence(session, self.audit_id, self.value("independence_declaration"), by)
            except InputError as exc:
                raise with_field_errors(exc, missing) from None
            if missing:
                raise InputError("Say who makes the declaration.", missing)
            return require_id(audits.start_audit(session, self.audit_id))


class CompleteForm(FormModal[int]):
    """Close fieldwork with a summary and a conclusion; unanswered lines become 'not audited'."""

    HELP = "Complete an audit's fieldwork (9.2.2): summary and conclusion; unanswered lines become 'not audited'."

    DEFAULT_CSS = FORM_CSS

    def __init__(self, audit_id: int, progress: Progress) -> None:
        super().__init__()
        self.audit_id = audit_id
        left = progress.total - progress.done
        done = f"answered {progress.answered} of {progress.total}"
        if progress.not_audited:
            done += f", not audited {progress.not_audited}"
        tail = f"; {left} line(s) without a result will be recorded as not audited" if left else ""
        self.form_title = f"Complete the audit: {done}{tail}"

    def fields(self) -> Iterable[Widget]:
        yield FormField("Summary", notes_area(""), key="summary", hint="What was audited, how, and the main results.")
        yield FormField(
            "Conclusion",
            notes_area(""),
            key="conclusion",
            hint="Does the ISMS conform and is it effectively implemented and maintained?",
        )

    def on_mount(self) -> None:
        self.query_one("#field-summary", FormField).control.focus()

    def submit(self) -> int:
        from isms_tui.services import audits

        with workspace_session(self) as session:
            completed = audits.complete_audit(session, self.audit_id, self.value("summary"), self.value("conclusion"))
            return require_id(completed)
