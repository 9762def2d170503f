from datetime import date

import pytest

from isms_tui.models.enums import Frequency
from isms_tui.services import periods

F = Frequency


@pytest.mark.parametrize(
    ("day", "freq", "start", "label"),
    [
        (date(2026, 11, 28), F.WEEKLY, date(2026, 11, 23), "2026-W48"),
        (date(2026, 1, 1), F.WEEKLY, date(2025, 12, 29), "2026-W01"),
        (date(2026, 11, 28), F.MONTHLY, date(2026, 11, 1), "2026-11"),
        (date(2026, 11, 28), F.QUARTERLY, date(2026, 10, 1), "2026-Q4"),
        (date(2026, 6, 30), F.SEMIANNUAL, date(2026, 1, 1), "2026-H1"),
        (date(2026, 7, 1), F.SEMIANNUAL, date(2026, 7, 1), "2026-H2"),
        (date(2026, 11, 28), F.ANNUAL, date(2026, 1, 1), "2026"),
    ],
)
def test_period_start_and_label(day, freq, start, label):
    assert periods.period_start(day, freq) == start
    assert periods.period_label(start, freq) == label
    assert periods.parse_period(label, freq) == start
    assert periods.parse_period(day.isoformat(), freq) == start


def test_next_previous_and_end_roll_over_years():
    assert periods.next_period(date(2026, 12, 1), F.MONTHLY) == date(2027, 1, 1)
    assert periods.previous_period(date(2026, 1, 1), F.QUARTERLY) == date(2025, 10, 1)
    assert periods.period_end(date(2024, 2, 1), F.MONTHLY) == date(2024, 2, 29)
    assert periods.period_end(date(2026, 10, 1), F.QUARTERLY) == date(2026, 12, 31)


def test_last_closed_period_is_the_one_before_today():
    assert periods.last_closed_period(date(2026, 11, 28), F.MONTHLY) == date(2026, 10, 1)
    assert periods.last_closed_period(date(2026, 11, 1), F.MONTHLY) == date(2026, 10, 1)
    assert periods.last_closed_period(date(2026, 11, 28), F.ANNUAL) == date(2025, 1, 1)


def test_closed_periods_stop_at_start_and_limit():
    got = periods.closed_periods(date(2026, 8, 15), date(2026, 11, 28), F.MONTHLY, 12)
    assert got == (date(2026, 10, 1), date(2026, 9, 1), date(2026, 8, 1))
    assert len(periods.closed_periods(date(2000, 1, 1), date(2026, 11, 28), F.WEEKLY, 5)) == 5


@pytest.mark.parametrize("text", ["2026-13", "2026-W60", "2026-Q5", "yesterday", "", "2026-02-30"])
def test_parse_period_rejects_nonsense(text):
    with pytest.raises(ValueError):
        periods.parse_period(text, F.MONTHLY)
