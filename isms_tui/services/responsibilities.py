"""Who is responsible for what (areas, processes, the ISMS itself), kept as records.

Impartiality (9.2.2 b) is judged from these links. A person's typed area names stay on the
person (`Person.areas`) so that a name matching no audit area is still shown; a name that
matches one becomes a link here, and renaming the area renames it on the person too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from isms_tui import catalogues
from isms_tui.models import AuditArea, Person, Responsibility, Workspace, require_id
from isms_tui.models.sanitize import clean

from .errors import InputError, NotFound

ISMS_CLAUSES = ("9", "10")  # performance evaluation and improvement judge whoever runs the ISMS


@dataclass(frozen=True)
class Duty:
    """One responsibility of one person, with the requirements it covers."""

    person_id: int
    label: str  # "the area IT operations", "the process Backups", "running the ISMS"
    refs: frozenset[str]
    isms: bool = False  # running the ISMS: every line of clauses 9 and 10

    def covers(self, ref: str) -> bool:
        if self.isms and ref.split(".")[0] in ISMS_CLAUSES:
            return True
        return ref in self.refs


def _areas_by_name(session: Session) -> dict[str, AuditArea]:
    return {a.name.casefold(): a for a in session.exec(select(AuditArea))}


def link_named_areas(session: Session, person: Person) -> None:
    """Make the person's area links exactly the typed names that match an audit area."""
    pid = require_id(person)
    areas = _areas_by_name(session)
    wanted = {require_id(areas[n.casefold()]) for n in person.areas if n.casefold() in areas}
    current = list(
        session.exec(select(Responsibility).where(Responsibility.person_id == pid, col(Responsibility.area_id) != None))  # noqa: E711
    )
    for row in current:
        if row.area_id not in wanted:
            session.delete(row)
    have = {row.area_id for row in current}
    session.add_all(Responsibility(person_id=pid, area_id=a) for a in sorted(wanted - have))
    session.flush()


def area_saved(session: Session, area: AuditArea, old_name: str | None) -> None:
    """After an area is created or renamed: rename it on people, link whoever names it."""
    for person in session.exec(select(Person)):
        names = list(person.areas)
        if old_name and old_name != area.name and old_name.casefold() in {n.casefold() for n in names}:
            person.areas = sorted({area.name if n.casefold() == old_name.casefold() else n for n in names})
            session.add(person)
        if area.name.casefold() in {n.casefold() for n in person.areas}:
            link_named_areas(session, person)
    session.flush()


def set_areas(session: Session, person_id: int, area_ids: list[int]) -> Person:
    """The areas a person is responsible for, chosen from the audit areas; typed names that
    match no area are kept."""
    person = _person(session, person_id)
    chosen = [session.get(AuditArea, a) for a in area_ids]
    if any(a is None for a in chosen):
        raise InputError("Unknown audit area.", {"areas": "Choose from the audit areas."})
    known = _areas_by_name(session)
    unmatched = [n for n in person.areas if n.casefold() not in known]
    person.areas = sorted({*unmatched, *(a.name for a in chosen if a is not None)})
    session.add(person)
    session.flush()
    link_named_areas(session, person)
    return person


def add_process(session: Session, person_id: int, process: str, refs: list[str]) -> Responsibility:
    """Record that a person runs a process covering the given requirements."""
    _person(session, person_id)
    name = clean(process).strip()
    wanted = sorted({r.strip() for r in refs if r.strip()}, key=catalogues.natural_key)
    errors: dict[str, str] = {}
    if not name:
        errors["process"] = "Name the process."
    unknown = [r for r in wanted if r not in catalogues.by_ref()]
    if unknown:
        errors["refs"] = f"Unknown requirement: {', '.join(unknown[:3])}."
    elif not wanted:
        errors["refs"] = "Which requirements does the process carry out? e.g. 8.13, 8.15"
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    row = Responsibility(person_id=person_id, process=name, refs=wanted)
    session.add(row)
    session.flush()
    return row


def remove(session: Session, responsibility_id: int) -> None:
    row = session.get(Responsibility, responsibility_id)
    if row is None:
        raise NotFound(f"No responsibility with id {responsibility_id}.")
    if row.area_id is not None:
        area = session.get(AuditArea, row.area_id)
        person = _person(session, row.person_id)
        person.areas = [n for n in person.areas if area is None or n.casefold() != area.name.casefold()]
        session.add(person)
    session.delete(row)
    session.flush()


def set_isms_manager(session: Session, person_id: int | None) -> Workspace:
    """Who runs the ISMS: a workspace setting, so that clauses 9 and 10 are assessed by others."""
    ws = session.exec(select(Workspace)).first()
    if ws is None:
        raise InputError("Set up the organisation first.")
    if person_id is not None:
        _person(session, person_id)
    ws.isms_manager_id = person_id
    session.add(ws)
    session.flush()
    return ws


def isms_manager_id(session: Session) -> int | None:
    ws = session.exec(select(Workspace)).first()
    return ws.isms_manager_id if ws else None


def duties(session: Session, person_ids: list[int] | None = None) -> dict[int, list[Duty]]:
    """Every responsibility, by person (only those people if given)."""
    areas = {require_id(a): a for a in session.exec(select(AuditArea))}
    q = select(Responsibility).order_by(col(Responsibility.id))
    if person_ids is not None:
        q = q.where(col(Responsibility.person_id).in_(person_ids))
    out: dict[int, list[Duty]] = {}
    for row in session.exec(q):
        area = areas.get(row.area_id) if row.area_id is not None else None
        if area is not None:
            duty = Duty(row.person_id, f"the area {area.name}", frozenset(area.refs))
        else:
            duty = Duty(row.person_id, f"the process {row.process}", frozenset(row.refs))
        out.setdefault(row.person_id, []).append(duty)
    manager = isms_manager_id(session)
    if manager is not None and (person_ids is None or manager in person_ids):
        out.setdefault(manager, []).append(Duty(manager, "running the ISMS", frozenset(), isms=True))
    return out


@dataclass(frozen=True)
class PersonDuties:
    """What the people screen shows of one person's responsibilities."""

    rows: list[tuple[int, str]]  # (responsibility id, label)
    unmatched: list[str]  # typed area names that match no audit area
    runs_isms: bool


def person_duties(session: Session, person_id: int) -> PersonDuties:
    person = _person(session, person_id)
    areas = {require_id(a): a for a in session.exec(select(AuditArea))}
    rows = []
    for row in session.exec(select(Responsibility).where(Responsibility.person_id == person_id)):
        area = areas.get(row.area_id) if row.area_id is not None else None
        label = f"area {area.name}" if area else f"process {row.process} ({', '.join(row.refs)})"
        rows.append((require_id(row), label))
    known = {a.name.casefold() for a in areas.values()}
    return PersonDuties(
        rows=sorted(rows, key=lambda r: r[1]),
        unmatched=[n for n in person.areas if n.casefold() not in known],
        runs_isms=isms_manager_id(session) == person_id,
    )


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"No person with id {person_id}.")
    return person
