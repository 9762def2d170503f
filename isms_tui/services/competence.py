"""Competence of the people who audit (7.2, 9.2.2 b): training, qualifications, audits done.

Internal audits are counted from the audits a person led or was on, never typed in; audits
done elsewhere, training and qualifications are records with dates and evidence files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from isms_tui.models import Audit, AuditStatus, CompetenceRecord, Person
from isms_tui.models.sanitize import clean

from . import clock, evidence
from .errors import InputError, NotFound
from .form_values import DATE_HINT

KINDS = ("training", "qualification", "external audit")
ENTITY = "competencerecord"  # the evidence link's entity name
DONE = (AuditStatus.COMPLETED, AuditStatus.REPORTED)


@dataclass
class RecordInput:
    kind: str
    title: str
    obtained_on: date | None
    provider: str = ""
    expires_on: date | None = None
    notes: str = ""


def save_record(session: Session, person_id: int, data: RecordInput, record_id: int | None = None) -> CompetenceRecord:
    if session.get(Person, person_id) is None:
        raise NotFound(f"No person with id {person_id}.")
    errors: dict[str, str] = {}
    if data.kind not in KINDS:
        errors["kind"] = "Training, qualification or external audit."
    title = clean(data.title).strip()
    if not title:
        errors["title"] = "What was the training, qualification or audit?"
    if data.obtained_on is None:
        errors["obtained_on"] = DATE_HINT
    elif data.obtained_on > clock.today():
        errors["obtained_on"] = "A record of something that has happened: not a future date."
    elif data.expires_on is not None and data.expires_on < data.obtained_on:
        errors["expires_on"] = "It cannot expire before it was obtained."
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    assert data.obtained_on is not None
    record = session.get(CompetenceRecord, record_id) if record_id else None
    if record_id and (record is None or record.person_id != person_id):
        raise NotFound(f"No competence record with id {record_id} for this person.")
    record = record or CompetenceRecord(person_id=person_id, kind=data.kind, title=title, obtained_on=data.obtained_on)
    record.kind, record.title, record.obtained_on = data.kind, title, data.obtained_on
    record.provider, record.expires_on, record.notes = clean(data.provider).strip(), data.expires_on, data.notes.strip()
    session.add(record)
    session.flush()
    return record


def delete_record(session: Session, record_id: int) -> None:
    record = session.get(CompetenceRecord, record_id)
    if record is None:
        raise NotFound(f"No competence record with id {record_id}.")
    if evidence.linked(session, ENTITY, record_id):
        raise InputError("The record has evidence attached; it stays as the evidence's context.")
    session.delete(record)
    session.flush()


def attach(session: Session, record_id: int, path: str, added_by: str) -> None:
    """Copy a certificate or attendance sheet into the store and link it to the record."""
    if session.get(CompetenceRecord, record_id) is None:
        raise NotFound(f"No competence record with id {record_id}.")
    evidence.link(session, evidence.add_file(session, path, added_by), ENTITY, record_id)


def records(session: Session, person_id: int) -> list[CompetenceRecord]:
    q = select(CompetenceRecord).where(CompetenceRecord.person_id == person_id)
    return list(session.exec(q.order_by(col(CompetenceRecord.obtained_on).desc(), col(CompetenceRecord.id))))


@dataclass(frozen=True)
class AuditDone:
    title: str
    role: str  # "lead auditor" or "audit team"
    ended: date | None


def audits_done(session: Session, person_id: int) -> list[AuditDone]:
    """Internal audits the person led or was on that reached completion, newest first."""
    out = []
    for audit in session.exec(select(Audit).where(col(Audit.status).in_(DONE))):
        if audit.lead_auditor_id == person_id:
            out.append(AuditDone(audit.title, "lead auditor", audit.actual_end))
        elif person_id in audit.team_ids:
            out.append(AuditDone(audit.title, "audit team", audit.actual_end))
    return sorted(out, key=lambda a: a.ended or date.min, reverse=True)


@dataclass(frozen=True)
class Summary:
    person: str
    role: str
    training: list[CompetenceRecord]
    qualifications: list[CompetenceRecord]
    external: list[CompetenceRecord]
    internal: list[AuditDone]
    evidence_files: int

    def text(self, on: date) -> str:
        """One line for a report: what makes this person fit to audit, as recorded."""
        parts = []
        valid = [q for q in self.qualifications if q.expires_on is None or q.expires_on >= on]
        lapsed = len(self.qualifications) - len(valid)
        if valid:
            parts.append("qualified: " + "; ".join(f"{q.title} ({q.obtained_on.year})" for q in valid))
        if lapsed:
            parts.append(f"{lapsed} qualification{'s' if lapsed > 1 else ''} expired")
        if self.training:
            latest = self.training[0]
            parts.append(
                f"{len(self.training)} training record{'s' if len(self.training) > 1 else ''}, latest "
                f"{latest.title} ({latest.obtained_on.isoformat()})"
            )
        led = sum(1 for a in self.internal if a.role == "lead auditor")
        if self.internal:
            parts.append(f"{len(self.internal)} internal audit{'s' if len(self.internal) > 1 else ''} ({led} led)")
        if self.external:
            parts.append(f"{len(self.external)} external audit{'s' if len(self.external) > 1 else ''}")
        if self.evidence_files:
            parts.append(f"{self.evidence_files} evidence file{'s' if self.evidence_files > 1 else ''}")
        return ", ".join(parts) if parts else "no competence recorded"


def summary(session: Session, person_id: int, as_of: date | None = None) -> Summary:
    """The person's competence; with `as_of`, only what was on record by that day (an audit's start)."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person with id {person_id}.")
    rows = [r for r in records(session, person_id) if as_of is None or r.obtained_on <= as_of]
    done = [a for a in audits_done(session, person_id) if as_of is None or (a.ended is not None and a.ended < as_of)]
    files = sum(len(evidence.linked(session, ENTITY, r.id)) for r in rows if r.id is not None)
    return Summary(
        person.name,
        person.role,
        [r for r in rows if r.kind == "training"],
        [r for r in rows if r.kind == "qualification"],
        [r for r in rows if r.kind == "external audit"],
        done,
        files,
    )


def team_summaries(session: Session, audit: Audit) -> list[Summary]:
    """The audit team's competence as on record when the audit started (planned start if not yet),
    the lead auditor first: what made them fit to audit then, not what they learnt since."""
    ids = [audit.lead_auditor_id] if audit.lead_auditor_id else []
    start = audit.actual_start or audit.planned_start
    return [summary(session, pid, start) for pid in [*ids, *audit.team_ids] if session.get(Person, pid) is not None]


def as_of(audit: Audit) -> date:
    """The day the team's competence is judged at."""
    return audit.actual_start or audit.planned_start
