"""Column and bar charts drawn with block characters, for counts and shares over periods.

Drawn by hand like the braille trend chart: deterministic output (snapshots stay stable), no
import cost, and each bar carries its own figure so the chart never replaces the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text

_EIGHTHS = " ▁▂▃▄▅▆▇█"
_HORIZONTAL_EIGHTHS = " ▏▎▍▌▋▊▉█"


@dataclass(frozen=True)
class Bar:
    """One bar: its value (None: no data) and its style."""

    value: float | None
    style: str


def _fmt(value: float) -> str:
    return f"{value:g}"


def column_chart(
    groups: Sequence[tuple[str, Sequence[Bar]]],
    height: int = 6,
    *,
    max_value: float | None = None,
    bar_width: int = 2,
    label: Callable[[float], str] = _fmt,
) -> Text:
    """Vertical bars per group (e.g. per quarter), each with its value written above it.

    Rows: `height` rows of bars (eighth-block resolution) under one row for the tallest
    value labels, a baseline, and the group labels.
    """
    out = Text(no_wrap=True, overflow="crop")
    if not groups:
        out.append("No periods to show.", style="dim")
        return out
    values = [b.value for _, bars in groups for b in bars if b.value is not None]
    top = max_value if max_value is not None else max(values, default=0)
    top = top if top > 0 else 1
    rows = height + 1  # one spare row above the bars for the tallest labels
    widths = []
    for name, bars in groups:
        inner = len(bars) * bar_width + max(0, len(bars) - 1)
        widths.append(max(inner, len(name), *(len(_label(b, label)) for b in bars)) + 2)
    total = sum(widths)
    grid: list[list[tuple[str, str]]] = [[(" ", "")] * total for _ in range(rows)]
    x0 = 0
    for (_, bars), width in zip(groups, widths, strict=True):
        inner = len(bars) * bar_width + max(0, len(bars) - 1)
        x = x0 + (width - inner) // 2
        for bar in bars:
            eighths = 0 if bar.value is None else max(0, round(min(bar.value, top) / top * height * 8))
            if bar.value and eighths == 0:
                eighths = 1  # a non-zero value always shows
            for level in range(height):  # level 0 is the bottom row
                fill = min(8, max(0, eighths - level * 8))
                if fill:
                    for dx in range(bar_width):
                        grid[rows - 1 - level][x + dx] = (_EIGHTHS[fill], bar.style)
            text = _label(bar, label)
            label_row = rows - 1 - math.ceil(eighths / 8)
            start = x + (bar_width - len(text)) // 2
            start = min(max(start, x0), x0 + width - len(text))
            for i, ch in enumerate(text):
                grid[label_row][start + i] = (ch, "dim" if bar.value is None else bar.style)
            x += bar_width + 1
        x0 += width
    for row in grid:
        for ch, style in row:
            out.append(ch, style=style)
        out.append("\n")
    out.append("─" * total + "\n", style="dim")
    x0 = 0
    for (name, _), width in zip(groups, widths, strict=True):
        out.append(name.center(width), style="dim")
        x0 += width
    return out


def _label(bar: Bar, label: Callable[[float], str]) -> str:
    return "—" if bar.value is None else label(bar.value)


def hbar(value: float, top: float, width: int, style: str) -> Text:
    """A horizontal bar of `value` out of `top` over `width` cells (eighth-cell resolution)."""
    eighths = 0 if top <= 0 else round(max(0.0, min(value, top)) / top * width * 8)
    if value > 0 and eighths == 0:
        eighths = 1
    full, part = divmod(eighths, 8)
    return Text("█" * full + (_HORIZONTAL_EIGHTHS[part] if part else ""), style=style)
