"""Impartiality line by line (9.2.2 b): nobody assesses a requirement they are responsible for.

Each working-paper line is assessed by one member of the audit team (the lead auditor unless
another is named). A line conflicts when its assessor is responsible for an area or runs a
process covering its requirement, or runs the ISMS and the line is in clause 9 or 10. An
audit with such a line starts only with an independence declaration, as before; without
one, the line must be given to another member of the team.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from isms_tui.models import Audit, AuditItem, AuditStatus, Person

from .errors import InputError, NotFound
from .responsibilities import Duty, duties


@dataclass(frozen=True)
class Conflict:
    """One auditor would assess lines their own responsibility covers."""

    person: str
    area: str  # the responsibility: "the area IT operations", "running the ISMS"
    role: str  # "lead auditor" or "audit team"
    refs: tuple[str, ...] = ()

    def sentence(self) -> str:
        lines = ", ".join(self.refs[:6]) + (f" and {len(self.refs) - 6} more" if len(self.refs) > 6 else "")
        return f"{self.person} ({self.role}) is to assess {lines}, covered by {self.area} they are responsible for."


@dataclass(frozen=True)
class KeptOff:
    """An auditor who did not assess some lines of the audit, and the responsibility why."""

    person: str
    duty: str
    refs: tuple[str, ...]
    assessed_by: tuple[str, ...]  # who assessed those lines instead


def team(audit: Audit) -> list[tuple[int, str]]:
    """(person id, role in the audit), the lead auditor first."""
    out = [(audit.lead_auditor_id, "lead auditor")] if audit.lead_auditor_id else []
    return out + [(pid, "audit team") for pid in audit.team_ids if pid != audit.lead_auditor_id]


def assessor_id(item: AuditItem, audit: Audit) -> int | None:
    return item.assessed_by_id or audit.lead_auditor_id


def _lines(session: Session, audit_id: int) -> list[AuditItem]:
    return list(session.exec(select(AuditItem).where(AuditItem.audit_id == audit_id).order_by(col(AuditItem.position))))


def _names(session: Session) -> dict[int, str]:
    return {p.id: p.name for p in session.exec(select(Person)) if p.id is not None}


def _duty_for(found: dict[int, list[Duty]], person_id: int | None, ref: str) -> Duty | None:
    return next((d for d in found.get(person_id or 0, []) if d.covers(ref)), None)


def conflicts(session: Session, audit: Audit) -> list[Conflict]:
    """Lines whose assessor is responsible for them, grouped by person and responsibility."""
    assert audit.id is not None
    roles = dict(team(audit))
    found = duties(session, list(roles))
    names = _names(session)
    grouped: dict[tuple[int, str], list[str]] = {}
    for item in _lines(session, audit.id):
        pid = assessor_id(item, audit)
        duty = _duty_for(found, pid, item.ref)
        if pid is not None and duty is not None:
            grouped.setdefault((pid, duty.label), []).append(item.ref)
    return [
        Conflict(names.get(pid, f"#{pid}"), label, roles.get(pid, "audit team"), tuple(refs))
        for (pid, label), refs in grouped.items()
    ]


def line_conflict(session: Session, audit: Audit, person_id: int, ref: str) -> Duty | None:
    """The responsibility that keeps `person_id` off a line with requirement `ref`, if any."""
    return _duty_for(duties(session, [person_id]), person_id, ref)


def assign(session: Session, item_id: int, person_id: int | None) -> AuditItem:
    """Name who assesses one line (None: the lead auditor)."""
    item = session.get(AuditItem, item_id)
    if item is None:
        raise NotFound(f"No audit item with id {item_id}.")
    audit = session.get(Audit, item.audit_id)
    assert audit is not None  # the foreign key holds it
    if audit.status not in (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS):
        raise InputError(f"The audit is {audit.status.value}; who assessed a line is settled.")
    chosen = person_id or audit.lead_auditor_id
    members = dict(team(audit))
    if chosen is None or chosen not in members:
        raise InputError("Only the lead auditor or a member of the audit team assesses a line.")
    duty = line_conflict(session, audit, chosen, item.ref)
    if duty is not None and not audit.independence_declaration:
        person = session.get(Person, chosen)
        raise InputError(
            f"{person.name if person else 'This auditor'} is responsible for {duty.label}, which covers "
            f"{item.ref}: another member of the team assesses it (or record an independence declaration)."
        )
    item.assessed_by_id = None if chosen == audit.lead_auditor_id else chosen
    session.add(item)
    session.flush()
    return item


def check_line(session: Session, audit: Audit, item: AuditItem) -> None:
    """Refuse a result on a line its assessor is responsible for, unless independence was declared."""
    if audit.independence_declaration:
        return
    pid = assessor_id(item, audit)
    duty = line_conflict(session, audit, pid, item.ref) if pid else None
    if duty is not None:
        person = session.get(Person, pid)
        raise InputError(
            f"{person.name if person else 'The assessor'} is responsible for {duty.label}, which covers "
            f"{item.ref}: give the line to another member of the team (a on the working paper) first."
        )


def kept_off(session: Session, audit: Audit) -> list[KeptOff]:
    """For the declaration and the report: who did not assess which lines, and why."""
    assert audit.id is not None
    members = [pid for pid, _ in team(audit)]
    found = duties(session, members)
    names = _names(session)
    lines = _lines(session, audit.id)
    out = []
    for pid in members:
        for duty in found.get(pid, []):
            mine = [it for it in lines if duty.covers(it.ref) and assessor_id(it, audit) != pid]
            if mine:
                others = sorted({names.get(assessor_id(it, audit) or 0, "?") for it in mine})
                out.append(KeptOff(names.get(pid, f"#{pid}"), duty.label, tuple(it.ref for it in mine), tuple(others)))
    return out


def assessors(session: Session, audit: Audit) -> dict[int, str]:
    """Line id -> name of who assesses it."""
    assert audit.id is not None
    names = _names(session)
    return {it.id: names.get(assessor_id(it, audit) or 0, "—") for it in _lines(session, audit.id) if it.id is not None}


def choices(session: Session, audit: Audit, ref: str) -> list[tuple[int, str, str]]:
    """For the assessor form: (person id, 'name (role in the audit)', responsibility covering `ref` or '')."""
    names = _names(session)
    members = team(audit)
    found = duties(session, [pid for pid, _ in members])
    out = []
    for pid, role in members:
        duty = _duty_for(found, pid, ref)
        out.append((pid, f"{names.get(pid, f'#{pid}')} ({role})", duty.label if duty else ""))
    return out
