"""Which values a KPI's reading may take: its own range, or the default for its unit.

A value no chart can draw, or no measure could produce (a percentage of 140, a negative count),
is a typing mistake, not a result; the form, the CSV import and the CLI refuse it by this rule.
"""

from __future__ import annotations

import math
from typing import Protocol

from .formatting import number

# Large enough for any count, duration or amount an ISMS measures; small enough that every
# chart (the TUI's and the pack's) still scales a value of this size.
MAX_MAGNITUDE = 1e12
PERCENT_UNITS = frozenset({"%", "percent", "pct"})
# Counts and durations: never below zero.
NON_NEGATIVE_UNITS = frozenset(
    {
        "#",
        "count",
        "counts",
        "number",
        "items",
        "events",
        "incidents",
        "findings",
        "people",
        "users",
        "staff",
        "systems",
        "assets",
        "hosts",
        "devices",
        "vulnerabilities",
        "s",
        "sec",
        "seconds",
        "min",
        "mins",
        "minutes",
        "h",
        "hrs",
        "hours",
        "d",
        "days",
        "weeks",
        "months",
    }
)


class Ranged(Protocol):
    @property
    def unit(self) -> str: ...
    @property
    def min_value(self) -> float | None: ...
    @property
    def max_value(self) -> float | None: ...


def default_range(unit: str) -> tuple[float, float]:
    """The range a KPI with this unit gets when it names none."""
    key = unit.strip().lower()
    if key in PERCENT_UNITS:
        return 0.0, 100.0
    if key in NON_NEGATIVE_UNITS:
        return 0.0, MAX_MAGNITUDE
    return -MAX_MAGNITUDE, MAX_MAGNITUDE


def allowed_range(kpi: Ranged) -> tuple[float, float]:
    """(lowest, highest) value a reading of `kpi` may have."""
    low, high = default_range(kpi.unit)
    return (
        low if kpi.min_value is None else kpi.min_value,
        high if kpi.max_value is None else kpi.max_value,
    )


def range_text(kpi: Ranged) -> str:
    """'0–100 %', '≥ 0 days', or 'any value' as the user reads the range."""
    low, high = allowed_range(kpi)
    if high >= MAX_MAGNITUDE and low <= -MAX_MAGNITUDE:
        return "any value"
    if high >= MAX_MAGNITUDE:
        return f"≥ {number(low, kpi.unit, strip=True)}"
    if low <= -MAX_MAGNITUDE:
        return f"≤ {number(high, kpi.unit, strip=True)}"
    return f"{number(low, '', strip=True)}–{number(high, kpi.unit, strip=True)}"


def value_problem(kpi: Ranged, value: float) -> str | None:
    """Why `value` cannot be a reading of `kpi`, or None when it can."""
    if not math.isfinite(value):
        return "the value must be a finite number"
    low, high = allowed_range(kpi)
    if low <= value <= high:
        return None
    if abs(value) > MAX_MAGNITUDE:
        return f"{value:g} is too large to be a measurement (at most {MAX_MAGNITUDE:g} either way)"
    return f"{value:g} is outside the KPI's allowed range ({range_text(kpi)})"


def range_errors(unit: str, low: float | None, high: float | None) -> dict[str, str]:
    """Problems of a range typed into a KPI's definition, by field."""
    errors: dict[str, str] = {}
    for key, bound in (("min_value", low), ("max_value", high)):
        if bound is not None and (not math.isfinite(bound) or abs(bound) > MAX_MAGNITUDE):
            errors[key] = f"Between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}."
    if errors:
        return errors
    dlow, dhigh = default_range(unit)
    if (low if low is not None else dlow) >= (high if high is not None else dhigh):
        errors["max_value"] = "The highest allowed value must be above the lowest."
    return errors


THRESHOLDS = ("target", "warning", "target_high", "warning_high")


def threshold_errors(kpi: Ranged, values: dict[str, float | None]) -> dict[str, str]:
    """Targets and warnings (by field) that no reading of `kpi` could reach or cross.

    A percentage target of 140 can never be met, nor a warning of -5 % ever crossed: that is a
    typing mistake in the definition, refused by the same range the readings are held to.
    """
    if range_errors(kpi.unit, kpi.min_value, kpi.max_value):
        return {}  # the range itself is wrong; that is said on its own fields
    low, high = allowed_range(kpi)
    errors: dict[str, str] = {}
    for key in THRESHOLDS:
        value = values.get(key)
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            errors[key] = f"{value:g} is outside the values a reading may have ({range_text(kpi)})."
    return errors
