"""The footer every screen shows: its keys, and "read-only" first when nothing can be saved.

A workspace opened read-only (another isms holds it, or it sits where it cannot be written)
disables its write keys; the footer dims them and says why, on every screen, so the user
never has to guess whether a key is broken or refused.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Label


class IsmsFooter(Footer):
    """Textual's footer with a "read-only" badge in front of the keys of a read-only workspace."""

    DEFAULT_CSS = """
    IsmsFooter > .read-only-badge {
        width: auto; height: 1; padding: 0 1; margin-right: 1;
        background: $warning; color: $text; text-style: bold;
    }
    """

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Textual fills the footer with the screen's keys after the first frame; not while the
        app holds them back (`footer_keys_held`: while the dashboard's first view is read, which
        that work would otherwise slow down). The keys work all the same meanwhile."""
        if not getattr(self.app, "footer_keys_held", False):
            super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        if getattr(self.app, "read_only", False):
            yield Label("read-only", classes="read-only-badge")
        yield from super().compose()
