"""The dashboard's compact view of the action register: how many are open, which are overdue.

Overdue corrective actions are what a certification auditor asks about first, so they sit next
to the KPI status tiles rather than one screen away. A click opens the register.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.widgets import Static

MAX_LISTED = 3  # inner lines below the counts line (the panel is as tall as the status tiles)


def short_name(name: str | None) -> str:
    """'Elena Varga' → 'Elena V.': owners stay recognisable in a narrow column."""
    if not name:
        return "nobody"
    parts = name.split()
    return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."


def panel_text(summary: dict[str, Any]) -> Text:
    """The counts line and the overdue actions (id, due, owner, title), most overdue first."""
    text = Text(no_wrap=True, overflow="ellipsis")
    opened, overdue = summary["open"], summary["overdue"]
    if not opened:
        text.append("No open actions.", style="green")
        return text
    text.append(f"{opened} open", style="bold")
    text.append(" · ")
    if overdue:
        text.append(f"{overdue} overdue", style="bold red")
    else:
        text.append("none overdue", style="green")
    listed = summary["overdue_list"]
    shown = listed if len(listed) <= MAX_LISTED else listed[: MAX_LISTED - 1]
    for item in shown:
        text.append("\n")
        text.append(f"#{item['id']} ", style="bold")
        text.append(f"{item['due']} ", style="red")
        text.append(f"{short_name(item['owner'])} ", style="dim")
        text.append(item["title"])
    if len(shown) < len(listed):
        text.append(f"\n+{len(listed) - len(shown)} more overdue · c lists them", style="dim")
    return text


class ActionsPanel(Static):
    """Open and overdue actions in the tiles row of the dashboard."""

    DEFAULT_CSS = """
    ActionsPanel {
        width: 46; height: 6; margin-left: 1; padding: 0 1;
        border: round $panel-lighten-2; border-title-color: $text-muted;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    ActionsPanel.-overdue { border: round $error; border-title-color: $error; }
    """

    def __init__(self) -> None:
        super().__init__("", id="actions-panel", markup=False)
        self.border_title = "Actions · c"
        self._summary: dict[str, Any] | None = None  # what is shown

    def show_summary(self, summary: dict[str, Any]) -> None:
        if summary == self._summary:
            return  # unchanged: an update would lay the dashboard out again
        self._summary = summary
        self.set_class(summary["overdue"] > 0, "-overdue")
        self.update(panel_text(summary))  # no_wrap: each line is cut with an ellipsis, never wrapped

    async def on_click(self, event: events.Click) -> None:
        event.stop()
        await self.app.run_action("section('actions')")
