"""A long text in full, for where a table cell or a one-line summary had to cut it.

A conclusion cut at the width of a column is not what the analyst wrote; anyone reading
it (an auditor on site, the officer months later) opens it here and reads all of it.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from .footer import IsmsFooter


class FullTextScreen(ModalScreen[None]):
    """A title and labelled texts, wrapped and scrollable; escape closes it."""

    HELP = "A long text in full, wrapped and scrollable."

    DEFAULT_CSS = """
    FullTextScreen { align: center middle; }
    FullTextScreen > #full-text-box {
        width: 96; max-width: 100%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FullTextScreen #full-text-title { text-style: bold; margin-bottom: 1; }
    FullTextScreen #full-text-body { height: auto; max-height: 30; }
    FullTextScreen .full-text-label { color: $text-muted; }
    FullTextScreen .full-text { margin-bottom: 1; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, title: str, parts: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.parts = [(label, text) for label, text in parts if text]

    def compose(self) -> ComposeResult:
        with Vertical(id="full-text-box"):
            yield Label(self.title_text, id="full-text-title", markup=False)
            with VerticalScroll(id="full-text-body"):
                for label, text in self.parts:
                    yield Label(label, classes="full-text-label", markup=False)
                    yield Static(text, classes="full-text", markup=False)
        yield IsmsFooter()

    def action_close(self) -> None:
        self.dismiss(None)
