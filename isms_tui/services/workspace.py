"""Organisation, people and objectives: the settings every other area refers to."""

from __future__ import annotations

import re
from datetime import date
from typing import TypeVar

from sqlmodel import Session, SQLModel, select

from isms_tui.models import Kpi, Objective, Person, Workspace
from isms_tui.models.sanitize import clean

from . import responsibilities
from .errors import InputError, NotFound

Row = TypeVar("Row", bound=SQLModel)

EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")  # a plausibility check, not RFC 5322


def get_workspace(session: Session) -> Workspace | None:
    return session.exec(select(Workspace)).first()


def is_empty(session: Session) -> bool:
    """True for a workspace nobody has set up yet: no organisation, people, objectives or KPIs."""
    return all(session.exec(select(model.id)).first() is None for model in (Workspace, Person, Objective, Kpi))


def save_workspace(
    session: Session,
    org_name: str,
    scope: str = "",
    audit_cycle_years: int = 3,
    current_user: str = "",
    review_interval_months: int | None = None,
    audit_interval_months: int | None = None,
) -> Workspace:
    """The organisation's settings; an interval left out (None) keeps its current value."""
    org_name = org_name.strip()
    if not org_name:
        raise InputError("The organisation needs a name.", {"org_name": "Required."})
    if audit_cycle_years not in (1, 2, 3):
        raise InputError("The audit cycle is 1, 2 or 3 years.", {"audit_cycle_years": "1, 2 or 3."})
    for key, months in (
        ("review_interval_months", review_interval_months),
        ("audit_interval_months", audit_interval_months),
    ):
        if months is not None and not 1 <= months <= 36:
            raise InputError("An interval is 1 to 36 months.", {key: "1 to 36 months."})
    ws = get_workspace(session) or Workspace(org_name=org_name)
    if review_interval_months is not None:
        ws.review_interval_months = review_interval_months
    if audit_interval_months is not None:
        ws.audit_interval_months = audit_interval_months
    ws.org_name = org_name
    ws.scope = scope.strip()
    ws.audit_cycle_years = audit_cycle_years
    ws.current_user = current_user.strip()
    session.add(ws)
    session.flush()
    return ws


def list_people(session: Session, include_inactive: bool = False) -> list[Person]:
    q = select(Person).order_by(Person.name)
    if not include_inactive:
        q = q.where(Person.active == True)  # noqa: E712
    return list(session.exec(q))


def save_person(
    session: Session,
    name: str,
    role: str = "",
    email: str = "",
    areas: list[str] | None = None,
    person_id: int | None = None,
    active: bool = True,
) -> Person:
    name = clean(name).strip()  # cleaned before validation: a name of control characters is no name
    if not name:
        raise InputError("A person needs a name.", {"name": "Required."})
    clash = session.exec(select(Person).where(Person.name == name)).first()
    if clash is not None and clash.id != person_id:
        raise InputError(f"There is already a person called {name}.", {"name": "Already used."})
    email = clean(email).strip()
    if email and not EMAIL_RE.fullmatch(email):
        raise InputError(f"{email[:60]!r} is not an email address.", {"email": "Like name@example.com."})
    person = _get(session, Person, person_id) if person_id else Person(name=name)
    person.name = name
    person.role = role.strip()
    person.email = email
    person.areas = sorted({clean(a).strip() for a in (areas or []) if clean(a).strip()})
    person.active = active
    session.add(person)
    session.flush()
    responsibilities.link_named_areas(session, person)  # impartiality reads the links, not the names
    return person


def person_by_name(session: Session, name: str) -> Person | None:
    return session.exec(select(Person).where(Person.name == name.strip())).first()


def list_objectives(session: Session, include_inactive: bool = False) -> list[Objective]:
    q = select(Objective).order_by(Objective.code)
    if not include_inactive:
        q = q.where(Objective.active == True)  # noqa: E712
    return list(session.exec(q))


def save_objective(
    session: Session,
    code: str,
    statement: str,
    target: str = "",
    owner_id: int | None = None,
    due_date: date | None = None,
    objective_id: int | None = None,
    active: bool = True,
) -> Objective:
    code, statement, target = code.strip(), statement.strip(), target.strip()
    errors: dict[str, str] = {}
    if not code:
        errors["code"] = "Required."
    if not statement:
        errors["statement"] = "Required."
    if not target:
        errors["target"] = "An objective needs a measurable target."
    if errors:
        raise InputError("The objective is incomplete: " + ", ".join(errors) + ".", errors)
    clash = session.exec(select(Objective).where(Objective.code == code)).first()
    if clash is not None and clash.id != objective_id:
        raise InputError(f"Objective code {code} is already used.", {"code": "Already used."})
    if owner_id is not None:
        _get(session, Person, owner_id)
    obj = _get(session, Objective, objective_id) if objective_id else Objective(code=code, statement=statement)
    obj.code, obj.statement, obj.target = code, statement, target
    obj.owner_id, obj.due_date, obj.active = owner_id, due_date, active
    session.add(obj)
    session.flush()
    return obj


def _get(session: Session, model: type[Row], record_id: int) -> Row:
    obj = session.get(model, record_id)
    if obj is None:
        raise NotFound(f"No {model.__name__.lower()} with id {record_id}.")
    return obj
