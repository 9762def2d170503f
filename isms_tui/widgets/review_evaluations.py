"""The evaluations of the ISMS as a whole in review input d2 (9.1 results read in 9.3.2 d) 2)):
period, who and when, and the two conclusions, as rich renderables."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from isms_tui.services.formatting import plural


def render_evaluations(rows: list[dict[str, Any]] | None) -> list[RenderableType]:
    """Nothing for a review frozen before evaluations were recorded (the key is absent)."""
    if rows is None:
        return []
    head = Text.assemble((plural(len(rows), "evaluation"), "bold"), " of the ISMS as a whole covering the period")
    if not rows:
        return [Text(""), Text.assemble(head, (": none recorded.", "dim"))]
    parts: list[RenderableType] = [Text(""), Text.assemble(head, ":")]
    for e in rows:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_row("Period", Text(f"{e['period_from']} to {e['period_to']}", style="bold"))
        grid.add_row("Evaluated", Text(f"{e['evaluated_on']} by {e['evaluator'] or '—'}"))
        grid.add_row("Performance", Text(e["performance"]))
        grid.add_row("Effectiveness", Text(e["effectiveness"]))
        if e.get("follow_up"):
            grid.add_row("Follow-up", Text(e["follow_up"]))
        parts.append(Group(Text(""), grid))
    return parts
