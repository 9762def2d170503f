"""The block-character charts of the management review: values stay readable as figures."""

from __future__ import annotations

from isms_tui.widgets.bar_chart import Bar, column_chart, hbar


def test_column_chart_draws_each_bar_with_its_value_above_it():
    chart = column_chart(
        [("2026-Q1", [Bar(2, "red"), Bar(0, "green")]), ("2026-Q2", [Bar(4, "red"), Bar(1, "green")])], height=4
    )
    lines = chart.plain.splitlines()
    assert len(lines) == 4 + 1 + 2  # bars, a row for the tallest label, baseline, period labels
    assert lines[-1].split() == ["2026-Q1", "2026-Q2"]
    assert set(lines[-2]) == {"─"}
    assert lines[0].strip() == "4"  # the tallest bar's label sits on the spare top row
    assert lines[1].count("██") == 1 and lines[4].count("██") == 3  # 4 full rows vs 2 and 1 (0 draws nothing)
    assert "0" in lines[4] and "1" in lines[3]


def test_column_chart_scales_to_a_given_maximum_and_marks_missing_values():
    chart = column_chart(
        [("Q1", [Bar(50, "red")]), ("Q2", [Bar(None, "red")])],
        height=4,
        max_value=100,
        bar_width=4,
        label=lambda v: f"{v:g}%",
    )
    lines = chart.plain.splitlines()
    assert "50%" in lines[2] and lines[3].count("████") == 1 and lines[4].count("████") == 1
    assert "—" in lines[4]  # no data: a dash on the baseline, no bar


def test_a_small_non_zero_value_still_shows():
    assert column_chart([("Q", [Bar(1, "red")])], height=2, max_value=1000).plain.count("▁") == 2
    assert hbar(1, 1000, 10, "red").plain == "▏"
    assert hbar(0, 10, 10, "red").plain == ""
    assert hbar(5, 10, 10, "red").plain == "█████"


def test_no_periods():
    assert column_chart([]).plain == "No periods to show."
