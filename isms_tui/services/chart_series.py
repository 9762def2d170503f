"""The time axis both trend charts share (the KPI screen and the packs): every period from the
first to the last gets a slot, so a missing reading is a gap rather than a joined line, and
each slot sits at a position proportional to time (months and quarters are not all as long)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from isms_tui.models.enums import Frequency

from . import periods
from .evaluation import Definition, Targets

MAX_SLOTS = 400  # a weekly KPI over more than seven years is drawn over its latest slots only


@dataclass(frozen=True)
class Series:
    """Readings on a time axis: `starts` are period starts, `values` None where none was recorded."""

    starts: list[date]
    values: list[float | None]

    def fractions(self) -> list[float]:
        """Each slot's position on the axis, 0 at the first period and 1 at the last, by time."""
        return time_fractions(self.starts)

    def runs(self) -> list[list[int]]:
        """Indexes of the unbroken stretches of readings: a line joins only the slots of one run."""
        return runs(self.values)


def period_series(
    readings: Sequence[tuple[date, float]],
    freq: Frequency,
    *,
    first: date | None = None,
    last: date | None = None,
) -> Series:
    """Slots for every period from `first` (default: the first reading's) to `last` (default: the
    last reading's), each with its reading or None. Readings outside the range are left out."""
    value_at = dict(readings)
    if not value_at and first is None:
        return Series([], [])
    begin = periods.period_start(first, freq) if first is not None else min(value_at)
    end = last if last is not None else max(value_at, default=begin)
    slots: list[date] = []
    day = begin
    while day <= end:
        slots.append(day)
        day = periods.next_period(day, freq)
    slots = sorted(set(slots) | {d for d in value_at if begin <= d <= end})[-MAX_SLOTS:]
    return Series(slots, [value_at.get(d) for d in slots])


@dataclass(frozen=True)
class Step:
    """A stretch of the time axis (0 to 1) over which one definition was in force."""

    start: float
    end: float
    definition: Definition
    first: date  # the first slot the definition judges


def target_steps(starts: Sequence[date], fractions: Sequence[float], targets: Targets) -> list[Step]:
    """The target lines a chart draws: one stretch per definition in force over the slots, each
    change halfway between the last slot judged by the old definition and the first by the new,
    so every reading sits over the target that judged it."""
    if not starts:
        return [Step(0.0, 1.0, targets.current, date.min)]
    out: list[Step] = []
    begin, first, current = 0.0, starts[0], targets.at(starts[0])
    for i in range(1, len(starts)):
        here = targets.at(starts[i])
        if here != current:
            middle = (fractions[i - 1] + fractions[i]) / 2
            out.append(Step(begin, middle, current, first))
            begin, first, current = middle, starts[i], here
    out.append(Step(begin, 1.0, current, first))
    return out


def time_fractions(days: Sequence[date]) -> list[float]:
    """Positions of `days` between 0 and 1, proportional to the time between them."""
    if not days:
        return []
    first, span = days[0].toordinal(), days[-1].toordinal() - days[0].toordinal()
    if span <= 0:
        return [0.5] * len(days)
    return [(d.toordinal() - first) / span for d in days]


def runs(values: Sequence[float | None]) -> list[list[int]]:
    """Indexes of consecutive values that are not None."""
    out: list[list[int]] = []
    current: list[int] = []
    for i, value in enumerate(values):
        if value is None:
            if current:
                out.append(current)
            current = []
        else:
            current.append(i)
    if current:
        out.append(current)
    return out
