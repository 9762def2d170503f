"""One person's responsibilities and competence (7.2, 9.2.2 b), reached from Settings → People (c).

Responsibilities are links to audit areas, processes with their requirements, and whether the
person runs the ISMS: impartiality is checked from them line by line. Competence records
(training, qualifications, audits done elsewhere) carry dates and evidence files; internal
audits are counted from the audits the person led or was on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Select, SelectionList, Static

from isms_tui.models import require_id
from isms_tui.widgets.form import FormField, FormModal
from isms_tui.widgets.form_parts import FORM_CSS, attach_evidence, merging_field_errors, split_list, split_paths
from isms_tui.widgets.tables import RecordTable, cursor_id

from .base import SectionScreen, WriteBinding, current_actor, workspace_session

if TYPE_CHECKING:
    from isms_tui.models import CompetenceRecord

KIND_CHOICES = [("training", "training"), ("qualification", "qualification"), ("external audit", "external audit")]
RECORD_COLUMNS = [("Kind", 14), ("Title", 34), ("Provider", 18), ("Obtained", 10), ("Expires", 10), ("Files", 5)]


class PersonRecordsScreen(SectionScreen):
    """Responsibilities and competence of one person; escape returns to Settings."""

    HELP = (
        "One person's responsibilities and competence (7.2, 9.2.2 b): the audit areas and processes they "
        "answer for, which decide what they may audit, and their training and qualification records."
    )

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        WriteBinding("n", "new_record", "New record"),
        WriteBinding("e", "edit_record", "Edit record"),
        WriteBinding("d", "delete_record", "Delete record"),
        WriteBinding("r", "areas", "Areas"),
        WriteBinding("p", "process", "Add process"),
        WriteBinding("x", "remove_duty", "Remove responsibility"),
        WriteBinding("i", "isms", "Runs the ISMS on/off"),
    ]
    DEFAULT_CSS = """
    PersonRecordsScreen #person-box { height: auto; max-height: 14; padding: 0 1; }
    PersonRecordsScreen #duties { height: auto; max-height: 8; }
    PersonRecordsScreen #records { height: 1fr; }
    PersonRecordsScreen .section-title { text-style: bold; padding: 1 1 0 1; }
    """

    def __init__(self, person_id: int) -> None:
        super().__init__()
        self.person_id = person_id
        self.records: list[CompetenceRecord] = []

    def body(self) -> ComposeResult:
        with VerticalScroll(id="person-box"):
            yield Static("", id="person-head")
            yield Static("", id="audits-done")
        yield Label("Responsibilities · r areas, p adds a process, x removes, i runs the ISMS", classes="section-title")
        yield RecordTable(id="duties", cursor_type="row")
        yield Label("Competence records · n new, e edit (files attach there), d delete", classes="section-title")
        yield RecordTable(id="records", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#duties", DataTable).add_column("Responsibility", width=100)
        table = self.query_one("#records", DataTable)
        for label, width in RECORD_COLUMNS:
            table.add_column(label, width=width)
        table.focus()

    def refresh_data(self) -> None:
        from isms_tui.models import Person
        from isms_tui.services import clock, competence, evidence, responsibilities

        with workspace_session(self) as session:
            person = session.get(Person, self.person_id)
            if person is None:
                return
            duties = responsibilities.person_duties(session, self.person_id)
            summary = competence.summary(session, self.person_id)
            self.records = competence.records(session, self.person_id)
            files = {
                require_id(r): len(evidence.linked(session, competence.ENTITY, require_id(r))) for r in self.records
            }
        self.sub_title = person.name
        head = Text.assemble((person.name, "bold"), f"  {person.role}" if person.role else "")
        if duties.runs_isms:
            head.append("  · runs the ISMS (assesses no clause 9 or 10 line)", style="yellow")
        head.append(f"\n{summary.text(clock.today())}", style="dim")
        if duties.unmatched:
            head.append(f"\nNamed but not an audit area (not checked): {', '.join(duties.unmatched)}", style="yellow")
        self.query_one("#person-head", Static).update(head)
        done = "; ".join(f"{a.title} ({a.role}, {a.ended.isoformat() if a.ended else '—'})" for a in summary.internal)
        self.query_one("#audits-done", Static).update(Text(f"Internal audits done: {done or 'none yet'}"))
        duty_table = self.query_one("#duties", DataTable)
        duty_table.clear()
        for duty_id, label in duties.rows:
            duty_table.add_row(Text(label), key=str(duty_id))
        table = self.query_one("#records", DataTable)
        keep = cursor_id(table)
        table.clear()
        for r in self.records:
            table.add_row(
                r.kind,
                Text(r.title, no_wrap=True, overflow="ellipsis"),
                Text(r.provider, no_wrap=True, overflow="ellipsis"),
                r.obtained_on.isoformat(),
                r.expires_on.isoformat() if r.expires_on else "",
                str(files.get(require_id(r), 0) or ""),
                key=str(r.id),
            )
        if keep is not None and str(keep) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep)))

    def _record(self) -> CompetenceRecord | None:
        record_id = cursor_id(self.query_one("#records", DataTable))
        return next((r for r in self.records if r.id == record_id), None)

    def _saved(self, result: object) -> None:
        if result:
            self.refresh_data()

    def action_new_record(self) -> None:
        self.app.push_screen(RecordForm(self.person_id, None), self._saved)

    def action_edit_record(self) -> None:
        record = self._record()
        if record is not None:
            self.app.push_screen(RecordForm(self.person_id, record), self._saved)

    def action_delete_record(self) -> None:
        from isms_tui.services import competence
        from isms_tui.services.errors import InputError, NotFound

        record = self._record()
        if record is None:
            return
        try:
            with workspace_session(self) as session:
                competence.delete_record(session, require_id(record))
        except (InputError, NotFound) as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.refresh_data()

    def action_areas(self) -> None:
        from isms_tui.models import Person
        from isms_tui.services import audit_plans

        with workspace_session(self) as session:
            person = session.get(Person, self.person_id)
            names = audit_plans.area_names(session)
            areas = audit_plans.area_ids(session)
        mine = {n.casefold() for n in (person.areas if person else [])}
        choices = [(name, areas[name], name.casefold() in mine) for name in names]
        self.app.push_screen(AreasForm(self.person_id, choices), self._saved)

    def action_process(self) -> None:
        self.app.push_screen(ProcessForm(self.person_id), self._saved)

    def action_remove_duty(self) -> None:
        from isms_tui.services import responsibilities

        duty_id = cursor_id(self.query_one("#duties", DataTable))
        if duty_id is None:
            return
        with workspace_session(self) as session:
            responsibilities.remove(session, duty_id)
        self.refresh_data()

    def action_isms(self) -> None:
        from isms_tui.services import responsibilities
        from isms_tui.services.errors import InputError

        try:
            with workspace_session(self) as session:
                runs = responsibilities.isms_manager_id(session) == self.person_id
                responsibilities.set_isms_manager(session, None if runs else self.person_id)
        except InputError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.notify("Nobody is recorded as running the ISMS." if runs else "Recorded as running the ISMS.")
        self.refresh_data()


class RecordForm(FormModal[int]):
    HELP = "A competence record (7.2): training, qualification or external audit, with its files."

    DEFAULT_CSS = FORM_CSS
    form_title = "Competence record (7.2)"

    def __init__(self, person_id: int, record: CompetenceRecord | None) -> None:
        super().__init__()
        self.person_id = person_id
        self.record = record

    def fields(self) -> Iterable[Widget]:
        r = self.record
        yield FormField("Kind", Select(KIND_CHOICES, value=r.kind if r else "training", allow_blank=False), key="kind")
        yield FormField(
            "Title", Input(r.title if r else "", placeholder="e.g. ISO/IEC 27001 Lead Auditor"), key="title"
        )
        yield FormField("Provider", Input(r.provider if r else ""), key="provider")
        yield FormField(
            "Obtained on", Input(r.obtained_on.isoformat() if r else "", placeholder="YYYY-MM-DD"), key="obtained_on"
        )
        yield FormField(
            "Expires on",
            Input(r.expires_on.isoformat() if r and r.expires_on else "", placeholder="YYYY-MM-DD or empty"),
            key="expires_on",
        )
        yield FormField("Notes", Input(r.notes if r else ""), key="notes")
        yield FormField(
            "Evidence files",
            Input(placeholder="certificate.pdf; attendance.pdf"),
            key="evidence",
            hint="Copied into the workspace's evidence store and linked to this record.",
        )

    def submit(self) -> int:
        from isms_tui.services import competence
        from isms_tui.services.competence import RecordInput
        from isms_tui.services.form_values import parse_date

        errors: dict[str, str] = {}
        data = RecordInput(
            self.value("kind"),
            self.value("title"),
            parse_date(self.value("obtained_on"), "obtained_on", errors),
            self.value("provider"),
            parse_date(self.value("expires_on"), "expires_on", errors),
            self.value("notes"),
        )
        with workspace_session(self) as session, merging_field_errors(errors):
            saved = competence.save_record(session, self.person_id, data, self.record.id if self.record else None)
            paths = split_paths(self.value("evidence"))
            attach_evidence(session, paths, current_actor(self), competence.ENTITY, require_id(saved), errors)
            return require_id(saved)


class AreasForm(FormModal[bool]):
    HELP = "The audit areas this person is responsible for; they do not audit them (9.2.2 b)."

    DEFAULT_CSS = FORM_CSS + "\nAreasForm SelectionList { height: auto; max-height: 16; width: 1fr; }\n"
    form_title = "Audit areas this person is responsible for"

    def __init__(self, person_id: int, choices: list[tuple[str, int, bool]]) -> None:
        super().__init__()
        self.person_id = person_id
        self.choices = choices

    def fields(self) -> Iterable[Widget]:
        yield FormField(
            "Areas",
            SelectionList[int](*[(name, area_id, chosen) for name, area_id, chosen in self.choices]),
            key="areas",
            hint="space ticks an area; they never assess a line of a ticked area.",
        )

    def submit(self) -> bool:
        from isms_tui.services import responsibilities

        chosen = list(self.query_one("#field-areas SelectionList", SelectionList).selected)
        with workspace_session(self) as session:
            responsibilities.set_areas(session, self.person_id, chosen)
        return True


class ProcessForm(FormModal[bool]):
    HELP = "A process this person runs, with the requirements it serves; they do not audit it."

    DEFAULT_CSS = FORM_CSS
    form_title = "A process this person runs"

    def __init__(self, person_id: int) -> None:
        super().__init__()
        self.person_id = person_id

    def fields(self) -> Iterable[Widget]:
        yield FormField("Process", Input(placeholder="e.g. Backups"), key="process")
        yield FormField(
            "Requirements",
            Input(placeholder="e.g. A.8.13, A.8.14"),
            key="refs",
            hint="Comma-separated clause or Annex A references the process carries out.",
        )

    def submit(self) -> bool:
        from isms_tui.services import responsibilities

        with workspace_session(self) as session:
            responsibilities.add_process(session, self.person_id, self.value("process"), split_list(self.value("refs")))
        return True
