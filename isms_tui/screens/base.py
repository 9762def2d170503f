"""What every section screen shares: the header/footer frame and data refresh on return."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from isms_tui.models.db import Session


class WorkspaceHost(Protocol):
    """What screens need from the app that hosts them: the open workspace and who is typing.

    The app satisfies it; screens depend on this, never on the app module (which imports them).
    """

    actor: str  # the name journaled as 'entered by'; Settings and the demo may change it
    actor_override: str | None  # the name given for this run (--as, ISMS_ACTOR); wins over Settings

    @property
    def db_path(self) -> Path: ...

    @property
    def engine(self) -> object | None:
        """The open workspace's engine; None until a workspace is open."""
        ...

    def session(self) -> AbstractContextManager[Session]:
        """One journaled transaction on the open workspace."""
        ...


def workspace_host(node: DOMNode) -> WorkspaceHost:
    """The app a screen or widget runs in, as the workspace host it is."""
    return cast(WorkspaceHost, node.app)


def workspace_session(node: DOMNode) -> AbstractContextManager[Session]:
    """A journaled transaction on the open workspace, for any screen or modal."""
    return workspace_host(node).session()


def current_actor(node: DOMNode) -> str:
    """The name recorded as 'entered by' for what the user types now."""
    return workspace_host(node).actor


def current_person(node: DOMNode) -> str:
    """The acting person's name to pre-fill a 'declared by' or 'approved by' field; empty when
    only the login name is known, so that an account is never put forward as a person."""
    from isms_tui.services.actor import is_login_fallback

    actor = current_actor(node)
    return "" if is_login_fallback(actor) else actor


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
    def isms(self) -> WorkspaceHost:
        return workspace_host(self)

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
