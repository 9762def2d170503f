"""A KPI's readings over time with its target and warning lines (textual-plotext)."""

from __future__ import annotations

from datetime import date
from typing import Sequence

from textual_plotext import PlotextPlot

from isms_tui.models.enums import Direction


class TrendChart(PlotextPlot):
    """Line chart of readings; target in green, warning threshold in yellow."""

    DEFAULT_CSS = "TrendChart { height: 14; min-height: 8; }"

    def show(
        self,
        points: Sequence[tuple[date, float]],
        labels: Sequence[str],
        *,
        direction: Direction,
        target: float,
        warning: float | None,
        target_high: float | None = None,
        warning_high: float | None = None,
        unit: str = "",
    ) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not points:
            plt.title("No readings yet")
            self.refresh()
            return
        xs = list(range(len(points)))
        ys = [v for _, v in points]
        plt.plot(xs, ys, marker="braille", label="reading", color="cyan")
        plt.hline(target, "green")
        if direction == Direction.WITHIN_RANGE and target_high is not None:
            plt.hline(target_high, "green")
        if warning is not None:
            plt.hline(warning, "yellow")
        if direction == Direction.WITHIN_RANGE and warning_high is not None:
            plt.hline(warning_high, "yellow")
        bounds = [v for v in (target, warning, target_high, warning_high) if v is not None]
        lo, hi = min(ys + bounds), max(ys + bounds)
        pad = (hi - lo) * 0.08 or 1
        plt.ylim(lo - pad, hi + pad)
        step = max(1, len(xs) // 6)
        ticks = xs[::step]
        plt.xticks(ticks, [labels[i] for i in ticks])
        plt.ylabel(unit)
        plt.title("target ─ green · warning ─ yellow")
        self.refresh()
