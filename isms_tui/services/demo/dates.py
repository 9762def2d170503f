"""Calendar steps the demo's history is laid out with: months, weekdays, quarter ends."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from isms_tui.models import Frequency
from isms_tui.services import periods


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the end of shorter months."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def quarter_end(day: date) -> date:
    return periods.period_end(periods.period_start(day, Frequency.QUARTERLY), Frequency.QUARTERLY)


def monday_on_or_after(day: date) -> date:
    return day + timedelta(days=-day.weekday() % 7)


def weekday_on_or_before(day: date) -> date:
    """The day itself on Monday to Friday, else the Friday before."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def weekday_on_or_after(day: date) -> date:
    """The day itself on Monday to Friday, else the Monday after."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() > 4 else 0)


_CLOSED = ((12, 25), (12, 26), (1, 1))  # days the office is closed whatever the weekday


def working_day_on_or_before(day: date) -> date:
    """The day itself on a working day, else the working day before (weekends, 25-26 December
    and 1 January are not): when a record the auditors sample can be dated."""
    day = weekday_on_or_before(day)
    while (day.month, day.day) in _CLOSED or day.weekday() > 4:
        day -= timedelta(days=1)
    return day
