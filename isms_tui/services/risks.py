"""The risk register: saving risks, their levels, the appetite, and their treatment actions.

Level = likelihood x impact, each on 1-5 (so 1-25). A risk above the organisation's appetite
needs treatment; its treatment actions are ordinary actions (source "risk") so they are
followed up, checked for effectiveness and reviewed with every other action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from isms_tui.catalogues import by_ref
from isms_tui.models import Action, Kpi, Person, Risk, Workspace
from isms_tui.models.risk import RISK_STATUSES, TREATMENTS
from isms_tui.models.sanitize import clean

from . import actions
from .errors import InputError, NotFound

SCALE = range(1, 6)
CLOSED_STATUSES = ("closed",)


def level(likelihood: int, impact: int) -> int:
    return likelihood * impact


def band(value: int) -> str:
    """The usual 5x5 bands: low up to 4, medium up to 9, high up to 16, critical above."""
    if value <= 4:
        return "low"
    if value <= 9:
        return "medium"
    if value <= 16:
        return "high"
    return "critical"


def residual_level(risk: Risk) -> int | None:
    if risk.residual_likelihood is None or risk.residual_impact is None:
        return None
    return level(risk.residual_likelihood, risk.residual_impact)


def risk_level(risk: Risk) -> int:
    return level(risk.likelihood, risk.impact)


@dataclass
class RiskInput:
    """A risk as a user gives it (the form or a CSV row), checked as a whole by `validate`."""

    ref: str
    title: str
    likelihood: int | None
    impact: int | None
    owner_id: int | None = None
    description: str = ""
    treatment: str = "modify"
    status: str = "open"
    due_date: date | None = None
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    next_review: date | None = None
    controls: list[str] = field(default_factory=list)
    kpis: list[str] = field(default_factory=list)


def normal_refs(refs: list[str]) -> list[str]:
    """Catalogue refs as the catalogue spells them ('a.8.13' -> 'A.8.13'), in the given order."""
    known = {r.upper(): r for r in by_ref()}
    out: list[str] = []
    for ref in refs:
        ref = ref.strip()
        if ref:
            name = known.get(ref.upper(), ref)
            if name not in out:
                out.append(name)
    return out


def validate(session: Session, data: RiskInput, risk_id: int | None = None) -> dict[str, str]:
    """Field name -> problem, empty when the risk can be saved."""
    errors: dict[str, str] = {}
    ref = clean(data.ref).strip()
    if not ref:
        errors["ref"] = "Required, e.g. R-001."
    elif len(ref) > 40:
        errors["ref"] = "At most 40 characters."
    else:
        clash = session.exec(select(Risk.id).where(Risk.ref == ref)).first()
        if clash is not None and clash != risk_id:
            errors["ref"] = f"{ref} is already used."
    if not clean(data.title).strip():
        errors["title"] = "Required."
    for name in ("likelihood", "impact"):
        if getattr(data, name) not in SCALE:
            errors[name] = "1 (lowest) to 5 (highest)."
    residual = (data.residual_likelihood, data.residual_impact)
    for name, value in zip(("residual_likelihood", "residual_impact"), residual, strict=True):
        if value is not None and value not in SCALE:
            errors[name] = "1 to 5, or empty."
    if (residual[0] is None) != (residual[1] is None):
        errors["residual_impact" if residual[1] is None else "residual_likelihood"] = "Give both or neither."
    if data.treatment not in TREATMENTS:
        errors["treatment"] = "One of " + ", ".join(TREATMENTS) + "."
    if data.status not in RISK_STATUSES:
        errors["status"] = "One of " + ", ".join(RISK_STATUSES) + "."
    unknown = [r for r in normal_refs(data.controls) if r not in by_ref()]
    if unknown:
        errors["controls"] = f"Not in the catalogue: {', '.join(unknown[:3])} (e.g. A.8.13 or 9.2)."
    codes = set(session.exec(select(Kpi.code).where(col(Kpi.code).in_(data.kpis)))) if data.kpis else set()
    missing = [c for c in data.kpis if c not in codes]
    if missing:
        errors["kpis"] = f"No KPI with code {', '.join(missing[:3])}."
    if data.owner_id is not None and session.get(Person, data.owner_id) is None:
        errors["owner_id"] = "No such person."
    return errors


def save_risk(session: Session, data: RiskInput, risk_id: int | None = None) -> Risk:
    """Create or update a risk; InputError with every field's problem when it cannot be saved."""
    errors = validate(session, data, risk_id)
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    risk = get_risk(session, risk_id) if risk_id is not None else Risk(ref="", title="", likelihood=1, impact=1)
    risk.ref = clean(data.ref).strip()
    risk.title = clean(data.title).strip()
    risk.description = data.description.strip()
    risk.owner_id = data.owner_id
    risk.likelihood, risk.impact = int(data.likelihood or 1), int(data.impact or 1)
    risk.treatment, risk.status = data.treatment, data.status
    risk.due_date, risk.next_review = data.due_date, data.next_review
    risk.residual_likelihood, risk.residual_impact = data.residual_likelihood, data.residual_impact
    risk.controls = normal_refs(data.controls)
    risk.kpis = list(dict.fromkeys(k.strip() for k in data.kpis if k.strip()))
    session.add(risk)
    session.flush()
    return risk


def get_risk(session: Session, risk_id: int) -> Risk:
    risk = session.get(Risk, risk_id)
    if risk is None:
        raise NotFound(f"No risk with id {risk_id}.")
    return risk


def list_risks(session: Session) -> list[Risk]:
    """Every risk, highest level first, then by reference."""
    risks = list(session.exec(select(Risk)))
    return sorted(risks, key=lambda r: (-risk_level(r), r.ref))


def appetite(session: Session) -> int:
    ws = session.exec(select(Workspace)).first()
    return ws.risk_appetite if ws is not None else 9


def set_appetite(session: Session, value: int) -> None:
    if value not in range(1, 26):
        raise InputError("The risk appetite is a level from 1 to 25.", {"risk_appetite": "1 to 25."})
    ws = session.exec(select(Workspace)).first()
    if ws is None:
        raise InputError("Set up the organisation first.")
    ws.risk_appetite = value
    session.add(ws)
    session.flush()


def is_open(risk: Risk) -> bool:
    return risk.status not in CLOSED_STATUSES


def standing_level(risk: Risk) -> int:
    """The level the organisation stands at: the residual one once the treatment is done."""
    residual = residual_level(risk)
    return residual if risk.status == "treated" and residual is not None else risk_level(risk)


def above_appetite(risk: Risk, limit: int) -> bool:
    """Open, above the appetite at the level it stands at, and not accepted by its owner
    (accepting is a decision on record)."""
    return is_open(risk) and risk.status != "accepted" and standing_level(risk) > limit


def treatment_overdue(risk: Risk, today: date) -> bool:
    return is_open(risk) and risk.status != "treated" and risk.due_date is not None and risk.due_date < today


def treatment_actions(session: Session, risk_ids: list[int] | None = None) -> dict[int, list[Action]]:
    """Treatment actions by risk id (source 'risk')."""
    q = select(Action).where(Action.source == "risk")
    if risk_ids is not None:
        q = q.where(col(Action.source_id).in_(risk_ids))
    out: dict[int, list[Action]] = {}
    for action in session.exec(q.order_by(col(Action.id))):
        if action.source_id is not None:
            out.setdefault(action.source_id, []).append(action)
    return out


def add_treatment_action(session: Session, risk_id: int, data: actions.ActionInput) -> Action:
    get_risk(session, risk_id)
    return actions.create_action(session, "risk", risk_id, data)


def highest_level_by_ref(session: Session) -> dict[str, tuple[int, str]]:
    """For each catalogue ref, the highest level of an open risk that relies on it, and that risk's ref."""
    out: dict[str, tuple[int, str]] = {}
    for risk in session.exec(select(Risk)):
        if not is_open(risk):
            continue
        value = risk_level(risk)
        for ref in risk.controls:
            if ref not in out or out[ref][0] < value:
                out[ref] = (value, risk.ref)
    return out
