"""A KPI's readings over time against its target and warning lines, drawn in braille.

Drawn here rather than with a plotting library: the output is deterministic (snapshots stay
stable), it costs no import time, and the target lines always stay in view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from isms_tui.models.enums import Direction
from isms_tui.services.chart_series import Step

# Braille dot bits for (column, row) inside one character cell (2 x 4 dots).
_DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
_BRAILLE_BASE = 0x2800


@dataclass(frozen=True)
class Level:
    """A horizontal reference line: a target or a warning threshold, across the stretch of the
    time axis (0 to 1) over which it was in force."""

    value: float
    style: str
    start: float = 0.0
    end: float = 1.0

    def covers(self, at: float) -> bool:
        return self.start <= at < self.end or (self.end >= 1.0 and at >= self.start)


def step_levels(steps: Sequence[Step]) -> list[Level]:
    """Target (green) and warning (yellow) lines of each stretch in force."""
    levels: list[Level] = []
    for step in steps:
        d = step.definition
        ranged = d.direction == Direction.WITHIN_RANGE
        bounds = [(d.target, "green")]
        if ranged and d.target_high is not None:
            bounds.append((d.target_high, "green"))
        bounds += [(b, "yellow") for b in (d.warning, d.warning_high if ranged else None) if b is not None]
        levels += [Level(value, style, step.start, step.end) for value, style in bounds]
    return levels


def _fmt(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.3g}"


def chart_pixels(
    values: Sequence[float | None],
    fractions: Sequence[float] | None,
    px_w: int,
    py: Callable[[float], int],
) -> tuple[list[int], set[tuple[int, int]]]:
    """The x pixel of each slot (by time when `fractions` are given) and the dots of the line:
    straight between readings of consecutive slots, none across a slot without a reading."""
    n = len(values)
    if fractions is not None and len(fractions) == n:
        xs = [round(f * (px_w - 1)) for f in fractions]
    else:
        xs = [round(i * (px_w - 1) / (n - 1)) if n > 1 else px_w // 2 for i in range(n)]
    points = [None if v is None else (x, py(v)) for x, v in zip(xs, values, strict=True)]
    pixels: set[tuple[int, int]] = set()
    for a, b in zip(points, points[1:], strict=False):
        if a is None or b is None:
            continue
        (x0, y0), (x1, y1) = a, b
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for s in range(steps + 1):
            pixels.add((x0 + round((x1 - x0) * s / steps), y0 + round((y1 - y0) * s / steps)))
    pixels.update(p for p in points if p is not None)
    return xs, pixels


def render_chart(
    values: Sequence[float | None],
    labels: Sequence[str],
    levels: Sequence[Level],
    width: int,
    height: int,
    line_style: str = "cyan",
    fractions: Sequence[float] | None = None,
) -> Text:
    """Render the chart into `width` x `height` cells (axis labels included).

    `values` has one slot per period, None where no reading was recorded (a gap in the line);
    `fractions` place the slots on the time axis (services/chart_series.py)."""
    text = Text(no_wrap=True, overflow="crop", end="")
    known = [v for v in values if v is not None]
    if not known:
        text.append("No readings yet.", style="dim")
        return text
    span = [*known, *(lv.value for lv in levels)]
    lo, hi = min(span), max(span)
    pad = (hi - lo) * 0.08 or abs(hi) * 0.1 or 1.0
    # the axis never reaches below zero for values that cannot (a count, a percentage)
    lo, hi = (lo - pad if lo - pad >= 0 or lo < 0 else 0.0), hi + pad
    label_w = max(len(_fmt(v)) for v in (lo, hi, *(lv.value for lv in levels))) + 1
    plot_w, plot_h = max(4, width - label_w - 1), max(2, height - 1)
    px_w, px_h = plot_w * 2, plot_h * 4

    def py(v: float) -> int:
        return round((hi - v) / (hi - lo) * (px_h - 1))

    xs, pixels = chart_pixels(values, fractions, px_w, py)

    cells: dict[tuple[int, int], int] = {}
    for x, y in pixels:
        key = (x // 2, y // 4)
        cells[key] = cells.get(key, 0) | _DOTS[x % 2][y % 4]
    level_rows: dict[int, list[Level]] = {}
    for lv in levels:
        level_rows.setdefault(py(lv.value) // 4, []).append(lv)
    axis_labels = {0: hi, plot_h - 1: lo}
    axis_labels.update({py(lv.value) // 4: lv.value for lv in levels})

    for row in range(plot_h):
        label = _fmt(axis_labels[row]) if row in axis_labels else ""
        text.append(label.rjust(label_w) + "┤" if label else " " * label_w + "│", style="dim")
        on_row = level_rows.get(row, [])
        for col in range(plot_w):
            bits = cells.get((col, row))
            at = (2 * col + 0.5) / max(px_w - 1, 1)
            level = next((lv for lv in on_row if lv.covers(at)), None)
            if bits:
                text.append(chr(_BRAILLE_BASE + bits), style=line_style)
            elif level is not None:
                text.append("─", style=level.style)
            else:
                text.append(" ")
        text.append("\n")
    text.append(_x_axis(labels, xs, label_w + 1, plot_w), style="dim")
    return text


def _x_axis(labels: Sequence[str], xs: Sequence[int], offset: int, plot_w: int) -> str:
    """Period labels under the plot: first, last and as many between as fit."""
    line = [" "] * (offset + plot_w)
    if not labels:
        return ""
    width = max(len(lb) for lb in labels) + 2
    slots = max(1, min(len(labels), plot_w // width))
    picks = sorted({round(i * (len(labels) - 1) / max(1, slots - 1)) for i in range(slots)})
    taken_until = -1
    for i in picks:
        start = min(max(offset + xs[i] // 2 - len(labels[i]) // 2, offset), offset + plot_w - len(labels[i]))
        if start <= taken_until:
            continue
        line[start : start + len(labels[i])] = labels[i]
        taken_until = start + len(labels[i])
    return "".join(line).rstrip()


class TrendChart(Widget):
    """Line chart of a KPI's readings with its target (green) and warning (yellow) lines."""

    DEFAULT_CSS = "TrendChart { height: 14; min-height: 6; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._values: list[float | None] = []
        self._labels: list[str] = []
        self._levels: list[Level] = []
        self._fractions: list[float] | None = None

    def show(
        self,
        values: Sequence[float | None],
        labels: Sequence[str],
        *,
        fractions: Sequence[float] | None = None,
        steps: Sequence[Step],
    ) -> None:
        """`steps`: the definitions in force along the time axis (services/chart_series.py)."""
        levels = step_levels(steps)
        shown = (list(values), list(labels), levels, list(fractions) if fractions is not None else None)
        if shown == (self._values, self._labels, self._levels, self._fractions):
            return  # a refresh with the same data: nothing to redraw
        self._values, self._labels, self._levels, self._fractions = shown
        self.refresh()

    def render(self) -> RenderResult:
        return render_chart(
            self._values,
            self._labels,
            self._levels,
            self.size.width,
            self.size.height,
            fractions=self._fractions,
        )
