from isms_tui.widgets.trend_chart import Level, render_chart


def test_chart_shows_levels_labels_and_line():
    text = render_chart(
        [10, 20, 30, 25],
        ["2026-01", "2026-02", "2026-03", "2026-04"],
        [Level(22, "green"), Level(15, "yellow")],
        width=50,
        height=10,
    ).plain
    lines = text.splitlines()
    assert len(lines) == 10
    assert any(line.lstrip().startswith("22┤") for line in lines)
    assert any(line.lstrip().startswith("15┤") for line in lines)
    assert "2026-01" in lines[-1] and "2026-04" in lines[-1]
    assert any(0x2800 < ord(ch) <= 0x28FF for ch in text)
    assert all(len(line) <= 50 for line in lines)


def test_chart_without_data_says_so():
    assert render_chart([], [], [Level(1, "green")], 40, 8).plain == "No readings yet."


def test_single_value_and_flat_series_do_not_divide_by_zero():
    assert render_chart([5], ["2026"], [Level(5, "green")], 30, 6).plain
    assert render_chart([0, 0, 0], ["a", "b", "c"], [Level(0, "green")], 30, 6).plain
