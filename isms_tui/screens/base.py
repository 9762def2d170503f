"""What every section screen shares: the header/footer frame and data refresh on return."""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from isms_tui.widgets.footer import IsmsFooter
from isms_tui.widgets.typing import claims_letter

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from isms_tui.models.db import Session


class WorkspaceHost(Protocol):
    """What screens need from the app that hosts them: the open workspace and who is typing.

    The app satisfies it; screens depend on this, never on the app module (which imports them).
    """

    actor: str  # the name journaled as 'entered by'; Settings and the demo may change it
    actor_override: str | None  # the name given for this run (--as, ISMS_ACTOR); wins over Settings
    read_only: bool  # another isms holds the workspace, or it sits where it cannot be written

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


class WriteBinding(Binding):
    """A key whose action changes the workspace (or opens a form that would).

    Marking the binding, not the screen's code, keeps one rule for every screen: in a
    read-only workspace `SectionScreen.check_action` disables these keys (the footer dims
    them beside "read-only"), so nothing offers what saving would refuse, and pressing one
    does nothing.
    """


@cache
def write_actions(node_class: type[DOMNode]) -> frozenset[str]:
    """The names of the actions a screen (or any node) class binds through a WriteBinding."""
    names: set[str] = set()
    for klass in node_class.__mro__:
        for binding in vars(klass).get("BINDINGS", ()):
            if isinstance(binding, WriteBinding):
                names.add(binding.action.split("(", 1)[0])
    return frozenset(names)


def is_read_only(node: DOMNode) -> bool:
    """True when the open workspace cannot be written (another isms holds it, a read-only place)."""
    return workspace_host(node).read_only


def blocked_write(node: DOMNode, action: str) -> bool:
    """True when `action` is one of `node`'s write keys and the workspace is read-only.

    The app swallows such a key rather than letting it fall through to a section key of the
    same letter ('a' for an analysis would otherwise open Audits).
    """
    return action.split("(", 1)[0] in write_actions(type(node)) and is_read_only(node)


class SectionScreen(Screen[None]):
    """A screen over the open workspace that reloads its data whenever it is shown.

    Screens that override check_action ask this one first, so write keys stay disabled in a
    read-only workspace whatever else the screen allows.

    Each key is declared once, in BINDINGS: its description is the footer's label and the
    palette's command, a Binding's `tooltip` the longer text the help screen shows. `HELP`
    says what the screen is for in the Clause 9 cycle (`screens/help.py` reads both).
    """

    HELP: ClassVar[str] = ""  # every concrete screen declares its own (tests/test_help.py)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._static_content: dict[str, object] = {}  # what update_static last put in each Static

    def compose(self) -> ComposeResult:
        yield Header()
        yield from self.body()
        yield IsmsFooter()

    def body(self) -> ComposeResult:
        yield from ()

    @property
    def isms(self) -> WorkspaceHost:
        return workspace_host(self)

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # None, not False: the key stays this screen's, shown dimmed beside the footer's
        # "read-only", instead of leaving room for a section key of the same letter.
        if self.isms.engine is None:
            return False  # the dashboard's first view shows before the workspace is open
        return None if blocked_write(self, action) else True

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """A letter typed into a text field, a drop-down or a tab bar is the widget's, never
        an app-wide key: Textual asks this for every binding above the screen (the section
        keys, `P`, `q`), so they neither run nor show in the footer while such a widget has
        focus."""
        return claims_letter(self.focused, character)

    def update_static(self, selector: str, content: object) -> None:
        """Update a Static only when its content changed: each update lays the screen out again,
        which is most of the cost of a refresh that brings nothing new."""
        shown = self._static_content
        if shown.get(selector) != content:
            shown[selector] = content
            self.query_one(selector, Static).update(content)  # type: ignore[arg-type]

    def refresh_data(self) -> None:
        """Reload from the workspace; screens override this (usually starting a worker)."""
