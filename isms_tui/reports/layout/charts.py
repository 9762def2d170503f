"""The trend chart of a KPI: its readings against the target and warning lines."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
)

from .theme import FRAME_W, GRID, INK, MUTED, RULE, Tone, fonts

# -- charts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartLine:
    """A horizontal reference line: a target (solid) or a threshold (dashed), drawn across the
    stretch of the time axis (0 to 1) over which it was in force."""

    value: float
    label: str
    colour: colors.Color
    dashed: bool = False
    start: float = 0.0
    end: float = 1.0
    legend: bool = True  # named in the legend (a stretch before a change is not)


@dataclass(frozen=True)
class Plot:
    """Where a chart draws its readings (points on the canvas, in points from the chart's corner).

    Kept apart from the drawing so tests can hold the geometry to its promises: x proportional
    to time, a line only between readings of consecutive periods, y never beyond the data."""

    xs: list[float]
    ys: list[float | None]  # None where a period has no reading
    segments: list[list[tuple[float, float]]]  # straight lines through consecutive readings
    lo: float  # the value at the bottom of the plot area
    hi: float  # the value at its top
    ticks: list[float]


GREEN_LINE = colors.HexColor("#2E8B3E")
AMBER_LINE = colors.HexColor("#D9A400")
SERIES = colors.HexColor("#1F4E8C")


class TrendChart(Flowable):  # type: ignore[misc]  # reportlab has no type stubs
    """Readings over the periods of the pack against the target and the warning threshold.

    Drawn straight onto the canvas (a few dozen operations per chart): hundreds of KPIs must
    not each pay for a graphics tree. Points carry their status colour and the legend names
    every line with its value, so the chart reads without colour too.
    """

    def __init__(
        self,
        labels: Sequence[str],
        values: Sequence[float | None],
        lines: Sequence[ChartLine],
        point_tones: Sequence[Tone | None],
        *,
        unit: str = "",
        height: float = 48 * mm,
        width: float | None = None,
        fractions: Sequence[float] | None = None,
    ) -> None:
        """`fractions` place each period on the time axis (0 to 1, see services/chart_series.py);
        without them the periods are spaced evenly."""
        super().__init__()
        self.fractions = list(fractions) if fractions is not None else None
        self.labels = list(labels)
        self.values = list(values)
        self.lines = list(lines)
        self.point_tones = list(point_tones)
        self.unit = unit
        self.width = width or FRAME_W
        self.height = height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def _range(self) -> tuple[float, float]:
        vals = [v for v in self.values if v is not None] + [ln.value for ln in self.lines]
        if not vals:
            return 0.0, 1.0
        lo, hi = min(vals), max(vals)
        if hi == lo:
            pad = abs(hi) * 0.1 or 1.0
            return lo - pad, hi + pad
        pad = (hi - lo) * 0.12
        lo2 = lo - pad
        if lo >= 0 > lo2:
            lo2 = 0.0
        return lo2, hi + pad

    LEFT, RIGHT, BOTTOM, TOP = 34.0, 8.0, 24.0, 6.0

    def plot(self) -> Plot:
        """The chart's geometry: x by time, straight segments only within runs of readings."""
        left, bottom = self.LEFT, self.BOTTOM
        pw, ph = self.width - left - self.RIGHT, self.height - bottom - self.TOP
        lo, hi = self._range()
        ticks = _nice_ticks(lo, hi)
        lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
        n = len(self.values)
        if self.fractions is not None and len(self.fractions) == n:
            xs = [left + f * pw for f in self.fractions]
        else:
            xs = [left + (i * pw / (n - 1) if n > 1 else pw / 2) for i in range(n)]
        ys = [None if v is None else bottom + (v - lo) / (hi - lo) * ph for v in self.values]
        segments: list[list[tuple[float, float]]] = []
        run: list[tuple[float, float]] = []
        for x, y in zip(xs, ys, strict=True):
            if y is None:
                if run:
                    segments.append(run)
                run = []
            else:
                run.append((x, y))
        if run:
            segments.append(run)
        return Plot(xs, ys, segments, lo, hi, ticks)

    def draw(self) -> None:
        c = self.canv
        f = fonts()
        left, bottom = self.LEFT, self.BOTTOM
        pw, ph = self.width - left - self.RIGHT, self.height - bottom - self.TOP
        plot = self.plot()
        lo, hi, ticks = plot.lo, plot.hi, plot.ticks

        def y_of(v: float) -> float:
            return bottom + (v - lo) / (hi - lo) * ph

        c.saveState()
        # grid and y-axis labels
        c.setLineWidth(0.3)
        c.setStrokeColor(GRID)
        c.setFont(f.regular, 6.4)
        c.setFillColor(MUTED)
        for t in ticks:
            y = y_of(t)
            c.line(left, y, left + pw, y)
            c.drawRightString(left - 3, y - 2.2, _fmt_tick(t))
        c.setStrokeColor(RULE)
        c.setLineWidth(0.6)
        c.line(left, bottom, left + pw, bottom)
        # reference lines
        for ln in self.lines:
            c.setStrokeColor(ln.colour)
            c.setLineWidth(1.1)
            c.setDash(3, 2) if ln.dashed else c.setDash()
            y = y_of(ln.value)
            if ln.end > ln.start:
                c.line(left + ln.start * pw, y, left + ln.end * pw, y)
        c.setDash()
        n = len(self.values)
        xs = plot.xs
        # the series: straight lines through the readings (never smoothed past them), broken where
        # a period has no reading; drawn over a white halo so a reading lying on the target line
        # still shows
        path = c.beginPath()
        for segment in plot.segments:
            path.moveTo(*segment[0])
            for point in segment[1:]:
                path.lineTo(*point)
        c.setLineJoin(1)
        c.setStrokeColor(colors.white)
        c.setLineWidth(3.2)
        c.drawPath(path, stroke=1, fill=0)
        c.setStrokeColor(SERIES)
        c.setLineWidth(1.3)
        c.drawPath(path, stroke=1, fill=0)
        # Points in their status colour: a zero-length stroke with round caps is a dot, and one
        # path per colour costs a fraction of a circle per point.
        c.setLineCap(1)
        c.setLineWidth(4.2 if n <= 26 else 3.0)
        by_colour: dict[str, tuple[colors.Color, list[tuple[float, float]]]] = {}
        for x, point_y, tone in zip(xs, plot.ys, self.point_tones, strict=True):
            if point_y is not None:
                colour = tone.text if tone else SERIES
                by_colour.setdefault(colour.hexval(), (colour, []))[1].append((x, point_y))
        for colour, points in by_colour.values():
            c.setStrokeColor(colour)
            dots = c.beginPath()
            for x, y in points:
                dots.moveTo(x, y)
                dots.lineTo(x, y)
            c.drawPath(dots, stroke=1, fill=0)
        c.setLineCap(0)
        # period labels: at most about ten, always the first and the last
        c.setFillColor(MUTED)
        c.setFont(f.regular, 6.2)
        every = max(1, math.ceil(n / 10))
        shown = list(range(0, n, every))
        if shown and shown[-1] != n - 1:
            if (n - 1) - shown[-1] < every and len(shown) > 1:
                shown[-1] = n - 1  # too close to the last label: show the last period instead
            else:
                shown.append(n - 1)
        for i in shown:
            c.drawCentredString(xs[i], bottom - 9, self.labels[i])
        # legend
        c.setFont(f.regular, 6.8)
        x = left
        y = 3.0
        x = _legend_item(c, x, y, SERIES, False, "readings" + (f" ({self.unit})" if self.unit else ""), dot=True)
        for ln in self.lines:
            if ln.legend:
                x = _legend_item(c, x, y, ln.colour, ln.dashed, ln.label)
        c.restoreState()


def _legend_item(
    c: Canvas, x: float, y: float, colour: colors.Color, dashed: bool, label: str, dot: bool = False
) -> float:
    c.setStrokeColor(colour)
    c.setLineWidth(1.2)
    c.setDash(3, 2) if dashed else c.setDash()
    c.line(x, y + 2.4, x + 14, y + 2.4)
    c.setDash()
    if dot:
        c.setFillColor(colour)
        c.circle(x + 7, y + 2.4, 1.8, stroke=0, fill=1)
    c.setFillColor(INK)
    c.drawString(x + 17, y, label)
    width: float = pdfmetrics.stringWidth(label, c._fontname, c._fontsize)
    return x + 17 + width + 12


def _nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    span = hi - lo
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    out = []
    t = start
    while t <= hi + step * 0.001:
        out.append(round(t, 10))
        t += step
    if out[-1] < hi:
        out.append(round(out[-1] + step, 10))
    return out


def _fmt_tick(v: float) -> str:
    if abs(v) >= 10000:
        return f"{v:,.0f}"
    return f"{v:g}"
