"""How statuses, trends and recent values look in cells: one place, so every screen agrees."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from isms_tui.models.enums import Direction, Status

STATUS_STYLE: dict[Status, tuple[str, str]] = {
    Status.ON_TARGET: ("●", "green"),
    Status.WARNING: ("▲", "yellow"),
    Status.OFF_TARGET: ("✖", "bold red"),
    Status.OVERDUE: ("◔", "magenta"),
    Status.NO_DATA: ("○", "dim"),
}
TREND_MARK = {
    "improving": ("↗ improving", "green"),
    "worsening": ("↘ worsening", "red"),
    "stable": ("→ stable", "dim"),
    "": ("", ""),
}
_BARS = "▁▂▃▄▅▆▇█"


def status_text(status: Status) -> Text:
    mark, style = STATUS_STYLE[status]
    return Text(f"{mark} {status.value}", style=style)


def trend_text(trend: str) -> Text:
    label, style = TREND_MARK.get(trend, ("", ""))
    return Text(label, style=style)


def spark(values: Sequence[float], width: int = 12) -> str:
    """A one-line sparkline of the last `width` values."""
    vals = list(values)[-width:]
    if not vals:
        return ""
    lo, hi = min(vals), max(vals)
    if hi == lo:
        return _BARS[3] * len(vals)
    scale = (len(_BARS) - 1) / (hi - lo)
    return "".join(_BARS[round((v - lo) * scale)] for v in vals)


def fmt_value(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return f"{text} {unit}".strip() if unit and unit != "%" else f"{text}{unit}"


def target_text(kpi) -> str:
    """'≥ 95%', '≤ 2' or '5–20 changes' from a KPI's direction and targets."""
    if kpi.direction == Direction.HIGHER_BETTER:
        return f"≥ {fmt_value(kpi.target, kpi.unit)}"
    if kpi.direction == Direction.LOWER_BETTER:
        return f"≤ {fmt_value(kpi.target, kpi.unit)}"
    return f"{fmt_value(kpi.target)}–{fmt_value(kpi.target_high, kpi.unit)}"
