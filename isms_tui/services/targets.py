"""A KPI's target history: the versions of its evaluation definition, loaded for judging
readings and recorded, with the period each applies from and why, when the definition changes.

Judging a past reading by today's target would rewrite the record: a reading is judged by the
version in force for its period (`evaluation.Targets.at`), everywhere it is judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlmodel import Session, col, select

from isms_tui.models import Direction, Frequency, Kpi, KpiTarget, require_id
from isms_tui.models.journal import ACTOR_KEY

from . import clock, periods
from .evaluation import Definition, Targets
from .kpi_reads import VERSIONS_SQL, target_histories
from .plausible import THRESHOLDS, Ranged, threshold_errors

INITIAL_REASON = "initial definition"


@dataclass(frozen=True)
class TargetChange:
    """What a change of definition needs besides the new values: from when, and why."""

    from_period: date | None
    reason: str = ""
    by: str = ""  # who decided it; empty: the person acting (the journal's actor)


class Definable(Protocol):
    """A KPI, or what a user typed for one (whose target may still be missing)."""

    @property
    def direction(self) -> Direction: ...
    @property
    def target(self) -> float | None: ...
    @property
    def warning(self) -> float | None: ...
    @property
    def target_high(self) -> float | None: ...
    @property
    def warning_high(self) -> float | None: ...


class Proposed(Definable, Ranged, Protocol):
    """A new definition with the range its readings are held to (a KpiInput)."""


def definition(values: Definable) -> Definition:
    """The evaluation definition of a KPI or of what a user typed (no range bounds outside a range)."""
    ranged = values.direction == Direction.WITHIN_RANGE
    return Definition(
        values.direction,
        float(values.target or 0.0),
        _float(values.warning),
        _float(values.target_high) if ranged else None,
        _float(values.warning_high) if ranged else None,
    )


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Stated:
    """A definition with the KPI's unit, as `formatting.target_text` writes it."""

    direction: Direction
    unit: str
    target: float
    warning: float | None
    target_high: float | None
    warning_high: float | None


def stated(d: Definition | KpiTarget, unit: str) -> Stated:
    return Stated(d.direction, unit, d.target, d.warning, d.target_high, d.warning_high)


def versions(session: Session, kpi_id: int) -> list[KpiTarget]:
    """Every version of the KPI's definition, oldest first."""
    return list(
        session.exec(
            select(KpiTarget).where(KpiTarget.kpi_id == kpi_id).order_by(col(KpiTarget.from_period), col(KpiTarget.id))
        )
    )


def all_versions(session: Session) -> dict[int, list[KpiTarget]]:
    """Every KPI's versions, oldest first, in one query (for packs)."""
    out: dict[int, list[KpiTarget]] = {}
    for row in session.exec(
        select(KpiTarget).order_by(col(KpiTarget.kpi_id), col(KpiTarget.from_period), col(KpiTarget.id))
    ):
        out.setdefault(row.kpi_id, []).append(row)
    return out


def targets_for(session: Session, kpi: Kpi) -> Targets:
    """The KPI's history for judging its readings (its current definition if it has none)."""
    rows = versions(session, require_id(kpi))
    if not rows:
        return Targets.single(kpi)
    return Targets(tuple(r.from_period for r in rows), tuple(Definition.of(r) for r in rows))


def all_targets(session: Session) -> dict[int, Targets]:
    """Every KPI's history in one query (a KPI without versions is absent: use `Targets.single`)."""
    return target_histories(session.connection().exec_driver_sql(VERSIONS_SQL))


def targets_of(histories: dict[int, Targets], kpi: Kpi) -> Targets:
    """The KPI's history from `all_targets`, or its current definition alone."""
    return histories.get(require_id(kpi)) or Targets.single(kpi)


def first_period(started_on: date, frequency: Frequency) -> date:
    return periods.period_start(started_on, frequency)


def default_from(kpi: Kpi, today: date) -> date:
    """The period a change applies from unless the user says otherwise: the one running now."""
    return periods.period_start(today, kpi.frequency)


def change_errors(
    session: Session,
    kpi: Kpi,
    frequency: Frequency,
    started_on: date,
    change: TargetChange | None,
    proposed: Proposed | None = None,
) -> dict[str, str]:
    """Per-field problems of a definition change: its period and reason (keys from_period, reason)
    and, given the `proposed` definition, any target or warning outside the values a reading may
    have (keys target, warning, target_high, warning_high)."""
    errors: dict[str, str] = {}
    if proposed is not None:
        d = definition(proposed)  # upper bounds only for a range, as they would be stored
        values = {k: getattr(d, k) for k in THRESHOLDS} | {"target": proposed.target}
        errors.update(threshold_errors(proposed, values))
    if change is None or not change.reason.strip():
        errors["reason"] = "Say why the target changes; the reason stays with the target history."
    start = change.from_period if change else None
    if start is None:
        errors["from_period"] = "Required: the first period the new target judges."
        return errors
    label = periods.period_label
    if periods.period_start(start, frequency) != start:
        errors["from_period"] = f"Not the first day of a {frequency.value} period."
        return errors
    first = first_period(started_on, frequency)
    if start < first:
        errors["from_period"] = f"The KPI is measured from {label(first, frequency)}; a target cannot apply before."
        return errors
    rows = versions(session, require_id(kpi))
    if rows and start < rows[-1].from_period:
        latest = label(periods.period_start(rows[-1].from_period, frequency), frequency)
        errors["from_period"] = f"A target already applies from {latest}; choose {latest} or later."
        return errors
    now = periods.period_start(clock.today(), frequency)
    if start > now:
        errors["from_period"] = f"{label(start, frequency)} has not started; choose {label(now, frequency)} or earlier."
    return errors


def record_version(session: Session, kpi: Kpi, from_period: date, reason: str, by: str = "") -> KpiTarget:
    """Store the KPI's (already updated) definition as the version in force from `from_period`."""
    d = definition(kpi)
    row = KpiTarget(
        kpi_id=require_id(kpi),
        from_period=from_period,
        direction=d.direction,
        target=d.target,
        warning=d.warning,
        target_high=d.target_high,
        warning_high=d.warning_high,
        reason=reason.strip(),
        recorded_by=by.strip() or session.info.get(ACTOR_KEY, "") or "unknown",
        recorded_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row
