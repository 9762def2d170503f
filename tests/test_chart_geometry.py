"""The trend charts tell time: the geometry of the pack's chart (reports/layout/charts.py) and of
the KPI screen's (widgets/trend_chart.py), over the shared time axis (services/chart_series.py).
Held to: a missing period is a gap, x is proportional to time, the line never leaves the range
of the data (straight segments, no smoothing, no axis below zero for a count)."""

from __future__ import annotations

from datetime import date

from isms_tui.models.enums import Frequency
from isms_tui.services.chart_series import period_series, runs, time_fractions

MONTHS = [date(2026, m, 1) for m in (1, 2, 3, 5, 6, 9)]  # April, July and August missing
VALUES = [4.0, 0.0, 7.0, 2.0, 3.0, 0.0]


def test_every_missing_period_is_an_empty_slot() -> None:
    series = period_series(list(zip(MONTHS, VALUES, strict=True)), Frequency.MONTHLY)
    assert series.starts == [date(2026, m, 1) for m in range(1, 10)]
    assert series.values == [4.0, 0.0, 7.0, None, 2.0, 3.0, None, None, 0.0]
    assert series.runs() == [[0, 1, 2], [4, 5], [8]]


def test_slots_sit_where_their_time_is() -> None:
    series = period_series(list(zip(MONTHS, VALUES, strict=True)), Frequency.MONTHLY)
    fractions = series.fractions()
    span = (date(2026, 9, 1) - date(2026, 1, 1)).days
    for day, fraction in zip(series.starts, fractions, strict=True):
        assert abs(fraction - (day - date(2026, 1, 1)).days / span) < 1e-9
    assert fractions[2] - fractions[1] < fractions[1] - fractions[0]  # February is shorter than January
    assert time_fractions([date(2026, 1, 1)]) == [0.5]
    assert runs([None, None]) == []


def _pdf_chart(values, fractions=None):
    import isms_tui.reports.layout as L

    lines = [L.ChartLine(3.0, "target", L.GREEN_LINE), L.ChartLine(5.0, "warning", L.AMBER_LINE, True)]
    labels = [f"p{i}" for i in range(len(values))]
    return L.TrendChart(labels, values, lines, [None] * len(values), fractions=fractions)


def test_pdf_chart_breaks_the_line_at_a_missing_period_and_spaces_by_time() -> None:
    series = period_series(list(zip(MONTHS, VALUES, strict=True)), Frequency.MONTHLY)
    chart = _pdf_chart(series.values, series.fractions())
    plot = chart.plot()
    assert len(plot.segments) == 3
    assert [len(s) for s in plot.segments] == [3, 2, 1]
    width = plot.xs[-1] - plot.xs[0]
    assert width > 0
    for x, fraction in zip(plot.xs, series.fractions(), strict=True):
        assert abs((x - plot.xs[0]) / width - fraction) < 1e-9
    # the gap: no segment spans April, July or August
    for segment in plot.segments:
        xs = [x for x, _y in segment]
        for missing in (3, 6, 7):
            assert not (min(xs) < plot.xs[missing] < max(xs))


def test_pdf_chart_never_draws_beyond_the_data_and_never_below_zero_for_a_count() -> None:
    chart = _pdf_chart([0.0, 7.0, 0.0, 1.0, 0.0])
    plot = chart.plot()
    data_ys = [y for y in plot.ys if y is not None]
    for segment in plot.segments:
        for _x, y in segment:
            assert min(data_ys) - 1e-9 <= y <= max(data_ys) + 1e-9
        # straight lines through the readings only: the segment's points are the readings' points
        assert all(point in zip(plot.xs, plot.ys, strict=True) for point in segment)
    assert plot.lo == 0.0 and min(plot.ticks) >= 0


def test_pdf_chart_draws_a_reading_on_the_target_line_on_top_of_it() -> None:
    """The series is drawn after the reference lines, over a white halo wider than the target
    line: a reading lying on the target stays visible."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    chart = _pdf_chart([3.0, 3.0, 3.0])
    buf = io.BytesIO()
    canvas = Canvas(buf)
    calls: list[tuple[str, tuple]] = []
    for name in ("line", "drawPath", "setLineWidth", "setStrokeColor"):
        original = getattr(canvas, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls.append((_name, args))
            return _original(*args, **kwargs)

        setattr(canvas, name, spy)
    chart.drawOn(canvas, 0, 0)
    names = [name for name, _args in calls]
    last_reference = max(i for i, (name, _a) in enumerate(calls) if name == "line" and i < names.index("drawPath"))
    first_path = names.index("drawPath")
    assert last_reference < first_path
    widths = [args[0] for name, args in calls[:first_path] if name == "setLineWidth"]
    assert widths[-1] > 1.1  # the halo is wider than the target line (1.1 pt)


def test_tui_chart_leaves_gaps_and_spaces_by_time() -> None:
    from isms_tui.widgets.trend_chart import chart_pixels

    series = period_series(list(zip(MONTHS, VALUES, strict=True)), Frequency.MONTHLY)
    px_w = 161
    lo, hi = 0.0, 7.0

    def py(v: float) -> int:
        return round((hi - v) / (hi - lo) * 39)

    xs, pixels = chart_pixels(series.values, series.fractions(), px_w, py)
    for x, fraction in zip(xs, series.fractions(), strict=True):
        assert abs(x - fraction * (px_w - 1)) <= 0.5
    # nothing drawn strictly between March and May, or between June and September
    for left, right in ((2, 4), (5, 8)):
        assert not any(xs[left] < x < xs[right] for x, _y in pixels)
    # every dot lies within the data's range
    assert all(py(7.0) <= y <= py(0.0) for _x, y in pixels)


def test_tui_chart_axis_stops_at_zero_and_a_reading_on_the_target_shows() -> None:
    from isms_tui.widgets.trend_chart import Level, render_chart

    text = render_chart([0.0, 2.0, 2.0, 2.0, 1.0], list("abcde"), [Level(2.0, "green")], 40, 10).plain
    rows = text.splitlines()
    assert not any(row.lstrip().startswith("-") for row in rows)
    target_row = next(row for row in rows if row.lstrip().startswith("2┤"))
    assert any(0x2800 < ord(ch) <= 0x28FF for ch in target_row)
