"""Clause 9.1: KPI definitions, readings and analysis records."""

from datetime import date, datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from .enums import Direction, Frequency, KpiType


class Kpi(SQLModel, table=True):
    """A measurement construct: what, how, when and who, with a target to evaluate against."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True)
    name: str
    information_need: str = ""
    objective_id: int | None = Field(default=None, foreign_key="objective.id", ondelete="SET NULL")
    requirements: str = ""  # comma-separated refs, e.g. "9.1, A.5.24"
    kpi_type: KpiType = KpiType.EFFECTIVENESS
    method: str = ""
    unit: str = ""
    direction: Direction = Direction.HIGHER_BETTER
    target: float
    warning: float | None = None
    # Upper bounds, used only when direction is WITHIN_RANGE.
    target_high: float | None = None
    warning_high: float | None = None
    frequency: Frequency = Frequency.MONTHLY
    grace_days: int = 10
    collector_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    analyst_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    analysis_frequency: Frequency = Frequency.QUARTERLY
    data_source: str = ""
    reporting_format: str = ""
    started_on: date
    active: bool = True
    # The values a reading may take; None means the default for the unit (services/plausible.py).
    min_value: float | None = None
    max_value: float | None = None


class KpiTarget(SQLModel, table=True):
    """One version of a KPI's evaluation definition and the first period it judges.

    A reading is judged by the version in force for its period (the newest one whose
    `from_period` is not after it), so changing a target never re-grades the past. The Kpi
    row's own target columns mirror the newest version, for forms and lists.
    """

    __tablename__ = "kpi_target"
    __table_args__ = (Index("ix_kpi_target_kpi", "kpi_id", "from_period"),)

    id: int | None = Field(default=None, primary_key=True)
    kpi_id: int = Field(foreign_key="kpi.id", ondelete="RESTRICT")
    from_period: date  # a period start of the KPI's frequency
    direction: Direction
    target: float
    warning: float | None = None
    target_high: float | None = None
    warning_high: float | None = None
    reason: str = ""
    recorded_by: str = ""
    recorded_at: datetime


class Reading(SQLModel, table=True):
    """One measured value per KPI and period (identified by the period's first day).

    A wrong reading is never deleted: it is voided (it stays, marked, and counts nowhere) or
    corrected (the value is replaced; the value before the last correction and the reason stay
    on the row, every earlier one in the journal). Only one live (not voided) reading per KPI
    and period exists, so a voided period can be measured again.
    """

    __table_args__ = (
        Index("uq_reading_live_period", "kpi_id", "period_start", unique=True, sqlite_where=text("voided_at IS NULL")),
        # Voided readings are few: a partial index finds a KPI's without slowing bulk imports.
        Index("ix_reading_voided", "kpi_id", sqlite_where=text("voided_at IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The unique (kpi_id, period_start) index serves lookups by KPI. No other index: one on
    # period_start alone cost a 100k-row import over a second of scattered page writes and
    # saved the period queries (packs, reviews) nothing measurable over a table scan.
    kpi_id: int = Field(foreign_key="kpi.id", ondelete="RESTRICT")
    period_start: date
    value: float
    entered_by: str = ""
    entered_at: datetime
    note: str = ""
    partial: bool = False  # recorded before its period closed, on purpose
    voided_at: datetime | None = None
    voided_by: str = ""
    void_reason: str = ""
    corrected_from: float | None = None  # the value before the last correction
    corrected_at: datetime | None = None
    corrected_by: str = ""
    correction_reason: str = ""


class Analysis(SQLModel, table=True):
    """An analysis/evaluation record: who looked at the data, when, and what they concluded."""

    id: int | None = Field(default=None, primary_key=True)
    kpi_id: int | None = Field(default=None, foreign_key="kpi.id", index=True, ondelete="RESTRICT")
    period_start: date
    analyst_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    analysed_on: date
    conclusion: str
    follow_up: str = ""


class IsmsEvaluation(SQLModel, table=True):
    """9.1: a judgement on the ISMS as a whole for a period, kept apart from the per-KPI
    analyses because it concludes twice (on performance and on effectiveness) over a range
    of dates and names the data it was based on."""

    id: int | None = Field(default=None, primary_key=True)
    period_from: date
    period_to: date
    evaluator_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    evaluated_on: date = Field(index=True)
    performance: str  # the conclusion on information security performance
    effectiveness: str  # the conclusion on the effectiveness of the ISMS
    basis: str = ""  # what was looked at
    follow_up: str = ""  # one follow-up a line; each may have raised an action (source "evaluation")
