"""The screen shown while a workspace is being opened (the app's first frame)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Header, Static

from isms_tui.widgets.footer import IsmsFooter


class OpeningScreen(Screen[None]):
    """Shown while a workspace is being opened."""

    HELP = "The workspace is being opened: its KPI figures appear first, then the rest of the dashboard."

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Opening workspace…", id="opening")
        yield IsmsFooter()
