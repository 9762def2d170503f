"""Clause 9.2 internal audit and 10.2 corrective action: programme, audits, working papers,
findings, and the one Action register shared with management review and KPI analysis."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from .enums import ActionStatus, AuditMethod, AuditResult, AuditStatus, Effectiveness, Grading


class ChecklistTemplate(SQLModel, table=True):
    """A user-defined checklist (the built-in ones come from the catalogue, not the database)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    description: str = ""


class ChecklistQuestion(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="checklisttemplate.id", index=True, ondelete="CASCADE")
    position: int
    ref: str
    title: str
    question: str
    evidence_hint: str = ""


class AuditArea(SQLModel, table=True):
    """A part of the ISMS the programme must cover, with its importance for risk-based planning.

    People are linked to it as responsibilities (models/people.py), which is how impartiality
    is checked line by line against its requirements.
    """

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    importance: int = 3  # 1 (low) … 5 (critical)
    refs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notes: str = ""


class AuditProgramme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str
    cycle_start: date
    cycle_years: int = 3
    objectives: str = ""
    methods: str = ""
    responsibilities: str = ""
    planning: str = ""  # how audits are planned (9.2.2: frequency, methods, who plans)
    reporting: str = ""  # how results are reported, to whom (9.2.2 c)
    owner_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class Audit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int | None = Field(default=None, foreign_key="auditprogramme.id", index=True, ondelete="SET NULL")
    title: str
    scope_refs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    scope_areas: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    criteria: str = ""
    methods: str = ""
    planned_start: date
    planned_end: date
    actual_start: date | None = None
    actual_end: date | None = None
    lead_auditor_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    team_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    auditees: str = ""
    status: AuditStatus = AuditStatus.PLANNED
    summary: str = ""
    conclusion: str = ""
    # Set when an auditor responsible for an area in scope audits anyway, with the reason.
    independence_declaration: str = ""
    declared_by: str = ""
    declared_at: datetime | None = None
    # 9.2.2 c: when and how the results were reported (the recipients are AuditRecipient rows).
    reported_on: date | None = None
    reported_how: str = ""


class AuditItem(SQLModel, table=True):
    """One line of the working paper: a question, what was sampled and seen, and the result."""

    __table_args__ = (UniqueConstraint("audit_id", "position", name="uq_audititem_position"),)

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="audit.id", index=True, ondelete="CASCADE")
    position: int
    ref: str
    title: str
    question: str
    evidence_hint: str = ""
    result: AuditResult | None = None
    notes: str = ""
    methods: list[AuditMethod] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sample_population: str = ""
    sample_size: int | None = None
    sample_items: str = ""
    recorded_at: datetime | None = None
    # Who assessed the line (the lead auditor unless another member of the team is named).
    # Added in place by migration 0013 as "REFERENCES person (id) ON DELETE SET NULL" (a table
    # rebuild would fire the cascades of the rows pointing here); SQLite's reflection does not
    # report an inline ON DELETE, so the model leaves it unsaid to compare equal.
    assessed_by_id: int | None = Field(default=None, foreign_key="person.id")


class Finding(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="audit.id", index=True, ondelete="RESTRICT")
    item_id: int | None = Field(default=None, foreign_key="audititem.id", ondelete="SET NULL")
    ref: str
    grading: Grading
    statement: str
    evidence: str = ""
    raised_on: date


class Action(SQLModel, table=True):
    """The action register: corrective actions (10.2), review actions (9.3.3), follow-ups.

    An action that answers a nonconformity carries the nonconformity's own record too (what
    happened, when it was detected, how far it reaches, what changes in the ISMS), so one
    register holds every source: audit findings, KPI breaches, incidents, complaints, reviews.
    """

    id: int | None = Field(default=None, primary_key=True)
    # "finding", "review", "analysis", "risk", "incident", "complaint" or "other"
    source: str = Field(index=True)
    source_id: int | None = Field(default=None, index=True)
    source_ref: str = ""  # the incident's or complaint's own reference, where there is no record here
    title: str
    nonconformity: bool = False  # the action corrects a nonconformity (10.2)
    description: str = ""  # what happened
    detected_on: date | None = None
    correction: str = ""
    extent: str = ""  # does it exist elsewhere, or could it occur elsewhere?
    root_cause: str = ""
    corrective_action: str = ""
    isms_change: str = ""  # a change the ISMS needs because of it
    settling_days: int = 0  # how long after implementation the effectiveness check is due
    implemented_on: date | None = None
    owner_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    due_date: date | None = None
    status: ActionStatus = ActionStatus.OPEN
    effectiveness_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    effectiveness_on: date | None = None
    effectiveness: Effectiveness | None = None
    effectiveness_notes: str = ""
    checker_reason: str = ""  # why the action's owner checked it, when they did
    closed_on: date | None = None


class ActionReopen(SQLModel, table=True):
    """A closed action reopened: the reason, and the check that had closed it, kept as it was."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True, ondelete="RESTRICT")
    reopened_on: date
    reopened_by: str
    reason: str
    closed_on: date | None = None
    effectiveness_by_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    effectiveness_on: date | None = None
    effectiveness_notes: str = ""
    checker_reason: str = ""
