"""Closed vocabularies of the domain, shared by models, services and screens."""

from enum import StrEnum


class Frequency(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"


class Direction(StrEnum):
    HIGHER_BETTER = "higher"
    LOWER_BETTER = "lower"
    WITHIN_RANGE = "range"


class KpiType(StrEnum):
    IMPLEMENTATION = "implementation"
    EFFECTIVENESS = "effectiveness"
    IMPACT = "impact"


class Status(StrEnum):
    """Evaluation of a KPI; the order is the order of urgency on screens."""

    OFF_TARGET = "off target"
    OVERDUE = "overdue"
    WARNING = "warning"
    NO_DATA = "no data"
    ON_TARGET = "on target"
