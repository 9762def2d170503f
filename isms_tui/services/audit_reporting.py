"""Reporting an audit's results (9.2.2 c): to whom (with their roles), when and how.

An audit becomes "reported" only through this record, so the pack can name who heard the
results instead of a status nobody can check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from isms_tui.models import Audit, AuditRecipient, AuditStatus, Person, require_id
from isms_tui.models.sanitize import clean

from . import clock
from .audits import get_audit, mark_reported
from .errors import InputError
from .form_values import DATE_HINT

HOW_EXAMPLES = "a meeting, an email, the written report, a presentation"


@dataclass(frozen=True)
class Recipient:
    name: str
    role: str  # as held when the results were reported


@dataclass(frozen=True)
class ReportingRecord:
    reported_on: date
    how: str
    recipients: list[Recipient]

    def sentence(self) -> str:
        who = "; ".join(f"{r.name} ({r.role})" if r.role else r.name for r in self.recipients)
        return f"Reported on {self.reported_on.isoformat()} by {self.how} to {who}."


def report_results(
    session: Session, audit_id: int, recipient_ids: list[int], reported_on: date | None, how: str
) -> Audit:
    """Record the reporting and mark the completed audit reported, in one transaction."""
    audit = get_audit(session, audit_id)
    errors: dict[str, str] = {}
    people = [session.get(Person, pid) for pid in dict.fromkeys(recipient_ids)]
    if not recipient_ids:
        errors["recipients"] = "Name at least one person the results were reported to."
    elif any(p is None for p in people):
        errors["recipients"] = "Unknown person."
    if reported_on is None:
        errors["reported_on"] = DATE_HINT
    elif reported_on > clock.today():
        errors["reported_on"] = "Record the reporting once it has happened."
    elif audit.actual_end and reported_on < audit.actual_end:
        errors["reported_on"] = f"The audit ended on {audit.actual_end.isoformat()}; it was reported after that."
    how = clean(how).strip()
    if not how:
        errors["how"] = f"How were they reported? e.g. {HOW_EXAMPLES}."
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    if audit.status != AuditStatus.COMPLETED:
        raise InputError("Only a completed audit can be marked as reported.")
    assert reported_on is not None
    for old in session.exec(select(AuditRecipient).where(AuditRecipient.audit_id == audit_id)):
        session.delete(old)
    session.flush()
    session.add_all(
        AuditRecipient(audit_id=audit_id, person_id=require_id(p), role=p.role) for p in people if p is not None
    )
    audit.reported_on, audit.reported_how = reported_on, how
    session.add(audit)
    session.flush()
    return mark_reported(session, audit_id)


def reporting(session: Session, audit_id: int) -> ReportingRecord | None:
    """The reporting record of an audit, or None while its results are not reported."""
    audit = get_audit(session, audit_id)
    rows = session.exec(
        select(AuditRecipient, Person)
        .join(Person, col(Person.id) == col(AuditRecipient.person_id))
        .where(AuditRecipient.audit_id == audit_id)
        .order_by(col(Person.name))
    ).all()
    if audit.reported_on is None or not rows:
        return None
    return ReportingRecord(audit.reported_on, audit.reported_how, [Recipient(p.name, r.role) for r, p in rows])
