"""How statuses, trends and recent values look in cells: one place, so every screen agrees."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from isms_tui.models.enums import Status

STATUS_STYLE: dict[Status, tuple[str, str]] = {
    Status.ON_TARGET: ("●", "green"),
    Status.WARNING: ("▲", "yellow"),
    Status.OFF_TARGET: ("✖", "bold red"),
    Status.OVERDUE: ("◔", "magenta"),
    Status.NO_DATA: ("○", "dim"),
}
ANALYSIS_MARK = "✎"  # a KPI whose results wait for an analysis (dashboard tile, KPI list)
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
