"""Fulfilment of information security objectives (6.2) over a period, for the management
review's input d4 (9.3.2 d) 4) and the Clause 9 pack alike.

An objective is judged from every live reading its KPIs took in the period, not from the
last one: a year with eleven bad months and one good one is not "met". Which KPIs count is
decided here once, so the review and the pack cannot disagree:
- a KPI counts for a period when it is linked to the objective, had started by the period's
  end, and is either still active or was measured in the period (a KPI retired since counts
  for the periods it was active, which are the ones it has readings in);
- a reading counts when its measurement period starts within the period and it is not voided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from isms_tui.models import Kpi, Objective, Person, Reading, Status

from .evaluation import evaluate_value, trend
from .targets import all_targets, targets_of

MET, PARTLY, NOT_MET, NOT_MEASURED = "met", "partly met", "not met", "not measured"


@dataclass(frozen=True)
class KpiOverPeriod:
    """One KPI's readings in the period, counted by how they were judged against the target."""

    kpi_id: int
    code: str
    name: str
    active: bool
    statuses: tuple[Status, ...]  # oldest first
    trend: str

    @property
    def readings(self) -> int:
        return len(self.statuses)

    @property
    def on_target(self) -> int:
        return self.statuses.count(Status.ON_TARGET)

    @property
    def share(self) -> int | None:
        """The share of readings on target, in whole per cent (None without readings)."""
        return round(100 * self.on_target / self.readings) if self.statuses else None

    @property
    def last_status(self) -> Status:
        return self.statuses[-1] if self.statuses else Status.NO_DATA

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.last_status.value,
            "active": self.active,
            "readings": self.readings,
            "on_target": self.on_target,
            "warning": self.statuses.count(Status.WARNING),
            "off_target": self.statuses.count(Status.OFF_TARGET),
            "share": self.share,
            "trend": self.trend,
        }


@dataclass(frozen=True)
class ObjectiveOverPeriod:
    objective: Objective
    owner: str
    kpis: tuple[KpiOverPeriod, ...]

    @property
    def readings(self) -> int:
        return sum(k.readings for k in self.kpis)

    @property
    def on_target(self) -> int:
        return sum(k.on_target for k in self.kpis)

    @property
    def verdict(self) -> str:
        """Met only when every KPI was measured and every reading was on target."""
        if not self.readings:
            return NOT_MEASURED
        if self.on_target == 0:
            return NOT_MET
        if self.on_target == self.readings and all(k.readings for k in self.kpis):
            return MET
        return PARTLY

    def as_json(self) -> dict[str, Any]:
        o = self.objective
        return {
            "code": o.code,
            "statement": o.statement,
            "target": o.target,
            "owner": self.owner,
            "due": o.due_date.isoformat() if o.due_date else None,
            "kpis": [k.as_json() for k in self.kpis],
            "readings": self.readings,
            "on_target": self.on_target,
            "verdict": self.verdict,
        }


def kpis_over_period(session: Session, start: date, end: date, kpis: Sequence[Kpi]) -> dict[int, KpiOverPeriod]:
    """The KPIs among `kpis` that count for the period (the rule above), by id."""
    ids = [k.id for k in kpis if k.id is not None and k.started_on <= end]
    values: dict[int, list[tuple[date, float]]] = {}
    if ids:
        rows = session.exec(
            select(col(Reading.kpi_id), col(Reading.period_start), col(Reading.value))
            .where(
                col(Reading.kpi_id).in_(ids),
                Reading.period_start >= start,
                Reading.period_start <= end,
                col(Reading.voided_at).is_(None),
            )
            .order_by(col(Reading.period_start))
        ).all()
        for kpi_id, period, value in rows:
            values.setdefault(kpi_id, []).append((period, value))
    histories = all_targets(session)
    out: dict[int, KpiOverPeriod] = {}
    for k in kpis:
        if k.id is None or k.id not in ids:
            continue
        vs = values.get(k.id, [])
        if not k.active and not vs:
            continue
        # Each reading is judged by the definition in force for its period; the trend by the
        # definition of the last one (what "better" means now).
        targets = targets_of(histories, k)
        statuses = tuple(evaluate_value(targets.at(p), v) for p, v in vs)
        latest = targets.at(vs[-1][0]) if vs else k
        out[k.id] = KpiOverPeriod(k.id, k.code, k.name, k.active, statuses, trend(latest, [v for _, v in vs]))
    return out


def fulfilment(session: Session, start: date, end: date) -> list[ObjectiveOverPeriod]:
    """Every active objective (and any retired one still measured in the period), by code."""
    kpis = list(session.exec(select(Kpi).where(col(Kpi.objective_id).is_not(None)).order_by(Kpi.code)))
    counted = kpis_over_period(session, start, end, kpis)
    by_objective: dict[int | None, list[KpiOverPeriod]] = {}
    for k in kpis:
        if k.id in counted:
            by_objective.setdefault(k.objective_id, []).append(counted[k.id])
    people = {p.id: p.name for p in session.exec(select(Person))}
    out = []
    for o in session.exec(select(Objective).order_by(Objective.code)):
        rows = tuple(by_objective.get(o.id, []))
        if not o.active and not any(k.readings for k in rows):
            continue
        out.append(ObjectiveOverPeriod(o, people.get(o.owner_id, ""), rows))
    return out


def fulfilment_json(session: Session, start: date, end: date) -> dict[str, Any]:
    """The review's input d4 as JSON-ready values (frozen with the review on approval)."""
    return {
        "period_from": start.isoformat(),
        "period_to": end.isoformat(),
        "objectives": [o.as_json() for o in fulfilment(session, start, end)],
    }
