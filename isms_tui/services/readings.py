"""Readings: one value per KPI and period; replacing one keeps the old value in the journal."""

from __future__ import annotations

import math
from datetime import date

from sqlmodel import Session, col, select

from isms_tui.models import Kpi, Reading, require_id

from . import clock, evidence, periods
from .errors import InputError
from .kpis import get_kpi
from .numbers import parse_number


def parse_value(text: str) -> float:
    """A reading's value from user text: required, then the rule of `numbers.parse_number`."""
    if not text.strip():
        raise InputError("Enter the value.", {"value": "Required."})
    return parse_number(text)


def find_reading(session: Session, kpi_id: int, period: date) -> Reading | None:
    return session.exec(select(Reading).where(Reading.kpi_id == kpi_id, Reading.period_start == period)).first()


def record_reading(
    session: Session,
    kpi_id: int,
    period: date,
    value: float,
    entered_by: str = "",
    note: str = "",
    replace: bool = False,
    attachments: list[str] | None = None,
) -> Reading:
    """Record the value for the period containing `period`.

    A reading already present for that period is only replaced when `replace` is true; the
    replaced value survives in the journal of changes.
    """
    kpi = get_kpi(session, kpi_id)
    value = float(value)
    start = periods.period_start(period, kpi.frequency)
    if start > clock.today():
        raise InputError(
            f"The period {periods.period_label(start, kpi.frequency)} has not started yet.",
            {"period": "In the future."},
        )
    if not math.isfinite(value):
        raise InputError("The value must be a finite number.", {"value": "Not finite."})
    reading = find_reading(session, kpi_id, start)
    if reading is not None and not replace:
        raise DuplicateReading(kpi, reading)
    if reading is None:
        reading = Reading(kpi_id=kpi_id, period_start=start, value=value, entered_at=clock.now())
    reading.value = value
    reading.entered_by = entered_by.strip()
    reading.entered_at = clock.now()
    reading.note = note.strip()
    session.add(reading)
    session.flush()
    for path in attachments or []:
        evidence.link(session, evidence.add_file(session, path, entered_by), "reading", require_id(reading))
    return reading


class DuplicateReading(InputError):
    """A reading exists for this KPI and period; the caller may ask to replace it."""

    def __init__(self, kpi: Kpi, existing: Reading) -> None:
        label = periods.period_label(existing.period_start, kpi.frequency)
        super().__init__(
            f"{kpi.code} already has a reading for {label} ({existing.value:g}).",
            {"period": "Already recorded."},
        )
        self.existing = existing


def readings_for(session: Session, kpi_id: int, limit: int | None = None) -> list[Reading]:
    """Readings of one KPI, oldest first (the newest `limit` when given)."""
    q = select(Reading).where(Reading.kpi_id == kpi_id).order_by(col(Reading.period_start).desc())
    if limit:
        q = q.limit(limit)
    return list(reversed(list(session.exec(q))))
