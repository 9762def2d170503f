"""Evaluation of readings against a KPI's target, and of a KPI as a whole.

Pure functions over plain values, so the dashboard, the CLI and the packs agree by construction.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from isms_tui.models.enums import Direction, Frequency, Status

from . import periods

DUE_LOOKBACK = 12  # closed periods examined for missing readings
TREND_WINDOW = 6


class Target(Protocol):
    """How a value is judged: a KPI's definition (read-only, so frozen versions fit too)."""

    @property
    def direction(self) -> Direction: ...
    @property
    def target(self) -> float: ...
    @property
    def warning(self) -> float | None: ...
    @property
    def target_high(self) -> float | None: ...
    @property
    def warning_high(self) -> float | None: ...


@dataclass(frozen=True, slots=True)
class Definition:
    """A KPI's evaluation definition as plain values (reading ORM attributes for every one of
    thousands of readings cost most of a dashboard refresh)."""

    direction: Direction
    target: float
    warning: float | None = None
    target_high: float | None = None
    warning_high: float | None = None

    @classmethod
    def of(cls, kpi: Target) -> Definition:
        return cls(kpi.direction, kpi.target, kpi.warning, kpi.target_high, kpi.warning_high)


@dataclass(frozen=True)
class Targets:
    """Every version of a KPI's definition with the first period each applies to, oldest first.

    `at(period)` is the definition in force for a reading of that period: the newest version
    whose start is not after it (of two from the same period, the one recorded last). A period
    before the first version, which only a KPI whose start date was moved back can have, is
    judged by the first version.
    """

    starts: tuple[date, ...]
    definitions: tuple[Definition, ...]

    @classmethod
    def single(cls, kpi: Target) -> Targets:
        """One definition for all time: the KPI's current one."""
        return cls((date.min,), (Definition.of(kpi),))

    def at(self, period: date) -> Definition:
        return self.definitions[max(bisect_right(self.starts, period) - 1, 0)]

    @property
    def current(self) -> Definition:
        return self.definitions[-1]

    @property
    def changed(self) -> bool:
        """Whether more than one definition ever applied (a chart then draws steps)."""
        return len(set(self.definitions)) > 1


class Schedule(Protocol):
    frequency: Frequency
    grace_days: int
    started_on: date


def evaluate_value(kpi: Target, value: float) -> Status:
    """On target, warning or off target for one value."""
    if kpi.direction == Direction.HIGHER_BETTER:
        if value >= kpi.target:
            return Status.ON_TARGET
        if kpi.warning is not None and value >= kpi.warning:
            return Status.WARNING
        return Status.OFF_TARGET
    if kpi.direction == Direction.LOWER_BETTER:
        if value <= kpi.target:
            return Status.ON_TARGET
        if kpi.warning is not None and value <= kpi.warning:
            return Status.WARNING
        return Status.OFF_TARGET
    high = kpi.target_high if kpi.target_high is not None else kpi.target
    if kpi.target <= value <= high:
        return Status.ON_TARGET
    low_w = kpi.warning if kpi.warning is not None else kpi.target
    high_w = kpi.warning_high if kpi.warning_high is not None else high
    if low_w <= value <= high_w:
        return Status.WARNING
    return Status.OFF_TARGET


def goodness(kpi: Target, value: float) -> float:
    """A number that grows as the value gets better, used for trends."""
    if kpi.direction == Direction.HIGHER_BETTER:
        return value
    if kpi.direction == Direction.LOWER_BETTER:
        return -value
    high = kpi.target_high if kpi.target_high is not None else kpi.target
    return -abs(value - (kpi.target + high) / 2)


def trend(kpi: Target, values: Sequence[float]) -> str:
    """'improving', 'worsening', 'stable' or '' over the last values (oldest first)."""
    ys = [goodness(kpi, v) for v in values[-TREND_WINDOW:]]
    n = len(ys)
    if n < 3:
        return ""
    mean_x = (n - 1) / 2
    mean_y = sum(ys) / n
    sxx = sum((i - mean_x) ** 2 for i in range(n))
    slope = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(ys)) / sxx
    scale = max(abs(kpi.target), max(abs(y) for y in ys), 1e-9)
    relative = slope * (n - 1) / scale
    if relative > 0.05:
        return "improving"
    if relative < -0.05:
        return "worsening"
    return "stable"


@dataclass(frozen=True)
class KpiState:
    """What a screen or report needs to show one KPI's health."""

    status: Status
    last_period: date | None = None
    last_value: float | None = None
    trend: str = ""
    due_periods: list[date] = field(default_factory=list)  # closed periods without a reading, newest first
    overdue_periods: list[date] = field(default_factory=list)


def due_date(kpi: Schedule, start: date) -> date:
    """The day after which a missing reading for the period at `start` is overdue."""
    return periods.period_end(start, kpi.frequency) + timedelta(days=kpi.grace_days)


def is_late(kpi: Schedule, start: date, entered_at: datetime | date) -> bool:
    """Whether a reading of the period at `start` was recorded after the period's due date.

    The one rule behind the late marker of the KPI detail, the CSV export and the pack: a
    value typed in long after its period closed is not the same evidence as one taken on time.
    """
    day = entered_at.date() if isinstance(entered_at, datetime) else entered_at
    return day > due_date(kpi, start)


def is_closed(kpi: Schedule, start: date, today: date) -> bool:
    """Whether the period at `start` has ended before `today` (a full period's value can exist)."""
    return periods.period_end(start, kpi.frequency) < today


class Monitored(Target, Schedule, Protocol):
    """A KPI as its state needs it: a target to evaluate against and a schedule of readings."""


def kpi_state(
    kpi: Monitored, readings: Sequence[tuple[date, float]], today: date, targets: Targets | None = None
) -> KpiState:
    """Status of a KPI from its readings (period start, value), oldest first.

    The last reading is judged by the definition in force for its period (`targets`; without
    one, the KPI's current definition). The trend asks whether the values move the way the
    definition of the last reading calls better.

    A KPI is overdue when a period after its last reading is missing past the grace days: a
    stale on-target value must not look healthy. Gaps before the last reading stay listed as
    due periods but do not hide the current result.
    """
    have = {p for p, _ in readings}
    due = [p for p in periods.closed_periods(kpi.started_on, today, kpi.frequency, DUE_LOOKBACK) if p not in have]
    overdue = [p for p in due if today > due_date(kpi, p)]
    values = [v for _, v in readings]
    last_period, last_value = readings[-1] if readings else (None, None)
    if any(last_period is None or p > last_period for p in overdue):
        status = Status.OVERDUE
    elif last_value is None:
        status = Status.NO_DATA
    else:
        status = evaluate_value(_in_force(kpi, targets, last_period), last_value)
    return KpiState(status, last_period, last_value, trend(_in_force(kpi, targets, last_period), values), due, overdue)


def _in_force(kpi: Target, targets: Targets | None, period: date | None) -> Target:
    if targets is None:
        return kpi
    return targets.at(period) if period is not None else targets.current
