"""A KPI's chart and target history in section 9.1: the target line follows the history in
steps, and the history says which definition judged which periods, why it changed, who and when."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from reportlab.platypus import Flowable

from isms_tui.models import Direction, Kpi, KpiTarget
from isms_tui.reports import layout as L
from isms_tui.services import periods
from isms_tui.services.chart_series import Step, target_steps, time_fractions
from isms_tui.services.evaluation import Targets
from isms_tui.services.formatting import iso, number
from isms_tui.services.targets import stated

from .cells import STATUS_TONE, kpi_target, kpi_warning, text_cell

if TYPE_CHECKING:
    from .context import Context
    from .monitoring import KpiPart


def kpi_chart(ctx: Context, p: KpiPart) -> L.TrendChart:
    """Every period of the range gets a slot (a missing reading is a gap); each stretch of the
    axis carries the target and warning lines in force over it."""
    k = p.kpi
    slots: list[date] = []
    start = periods.period_start(ctx.period_from, k.frequency)
    if start < ctx.period_from:
        start = periods.next_period(start, k.frequency)
    first = min([start] + [r.period_start for r, _ in p.live])
    d = first
    while d <= ctx.period_to and len(slots) < 400:
        slots.append(d)
        d = periods.next_period(d, k.frequency)
    value_at = {r.period_start: (r.value, st) for r, st in p.live}
    slots = sorted(set(slots) | set(value_at))
    labels = [periods.period_label(x, k.frequency) for x in slots]
    values = [value_at[x][0] if x in value_at else None for x in slots]
    tones = [STATUS_TONE[value_at[x][1]] if x in value_at else None for x in slots]
    fractions = time_fractions(slots)
    steps = target_steps(slots, fractions, p.targets or Targets.single(k))
    lines = [line for i, step in enumerate(steps) for line in _lines(k, step, i == len(steps) - 1, len(steps) > 1)]
    return L.TrendChart(labels, values, lines, tones, unit=k.unit, fractions=fractions)


def _lines(k: Kpi, step: Step, last: bool, stepped: bool) -> list[L.ChartLine]:
    """The lines of one stretch; only the last stretch's are named in the legend (with the
    period they apply from when the target changed within the chart)."""
    d = stated(step.definition, k.unit)
    since = f" from {periods.period_label(step.first, k.frequency)}" if stepped else ""
    bounds: list[tuple[float, str, Any, bool]] = []
    if d.direction == Direction.WITHIN_RANGE:
        bounds.append((d.target, f"target from {number(d.target, k.unit)}{since}", L.GREEN_LINE, False))
        if d.target_high is not None:
            bounds.append((d.target_high, f"to {number(d.target_high, k.unit)}", L.GREEN_LINE, False))
        if d.warning is not None:
            bounds.append((d.warning, f"warning from {number(d.warning, k.unit)}", L.AMBER_LINE, True))
        if d.warning_high is not None:
            bounds.append((d.warning_high, f"to {number(d.warning_high, k.unit)}", L.AMBER_LINE, True))
    else:
        bounds.append((d.target, f"target {kpi_target(d)}{since}", L.GREEN_LINE, False))
        if d.warning is not None:
            bounds.append((d.warning, f"warning {kpi_warning(d)}", L.AMBER_LINE, True))
    out = [L.ChartLine(v, label, colour, dashed, step.start, step.end, last) for v, label, colour, dashed in bounds]
    if stepped and last:  # named once, drawn nowhere: the earlier stretches have no legend of their own
        out.append(L.ChartLine(d.target, "earlier: the target then in force", L.GREEN_LINE, False, 0.0, 0.0))
    return out


def target_history(k: Kpi, versions: list[KpiTarget]) -> list[Flowable]:
    """Every version of the definition: the periods it judges, the definition, why, who and when."""
    st = L.styles()
    if len(versions) <= 1:
        v = versions[0] if versions else None
        said = f" ({v.reason}, recorded by {v.recorded_by or 'unknown'} on {iso(v.recorded_at.date())})" if v else ""
        return [L.P(f"Target unchanged since the KPI was defined{said}.", st.muted)]
    rows: list[list[Any]] = []
    for i, v in enumerate(versions):
        until = versions[i + 1].from_period if i + 1 < len(versions) else None
        span = periods.period_label(v.from_period, k.frequency) + (
            f" to {periods.period_label(periods.previous_period(until, k.frequency), k.frequency)}"
            if until is not None and until > v.from_period
            else " onwards"
            if until is None
            else " (replaced the same period)"
        )
        shown = stated(v, k.unit)
        rows.append(
            [
                text_cell(span),
                text_cell(f"{kpi_target(shown)}; warning {kpi_warning(shown)}"),
                text_cell(v.reason or "—"),
                text_cell(f"{v.recorded_by or 'unknown'}, {iso(v.recorded_at.date())}"),
            ]
        )
    return [L.data_table(["Judges periods", "Target", "Reason", "Recorded"], rows, [1.6, 2.0, 3.2, 1.8])]
