"""Measurement periods: which period a date falls in, its label, when it closes.

A period is identified by its first day. Weekly periods start on Monday (ISO weeks).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from isms_tui.models.enums import Frequency

_MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.SEMIANNUAL: 6,
    Frequency.ANNUAL: 12,
}


def period_start(day: date, freq: Frequency) -> date:
    """First day of the period of `freq` that contains `day`."""
    if freq == Frequency.WEEKLY:
        return day - timedelta(days=day.weekday())
    months = _MONTHS[freq]
    month = (day.month - 1) // months * months + 1
    return date(day.year, month, 1)


def next_period(start: date, freq: Frequency) -> date:
    """First day of the period after the one starting at `start`."""
    if freq == Frequency.WEEKLY:
        return start + timedelta(days=7)
    month0 = start.month - 1 + _MONTHS[freq]
    return date(start.year + month0 // 12, month0 % 12 + 1, 1)


def previous_period(start: date, freq: Frequency) -> date:
    if freq == Frequency.WEEKLY:
        return start - timedelta(days=7)
    month0 = start.month - 1 - _MONTHS[freq]
    return date(start.year + month0 // 12, month0 % 12 + 1, 1)


def period_end(start: date, freq: Frequency) -> date:
    """Last day of the period starting at `start`."""
    return next_period(start, freq) - timedelta(days=1)


def last_closed_period(today: date, freq: Frequency) -> date:
    """Start of the most recent period that has fully ended before `today`."""
    return previous_period(period_start(today, freq), freq)


@lru_cache(maxsize=1024)
def closed_periods(since: date, today: date, freq: Frequency, limit: int) -> tuple[date, ...]:
    """Up to `limit` closed periods, newest first, none starting before the period of `since`.

    Cached: every refresh of the overview asks this for each KPI, and KPIs share their
    frequencies and start dates.
    """
    first = period_start(since, freq)
    out: list[date] = []
    p = last_closed_period(today, freq)
    while p >= first and len(out) < limit:
        out.append(p)
        p = previous_period(p, freq)
    return tuple(out)


def period_label(start: date, freq: Frequency) -> str:
    """Human label: 2026-W05, 2026-03, 2026-Q1, 2026-H1, 2026."""
    if freq == Frequency.WEEKLY:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if freq == Frequency.MONTHLY:
        return f"{start.year}-{start.month:02d}"
    if freq == Frequency.QUARTERLY:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if freq == Frequency.SEMIANNUAL:
        return f"{start.year}-H{(start.month - 1) // 6 + 1}"
    return f"{start.year}"


def parse_period(text: str, freq: Frequency) -> date:
    """Parse a period label or any ISO date inside the period; raises ValueError."""
    text = text.strip()
    try:
        return period_start(date.fromisoformat(text), freq)
    except ValueError:
        pass
    for candidate in _label_candidates(text):
        if period_label(period_start(candidate, freq), freq) == text:
            return period_start(candidate, freq)
    raise ValueError(f"'{text}' is not a date (YYYY-MM-DD) or a {freq.value} period label.")


def _label_candidates(text: str) -> list[date]:
    import re

    if m := re.fullmatch(r"(\d{4})-W(\d{2})", text):
        try:
            return [date.fromisocalendar(int(m[1]), int(m[2]), 1)]
        except ValueError:
            return []
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        return [date(int(m[1]), int(m[2]), 1)] if 1 <= int(m[2]) <= 12 else []
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        return [date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1)]
    if m := re.fullmatch(r"(\d{4})-H([12])", text):
        return [date(int(m[1]), (int(m[2]) - 1) * 6 + 1, 1)]
    if m := re.fullmatch(r"(\d{4})", text):
        return [date(int(m[1]), 1, 1)]
    return []
