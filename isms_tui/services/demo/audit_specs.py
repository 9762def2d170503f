"""The demo's audit areas, and the shape of an audit as its auditors wrote it down."""

from __future__ import annotations

from dataclasses import dataclass, field

from isms_tui import catalogues
from isms_tui.models import (
    ActionStatus,
    AuditMethod,
    AuditResult,
    AuditStatus,
    Grading,
)

PROGRAMME_OWNER = "Priya Raman"
INTERNAL_AUDITOR = "Olivia Chen"

INT, OBS, DOC, REP = (
    AuditMethod.INTERVIEW,
    AuditMethod.OBSERVATION,
    AuditMethod.DOCUMENT_REVIEW,
    AuditMethod.REPERFORMANCE,
)
C = AuditResult.CONFORMING


@dataclass(frozen=True)
class AreaSpec:
    name: str  # the same words as in the people's areas of responsibility
    importance: int
    refs: tuple[str, ...]
    notes: str = ""


def span(prefix: str, first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{prefix}.{n}" for n in range(first, last + 1))


AREAS: tuple[AreaSpec, ...] = (
    AreaSpec(
        "ISMS management",
        5,
        (
            "4.1",
            "4.2",
            "4.3",
            "4.4",
            "6.2",
            "6.3",
            "7.4",
            "7.5.1",
            "7.5.2",
            "7.5.3",
            "8.1",
            "9.1",
            "9.2.1",
            "9.2.2",
            "10.1",
            "10.2",
        ),
        "The management system itself: context, scope, objectives, documents, audit, improvement.",
    ),
    AreaSpec("Risk management", 5, ("6.1.1", "6.1.2", "6.1.3", "8.2", "8.3")),
    AreaSpec("Top management", 4, ("5.1", "5.2", "5.3", "7.1", "A.5.1", "A.5.2", "A.5.4")),
    AreaSpec("Management review", 4, ("9.3.1", "9.3.2", "9.3.3")),
    AreaSpec("Security awareness", 3, ("7.3", "A.6.3")),
    AreaSpec("Security awareness training", 3, ("7.2", "7.3", "A.6.3")),
    AreaSpec("HR", 3, ("7.2", *span("A.6", 1, 2), *span("A.6", 4, 7))),
    AreaSpec("IT operations", 4, ("A.5.37", "A.8.6", "A.8.9", "A.8.19", "A.8.32")),
    AreaSpec(
        "Backups", 5, ("A.5.29", "A.5.30", "A.8.13"), "Client data is restored from these backups; the RTO is 4 hours."
    ),
    AreaSpec("Network security", 4, span("A.8", 20, 23)),
    AreaSpec("Patch management", 4, ("A.8.8", "A.8.19")),
    AreaSpec("Endpoint security", 3, ("A.7.9", "A.8.1", "A.8.7", "A.8.12", "A.8.24")),
    AreaSpec("Development", 3, ("A.5.8", "A.8.4", "A.8.30", "A.8.31", "A.8.33")),
    AreaSpec("Secure development", 4, span("A.8", 25, 29)),
    AreaSpec(
        "Cloud infrastructure",
        5,
        ("A.5.23", "A.8.14"),
        "The analytics platform runs in AWS; a failure there stops every client.",
    ),
    AreaSpec("Logging and monitoring", 4, ("A.8.15", "A.8.16", "A.8.17")),
    AreaSpec("Vulnerability management", 4, ("A.5.7", "A.8.8", "A.8.34")),
    AreaSpec("Suppliers", 4, span("A.5", 19, 22)),
    AreaSpec("Physical security", 3, (*span("A.7", 1, 4), "A.7.6", "A.7.7", "A.7.10")),
    AreaSpec(
        "Facilities",
        1,
        ("A.7.5", "A.7.8", "A.7.11", "A.7.12", "A.7.13", "A.7.14"),
        "A rented floor in a managed building; the landlord runs power and cooling.",
    ),
    AreaSpec("Incident management", 5, (*span("A.5", 24, 28), "A.6.8")),
    AreaSpec("Access management", 5, ("A.5.15", "A.5.16", "A.5.17", "A.5.18", "A.8.2", "A.8.3", "A.8.5")),
    AreaSpec("Service desk", 2, ("A.5.10", "A.5.11")),
    AreaSpec("Privacy", 4, ("A.5.34", "A.8.10", "A.8.11")),
    AreaSpec("Compliance", 3, ("A.5.5", "A.5.6", "A.5.31", "A.5.32", "A.5.33", "A.5.36")),
)


@dataclass(frozen=True)
class Paper:
    """What the auditor wrote on one working-paper line (the result, notes, sample, methods)."""

    result: AuditResult
    notes: str
    methods: tuple[AuditMethod, ...] = (INT, DOC)
    population: str = ""
    size: int | None = None
    items: str = ""


@dataclass(frozen=True)
class ActionSpec:
    """The corrective action of a nonconformity and how far it has got.

    Dates are days after the finding was raised: work starts a few days later, it is marked
    implemented on `implemented_days` and checked on `check_days`, at least `settling_days`
    after implementation (the service refuses an earlier check). `state` is open, in
    progress, implemented or closed (closed only after an effective check by `checked_by`).
    """

    title: str
    owner: str
    due_days: int
    state: ActionStatus
    correction: str = ""
    root_cause: str = ""
    corrective_action: str = ""
    checked_by: str = ""
    check_days: int = 0
    check_notes: str = ""
    implemented_days: int = 0
    settling_days: int = 0


@dataclass(frozen=True)
class FindingSpec:
    ref: str
    grading: Grading
    statement: str
    evidence: str
    action: ActionSpec | None = None


@dataclass(frozen=True)
class AuditSpec:
    title: str
    template: str
    scope: tuple[str, ...]
    scope_areas: tuple[str, ...]
    lead: str
    team: tuple[str, ...]
    auditees: str
    status: AuditStatus
    papers: dict[str, Paper] = field(default_factory=dict)  # hand-written lines; others generated
    findings: tuple[FindingSpec, ...] = ()
    recorded: int | None = None  # an audit in progress: lines recorded so far (None: all)
    summary: str = ""
    conclusion: str = ""
    declaration: str = ""
    declared_by: str = ""


CLAUSES = tuple(r.ref for r in catalogues.clauses())
