from dataclasses import dataclass
from datetime import date

import pytest

from isms_tui.models.enums import Direction, Frequency, Status
from isms_tui.services.evaluation import evaluate_value, kpi_state, trend

TODAY = date(2026, 11, 28)


@dataclass
class K:
    direction: Direction = Direction.HIGHER_BETTER
    target: float = 95
    warning: float | None = 90
    target_high: float | None = None
    warning_high: float | None = None
    frequency: Frequency = Frequency.MONTHLY
    grace_days: int = 10
    started_on: date = date(2025, 1, 1)


@pytest.mark.parametrize(
    ("kpi", "value", "status"),
    [
        (K(), 95, Status.ON_TARGET),
        (K(), 92, Status.WARNING),
        (K(), 89.9, Status.OFF_TARGET),
        (K(warning=None), 94, Status.OFF_TARGET),
        (K(Direction.LOWER_BETTER, 2, 4), 2, Status.ON_TARGET),
        (K(Direction.LOWER_BETTER, 2, 4), 4, Status.WARNING),
        (K(Direction.LOWER_BETTER, 2, 4), 5, Status.OFF_TARGET),
        (K(Direction.WITHIN_RANGE, 5, 3, 20, 25), 12, Status.ON_TARGET),
        (K(Direction.WITHIN_RANGE, 5, 3, 20, 25), 4, Status.WARNING),
        (K(Direction.WITHIN_RANGE, 5, 3, 20, 25), 24, Status.WARNING),
        (K(Direction.WITHIN_RANGE, 5, 3, 20, 25), 2, Status.OFF_TARGET),
        (K(Direction.WITHIN_RANGE, 5, 3, 20, 25), 26, Status.OFF_TARGET),
    ],
)
def test_evaluate_value(kpi, value, status):
    assert evaluate_value(kpi, value) == status


def test_trend_follows_direction():
    assert trend(K(), [80, 85, 90, 95]) == "improving"
    assert trend(K(Direction.LOWER_BETTER, 2, 4), [1, 2, 3, 5]) == "worsening"
    assert trend(K(), [95, 95, 95]) == "stable"
    assert trend(K(), [95, 96]) == ""


def months(*pairs):
    return [(date(y, m, 1), v) for y, m, v in pairs]


def test_state_no_data_before_first_period_closes():
    state = kpi_state(K(started_on=date(2026, 11, 5)), [], TODAY)
    assert state.status == Status.NO_DATA and state.due_periods == []


def test_state_due_but_not_yet_overdue_within_grace():
    state = kpi_state(K(started_on=date(2026, 10, 1)), [], date(2026, 11, 8))
    assert state.status == Status.NO_DATA
    assert state.due_periods == [date(2026, 10, 1)] and state.overdue_periods == []


def test_state_overdue_when_latest_period_missing_past_grace():
    state = kpi_state(K(started_on=date(2026, 8, 1)), months((2026, 8, 99), (2026, 9, 99)), TODAY)
    assert state.status == Status.OVERDUE
    assert state.overdue_periods == [date(2026, 10, 1)]
    assert state.last_value == 99


def test_old_gap_is_due_but_latest_value_decides_status():
    state = kpi_state(K(started_on=date(2026, 8, 1)), months((2026, 8, 99), (2026, 10, 80)), TODAY)
    assert state.status == Status.OFF_TARGET
    assert state.due_periods == [date(2026, 9, 1)]


def test_overdue_when_an_earlier_period_after_the_last_reading_is_late():
    quarterly = K(frequency=Frequency.QUARTERLY, grace_days=21, started_on=date(2026, 4, 1))
    state = kpi_state(quarterly, [(date(2026, 4, 1), 99)], date(2027, 1, 1))
    assert state.status == Status.OVERDUE  # Q3 late, Q4 still within grace
    assert state.overdue_periods == [date(2026, 7, 1)]
