"""The demo's competence (7.2) and impartiality records (9.2.2 b) and the reporting of the
reported audit (9.2.2 c), consistent with its people and audits.

Priya Raman runs the ISMS (so she assesses no clause 9 or 10 line) and is qualified to lead
the privacy and compliance audit, Olivia Chen is the qualified lead internal auditor (her
certificate runs beyond the last audit of the cycle), and the team members of each audit assess the lines outside
their own areas: Ravi Menon the support clauses of the management-system audit, Daniel
Kowalski nothing (technical expert, as the declaration says), Aisha Bello the people controls
of the audit in progress. The management-system audit was presented to the Managing
Director and the CISO a week after fieldwork.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from isms_tui.models import Audit, AuditRecipient, AuditStatus, Person, require_id
from isms_tui.services import audits, competence, impartiality, responsibilities
from isms_tui.services.competence import RecordInput

from .dates import add_months
from .organisation import SECURITY_OFFICER

AUDITOR = "Olivia Chen"

# (person, kind, title, provider, months before today, valid for years or None)
RECORDS: tuple[tuple[str, str, str, str, int, int | None], ...] = (
    (AUDITOR, "qualification", "ISO/IEC 27001:2022 Lead Auditor (certified)", "PECB", 24, 3),
    (AUDITOR, "training", "Audit sampling and evidence workshop", "BSI Training Academy", 14, None),
    (AUDITOR, "external audit", "Second-party audit of the hosting provider (A.5.19 to A.5.22)", "Northwind", 9, None),
    (AUDITOR, "qualification", "CIPP/E data protection", "IAPP", 40, 2),
    (SECURITY_OFFICER, "qualification", "CISSP", "ISC2", 14, 3),
    (SECURITY_OFFICER, "qualification", "ISO/IEC 27001:2022 Internal Auditor (certified)", "PECB", 20, 3),
    (SECURITY_OFFICER, "training", "ISO/IEC 27001:2022 transition course", "BSI Training Academy", 26, None),
    ("Ravi Menon", "training", "Internal auditor course (two days)", "BSI Training Academy", 22, None),
    ("Aisha Bello", "training", "Internal auditor course (two days)", "BSI Training Academy", 8, None),
    ("Daniel Kowalski", "training", "AWS security specialty", "Amazon Web Services", 18, 3),
)
PROCESSES = ((SECURITY_OFFICER, "Information security risk assessment", ["6.1.2", "8.2"]),)
REPORTED_TO = ("Tom Okafor", SECURITY_OFFICER)
REPORTED_HOW = "management meeting: the lead auditor presented the audit report and its findings"


def add_competence(session: Session, today: date) -> None:
    """Competence records, the ISMS owner, processes, line assessors and the reporting record."""
    people = {p.name: require_id(p) for p in session.exec(select(Person))}
    responsibilities.set_isms_manager(session, people[SECURITY_OFFICER])
    for name, process, refs in PROCESSES:
        responsibilities.add_process(session, people[name], process, refs)
    for name, kind, title, provider, months, years in RECORDS:
        obtained = add_months(today, -months)
        expires = add_months(obtained, 12 * years) - timedelta(days=1) if years else None
        competence.save_record(session, people[name], RecordInput(kind, title, obtained, provider, expires))
    for audit in session.exec(select(Audit).order_by(col(Audit.id))):
        _assign_lines(session, audit)
    _reporting(session, people)


def _assign_lines(session: Session, audit: Audit) -> None:
    """Team members assess the lines of the audit outside their own responsibilities.

    Daniel Kowalski is the technical expert of the technology audit and assesses nothing."""
    if audit.status == AuditStatus.PLANNED:
        return
    lines = audits.items(session, require_id(audit))
    for pid in audit.team_ids:
        person = session.get(Person, pid)
        if person is None or person.name == "Daniel Kowalski":
            continue
        prefixes = ("7.",) if person.name == "Ravi Menon" else ("A.6.",)
        for line in lines:
            if line.ref.startswith(prefixes) and impartiality.line_conflict(session, audit, pid, line.ref) is None:
                line.assessed_by_id = pid  # the history as it was: assign() only takes open audits
                session.add(line)
    session.flush()


def _reporting(session: Session, people: dict[str, int]) -> None:
    """The reported audit's record: to whom, when and how (set as it was, a week after fieldwork)."""
    for audit in session.exec(select(Audit).where(Audit.status == AuditStatus.REPORTED)):
        assert audit.actual_end is not None
        audit.reported_on = audit.actual_end + timedelta(days=7)
        audit.reported_how = REPORTED_HOW
        session.add(audit)
        for name in REPORTED_TO:
            person = session.get(Person, people[name])
            assert person is not None
            session.add(AuditRecipient(audit_id=require_id(audit), person_id=people[name], role=person.role))
    session.flush()
