"""The demo workspace's internal audit history (9.2) and corrective actions (10.2).

Called by `demo.create_demo` once the people exist. It adds:
- audit areas named after the people's areas of responsibility (so impartiality checks bite),
  with an importance from 1 to 5 and the requirements each covers;
- a three-year audit programme that started about 23 months before `today`;
- a management-system audit (clauses 4–10) completed and reported in the first year, an
  audit of technological and operational controls completed about ten weeks ago (its report
  waits for the next management review) with an independence declaration for a technical
  expert in the team, an audit of suppliers, people and physical security in progress (12 of
  its 26 items recorded), and three audits planned for the rest of the cycle; a handful of
  requirements is left outside the programme so the coverage matrix has gaps to show;
- working papers with results, notes, samples and methods; findings of every grading; and
  corrective actions closed after an effective check, implemented and awaiting the check,
  overdue, and open.

Deterministic: its own seeded generator (so the 9.1 history of demo.py is not disturbed) and
every date derived from `today`. Areas, the programme, audit plans and actions go through the
services, which validate them. What the services stamp with the real clock (start and end of
fieldwork, recorded results, findings' dates, declarations, effectiveness checks) is backdated
history they cannot express, so those fields are set here, like the readings in demo.py; the
journal hook records the final values when they are flushed.
"""

from __future__ import annotations

import calendar
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from isms_tui import catalogues
from isms_tui.models import (
    Action,
    ActionStatus,
    Audit,
    AuditMethod,
    AuditResult,
    AuditStatus,
    Effectiveness,
    Finding,
    Grading,
    Person,
)

from . import actions, audits, checklists, programme
from .actions import ActionInput
from .audits import AuditInput
from .programme import ProgrammeInput

SEED = 27092
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
class _AreaSpec:
    name: str  # the same words as in the people's areas of responsibility
    importance: int
    refs: tuple[str, ...]
    notes: str = ""


def _span(prefix: str, first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{prefix}.{n}" for n in range(first, last + 1))


AREAS: tuple[_AreaSpec, ...] = (
    _AreaSpec(
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
    _AreaSpec("Risk management", 5, ("6.1.1", "6.1.2", "6.1.3", "8.2", "8.3")),
    _AreaSpec("Top management", 4, ("5.1", "5.2", "5.3", "7.1", "A.5.1", "A.5.2", "A.5.4")),
    _AreaSpec("Management review", 4, ("9.3.1", "9.3.2", "9.3.3")),
    _AreaSpec("Security awareness", 3, ("7.3", "A.6.3")),
    _AreaSpec("Security awareness training", 3, ("7.2", "7.3", "A.6.3")),
    _AreaSpec("HR", 3, ("7.2", *_span("A.6", 1, 2), *_span("A.6", 4, 7))),
    _AreaSpec("IT operations", 4, ("A.5.37", "A.8.6", "A.8.9", "A.8.19", "A.8.32")),
    _AreaSpec(
        "Backups", 5, ("A.5.29", "A.5.30", "A.8.13"), "Client data is restored from these backups; the RTO is 4 hours."
    ),
    _AreaSpec("Network security", 4, _span("A.8", 20, 23)),
    _AreaSpec("Patch management", 4, ("A.8.8", "A.8.19")),
    _AreaSpec("Endpoint security", 3, ("A.7.9", "A.8.1", "A.8.7", "A.8.12", "A.8.24")),
    _AreaSpec("Development", 3, ("A.5.8", "A.8.4", "A.8.30", "A.8.31", "A.8.33")),
    _AreaSpec("Secure development", 4, _span("A.8", 25, 29)),
    _AreaSpec(
        "Cloud infrastructure",
        5,
        ("A.5.23", "A.8.14"),
        "The analytics platform runs in AWS; a failure there stops every client.",
    ),
    _AreaSpec("Logging and monitoring", 4, ("A.8.15", "A.8.16", "A.8.17")),
    _AreaSpec("Vulnerability management", 4, ("A.5.7", "A.8.8", "A.8.34")),
    _AreaSpec("Suppliers", 4, _span("A.5", 19, 22)),
    _AreaSpec("Physical security", 3, (*_span("A.7", 1, 4), "A.7.6", "A.7.7", "A.7.10")),
    _AreaSpec(
        "Facilities",
        1,
        ("A.7.5", "A.7.8", "A.7.11", "A.7.12", "A.7.13", "A.7.14"),
        "A rented floor in a managed building; the landlord runs power and cooling.",
    ),
    _AreaSpec("Incident management", 5, (*_span("A.5", 24, 28), "A.6.8")),
    _AreaSpec("Access management", 5, ("A.5.15", "A.5.16", "A.5.17", "A.5.18", "A.8.2", "A.8.3", "A.8.5")),
    _AreaSpec("Service desk", 2, ("A.5.10", "A.5.11")),
    _AreaSpec("Privacy", 4, ("A.5.34", "A.8.10", "A.8.11")),
    _AreaSpec("Compliance", 3, ("A.5.5", "A.5.6", "A.5.31", "A.5.32", "A.5.33", "A.5.36")),
)


@dataclass(frozen=True)
class _Paper:
    """What the auditor wrote on one working-paper line (the result, notes, sample, methods)."""

    result: AuditResult
    notes: str
    methods: tuple[AuditMethod, ...] = (INT, DOC)
    population: str = ""
    size: int | None = None
    items: str = ""


@dataclass(frozen=True)
class _ActionSpec:
    """The corrective action of a nonconformity and how far it has got.

    Dates are days after the finding was raised. `state` is open, in progress, implemented or
    closed (closed only after an effective check by `checked_by`).
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


@dataclass(frozen=True)
class _FindingSpec:
    ref: str
    grading: Grading
    statement: str
    evidence: str
    action: _ActionSpec | None = None


@dataclass(frozen=True)
class _AuditSpec:
    title: str
    template: str
    scope: tuple[str, ...]
    scope_areas: tuple[str, ...]
    lead: str
    team: tuple[str, ...]
    auditees: str
    status: AuditStatus
    papers: dict[str, _Paper] = field(default_factory=dict)  # hand-written lines; others generated
    findings: tuple[_FindingSpec, ...] = ()
    recorded: int | None = None  # an audit in progress: lines recorded so far (None: all)
    summary: str = ""
    conclusion: str = ""
    declaration: str = ""
    declared_by: str = ""


CLAUSES = tuple(r.ref for r in catalogues.clauses())

REPORTED = _AuditSpec(
    title="Management system audit (clauses 4–10)",
    template=checklists.BUILTIN_CLAUSES,
    scope=(),
    scope_areas=("ISMS management", "Risk management", "Top management", "Management review"),
    lead=INTERNAL_AUDITOR,
    team=("Ravi Menon",),
    auditees="Tom Okafor (Managing Director), Priya Raman (CISO), Sophie Laurent (HR Manager)",
    status=AuditStatus.REPORTED,
    papers={
        "6.1.2": _Paper(
            C,
            "Risk assessment methodology v3 approved by Tom Okafor. Sampled risks have owners, "
            "likelihood and impact scored on the 5x5 scale and a treatment decision; the register "
            "was last reviewed in the quarterly risk meeting two months ago.",
            (INT, DOC),
            "Risk register entries (64)",
            8,
            "R-03, R-11, R-17, R-22, R-30, R-41, R-52, R-60",
        ),
        "7.5.3": _Paper(
            AuditResult.MINOR_NC,
            "Document register lists 42 controlled documents. 3 of the 10 sampled were past their "
            "annual review date by 4 to 9 months and still published as current on the intranet: "
            "Access Control Policy v2.1, Supplier Security Policy v1.3, Cryptography Standard v1.0. "
            "No record of a review or of an approved extension.",
            (DOC, INT),
            "Controlled documents in the document register (42)",
            10,
            "POL-01, POL-03, POL-04, POL-07, POL-09, STD-02, STD-05, PRC-11, PRC-14, PRC-20",
        ),
        "7.4": _Paper(
            AuditResult.OFI,
            "The communication plan covers staff and management but not who speaks to clients and "
            "authorities during an incident; the incident procedure does, in different words. One "
            "communication matrix would avoid contradictions.",
            (DOC, INT),
        ),
        "9.1": _Paper(
            AuditResult.OBSERVATION,
            "Monitoring plan defines 12 KPIs with method, frequency, collector and analyst; readings are "
            "up to date. LOG-01 and FW-01 have readings but no analysis records: results are collected "
            "but not evaluated for these two. Not yet a nonconformity; follow up at the next audit.",
            (DOC, INT),
            "KPIs in the monitoring plan (12)",
            12,
            "All",
        ),
        "9.2.2": _Paper(
            C,
            "Programme approved by the Managing Director covers the three-year cycle, with "
            "frequency driven by area importance. The auditor does not audit privacy or "
            "compliance, her own areas.",
            (DOC, INT),
        ),
        "9.3.2": _Paper(
            C,
            "Minutes of the last review cover inputs a to g, with the KPI report, the previous "
            "actions and the risk status attached.",
            (DOC,),
            "Management review minutes of the last 12 months (2)",
            2,
            "Both reviews",
        ),
    },
    findings=(
        _FindingSpec(
            "7.5.3",
            Grading.MINOR_NC,
            "Documented information is not kept under control: 3 of 10 sampled policies and standards "
            "were past their review date and still published as current.",
            "Document register extract; intranet pages of POL-04, POL-07 and STD-02 as seen on the day.",
            _ActionSpec(
                "Bring overdue policies back under review control",
                "Priya Raman",
                60,
                ActionStatus.CLOSED,
                correction="The three documents were reviewed and re-approved by Tom Okafor; superseded "
                "versions were withdrawn from the intranet.",
                root_cause="Review dates were tracked in a spreadsheet that nobody was reminded of, and "
                "the owner of two of the documents had left without a handover.",
                corrective_action="Review dates moved into the document register with reminders 30 days "
                "ahead; owners reassigned; a quarterly register check added to the "
                "ISMS calendar.",
                checked_by=INTERNAL_AUDITOR,
                check_days=130,
                check_notes="Register checked: all 42 documents within their review date; reminders seen "
                "in two owners' mailboxes; the quarterly check was done and minuted.",
            ),
        ),
        _FindingSpec(
            "9.1",
            Grading.OBSERVATION,
            "Two KPIs (LOG-01, FW-01) are measured but their results are not analysed or evaluated.",
            "Monitoring plan; analysis records per KPI.",
        ),
        _FindingSpec(
            "7.4",
            Grading.OFI,
            "Merge the external communication rules of the incident procedure into the communication "
            "plan so there is one source.",
            "Communication plan v1.2; incident procedure v2.0.",
        ),
    ),
    summary="Clauses 4 to 10 audited through interviews with top management, the CISO and HR and a review "
    "of the ISMS records.",
    conclusion="The ISMS conforms to clauses 4 to 10 of ISO/IEC 27001:2022 and is effectively implemented and "
    "maintained, with one minor nonconformity in the control of documented information. The "
    "management system is capable of achieving its intended results.",
)

TECH_SCOPE = (
    "A.5.15",
    "A.5.16",
    "A.5.17",
    "A.5.18",
    "A.5.23",
    *_span("A.5", 24, 30),
    "A.8.1",
    "A.8.2",
    "A.8.3",
    "A.8.5",
    "A.8.6",
    "A.8.7",
    "A.8.8",
    "A.8.9",
    "A.8.12",
    "A.8.13",
    "A.8.14",
    "A.8.15",
    "A.8.16",
    "A.8.17",
    "A.8.19",
    *_span("A.8", 20, 24),
)

COMPLETED = _AuditSpec(
    title="Technological and operational controls audit",
    template=checklists.BUILTIN_ANNEX_A,
    scope=TECH_SCOPE,
    scope_areas=(
        "IT operations",
        "Backups",
        "Network security",
        "Patch management",
        "Endpoint security",
        "Cloud infrastructure",
        "Logging and monitoring",
        "Vulnerability management",
        "Incident management",
        "Access management",
    ),
    lead=INTERNAL_AUDITOR,
    team=("Daniel Kowalski",),
    auditees="Elena Varga (Head of IT Operations), Marcus Lindqvist (Systems Administrator), "
    "Daniel Kowalski (DevOps Engineer), Ravi Menon (Service Desk Lead)",
    status=AuditStatus.COMPLETED,
    declaration="Daniel Kowalski joined the team as technical expert only, to extract configuration samples "
    "from AWS and the log cluster. He did not assess the controls he runs (A.5.23, A.8.8, "
    "A.8.14 to A.8.17): Olivia Chen audited those alone and reviewed every sample he extracted.",
    declared_by="Tom Okafor",
    papers={
        "A.5.18": _Paper(
            AuditResult.MINOR_NC,
            "Approvals for new rights are in the tickets. Leavers: 2 of the 6 sampled kept an "
            "active CRM account 19 and 33 days after their last day (procedure: same day). The "
            "CRM is not on the leaver checklist and is not connected to the identity provider.",
            (DOC, REP),
            "Leavers in the last 6 months (11)",
            6,
            "HR-L-031, HR-L-033, HR-L-034, HR-L-036, HR-L-038, HR-L-040",
        ),
        "A.8.5": _Paper(
            C,
            "Identity provider report: MFA enforced on every enabled account; legacy protocols "
            "blocked. Re-performed: a test sign-in without the second factor was refused.",
            (DOC, REP),
            "Enabled user accounts (46)",
            46,
            "All (identity provider report)",
        ),
        "A.8.8": _Paper(
            AuditResult.MINOR_NC,
            "Scanner export on the audit date: 9 high or critical findings open for more than 30 "
            "days, 4 of them from last autumn's penetration test, with no owner or due date in the "
            "backlog. The vulnerability procedure requires both for every high finding. Ties in "
            "with VULN-01 being off target.",
            (DOC, INT),
            "High and critical findings open on the audit date (23)",
            23,
            "All",
        ),
        "A.8.13": _Paper(
            AuditResult.MAJOR_NC,
            "Restore tests of the last 6 months: the PostgreSQL cluster test failed because the "
            "backup encryption key was held only by an administrator on leave. The test was not "
            "repeated and nothing was escalated, so for 7 weeks nobody could show that the "
            "production database could be restored. Re-performed: the client file exchange "
            "restored in 95 minutes, within the RTO.",
            (DOC, REP, INT),
            "Monthly restore tests, last 6 months (24)",
            8,
            "PostgreSQL (failed, not repeated), GitLab, client file exchange x2, customer portal x2, "
            "PostgreSQL (previous quarter) x2",
        ),
        "A.8.15": _Paper(
            AuditResult.OBSERVATION,
            "Log cluster at 66 % of its capacity and growing; 12 months of retention is met today. "
            "Debug logging left on after an incident investigation filled it quickly (see LOG-01). "
            "Events will be lost if the trend continues.",
            (OBS, DOC),
        ),
        "A.5.24": _Paper(
            AuditResult.OFI,
            "The incident procedure is sound and tested. Playbooks exist for phishing and lost "
            "devices only; playbooks for leaked cloud credentials and ransomware would speed up "
            "the response to the most likely serious incidents.",
            (DOC, INT),
        ),
        "A.8.17": _Paper(
            AuditResult.NOT_AUDITED,
            "Not audited: time ran out on the last day. Carried over to the next audit of technological controls.",
            (),
        ),
    },
    findings=(
        _FindingSpec(
            "A.8.13",
            Grading.MAJOR_NC,
            "The recovery of the production database from backup could not be assured for seven weeks: "
            "a failed restore test was neither repeated nor escalated, and the encryption key of the "
            "backup was held by one person.",
            "Restore test log (6 months); backup job configuration; interview with Elena Varga.",
            _ActionSpec(
                "Make every backup restorable without a single key holder",
                "Elena Varga",
                90,
                ActionStatus.IMPLEMENTED,
                correction="Key placed in the password vault; the PostgreSQL restore repeated "
                "successfully within the RTO.",
                root_cause="Backup encryption keys were created by whoever configured a job and never "
                "registered; the restore test procedure stopped at the first failure "
                "without escalation.",
                corrective_action="All backup keys escrowed in the vault with two custodians; the test "
                "procedure requires a repeat within 5 working days and escalation of "
                "any failure to the CISO; the monthly test report is reviewed in the "
                "operations meeting.",
            ),
        ),
        _FindingSpec(
            "A.5.18",
            Grading.MINOR_NC,
            "Access rights of leavers are not removed on time in every system: 2 of 6 sampled leavers "
            "kept an active CRM account for 19 and 33 days.",
            "Leaver tickets HR-L-033 and HR-L-038; CRM user list as seen on the day.",
            _ActionSpec(
                "Remove leavers' access from every system, CRM included",
                "Ravi Menon",
                45,
                ActionStatus.IN_PROGRESS,
                correction="The two CRM accounts were disabled on the day of the audit.",
                root_cause="The CRM was bought by Sales in 2024 and never added to the leaver "
                "checklist; its accounts are managed by Sales operations, not the service "
                "desk.",
                corrective_action="Add the CRM and the other SaaS tools to the leaver checklist; "
                "connect CRM sign-in to the identity provider so that disabling the "
                "directory account is enough.",
            ),
        ),
        _FindingSpec(
            "A.8.8",
            Grading.MINOR_NC,
            "Technical vulnerabilities are not handled as the procedure requires: 9 high or critical "
            "findings older than 30 days had no owner or due date.",
            "Scanner export of open findings; backlog items of the penetration test.",
            _ActionSpec(
                "Give every high or critical vulnerability an owner and a due date",
                "Daniel Kowalski",
                120,
                ActionStatus.OPEN,
            ),
        ),
        _FindingSpec(
            "A.8.15",
            Grading.OBSERVATION,
            "Security log storage is filling faster than retention removes events; events may be lost within months.",
            "Log cluster utilisation graph; LOG-01 readings.",
        ),
        _FindingSpec(
            "A.5.24",
            Grading.OFI,
            "Add incident playbooks for leaked cloud credentials and ransomware.",
            "Incident procedure v2.0 and its two playbooks.",
        ),
    ),
    summary="Access, incident, continuity and technological controls audited on site and in the AWS and "
    "identity provider consoles, with samples re-performed. Report to be presented at the next "
    "management review.",
    conclusion="Technological and operational controls are largely effective. The failed and unrepeated "
    "restore test is a major nonconformity: the recovery of client services could not be assured. "
    "Access removal for leavers and the remediation of high vulnerabilities need corrective action.",
)

IN_PROGRESS = _AuditSpec(
    title="Suppliers, people and physical security audit",
    template=checklists.BUILTIN_ANNEX_A,
    scope=(*_span("A.5", 19, 22), *_span("A.6", 1, 8), *_span("A.7", 1, 14)),
    scope_areas=("Suppliers", "HR", "Security awareness training", "Physical security", "Facilities"),
    lead=INTERNAL_AUDITOR,
    team=("Aisha Bello",),
    auditees="James Whitfield (Finance and Procurement), Sophie Laurent (HR), Hannah Schmidt (Office Manager)",
    status=AuditStatus.IN_PROGRESS,
    recorded=12,
    papers={
        "A.5.20": _Paper(
            C,
            "Sampled contracts include the security schedule (confidentiality, breach "
            "notification within 24 h, right to audit, return of data).",
            (DOC,),
            "Contracts with critical suppliers (12)",
            4,
            "Supplier A, Supplier C, Supplier G, Supplier K",
        ),
        "A.5.22": _Paper(
            AuditResult.OBSERVATION,
            "3 of the 12 critical suppliers have a security review older than 12 months; for two "
            "the review waits for an assurance report the supplier has not sent. Consistent with "
            "SUPP-01 at 75 %. To be discussed at the closing meeting.",
            (DOC, INT),
            "Critical suppliers in the register (12)",
            12,
            "All",
        ),
        "A.6.1": _Paper(
            C,
            "Screening procedure proportionate to the role; identity, right to work and "
            "references checked for all sampled hires, plus a basic criminal record check for the "
            "two with production access.",
            (DOC, INT),
            "Hires and contractors in the last 12 months (9)",
            5,
            "E-2041, E-2044, E-2047, C-118, C-121",
        ),
        "A.6.3": _Paper(
            C,
            "Learning platform: 97.5 % completion last quarter; onboarding module now in the "
            "first week. Two sampled staff explained how to report a phishing email.",
            (DOC, INT),
            "Staff and contractors (40)",
            6,
            "Two developers, two analysts, one sales, one admin",
        ),
    },
    findings=(
        _FindingSpec(
            "A.5.22",
            Grading.OBSERVATION,
            "Security reviews of 3 of 12 critical suppliers are overdue, two of them waiting for assurance reports.",
            "Supplier register extract; review files of Suppliers B, E and J.",
        ),
    ),
)

PLANNED: tuple[tuple[_AuditSpec, int], ...] = (  # and the start, in months from today
    (
        _AuditSpec(
            "Privacy and legal compliance audit",
            checklists.BUILTIN_ANNEX_A,
            ("A.5.5", "A.5.6", *_span("A.5", 31, 34), "A.5.36", "A.8.10", "A.8.11"),
            ("Privacy", "Compliance"),
            PROGRAMME_OWNER,
            (),
            "Olivia Chen (Compliance and Data Protection Lead)",
            AuditStatus.PLANNED,
        ),
        1,
    ),
    (
        _AuditSpec(
            "Development and change management audit",
            checklists.BUILTIN_ANNEX_A,
            ("A.5.8", "A.8.4", *_span("A.8", 25, 34)),
            ("Development", "Secure development"),
            INTERNAL_AUDITOR,
            (),
            "Aisha Bello (Head of Development), Elena Varga (IT Operations)",
            AuditStatus.PLANNED,
        ),
        5,
    ),
    (
        _AuditSpec(
            "Management system audit (clauses 4–10), second round",
            checklists.BUILTIN_FULL,
            (*CLAUSES, "A.5.1", "A.5.2", "A.5.3", "A.5.4", "A.5.35", "A.5.37"),
            ("ISMS management", "Risk management", "Top management", "Management review"),
            INTERNAL_AUDITOR,
            ("Ravi Menon",),
            "Tom Okafor, Priya Raman, Sophie Laurent",
            AuditStatus.PLANNED,
        ),
        10,
    ),
)

_RECORD_WORDS = ("record", "log", "ticket", "report", "request", "minutes", "results", "timestamps")
_TAILS = (
    "No exceptions.",
    "Consistent with the documented procedure; no exceptions.",
    "Records complete for the period sampled.",
    "Implemented as described and understood by the people interviewed.",
    "Up to date and approved.",
)


def create_audit_history(session: Session, today: date, people: dict[str, int]) -> None:
    """Areas, the programme, six audits with working papers, findings and actions."""
    rng = random.Random(SEED)
    for area in AREAS:
        programme.save_area(session, area.name, area.importance, list(area.refs), area.notes)
    start = _add_months(today, -23).replace(day=1)
    prog = programme.save_programme(
        session,
        ProgrammeInput(
            title=f"ISMS internal audit programme {start.year}–{start.year + 3}",
            cycle_start=start,
            cycle_years=3,
            objectives="Confirm over the three-year certification cycle that the ISMS conforms to ISO/IEC 27001:2022 "
            "and to Northwind's own requirements and is effectively implemented (9.2.1); audit every "
            "clause and applicable control at least once, areas of importance 5 and areas with open "
            "nonconformities at least yearly.",
            methods="Checklist audits from the built-in catalogue; interviews, observation, document review and "
            "re-performance on samples sized to the population (typically 3 to 10 records, all when "
            "fewer than 12); findings graded major NC, minor NC, observation or opportunity for improvement.",
            responsibilities="Programme owner: Priya Raman (CISO). Lead internal auditor: Olivia Chen, who does not "
            "audit privacy or compliance; Priya Raman audits those. Technical experts may assist "
            "under an independence declaration. Results go to the management review chaired by "
            "Tom Okafor.",
            owner_id=people[PROGRAMME_OWNER],
        ),
    )
    responsible = _responsible(session)

    first = _monday_on_or_after(_add_months(start, 3))
    _build(session, rng, prog.id, REPORTED, people, responsible, first, first + timedelta(days=2))
    second = _monday_on_or_after(today - timedelta(days=80))
    _build(session, rng, prog.id, COMPLETED, people, responsible, second, second + timedelta(days=3))
    third = _weekday_on_or_before(today - timedelta(days=2))
    _build(session, rng, prog.id, IN_PROGRESS, people, responsible, third, third + timedelta(days=4), today=today)
    for spec, months in PLANNED:
        begin = _monday_on_or_after(_add_months(today, months) + timedelta(days=10))
        _build(session, rng, prog.id, spec, people, responsible, begin, begin + timedelta(days=2))
    session.flush()


def _responsible(session: Session) -> dict[str, list[str]]:
    """ref -> names of the people responsible for an area that covers it (the natural auditees)."""
    by_area: dict[str, list[str]] = {}
    for person in session.exec(select(Person).order_by(Person.id)):
        for area in person.areas:
            by_area.setdefault(area, []).append(person.name)
    out: dict[str, list[str]] = {}
    for area in AREAS:
        for ref in area.refs:
            for name in by_area.get(area.name, []):
                if name not in out.setdefault(ref, []):
                    out[ref].append(name)
    return out


def _build(
    session: Session,
    rng: random.Random,
    programme_id: int,
    spec: _AuditSpec,
    people: dict[str, int],
    responsible: dict[str, list[str]],
    begin: date,
    end: date,
    today: date | None = None,
) -> Audit:
    audit = audits.plan_audit(
        session,
        AuditInput(
            title=spec.title,
            planned_start=begin,
            planned_end=end,
            template=spec.template,
            scope_refs=list(spec.scope),
            scope_areas=list(spec.scope_areas),
            lead_auditor_id=people[spec.lead],
            team_ids=[people[n] for n in spec.team],
            auditees=spec.auditees,
            programme_id=programme_id,
        ),
    )
    if spec.status == AuditStatus.PLANNED:
        return audit
    if spec.declaration:
        audit.independence_declaration = spec.declaration
        audit.declared_by = spec.declared_by
        audit.declared_at = datetime.combine(begin - timedelta(days=5), time(10, 30), UTC)
    conflicts = audits.impartiality_conflicts(session, audit)
    if conflicts and not audit.independence_declaration:  # start_audit would refuse it
        raise AssertionError(f"demo audit '{spec.title}' cannot start: {conflicts[0]}")
    audit.status = AuditStatus.IN_PROGRESS
    audit.actual_start = begin
    lines = audits.items(session, audit.id)
    todo = lines if spec.recorded is None else lines[: spec.recorded]
    last_day = end if today is None else today - timedelta(days=1)
    stamps = _stamps(rng, begin, last_day, len(todo))
    by_ref = {}
    for line, at in zip(todo, stamps, strict=True):
        paper = spec.papers.get(line.ref) or _generic(rng, line.ref, responsible, begin)
        line.result = paper.result
        line.notes = paper.notes
        line.methods = list(paper.methods)
        line.sample_population, line.sample_size, line.sample_items = paper.population, paper.size, paper.items
        line.recorded_at = at
        by_ref[line.ref] = line
    session.add_all(todo)
    raised_on = end if today is None else today - timedelta(days=1)
    for f in spec.findings:
        line = by_ref[f.ref]
        assert audits.RESULT_TO_GRADING.get(line.result) == f.grading, (spec.title, f.ref)
        finding = Finding(
            audit_id=audit.id,
            item_id=line.id,
            ref=f.ref,
            grading=f.grading,
            statement=f.statement,
            evidence=f.evidence,
            raised_on=raised_on,
        )
        session.add(finding)
        session.flush()
        if f.action is not None:
            _action(session, finding, f.action, people)
    if spec.recorded is None:  # fieldwork finished
        counts = Counter(line.result for line in lines)
        audit.summary = f"{spec.summary} {_counts_text(counts)}"
        audit.conclusion = spec.conclusion
        audit.status = spec.status
        audit.actual_end = end
    session.add(audit)
    session.flush()
    return audit


def _action(session: Session, finding: Finding, spec: _ActionSpec, people: dict[str, int]) -> Action:
    action = actions.create_action(
        session,
        "finding",
        finding.id,
        ActionInput(
            title=spec.title,
            owner_id=people[spec.owner],
            due_date=finding.raised_on + timedelta(days=spec.due_days),
            correction=spec.correction,
            root_cause=spec.root_cause,
            corrective_action=spec.corrective_action,
        ),
    )
    path = [ActionStatus.IN_PROGRESS, ActionStatus.IMPLEMENTED]
    steps = {
        ActionStatus.OPEN: [],
        ActionStatus.IN_PROGRESS: path[:1],
        ActionStatus.IMPLEMENTED: path,
        ActionStatus.CLOSED: path,
    }[spec.state]
    for status in steps:
        actions.set_status(session, action.id, status)
    if spec.state == ActionStatus.CLOSED:
        # record_effectiveness's rule (an effective check closes it) with the check's own past date.
        action.effectiveness_by_id = people[spec.checked_by]
        action.effectiveness_on = finding.raised_on + timedelta(days=spec.check_days)
        action.effectiveness = Effectiveness.EFFECTIVE
        action.effectiveness_notes = spec.check_notes
        action.status = ActionStatus.CLOSED
        action.closed_on = action.effectiveness_on
        session.add(action)
        session.flush()
    return action


def _generic(rng: random.Random, ref: str, responsible: dict[str, list[str]], begin: date) -> _Paper:
    """A conforming line in the auditor's usual style, from the catalogue's evidence hints."""
    req = catalogues.by_ref()[ref]
    who = " and ".join(responsible.get(ref, [PROGRAMME_OWNER])[:2])
    seen = "; ".join(_lower_first(e) for e in req.evidence)
    if req.theme == "Physical":
        methods: tuple[AuditMethod, ...] = (OBS, INT)
        opening = f"Walk-round with {who}."
    elif req.theme == "Technological":
        methods = rng.choice(((DOC, REP), (OBS, DOC), (DOC, INT)))
        opening = f"With {who} at the console." if REP in methods or OBS in methods else f"Interviewed {who}."
    else:
        methods = (INT, DOC)
        opening = f"Interviewed {who}."
    notes = f"{opening} Seen: {seen}. {rng.choice(_TAILS)}"
    records = [e for e in req.evidence if any(w in e.lower() for w in _RECORD_WORDS)]
    if records and rng.random() < 0.6:
        size = rng.randint(3, 6)
        days = sorted(rng.sample(range(15, 360), size), reverse=True)
        items = ", ".join(_weekday_on_or_before(begin - timedelta(days=d)).strftime("%d %b %Y") for d in days)
        return _Paper(C, notes, methods, f"{records[0]} of the last 12 months", size, f"Dated {items}")
    return _Paper(C, notes, methods)


def _counts_text(counts: Counter) -> str:
    total = sum(counts.values())
    parts = [f"{counts[r]} {r.value}" for r in AuditResult if counts[r]]
    return f"{total} requirements: " + ", ".join(parts) + "."


def _stamps(rng: random.Random, first: date, last: date, n: int) -> list[datetime]:
    """n increasing times spread over the working days from `first` to `last`, 09:00 to 17:00 UTC."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    days = [d for d in days if d.weekday() < 5] or [first]
    groups: list[int] = [0] * len(days)
    for i in range(n):
        groups[i * len(days) // n] += 1
    out = []
    for day, count in zip(days, groups, strict=True):
        step = 480 // max(count, 1)
        for k in range(count):
            minutes = 9 * 60 + k * step + rng.randint(0, min(step - 1, 9))
            out.append(datetime.combine(day, time(minutes // 60, minutes % 60), UTC))
    return out


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():  # an acronym: keep it
        return text
    return text[:1].lower() + text[1:]


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=-day.weekday() % 7)


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _add_months(day: date, months: int) -> date:
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))
