"""The audit report in the TUI: what management is told (9.2.2 c) and what a certification
auditor asks to see — plan, impartiality, conclusion, results by requirement, findings and the
state of their corrective actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from isms_tui.models.enums import AuditResult
from isms_tui.widgets.audit_plan import impartiality_text, plan_grid
from isms_tui.widgets.audit_style import RESULT_STYLE, action_text, grading_text, result_text, status_text

from .base import SectionScreen

if TYPE_CHECKING:
    from isms_tui.services.audit_views import AuditView


class AuditReportScreen(SectionScreen):
    """A scrollable report of one audit; escape goes back."""

    HELP = (
        "The report of one audit (9.2.2 c): scope, criteria, results, findings and conclusion, as it will be "
        "reported to management."
    )

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]
    DEFAULT_CSS = """
    AuditReportScreen #report-box { height: 1fr; padding: 0 2; }
    AuditReportScreen #report { width: 1fr; max-width: 116; }
    """

    def __init__(self, audit_id: int) -> None:
        super().__init__()
        self.audit_id = audit_id
        self.view: AuditView | None = None

    def body(self) -> ComposeResult:
        with VerticalScroll(id="report-box"):
            yield Static("Loading the report…", id="report")

    def on_mount(self) -> None:
        self.query_one("#report-box", VerticalScroll).focus()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit-report")
    def load(self) -> None:
        from isms_tui.services import workspace
        from isms_tui.services.audit_views import audit_view

        with self.isms.session() as session:
            view = audit_view(session, self.audit_id)
            ws = workspace.get_workspace(session)
            org = ws.org_name if ws else ""
        self.app.call_from_thread(self.show, view, org)

    def show(self, view: AuditView, org: str) -> None:
        self.view = view
        self.sub_title = f"Report: #{view.audit.id} {view.audit.title}"
        self.query_one("#report", Static).update(report(view, org))


def _heading(title: str) -> RenderableType:
    return Rule(Text(title, style="bold"), align="left", style="dim")


def report(view: AuditView, org: str) -> Group:
    """The whole report as Rich renderables; every user-written text goes in as Text (no markup)."""
    a = view.audit
    title = Text.assemble(("Internal audit report: ", "bold"), (a.title, "bold"), "  ", status_text(a.status))
    if org:
        title.append(f"\n{org}", style="dim")
    parts: list[RenderableType] = [title, Text(""), _heading("Plan"), plan_grid(view), Text("")]
    parts += [_heading("Impartiality"), impartiality_text(view.conflicts, view), Text("")]
    parts += [_heading("Audit team and competence (7.2)"), _team_table(view), Text("")]
    parts += [_heading("Summary and conclusion")]
    conclusion = Table.grid(padding=(0, 1))
    conclusion.add_column(style="dim", no_wrap=True)
    conclusion.add_column(overflow="fold")
    conclusion.add_row("Summary", Text(a.summary or "— not written yet"))
    conclusion.add_row("Conclusion", Text(a.conclusion or "— not written yet (the audit is not completed)"))
    parts += [conclusion, Text("")]
    parts += [_heading("Reporting of the results (9.2.2 c)")]
    if view.reporting is not None:
        parts.append(Text(view.reporting.sentence()))
    else:
        parts.append(Text("Not reported yet: nobody is recorded as having received the results.", style="dim"))
    parts += [Text(""), _heading("Results by requirement"), _counts_table(view), Text("")]
    if view.notable:
        lines = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
        lines.add_column("Ref", no_wrap=True)
        lines.add_column("Requirement", ratio=2)
        lines.add_column("Result", no_wrap=True)
        lines.add_column("Assessed by", no_wrap=True)
        lines.add_column("Notes", ratio=3)
        for item in view.notable:
            lines.add_row(
                Text(item.ref),
                Text(item.title),
                result_text(item.result),
                Text(view.assessed_by.get(item.id or 0, "—")),
                Text(item.notes or "—"),
            )
        parts += [Text("Lines with a nonconformity, observation or opportunity for improvement:"), lines]
    else:
        parts.append(
            Text("No line was graded a nonconformity, observation or opportunity for improvement.", style="dim")
        )
    parts += [Text(""), _heading(f"Findings ({len(view.findings)})"), _findings_table(view)]
    return Group(*parts)


def _team_table(view: AuditView) -> Table:
    """Each auditor: the lines they assessed and what their records say of their competence."""
    counts = dict(view.assessor_counts())
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    table.add_column("Auditor", no_wrap=True)
    table.add_column("Lines assessed", justify="right", no_wrap=True)
    table.add_column("Competence on record when the audit started", ratio=3)
    for name, text in view.competence:
        table.add_row(Text(name), str(counts.get(name, 0)), Text(text))
    return table


def _counts_table(view: AuditView) -> Table:
    prog = view.progress
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    for result in AuditResult:
        mark, label, style = RESULT_STYLE[result]
        table.add_column(Text(f"{mark} {label}", style=style), justify="right", no_wrap=True)
    table.add_column("unanswered", justify="right", no_wrap=True)
    table.add_column("total", justify="right", no_wrap=True)
    table.add_row(*(str(prog.counts.get(r, 0)) for r in AuditResult), str(prog.total - prog.done), str(prog.total))
    return table


def _findings_table(view: AuditView) -> RenderableType:
    if not view.findings:
        return Text("No findings.", style="dim")
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Ref", no_wrap=True)
    table.add_column("Grading", no_wrap=True)
    table.add_column("Statement and evidence", ratio=3)
    table.add_column("Corrective action", ratio=2)
    for n, fv in enumerate(view.findings, 1):
        f, act = fv.finding, fv.action
        statement = Text(f.statement)
        if f.evidence:
            statement.append(f"\nEvidence: {f.evidence}", style="dim")
        if act is None:
            action: Text = action_text(None)
        else:
            action = Text.assemble(action_text(act.status), f"  #{act.id}")
            details = [fv.owner, f"due {act.due_date.isoformat()}" if act.due_date else ""]
            extra = ", ".join(d for d in details if d)
            if extra:
                action.append(f"\n{extra}", style="dim")
            if act.effectiveness:
                when = act.effectiveness_on.isoformat() if act.effectiveness_on else ""
                action.append(f"\nchecked {when}: {act.effectiveness.value}", style="dim")
        table.add_row(str(n), Text(f.ref), grading_text(f.grading), statement, action)
    return table
