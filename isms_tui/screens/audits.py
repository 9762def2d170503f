"""The Audits section (9.2): the programme of the cycle, its coverage matrix, risk-based
priorities and the list of audits. Four tabs, switched with 1–4; enter on an audit opens it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static, TabbedContent, TabPane

from isms_tui.models import require_id
from isms_tui.models.enums import AuditResult, AuditStatus
from isms_tui.services import clock
from isms_tui.widgets.audit_style import (
    MATRIX_LABEL,
    PARTLY_STYLE,
    PLANNED,
    RESULT_STYLE,
    UNJUSTIFIED_STYLE,
    cell_text,
    status_text,
)
from isms_tui.widgets.tables import RecordTable, cursor_key

from .base import SectionScreen, WriteBinding
from .transfer import TransferKeys, transfer_bindings

if TYPE_CHECKING:
    from datetime import date

    from isms_tui.models import AuditProgramme
    from isms_tui.services.audit_views import AuditRow
    from isms_tui.services.audits import Progress
    from isms_tui.services.programme import AreaPriority, Coverage

PROGRAMME, COVERAGE, PRIORITIES, AUDITS = "programme", "coverage", "priorities", "audits"
TAB_KEYS = {"1": PROGRAMME, "2": COVERAGE, "3": PRIORITIES, "4": AUDITS}
REQUIREMENT_WIDTH = 44
AUDIT_COLUMN_WIDTH = 12
PRIORITY_COLUMNS = [
    ("Area", 22),
    ("Score", 5),
    ("Importance", 10),
    ("Last audited", 12),
    ("Next due", 18),
    ("Interval", 9),
    ("Why", 24),
]
AUDIT_COLUMNS = [
    ("#", 3),  # the number `isms pack --audit` and `isms audit reported` take
    ("Title", 24),
    ("Status", 11),
    ("Planned", 23),
    ("Lead auditor", 12),
    ("Progress", 22),
    ("Findings", 10),
]


@dataclass(frozen=True)
class AuditsData:
    """One consistent read of everything the four tabs show."""

    today: date
    programme: AuditProgramme | None
    cycle_end: date | None
    owner: str
    coverage: Coverage | None
    priorities: list[AreaPriority]
    audits: list[AuditRow]


class AuditsScreen(TransferKeys, SectionScreen):
    """Programme, coverage, priorities and audits; n/e act on the tab shown."""

    HELP = (
        "Internal audits (9.2): the risk-based programme, the coverage of every requirement in the cycle, the"
        " priorities of the areas and the audits themselves. S opens the statement of applicability."
    )

    CSS_PATH = "audits.tcss"
    BINDINGS = [
        # The tab titles show 1–4; the footer has no room for them.
        *(Binding(key, f"tab('{tab}')", tab.title(), show=False) for key, tab in TAB_KEYS.items()),
        WriteBinding("n", "new_programme", "New programme"),
        WriteBinding("e", "edit_programme", "Edit programme"),
        Binding("u", "toggle_uncovered", "Not audited only"),
        WriteBinding("n", "new_area", "New area"),
        WriteBinding("e", "edit_area", "Edit area"),
        WriteBinding("n", "plan_audit", "Plan audit"),
        WriteBinding("e", "edit_plan", "Edit plan"),
        Binding("o", "open_audit", "Open audit"),
        Binding("S", "soa", "SoA"),
        *transfer_bindings(),
        WriteBinding("K", "import_package", "Import kit/results"),
    ]
    transfer_register = "checklist"

    def __init__(self) -> None:
        super().__init__()
        self.data: AuditsData | None = None
        self.only_uncovered = False

    def body(self) -> ComposeResult:
        with TabbedContent(id="audit-tabs", initial=AUDITS):
            with TabPane("1 Programme", id=PROGRAMME):
                yield Static("Loading…", id="programme-info")
            with TabPane("2 Coverage", id=COVERAGE):
                yield Static("", id="coverage-headline")
                yield Static(_legend(), id="coverage-legend")
                yield RecordTable(id="coverage-table", cursor_type="row", header_height=2)
            with TabPane("3 Priorities", id=PRIORITIES):
                yield Label(
                    "Areas by priority: importance and previous results raise it · n adds, e edits",
                    classes="section-title",
                )
                yield RecordTable(id="priorities-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="priority-why")
            with TabPane("4 Audits", id=AUDITS):
                yield Label(
                    "Audits · enter opens one · n plans a new one · e edits a planned one's plan",
                    classes="section-title",
                )
                yield RecordTable(id="audit-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        for label, width in PRIORITY_COLUMNS:
            self.query_one("#priorities-table", DataTable).add_column(label, width=width)
        for label, width in AUDIT_COLUMNS:
            self.query_one("#audit-table", DataTable).add_column(label, width=width)
        self.query_one("#audit-table", DataTable).focus()

    # -- data ------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="audits")
    def load(self) -> None:
        """Read the four tabs in one transaction off the main thread (coverage reads every item)."""
        from isms_tui.services import audit_views, programme

        today = clock.today()
        with self.isms.session() as session:
            prog = programme.current_programme(session, today)
            names = audit_views.people_names(session)
            data = AuditsData(
                today=today,
                programme=prog,
                cycle_end=programme.cycle_end(prog) if prog else None,
                owner=names.get(prog.owner_id or 0, "") if prog else "",
                coverage=programme.coverage(session, require_id(prog)) if prog else None,
                priorities=programme.priorities(session, today),
                audits=audit_views.audit_rows(session),
            )
        self.app.call_from_thread(self.show, data)

    def show(self, data: AuditsData) -> None:
        self.data = data
        self.query_one("#programme-info", Static).update(_programme_info(data))
        self.render_coverage()
        self.render_priorities()
        self.render_audits()
        self.refresh_bindings()

    def render_coverage(self) -> None:
        data = self.data
        table = self.query_one("#coverage-table", DataTable)
        headline = self.query_one("#coverage-headline", Static)
        cov = data.coverage if data else None
        table.clear(columns=True)
        if cov is None:
            headline.update(Text("No audit programme yet: press 1, then n to create one.", style="bold"))
            return
        total, missing, planned = len(cov.required), len(cov.uncovered), len(cov.planned_only)
        partly, excluded = len(cov.partly), len(cov.excluded)
        waiting = ", ".join(
            part for part in (f"{partly} partly" if partly else "", f"{planned} planned" if planned else "") if part
        )
        line = Text.assemble(
            (f"{cov.covered} of {total}", "bold"),
            " requirements audited this cycle; ",
            (f"{missing} not audited yet", "bold red" if missing else "green"),
            (f" ({waiting})" if waiting else "", "dim"),
            (f"; {excluded} excluded by the SoA" if excluded else "", "dim"),
        )
        line.append("  · u: show all" if self.only_uncovered else "  · u: only those not audited", style="dim")
        headline.update(line)
        table.add_column("Requirement", width=REQUIREMENT_WIDTH, key="req")
        table.add_column(Text("Audits\nin cycle"), width=8, key="count")
        for audit in cov.audits:
            title = Text(audit.title, no_wrap=True, overflow="ellipsis")
            title.truncate(AUDIT_COLUMN_WIDTH, overflow="ellipsis")
            label = Text.assemble(title, "\n", (audit.planned_start.strftime("%Y-%m"), "dim"))
            table.add_column(label, width=AUDIT_COLUMN_WIDTH, key=f"a{audit.id}")
        for row in cov.rows:
            if self.only_uncovered and (row.covered or row.excluded):
                continue
            count = sum(row.audited)
            own = " (own)" if row.kind == "custom" else ""
            label = Text(f"{row.ref} {row.title}{own}", no_wrap=True, overflow="ellipsis")
            if count:
                count_cell = Text(str(count), justify="right")
            elif row.excluded:
                label.stylize("dim")
                count_cell = Text("– SoA n/a", style="dim")
            elif row.partly_audited:
                label.stylize("bold red")
                count_cell = Text("◐ partly", style="#d7af5f")
            elif row.planned_only:
                label.stylize("bold red")
                count_cell = Text("○ planned", style="#5f87d7")
            else:
                label.stylize("bold red")
                count_cell = Text("✖ none", style="bold white on dark_red")
            table.add_row(label, count_cell, *(cell_text(c) for c in row.cells), key=row.ref)

    def render_priorities(self) -> None:
        data = self.data
        table = self.query_one("#priorities-table", DataTable)
        keep = cursor_key(table)
        table.clear()
        for p in data.priorities if data else []:
            due = (p.next_due.isoformat() if p.next_due else "—") + (" overdue" if p.overdue else "")
            overdue = p.overdue or (p.next_due is not None and data is not None and p.next_due <= data.today)
            table.add_row(
                Text(p.area.name, no_wrap=True, overflow="ellipsis"),
                Text(str(p.score), justify="right"),
                Text("●" * p.area.importance + "○" * (5 - p.area.importance), style="yellow"),
                p.last_audited.isoformat() if p.last_audited else Text("never", style="dim"),
                Text(due, style="bold red" if overdue else ""),
                f"{p.interval_months} months",
                Text("; ".join(p.reasons), no_wrap=True, overflow="ellipsis"),
                key=str(p.area.id),
            )
        _restore(table, keep)
        self._show_priority_reasons()

    def render_audits(self) -> None:
        data = self.data
        table = self.query_one("#audit-table", DataTable)
        keep = cursor_key(table)
        table.clear()
        for row in data.audits if data else []:
            a = row.audit
            found = f"{row.findings}" + (f" · {row.open_actions} open" if row.open_actions else "")
            table.add_row(
                Text(str(a.id), style="dim", justify="right"),
                Text(a.title, no_wrap=True, overflow="ellipsis"),
                status_text(a.status),
                f"{a.planned_start.isoformat()} → {a.planned_end.isoformat()}",
                Text(row.lead, no_wrap=True, overflow="ellipsis"),
                _progress_cell(row.progress),
                Text(found, style="red" if row.open_actions else ""),
                key=str(a.id),
            )
        _restore(table, keep)

    # -- tabs and bindings -----------------------------------------------------------------

    @property
    def active_tab(self) -> str:
        tabs = self.query(TabbedContent)
        return tabs.first().active if tabs else ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not super().check_action(action, parameters):
            return None  # a write key in a read-only workspace: shown dimmed
        tab = self.active_tab
        per_tab = {
            "new_programme": PROGRAMME,
            "edit_programme": PROGRAMME,
            "toggle_uncovered": COVERAGE,
            "new_area": PRIORITIES,
            "edit_area": PRIORITIES,
            "plan_audit": AUDITS,
            "edit_plan": AUDITS,
            "open_audit": AUDITS,
            "import_package": AUDITS,
        }
        if action in per_tab and per_tab[action] != tab:
            return False
        if action == "edit_programme":
            return bool(self.data and self.data.programme)
        if action in ("edit_area", "edit_plan", "open_audit"):
            tables = self.query("#priorities-table" if tab == PRIORITIES else "#audit-table").results(DataTable)
            table = next(tables, None)
            return True if table is not None and table.row_count else None
        return True

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        tables = {COVERAGE: "#coverage-table", PRIORITIES: "#priorities-table", AUDITS: "#audit-table"}
        target = tables.get(event.pane.id or "")
        if target:
            self.query_one(target, DataTable).focus()
        else:
            self.set_focus(None)  # not the tab bar, which keeps typed letters: every key works

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "priorities-table":
            self._show_priority_reasons()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "audit-table":
            self.action_open_audit()
        elif event.data_table.id == "priorities-table":
            self.action_edit_area()

    def _show_priority_reasons(self) -> None:
        why = self.query_one("#priority-why", Static)
        key = cursor_key(self.query_one("#priorities-table", DataTable))
        found = [p for p in self.data.priorities if str(p.area.id) == key] if self.data else []
        if not found:
            why.update(
                Text("No areas yet: n adds one (a part of the ISMS, its importance and its requirements).", style="dim")
                if self.data and not self.data.priorities
                else ""
            )
            return
        p = found[0]
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_row("Area", Text(p.area.name, style="bold"))
        grid.add_row("Why", Text("; ".join(p.reasons)))
        grid.add_row("Audit every", f"{p.interval_months} months")
        grid.add_row("Requirements", Text(", ".join(p.area.refs) or "none listed"))
        if p.area.notes:
            grid.add_row("Notes", Text(p.area.notes))
        why.update(grid)

    # -- actions ---------------------------------------------------------------------------

    def _saved(self, result: object) -> None:
        if result is not None:
            self.load()

    def action_new_programme(self) -> None:
        from .audit_forms import ProgrammeForm

        self.app.push_screen(ProgrammeForm(None), self._saved)

    def action_edit_programme(self) -> None:
        if self.data and self.data.programme:
            from .audit_forms import ProgrammeForm

            self.app.push_screen(ProgrammeForm(self.data.programme.id), self._saved)

    def action_toggle_uncovered(self) -> None:
        self.only_uncovered = not self.only_uncovered
        self.render_coverage()

    def action_new_area(self) -> None:
        from .audit_forms import AreaForm

        self.app.push_screen(AreaForm(None), self._saved)

    def action_edit_area(self) -> None:
        key = cursor_key(self.query_one("#priorities-table", DataTable))
        if key is not None:
            from .audit_forms import AreaForm

            self.app.push_screen(AreaForm(int(key)), self._saved)

    def action_plan_audit(self) -> None:
        from .audit_forms import AuditPlanForm

        prog = self.data.programme if self.data else None
        self.app.push_screen(AuditPlanForm(None, prog.id if prog else None), self._planned)

    def _planned(self, audit_id: int | None) -> None:
        if audit_id is not None:
            self.notify("Audit planned; its working paper is ready.")
            self.load()

    def action_edit_plan(self) -> None:
        key = cursor_key(self.query_one("#audit-table", DataTable))
        if key is None:
            return
        row = next((r for r in self.data.audits if str(r.audit.id) == key), None) if self.data else None
        if row is not None and row.audit.status != AuditStatus.PLANNED:
            self.notify(
                f"The audit is {row.audit.status.value}; only a planned audit's plan can change.",
                severity="warning",
                markup=False,
            )
            return
        from .audit_forms import AuditPlanForm

        self.app.push_screen(AuditPlanForm(int(key)), self._saved)

    def action_soa(self) -> None:
        from .soa import SoaScreen

        self.app.push_screen(SoaScreen())

    def action_import_package(self) -> None:
        from .exchange_forms import ImportPackageForm

        self.app.push_screen(ImportPackageForm(), self._imported)

    def _imported(self, sentence: str | None) -> None:
        if sentence:
            self.notify(sentence, markup=False, timeout=10)
            self.refresh_data()

    def action_open_audit(self) -> None:
        key = cursor_key(self.query_one("#audit-table", DataTable))
        if key is not None:
            from .audit_detail import AuditDetailScreen

            self.app.push_screen(AuditDetailScreen(int(key)))


def _restore(table: DataTable[Any], key: str | None) -> None:
    if key is not None and key in table.rows:
        table.move_cursor(row=table.get_row_index(key))


def _legend() -> Text:
    # The matrix's own short labels where they differ ('observ.'), so that the line fits 120 columns.
    marks = [
        (m, MATRIX_LABEL[r] if r == AuditResult.OBSERVATION else label, style)
        for r, (m, label, style) in RESULT_STYLE.items()
    ]
    marks += [UNJUSTIFIED_STYLE, PARTLY_STYLE, PLANNED]
    out = Text()
    for mark, label, style in marks:
        out.append(f"{mark} {label}", style=style)
        out.append(" ")
    out.append("blank: not in scope", style="dim")
    return out


def _programme_info(data: AuditsData) -> Group | Text:
    prog = data.programme
    if prog is None:
        return Text.assemble(
            ("No audit programme yet.\n\n", "bold"),
            "Press n to create one: the cycle (1 or 3 years) in which the audits must cover every clause "
            "and control, with the programme's objectives, methods and responsibilities (9.2.2).",
        )
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    years = "1 year" if prog.cycle_years == 1 else f"{prog.cycle_years} years"
    grid.add_row("Programme", Text(prog.title, style="bold"))
    grid.add_row(
        "Cycle", f"{prog.cycle_start.isoformat()} → {data.cycle_end.isoformat() if data.cycle_end else ''}  ({years})"
    )
    grid.add_row("Owner", Text(data.owner or "—"))
    grid.add_row("Objectives", Text(prog.objectives or "—"))
    grid.add_row("Methods", Text(prog.methods or "—"))
    grid.add_row("Responsibilities", Text(prog.responsibilities or "—"))
    grid.add_row("Planning", Text(prog.planning or "—"))
    grid.add_row("Reporting", Text(prog.reporting or "—"))
    in_cycle = [r for r in data.audits if r.audit.programme_id == prog.id]
    by_status = {s: sum(1 for r in in_cycle if r.audit.status == s) for s in AuditStatus}
    summary = ", ".join(f"{n} {s.value}" for s, n in by_status.items() if n) or "none yet"
    grid.add_row("Audits", f"{len(in_cycle)} in this cycle ({summary})")
    if data.coverage is not None:
        missing = len(data.coverage.uncovered)
        grid.add_row(
            "Coverage",
            Text.assemble(
                f"{data.coverage.percent}% of the requirements audited through answered lines; ",
                (f"{missing} not audited yet" if missing else "everything audited", "bold red" if missing else "green"),
                " (tab 2)",
            ),
        )
    return Group(grid, Text("\ne edits the programme · n starts the programme of a new cycle", style="dim"))


def _progress_cell(progress: Progress) -> Text:
    """'46/123 · 77 not audited': lines closed as not audited are not progress."""
    if not progress.not_audited:
        return Text(f"{progress.percent:>3}%  {progress.answered}/{progress.total}")
    text = Text(f"{progress.answered}/{progress.total}")
    text.append(f" · {progress.not_audited} not audited", style="magenta")
    return text
