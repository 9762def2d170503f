"""The target line follows the history in steps: each reading sits over the target that judged it."""

from datetime import date

from isms_tui.models import Direction
from isms_tui.services.chart_series import target_steps, time_fractions
from isms_tui.services.evaluation import Definition, Targets
from isms_tui.widgets.trend_chart import render_chart, step_levels

OLD, NEW = Definition(Direction.HIGHER_BETTER, 90.0, 80.0), Definition(Direction.HIGHER_BETTER, 95.0, 85.0)
HISTORY = Targets((date(2026, 1, 1), date(2026, 4, 1)), (OLD, NEW))
SLOTS = [date(2026, m, 1) for m in range(1, 7)]


def test_steps_change_halfway_between_the_last_old_and_the_first_new_period():
    fractions = time_fractions(SLOTS)
    first, second = target_steps(SLOTS, fractions, HISTORY)
    assert (first.definition, second.definition) == (OLD, NEW)
    assert first.start == 0.0 and second.end == 1.0 and first.end == second.start
    assert fractions[2] < first.end < fractions[3]
    assert second.first == date(2026, 4, 1)
    (only,) = target_steps(SLOTS[:3], time_fractions(SLOTS[:3]), HISTORY)  # no change within the chart
    assert only.definition == OLD


def test_the_braille_chart_draws_each_target_only_over_its_own_periods():
    steps = target_steps(SLOTS, time_fractions(SLOTS), HISTORY)
    lines = render_chart([92, 92, 92, 97, 97, 97], [str(d) for d in SLOTS], step_levels(steps), 60, 16).plain
    row_90 = next(line for line in lines.splitlines() if line.lstrip().startswith("90┤"))
    row_95 = next(line for line in lines.splitlines() if line.lstrip().startswith("95┤"))
    plot_90, plot_95 = row_90.split("┤", 1)[1], row_95.split("┤", 1)[1]
    half = len(plot_90) // 2
    assert "─" in plot_90[:half] and "─" not in plot_90[half + 3 :]  # the old target, then no more
    assert "─" not in plot_95[: half - 3] and "─" in plot_95[half:]  # the new one from its period
