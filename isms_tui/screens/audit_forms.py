"""Forms of the audit programme (9.2.2): the programme, its areas, and the plan of each audit.

Every form parses what it must (dates, names) and leaves the rules to the services, merging the
two sets of per-field errors so the user sees every problem at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Input, Select

from isms_tui.models import require_id
from isms_tui.services import clock
from isms_tui.services.form_values import parse_date
from isms_tui.widgets.form import FormField, FormModal, person_select
from isms_tui.widgets.form_parts import FORM_CSS, merging_field_errors, notes_area, split_list
from isms_tui.widgets.tickbox import TickBox

from .base import workspace_session

if TYPE_CHECKING:
    from isms_tui.models.db import Session
    from isms_tui.services.audits import AuditInput

CYCLE_CHOICES = [("1 year", 1), ("3 years", 3)]
IMPORTANCE_CHOICES = [("5 critical", 5), ("4 high", 4), ("3 medium", 3), ("2 low", 2), ("1 minimal", 1)]


class ProgrammeForm(FormModal[int]):
    """Create or edit the audit programme of a cycle; dismisses with its id."""

    HELP = (
        "The audit programme of a cycle (9.2.2): owner, objectives, methods, responsibilities, when the cycle"
        " starts and how long it runs, and how audits are planned and their results reported."
    )

    DEFAULT_CSS = FORM_CSS

    def __init__(self, programme_id: int | None) -> None:
        super().__init__()
        from isms_tui.services import programme, workspace
        from isms_tui.services.programme import ProgrammeInput

        self.programme_id = programme_id
        with workspace_session(self) as session:
            self.people = [(Text(p.name), p.id) for p in workspace.list_people(session)]
            if programme_id is None:
                ws = workspace.get_workspace(session)
                years = ws.audit_cycle_years if ws and ws.audit_cycle_years in (1, 3) else 3
                start = date(clock.today().year, 1, 1)
                last = start.year + years - 1
                span = str(start.year) if years == 1 else f"{start.year}–{last}"
                self.data = ProgrammeInput(
                    f"ISMS internal audit programme {span}",
                    start,
                    years,
                    objectives="Confirm over the cycle that the ISMS conforms to ISO/IEC 27001:2022 and to "
                    "our own requirements, and that it is effectively implemented and maintained.",
                    methods="Checklist audits on samples: interviews, observation, document review and re-performance.",
                    responsibilities="The programme owner plans and reports; lead auditors run each audit; "
                    "no auditor audits their own area.",
                    planning="Each audit is planned a month ahead from the priorities tab: scope, criteria, "
                    "auditors checked for impartiality, auditees told in writing.",
                    reporting="The lead auditor reports each audit within two weeks of its fieldwork to the "
                    "programme owner and the managers of the areas audited; results go to the management review.",
                )
            else:
                p = programme.get_programme(session, programme_id)
                self.data = ProgrammeInput(
                    p.title,
                    p.cycle_start,
                    p.cycle_years,
                    p.objectives,
                    p.methods,
                    p.responsibilities,
                    p.owner_id,
                    p.planning,
                    p.reporting,
                )
        self.form_title = "New audit programme" if programme_id is None else "Edit the audit programme"

    def fields(self) -> Iterable[Widget]:
        d = self.data
        yield FormField("Title", Input(d.title), key="title")
        yield FormField(
            "Cycle starts (YYYY-MM-DD)", Input(d.cycle_start.isoformat() if d.cycle_start else ""), key="cycle_start"
        )
        yield FormField(
            "Cycle length",
            Select(CYCLE_CHOICES, value=d.cycle_years if d.cycle_years in (1, 3) else 3, allow_blank=False),
            key="cycle_years",
            hint="Over the cycle the audits must cover every clause and control in scope.",
        )
        yield FormField("Owner", person_select(self.people, d.owner_id), key="owner_id")
        yield FormField("Objectives", notes_area(d.objectives), key="objectives")
        yield FormField("Methods", notes_area(d.methods), key="methods")
        yield FormField("Responsibilities", notes_area(d.responsibilities), key="responsibilities")
        yield FormField(
            "Planning", notes_area(d.planning), key="planning", hint="How audits are planned (9.2.2): who, when, how."
        )
        yield FormField(
            "Reporting", notes_area(d.reporting), key="reporting", hint="How results are reported, and to whom."
        )

    def on_mount(self) -> None:
        self.query_one("#field-title", FormField).control.focus()

    def submit(self) -> int:
        from isms_tui.services import programme
        from isms_tui.services.programme import ProgrammeInput

        errors: dict[str, str] = {}
        start = parse_date(self.value("cycle_start"), "cycle_start", errors, required=True)
        data = ProgrammeInput(
            self.value("title"),
            start,
            self.value("cycle_years"),
            self.value("objectives"),
            self.value("methods"),
            self.value("responsibilities"),
            self.value("owner_id"),
            self.value("planning"),
            self.value("reporting"),
        )
        with workspace_session(self) as session, merging_field_errors(errors):  # a raise rolls back
            saved = programme.save_programme(session, data, self.programme_id)
        return require_id(saved)


class AreaForm(FormModal[int]):
    """An area of the ISMS with its importance and the requirements it answers for."""

    HELP = (
        "An area of the ISMS with its importance and the requirements it answers for; importance and earlier "
        "results set its audit priority."
    )

    DEFAULT_CSS = FORM_CSS

    def __init__(self, area_id: int | None) -> None:
        super().__init__()
        from isms_tui.models import AuditArea

        self.area_id = area_id
        self.area: AuditArea | None = None
        if area_id is not None:
            with workspace_session(self) as session:
                self.area = session.get(AuditArea, area_id)
        self.form_title = f"Edit area {self.area.name}" if self.area else "New audit area"

    def fields(self) -> Iterable[Widget]:
        a = self.area
        yield FormField(
            "Name",
            Input(a.name if a else "", placeholder="e.g. IT operations"),
            key="name",
            hint="People who name this area in Settings are linked to it; impartiality is checked on those links.",
        )
        yield FormField(
            "Importance",
            Select(IMPORTANCE_CHOICES, value=a.importance if a else 3, allow_blank=False),
            key="importance",
        )
        yield FormField(
            "Requirements",
            Input(", ".join(a.refs) if a else "", placeholder="e.g. A.8.13, A.8.15"),
            key="refs",
            hint="Comma-separated clause and control refs.",
        )
        yield FormField("Notes", Input(a.notes if a else ""), key="notes")

    def on_mount(self) -> None:
        self.query_one("#field-name", FormField).control.focus()

    def submit(self) -> int:
        from isms_tui.services import programme

        with workspace_session(self) as session:
            area = programme.save_area(
                session,
                self.value("name"),
                self.value("importance"),
                split_list(self.value("refs")),
                self.value("notes"),
                area_id=self.area_id,
            )
            return require_id(area)


class AuditPlanForm(FormModal[int]):
    """Plan an audit (its working paper is built from the checklist and scope), or edit the plan
    of a planned one — typically to change an auditor who would audit their own area."""

    HELP = (
        "Plan an audit (9.2.2 b): checklist, areas and requirements in scope, criteria, methods, dates, lead "
        "auditor, team and auditees."
    )

    DEFAULT_CSS = FORM_CSS

    def __init__(self, audit_id: int | None = None, programme_id: int | None = None) -> None:
        super().__init__()
        from isms_tui.services import audit_plans, audits, checklists, workspace
        from isms_tui.services.audits import AuditInput

        self.audit_id = audit_id
        with workspace_session(self) as session:
            people = workspace.list_people(session)
            self.templates = [(Text(f"{t.name} ({t.size})"), t.name) for t in checklists.list_templates(session)]
            self.area_names = audit_plans.area_names(session)
            if audit_id is None:
                self.data = AuditInput(title="", planned_start=None, planned_end=None, programme_id=programme_id)
            else:
                a = audits.get_audit(session, audit_id)
                self.data = AuditInput(
                    a.title,
                    a.planned_start,
                    a.planned_end,
                    "",
                    a.scope_refs,
                    a.scope_areas,
                    a.criteria,
                    a.methods,
                    a.lead_auditor_id,
                    a.team_ids,
                    a.auditees,
                    a.programme_id,
                )
                # People who left stay selectable on the audits they were already named on.
                named = {a.lead_auditor_id, *a.team_ids}
                people += [
                    p for p in workspace.list_people(session, include_inactive=True) if not p.active and p.id in named
                ]
        self.people = {p.id: p.name for p in people}
        self.form_title = "Plan an audit" if audit_id is None else f"Edit the plan of {self.data.title}"

    def fields(self) -> Iterable[Widget]:
        d = self.data
        editing = self.audit_id is not None
        people = [(Text(name), pid) for pid, name in self.people.items()]
        yield FormField("Title", Input(d.title, placeholder="e.g. Operations and backups"), key="title")
        yield FormField(
            "Starts (YYYY-MM-DD)", Input(d.planned_start.isoformat() if d.planned_start else ""), key="planned_start"
        )
        yield FormField(
            "Ends (YYYY-MM-DD)", Input(d.planned_end.isoformat() if d.planned_end else ""), key="planned_end"
        )
        if editing:
            yield FormField(
                "Requirements in scope",
                Input(", ".join(d.scope_refs), disabled=True),
                key="scope_refs",
                hint="The working paper is fixed; plan a new audit to change it.",
            )
        else:
            yield FormField("Checklist", Select(self.templates, value=d.template, allow_blank=False), key="template")
            yield FormField(
                "Requirements in scope",
                Input("", placeholder="e.g. A.8.13, A.8.15"),
                key="scope_refs",
                hint="Comma-separated refs; empty means the whole checklist.",
            )
            yield FormField(
                "Statement of applicability",
                TickBox("Applicable controls only"),
                key="applicable_only",
                hint="Leaves out controls the SoA excludes or has not decided yet (clauses stay).",
            )
        hint = f"Comma-separated. Known: {', '.join(self.area_names)}." if self.area_names else "Comma-separated."
        yield FormField("Areas in scope", Input(", ".join(d.scope_areas)), key="scope_areas", hint=hint)
        yield FormField("Criteria", Input(d.criteria), key="criteria")
        yield FormField("Methods", Input(d.methods), key="methods")
        yield FormField("Lead auditor", person_select(people, d.lead_auditor_id), key="lead_auditor_id")
        team = ", ".join(self.people.get(pid, "") for pid in d.team_ids)
        yield FormField(
            "Audit team",
            Input(team, placeholder="Names, comma-separated"),
            key="team_ids",
            hint="Auditors must not audit their own areas; conflicts are checked at the start.",
        )
        yield FormField("Auditees", Input(d.auditees, placeholder="Who will be interviewed"), key="auditees")

    def on_mount(self) -> None:
        self.query_one("#field-title", FormField).control.focus()

    def team_ids(self, errors: dict[str, str]) -> list[int]:
        """Names typed in the team field, matched without regard to case."""
        by_name = {name.casefold(): pid for pid, name in self.people.items()}
        ids, unknown = [], []
        for name in split_list(self.value("team_ids")):
            pid = by_name.get(name.casefold())
            if pid is None:
                unknown.append(name)
            else:
                ids.append(pid)
        if unknown:
            errors["team_ids"] = f"Unknown person: {', '.join(unknown)}."
        return ids

    @staticmethod
    def applicable_scope(session: Session, data: AuditInput, errors: dict[str, str]) -> list[str]:
        """The typed scope narrowed to what the SoA makes applicable (a field error if nothing is left)."""
        from isms_tui.services import checklists

        refs = checklists.applicable_scope(session, data.template, data.scope_refs)
        if not refs:
            errors["applicable_only"] = "No requirement of this scope is applicable: decide the controls in the SoA."
        return refs

    def submit(self) -> int:
        from isms_tui.services import audit_plans, audits
        from isms_tui.services.audits import AuditInput

        errors: dict[str, str] = {}
        data = AuditInput(
            title=self.value("title"),
            planned_start=parse_date(self.value("planned_start"), "planned_start", errors, required=True),
            planned_end=parse_date(self.value("planned_end"), "planned_end", errors, required=True),
            template=self.value("template") if self.audit_id is None else "",
            scope_refs=split_list(self.value("scope_refs")),
            scope_areas=split_list(self.value("scope_areas")),
            criteria=self.value("criteria"),
            methods=self.value("methods"),
            lead_auditor_id=self.value("lead_auditor_id"),
            team_ids=self.team_ids(errors),
            auditees=self.value("auditees"),
            programme_id=self.data.programme_id,
        )
        with workspace_session(self) as session, merging_field_errors(errors):
            if self.audit_id is None and self.value("applicable_only"):
                data.scope_refs = self.applicable_scope(session, data, errors)
            if self.audit_id is None:
                saved = audits.plan_audit(session, data)
            else:
                saved = audit_plans.update_plan(session, self.audit_id, data)
        return require_id(saved)
