"""Settings: the organisation, its people and its objectives (6.2), which every other area refers to.

Three tabs. The organisation is edited in place; people and objectives are tables edited through
modal forms. Every write goes through services.workspace in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input, Select, Static, TabbedContent, TabPane, Tabs, TextArea

from isms_tui.models import require_id
from isms_tui.services import actor as actors
from isms_tui.services import workspace
from isms_tui.services.errors import InputError, NotFound
from isms_tui.services.form_values import parse_date
from isms_tui.widgets.form import FormField, FormModal, mark_field_errors, person_select, value_of
from isms_tui.widgets.tables import RecordTable, cursor_id

from .base import SectionScreen, WriteBinding, is_read_only, workspace_session

if TYPE_CHECKING:
    from isms_tui.models import Objective, Person, Workspace

ORGANISATION, PEOPLE, OBJECTIVES = "organisation", "people", "objectives"
CYCLES = [("1 year", 1), ("2 years", 2), ("3 years", 3)]
PEOPLE_COLUMNS = [("Name", 18), ("Role", 22), ("Email", 30), ("Areas", 26), ("Active", 6)]
OBJECTIVE_COLUMNS = [("Code", 8), ("Statement", 34), ("Target", 28), ("Owner", 16), ("Due", 10), ("Active", 6)]


INTERVAL_MONTHS = (3, 6, 9, 12, 18, 24, 36)
INTERVALS = [(f"{n} months", n) for n in INTERVAL_MONTHS]


def _interval(months: int) -> int:
    """A stored interval the list does not offer (set elsewhere) shows as the next one up."""
    return next((n for n in INTERVAL_MONTHS if n >= months), INTERVAL_MONTHS[-1])


class OrganisationForm(VerticalScroll, can_focus=False):
    """The workspace row, edited in place; reloading never overwrites unsaved typing."""

    def __init__(self) -> None:
        super().__init__(id="org-form")
        self._loaded: dict[str, object] | None = None

    def compose(self) -> ComposeResult:
        yield FormField("Organisation name", Input(id="org-name"), key="org_name")
        yield FormField(
            "ISMS scope",
            TextArea(id="org-scope", soft_wrap=True),  # wrapped: the whole scope is on screen, never cut
            key="scope",
        )
        yield FormField(
            "Audit cycle (the internal audits cover the whole scope within it)",
            Select(CYCLES, allow_blank=False, value=3, id="org-cycle"),
            key="audit_cycle_years",
        )
        yield FormField(
            "Management review at least every",
            Select(INTERVALS, allow_blank=False, value=12, id="org-review-interval"),
            key="review_interval_months",
            hint="9.3.1: the dashboard and isms status warn when the next review is overdue or not planned.",
        )
        yield FormField(
            "Internal audit at least every",
            Select(INTERVALS, allow_blank=False, value=12, id="org-audit-interval"),
            key="audit_interval_months",
            hint="9.2.1: counted from the start of the last audit; the cycle above is about coverage.",
        )
        yield FormField(
            "You are",
            Input(id="org-user", placeholder="Your name, as changes are journaled"),
            key="current_user",
            hint="Suggests names from People (→ accepts); any other name is fine too.",
        )
        yield Static("", id="org-message", markup=False)
        with Horizontal(id="org-buttons"):
            yield Button("Save  ctrl+s", id="org-save", variant="primary")

    def values(self) -> dict[str, object]:
        return {field.key: value_of(field.control) for field in self.query(FormField)}

    def load(self, ws: Workspace | None, people: list[str]) -> None:
        self.query_one("#org-user", Input).suggester = SuggestFromList(people, case_sensitive=False)
        if self._loaded is not None and self.values() != self._loaded:
            return  # the user is mid-edit
        self._set("#org-name", ws.org_name if ws else "")
        self.query_one("#org-scope", TextArea).text = ws.scope if ws else ""
        self.query_one("#org-cycle", Select).value = ws.audit_cycle_years if ws else 3
        self.query_one("#org-review-interval", Select).value = _interval(ws.review_interval_months if ws else 12)
        self.query_one("#org-audit-interval", Select).value = _interval(ws.audit_interval_months if ws else 12)
        self._set("#org-user", ws.current_user if ws else "")
        self.mark_saved()

    def _set(self, selector: str, text: str) -> None:
        self.query_one(selector, Input).value = text

    def mark_saved(self) -> None:
        self._loaded = self.values()

    def show_errors(self, message: str, errors: dict[str, str]) -> None:
        first = mark_field_errors(self, errors)
        self.query_one("#org-message", Static).update(message)
        if first is not None:
            first.control.focus()


class RegisterTable(RecordTable):
    """A register of records (people, objectives) keyed by record id that keeps its cursor across reloads.

    Columns have fixed widths and long text ends in an ellipsis, so that the Active column
    stays on screen at 120 columns whatever people write.
    """

    def __init__(self, columns: Iterable[tuple[str, int]], *, id: str) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._columns = list(columns)

    def on_mount(self) -> None:
        for label, width in self._columns:
            self.add_column(label, width=width)

    def show(self, rows: list[tuple[int | None, list[str], bool]], select: int | None = None) -> None:
        """Replace the rows (id, cells, active); inactive rows are dimmed."""
        keep = select if select is not None else self.selected_id()
        self.clear()
        for record_id, cells, active in rows:
            style = "" if active else "dim"
            self.add_row(
                *(Text(cell, style=style, overflow="ellipsis", no_wrap=True) for cell in cells),
                key=str(record_id),
            )
        if keep is not None and str(keep) in self.rows:
            self.move_cursor(row=self.get_row_index(str(keep)))

    def selected_id(self) -> int | None:
        return cursor_id(self)


class SettingsScreen(SectionScreen):
    """Organisation, People and Objectives tabs; n/e/a act on the table of the tab shown."""

    HELP = (
        "The organisation, its people and its objectives (6.2), which every other area refers to: scope, "
        "audit cycle, review and audit intervals, who you are for the journal. The organisation tab is a "
        "form: escape leaves it for the tab and section keys."
    )

    CSS_PATH = "settings.tcss"
    BINDINGS = [
        # The tab titles show these keys; the footer has no room for them.
        Binding("1", "tab('organisation')", "Organisation", show=False),
        Binding("2", "tab('people')", "People", show=False),
        Binding("3", "tab('objectives')", "Objectives", show=False),
        WriteBinding("ctrl+s", "save_org", "Save"),
        Binding("escape", "leave_form", "Leave form"),
        WriteBinding("n", "new", "New"),
        WriteBinding("e", "edit", "Edit"),
        WriteBinding("a", "toggle_active", "Active on/off"),
        Binding("c", "competence", "Competence"),
        Binding("i", "integrity", "Integrity", tooltip="Check the journal and evidence, back up, seal, export the CA"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.people: list[Person] = []
        self.objectives: list[Objective] = []

    def body(self) -> ComposeResult:
        with TabbedContent(id="settings-tabs"):
            with TabPane("1 Organisation", id=ORGANISATION):
                yield OrganisationForm()
            with TabPane("2 People", id=PEOPLE):
                yield RegisterTable(PEOPLE_COLUMNS, id="people-table")
            with TabPane("3 Objectives", id=OBJECTIVES):
                yield RegisterTable(OBJECTIVE_COLUMNS, id="objectives-table")

    def on_mount(self) -> None:
        # A read-only workspace shows the organisation but offers nothing to type into.
        self.query_one(OrganisationForm).disabled = is_read_only(self)
        self._enter_organisation()

    def _enter_organisation(self) -> None:
        """The organisation is a form: it opens with the cursor in its first field, so that a
        name typed lands there; escape leaves it for the tab and section keys."""
        if is_read_only(self):
            self.query_one(Tabs).focus()
        else:
            self.query_one("#org-name", Input).focus()

    # -- data ------------------------------------------------------------------------------

    def refresh_data(self, select: int | None = None) -> None:
        """Reload all three tabs (small tables: a direct query is quicker than a worker)."""
        if self.isms.engine is None:
            return
        with self.isms.session() as session:
            ws = workspace.get_workspace(session)
            self.people = workspace.list_people(session, include_inactive=True)
            self.objectives = workspace.list_objectives(session, include_inactive=True)
        names = {p.id: p.name for p in self.people}
        self.query_one(OrganisationForm).load(ws, [p.name for p in self.people if p.active])
        self.query_one("#people-table", RegisterTable).show(
            [(p.id, [p.name, p.role, p.email, ", ".join(p.areas), _yes(p.active)], p.active) for p in self.people],
            select if self.active_tab == PEOPLE else None,
        )
        self.query_one("#objectives-table", RegisterTable).show(
            [
                (
                    o.id,
                    [
                        o.code,
                        o.statement,
                        o.target,
                        names.get(o.owner_id, ""),
                        o.due_date.isoformat() if o.due_date else "",
                        _yes(o.active),
                    ],
                    o.active,
                )
                for o in self.objectives
            ],
            select if self.active_tab == OBJECTIVES else None,
        )
        self.refresh_bindings()

    @property
    def active_tab(self) -> str:
        tabs = self.query(TabbedContent)
        return tabs.first().active if tabs else ""

    def _table(self, tab: str | None = None) -> RegisterTable:
        return self.query_one(f"#{tab or self.active_tab}-table", RegisterTable)

    def _selected(self) -> Person | Objective | None:
        record_id = self._table().selected_id()
        records = self.people if self.active_tab == PEOPLE else self.objectives
        return next((r for r in records if r.id == record_id), None)

    # -- bindings --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not super().check_action(action, parameters):
            return None  # a write key in a read-only workspace: shown dimmed
        tab = self.active_tab
        if action == "save_org":
            return tab == ORGANISATION
        if action == "leave_form":
            return tab == ORGANISATION and self.focused is not None
        if action == "new":
            return tab in (PEOPLE, OBJECTIVES)
        if action == "competence":
            return tab == PEOPLE and bool(self._table().row_count)
        if action in ("edit", "toggle_active"):
            if tab not in (PEOPLE, OBJECTIVES):
                return False
            return True if self._table().row_count else None
        return True

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        if event.pane.id in (PEOPLE, OBJECTIVES):
            self._table(event.pane.id).focus()
        else:
            self._enter_organisation()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "org-save":
            event.stop()
            self.action_save_org()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save_org()

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_leave_form(self) -> None:
        """Leave the organisation form (or the tab bar) so 1/2/3 and the section keys work again."""
        self.set_focus(None)

    def action_save_org(self) -> None:
        form = self.query_one(OrganisationForm)
        values = form.values()
        try:
            with self.isms.session() as session:
                workspace.save_workspace(session, **values)  # type: ignore[arg-type]
        except InputError as exc:
            form.show_errors(str(exc), exc.fields)
            return
        form.show_errors("", {})
        form.mark_saved()
        self.isms.actor = actors.resolve(self.isms.actor_override, str(values["current_user"]))
        self.notify("Organisation saved.")

    def action_competence(self) -> None:
        """The highlighted person's responsibilities and competence records (7.2, 9.2.2 b)."""
        from .person_records import PersonRecordsScreen

        record = self._selected()
        if record is not None and record.id is not None:
            self.app.push_screen(PersonRecordsScreen(record.id))

    def action_integrity(self) -> None:
        from .palette import open_integrity

        open_integrity(self.app)

    def action_new(self) -> None:
        self._open_form(None)

    def action_edit(self) -> None:
        record = self._selected()
        if record is not None:
            self._open_form(record)

    def _open_form(self, record: Person | Objective | None) -> None:
        form: FormModal[int]
        if self.active_tab == PEOPLE:
            form = PersonForm(record)  # type: ignore[arg-type]
        else:
            form = ObjectiveForm(record, self.people)  # type: ignore[arg-type]
        self.app.push_screen(form, self._saved)

    def _saved(self, record_id: int | None) -> None:
        if record_id is not None:
            self.refresh_data(select=record_id)

    def action_toggle_active(self) -> None:
        record = self._selected()
        if record is None:
            return
        try:
            with self.isms.session() as session:
                if self.active_tab == PEOPLE:
                    p: Person = record  # type: ignore[assignment]
                    workspace.save_person(
                        session, p.name, p.role, p.email, p.areas, person_id=p.id, active=not p.active
                    )
                else:
                    o: Objective = record  # type: ignore[assignment]
                    workspace.save_objective(
                        session,
                        o.code,
                        o.statement,
                        o.target,
                        o.owner_id,
                        o.due_date,
                        objective_id=o.id,
                        active=not o.active,
                    )
        except (InputError, NotFound) as exc:
            self.notify(str(exc), title="Not changed", severity="error", markup=False)
            return
        self.refresh_data()


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


class PersonForm(FormModal[int]):
    """A new or edited person; dismisses with the person's id."""

    HELP = (
        "A person of the organisation: name, role, email and the areas they are responsible for (which they "
        "may not audit)."
    )

    def __init__(self, person: Person | None = None) -> None:
        super().__init__()
        self.person = person
        self.form_title = f"Edit {person.name}" if person else "New person"

    def fields(self) -> Iterable[Widget]:
        p = self.person
        yield FormField("Name", Input(p.name if p else ""), key="name")
        yield FormField("Role", Input(p.role if p else "", placeholder="e.g. IT manager"), key="role")
        yield FormField("Email", Input(p.email if p else ""), key="email")
        yield FormField(
            "Areas they are responsible for",
            Input(", ".join(p.areas) if p else "", placeholder="e.g. IT operations, HR"),
            key="areas",
            hint="Comma-separated; a name matching an audit area links them to it (c shows the links).",
        )

    def submit(self) -> int:
        p = self.person
        with workspace_session(self) as session:
            saved = workspace.save_person(
                session,
                self.value("name"),
                self.value("role"),
                self.value("email"),
                self.value("areas").split(","),
                person_id=p.id if p else None,
                active=p.active if p else True,
            )
            return require_id(saved)


class ObjectiveForm(FormModal[int]):
    """A new or edited information security objective (6.2); dismisses with its id."""

    HELP = "An information security objective (6.2): statement, measurable target, owner and due date."

    def __init__(self, objective: Objective | None, people: list[Person]) -> None:
        super().__init__()
        self.objective = objective
        self.people = people
        self.form_title = f"Edit objective {objective.code}" if objective else "New objective"

    def fields(self) -> Iterable[Widget]:
        o = self.objective
        owner = o.owner_id if o else None
        owners = [(Text(p.name), p.id) for p in self.people if p.active or p.id == owner]
        yield FormField("Code", Input(o.code if o else "", placeholder="e.g. OBJ-01"), key="code")
        yield FormField("Statement", Input(o.statement if o else ""), key="statement")
        yield FormField(
            "Measurable target",
            Input(o.target if o else "", placeholder="e.g. 95 % of staff trained by year end"),
            key="target",
        )
        yield FormField("Owner", person_select(owners, owner), key="owner")
        yield FormField(
            "Due date",
            Input(o.due_date.isoformat() if o and o.due_date else "", placeholder="YYYY-MM-DD"),
            key="due_date",
        )

    def submit(self) -> int:
        """Validate everything in one go; a bad date rolls back whatever the service accepted."""
        o = self.objective
        date_error: dict[str, str] = {}
        due = parse_date(self.value("due_date"), "due_date", date_error)
        with workspace_session(self) as session:
            try:
                saved = workspace.save_objective(
                    session,
                    self.value("code"),
                    self.value("statement"),
                    self.value("target"),
                    owner_id=self.value("owner"),
                    due_date=due,
                    objective_id=o.id if o else None,
                    active=o.active if o else True,
                )
            except InputError as exc:
                raise InputError(str(exc), {**exc.fields, **date_error}) from None
            if date_error:
                raise InputError("The due date is not a valid date.", date_error)
            return require_id(saved)
