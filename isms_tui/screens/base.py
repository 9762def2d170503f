"""What every section screen shares: the header/footer frame and data refresh on return."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

if TYPE_CHECKING:
    from sqlmodel import Session
    from textual.dom import DOMNode

    from isms_tui.app import IsmsApp


def workspace_session(node: DOMNode) -> AbstractContextManager[Session]:
    """A journaled transaction on the open workspace, for any screen or modal."""
    return cast("IsmsApp", node.app).session()


def current_actor(node: DOMNode) -> str:
    """The name recorded as 'entered by' for what the user types now."""
    return cast("IsmsApp", node.app).actor


class SectionScreen(Screen[None]):
    """A screen over the open workspace that reloads its data whenever it is shown."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._static_content: dict[str, object] = {}  # what update_static last put in each Static

    def compose(self) -> ComposeResult:
        yield Header()
        yield from self.body()
        yield Footer()

    def body(self) -> ComposeResult:
        yield from ()

    @property
    def isms(self) -> IsmsApp:
        return cast("IsmsApp", self.app)

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def update_static(self, selector: str, content: object) -> None:
        """Update a Static only when its content changed: each update lays the screen out again,
        which is most of the cost of a refresh that brings nothing new."""
        shown = self._static_content
        if shown.get(selector) != content:
            shown[selector] = content
            self.query_one(selector, Static).update(content)  # type: ignore[arg-type]

    def refresh_data(self) -> None:
        """Reload from the workspace; screens override this (usually starting a worker)."""
