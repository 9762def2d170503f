"""KPI definitions: validated create and edit, deactivation (readings are never deleted).

A change of the evaluation definition (direction, target, thresholds) is a new version in the
target history (services/targets.py), applying from a chosen period and with a reason; other
fields are edited in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date

from sqlmodel import Session, select

from isms_tui.models import Direction, Frequency, Kpi, KpiType, Objective, Person

from . import clock, periods, targets
from .errors import InputError, NotFound
from .plausible import THRESHOLDS, range_errors, threshold_errors
from .targets import TargetChange

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


@dataclass
class KpiInput:
    """Everything a user types to define a KPI; validated as a whole by `validate`."""

    code: str
    name: str
    target: float | None
    direction: Direction = Direction.HIGHER_BETTER
    warning: float | None = None
    target_high: float | None = None
    warning_high: float | None = None
    frequency: Frequency = Frequency.MONTHLY
    information_need: str = ""
    kpi_type: KpiType = KpiType.EFFECTIVENESS
    method: str = ""
    unit: str = ""
    objective_id: int | None = None
    requirements: str = ""
    collector_id: int | None = None
    analyst_id: int | None = None
    analysis_frequency: Frequency = Frequency.QUARTERLY
    data_source: str = ""
    reporting_format: str = ""
    grace_days: int = 10
    started_on: date | None = None
    min_value: float | None = None
    max_value: float | None = None

    @classmethod
    def from_kpi(cls, kpi: Kpi) -> KpiInput:
        return cls(**{f.name: getattr(kpi, f.name) for f in fields(cls)})


def validate(data: KpiInput) -> dict[str, str]:
    """Per-field problems, empty when the definition is coherent."""
    errors: dict[str, str] = {}
    if not CODE_RE.match(data.code.strip()):
        errors["code"] = "1–32 letters, digits, '.', '_' or '-'."
    if not data.name.strip():
        errors["name"] = "Required."
    if data.target is None:
        errors["target"] = "Required."
    if not 0 <= data.grace_days <= 366:
        errors["grace_days"] = "Between 0 and 366 days."
    errors.update(range_errors(data.unit, data.min_value, data.max_value))
    ranged = data.direction == Direction.WITHIN_RANGE  # upper bounds are dropped outside a range
    bounds = {k: getattr(data, k) for k in THRESHOLDS if ranged or not k.endswith("_high")}
    outside = threshold_errors(data, bounds)  # said over any ordering problem of the same field
    errors.update(outside)
    if data.target is None:
        return errors
    t, w = data.target, data.warning
    if data.direction == Direction.HIGHER_BETTER and w is not None and w > t:
        errors["warning"] = "For higher-is-better the warning threshold must not exceed the target."
    if data.direction == Direction.LOWER_BETTER and w is not None and w < t:
        errors["warning"] = "For lower-is-better the warning threshold must not be below the target."
    if data.direction == Direction.WITHIN_RANGE:
        if data.target_high is None:
            errors["target_high"] = "A range needs an upper target."
        elif data.target_high < t:
            errors["target_high"] = "The upper target must not be below the lower one."
        if w is not None and w > t:
            errors["warning"] = "The lower warning bound must not exceed the lower target."
        if data.warning_high is not None and data.target_high is not None and data.warning_high < data.target_high:
            errors["warning_high"] = "The upper warning bound must not be below the upper target."
    errors.update(outside)
    return errors


def definition_changes(session: Session, data: KpiInput, kpi_id: int | None) -> bool:
    """Whether saving `data` over the KPI would change how its readings are judged."""
    if kpi_id is None or data.target is None:
        return False
    return targets.definition(data) != targets.definition(get_kpi(session, kpi_id))


def change_problems(session: Session, data: KpiInput, kpi_id: int, change: TargetChange | None) -> dict[str, str]:
    """What is wrong with the period and reason of a definition change (keys from_period, reason)."""
    kpi = get_kpi(session, kpi_id)
    return targets.change_errors(session, kpi, data.frequency, data.started_on or kpi.started_on, change, data)


def save_kpi(session: Session, data: KpiInput, kpi_id: int | None = None, change: TargetChange | None = None) -> Kpi:
    """Create (kpi_id None) or update a KPI; raises InputError listing every problem.

    A new KPI's definition is the first version of its target history. An edit that changes
    the definition needs `change` (the period it applies from and a reason) and adds a version.
    """
    data.code = data.code.strip()
    data.name = data.name.strip()
    for key in ("target", "warning", "target_high", "warning_high", "min_value", "max_value"):
        if getattr(data, key) is not None:
            setattr(data, key, float(getattr(data, key)))
    errors = validate(data)
    clash = session.exec(select(Kpi).where(Kpi.code == data.code)).first()
    if clash is not None and clash.id != kpi_id:
        errors["code"] = f"Code {data.code} is already used by another KPI."
    for key, model in (("objective_id", Objective), ("collector_id", Person), ("analyst_id", Person)):
        ref = getattr(data, key)
        if ref is not None and session.get(model, ref) is None:
            errors[key] = "Unknown record."
    changed = definition_changes(session, data, kpi_id)
    if changed:  # said together with every other problem, so one save shows them all
        assert kpi_id is not None  # only an edit changes a definition
        errors.update(change_problems(session, data, kpi_id, change))
    if errors:
        first = next(iter(errors.items()))
        raise InputError(f"The KPI cannot be saved: {first[0]}: {first[1]}", errors)
    if kpi_id is None:
        assert data.target is not None  # validate() requires it
        kpi = Kpi(code=data.code, name=data.name, target=data.target, started_on=clock.today())
    else:
        kpi = get_kpi(session, kpi_id)
    for f in fields(KpiInput):
        value = getattr(data, f.name)
        if f.name == "started_on" and value is None:
            continue
        setattr(kpi, f.name, value)
    if data.direction != Direction.WITHIN_RANGE:
        kpi.target_high = kpi.warning_high = None
    session.add(kpi)
    session.flush()
    if kpi_id is None:
        begins = periods.period_start(kpi.started_on, kpi.frequency)
        targets.record_version(session, kpi, begins, targets.INITIAL_REASON)
    elif changed:
        assert change is not None and change.from_period is not None  # change_errors requires both
        targets.record_version(session, kpi, change.from_period, change.reason, change.by)
    return kpi


def get_kpi(session: Session, kpi_id: int) -> Kpi:
    kpi = session.get(Kpi, kpi_id)
    if kpi is None:
        raise NotFound(f"No KPI with id {kpi_id}.")
    return kpi


def kpi_by_code(session: Session, code: str) -> Kpi | None:
    return session.exec(select(Kpi).where(Kpi.code == code.strip())).first()


def set_active(session: Session, kpi_id: int, active: bool) -> Kpi:
    """Deactivate (or reactivate) a KPI; its readings stay as evidence."""
    kpi = get_kpi(session, kpi_id)
    kpi.active = active
    session.add(kpi)
    session.flush()
    return kpi


def list_kpis(session: Session, include_inactive: bool = False) -> list[Kpi]:
    q = select(Kpi).order_by(Kpi.code)
    if not include_inactive:
        q = q.where(Kpi.active == True)  # noqa: E712
    return list(session.exec(q))
