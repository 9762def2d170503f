"""Readings: one live value per KPI and period; mistakes are voided or corrected, never deleted.

Replacing, correcting or voiding a reading keeps the earlier values in the journal of changes;
a voided reading stays in the record, marked, and counts in no status, trend or evaluation.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from isms_tui.models import Kpi, Reading, require_id

from . import clock, evidence, periods
from .errors import InputError, NotFound
from .evaluation import is_closed
from .kpis import get_kpi
from .numbers import parse_number
from .plausible import value_problem

MAX_REASON_CHARS = 2000


def parse_value(text: str) -> float:
    """A reading's value from user text: required, then the rule of `numbers.parse_number`."""
    if not text.strip():
        raise InputError("Enter the value.", {"value": "Required."})
    return parse_number(text)


def find_reading(session: Session, kpi_id: int, period: date) -> Reading | None:
    """The live (not voided) reading of a KPI for the period starting at `period`."""
    return session.exec(
        select(Reading).where(
            Reading.kpi_id == kpi_id, Reading.period_start == period, col(Reading.voided_at).is_(None)
        )
    ).first()


def check_value(kpi: Kpi, value: float) -> None:
    """Refuse a value the KPI cannot take (not finite, absurd, outside its allowed range)."""
    problem = value_problem(kpi, value)
    if problem is not None:
        raise InputError(f"{kpi.code}: {problem}.", {"value": problem[0].upper() + problem[1:] + "."})


def check_partial(kpi: Kpi, start: date, partial: bool) -> None:
    """A value for a period still running is only taken when the user says it is partial."""
    label = periods.period_label(start, kpi.frequency)
    closed = is_closed(kpi, start, clock.today())
    if not closed and not partial:
        raise InputError(
            f"The period {label} has not closed yet; record the value as partial or wait until it ends.",
            {"partial": "The period is still running: tick partial."},
        )
    if closed and partial:
        raise InputError(
            f"The period {label} has closed; a partial value is only for a period still running.",
            {"partial": "The period has closed."},
        )


def record_reading(
    session: Session,
    kpi_id: int,
    period: date,
    value: float,
    entered_by: str = "",
    note: str = "",
    replace: bool = False,
    attachments: list[str] | None = None,
    *,
    partial: bool = False,
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
    check_value(kpi, value)
    check_partial(kpi, start, partial)
    reading = find_reading(session, kpi_id, start)
    if reading is not None and not replace:
        raise DuplicateReading(kpi, reading)
    if reading is None:
        reading = Reading(kpi_id=kpi_id, period_start=start, value=value, entered_at=clock.now())
    else:  # a replacement is a new measurement: an earlier correction no longer describes it
        reading.corrected_from = reading.corrected_at = None
        reading.corrected_by = reading.correction_reason = ""
    reading.value = value
    reading.partial = partial
    reading.entered_by = entered_by.strip()
    reading.entered_at = clock.now()
    reading.note = note.strip()
    session.add(reading)
    session.flush()
    for path in attachments or []:
        evidence.link(session, evidence.add_file(session, path, entered_by), "reading", require_id(reading))
    return reading


def _reason(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InputError(f"Give the reason for {what}.", {"reason": "Required."})
    if len(reason) > MAX_REASON_CHARS:
        raise InputError(f"The reason is too long (at most {MAX_REASON_CHARS} characters).", {"reason": "Too long."})
    return reason


def get_reading(session: Session, reading_id: int) -> Reading:
    reading = session.get(Reading, reading_id)
    if reading is None:
        raise NotFound(f"No reading with id {reading_id}.")
    return reading


def _live(session: Session, reading_id: int, doing: str) -> tuple[Kpi, Reading]:
    reading = get_reading(session, reading_id)
    kpi = get_kpi(session, reading.kpi_id)
    if reading.voided_at is not None:
        label = periods.period_label(reading.period_start, kpi.frequency)
        raise InputError(f"The reading of {kpi.code} for {label} is voided; it cannot be {doing}.")
    return kpi, reading


def void_reading(session: Session, reading_id: int, reason: str, by: str = "") -> Reading:
    """Mark a reading as void: it stays in the record, marked, and counts nowhere.

    Its period has no live reading afterwards, so it is due again and can be measured anew.
    """
    reason = _reason(reason, "voiding the reading")
    _, reading = _live(session, reading_id, "voided again")
    reading.voided_at = clock.now()
    reading.voided_by = by.strip()
    reading.void_reason = reason
    session.add(reading)
    session.flush()
    return reading


def correct_reading(session: Session, reading_id: int, value: float, reason: str, by: str = "") -> Reading:
    """Replace a reading's value with the right one; the old value and the reason stay visible."""
    reason = _reason(reason, "the correction")
    kpi, reading = _live(session, reading_id, "corrected")
    value = float(value)
    check_value(kpi, value)
    if value == reading.value:
        raise InputError(f"The reading is already {value:g}; nothing to correct.", {"value": "Unchanged."})
    reading.corrected_from = reading.value
    reading.value = value
    reading.corrected_at = clock.now()
    reading.corrected_by = by.strip()
    reading.correction_reason = reason
    session.add(reading)
    session.flush()
    return reading


def reading_by_period(session: Session, kpi_code: str, period_text: str) -> Reading:
    """The live reading named by a KPI code and a period label or a date in it (the CLI's way)."""
    from .kpis import kpi_by_code

    kpi = kpi_by_code(session, kpi_code)
    if kpi is None:
        raise InputError(f"There is no KPI with the code {kpi_code!r}.")
    try:
        start = periods.parse_period(period_text, kpi.frequency)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    reading = find_reading(session, require_id(kpi), start)
    if reading is None:
        label = periods.period_label(start, kpi.frequency)
        raise InputError(f"{kpi.code} has no live reading for {label}.")
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
    """Live readings of one KPI, oldest first (the newest `limit` when given)."""
    q = (
        select(Reading)
        .where(Reading.kpi_id == kpi_id, col(Reading.voided_at).is_(None))
        .order_by(col(Reading.period_start).desc())
    )
    if limit:
        q = q.limit(limit)
    return list(reversed(list(session.exec(q))))
