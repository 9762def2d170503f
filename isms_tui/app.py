"""IsmsApp: the shell. It paints at once, then opens the workspace in a thread worker.

The data layer (SQLModel/SQLAlchemy) costs about half a second to import, so nothing here
imports it at module level; screens are created lazily through the MODES factories.
"""

from __future__ import annotations

import getpass
import importlib
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session


def _lazy(module: str, name: str) -> Callable[[], Screen]:
    def factory() -> Screen:
        return getattr(importlib.import_module(module), name)()

    return factory


# The sections of the app: mode name -> (key, title, screen module, screen class).
SECTIONS: dict[str, tuple[str, str, str, str]] = {
    "dashboard": ("d", "Dashboard", "isms_tui.screens.dashboard", "DashboardScreen"),
    "monitoring": ("m", "Monitoring", "isms_tui.screens.monitoring", "KpiListScreen"),
    "settings": ("s", "Settings", "isms_tui.screens.settings", "SettingsScreen"),
}


class IsmsApp(App[None]):
    """Keyboard-first ISMS performance evaluation over one workspace file."""

    TITLE = "isms-tui"
    CSS_PATH = "app.tcss"
    MODES = {
        "opening": lambda: OpeningScreen(),
        **{mode: _lazy(mod, cls) for mode, (_, _, mod, cls) in SECTIONS.items()},
    }
    BINDINGS = [
        *(
            Binding(key, f"section('{mode}')", title, id=f"section-{mode}")
            for mode, (key, title, _, _) in SECTIONS.items()
        ),
        Binding("ctrl+o", "workspaces", "Workspaces"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, db_path: Path, *, load_demo: bool = False) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.load_demo = load_demo
        self.engine: Engine | None = None
        self.actor = _user_name()
        self.error_message = ""
        self.sub_title = self.db_path.name

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Opening workspace…", id="opening")
        yield Footer()

    def on_mount(self) -> None:
        self.open_workspace(self.db_path)

    # -- workspace -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def open_workspace(self, path: Path) -> None:
        """Open (create or migrate) the file off the main thread, then show the dashboard."""
        from isms_tui.models.db import WorkspaceError, open_engine, session_scope
        from isms_tui.services import workspace

        try:
            engine = open_engine(path)
            with session_scope(engine) as session:
                empty = workspace.is_empty(session)
                ws = workspace.get_workspace(session)
                actor = ws.current_user if ws and ws.current_user else self.actor
        except WorkspaceError as exc:
            self.call_from_thread(self._open_failed, str(exc))
            return
        for _, _, module, _ in SECTIONS.values():
            importlib.import_module(module)  # warm the screen imports in this thread
        self.call_from_thread(self._opened, path, engine, empty, actor)

    def _open_failed(self, message: str) -> None:
        if self.engine is None:
            self.error_message = message
            self.exit(return_code=1)
        else:
            self.notify(message, title="Cannot open workspace", severity="error", markup=False)

    async def _opened(self, path: Path, engine: "Engine", empty: bool, actor: str) -> None:
        from isms_tui.config import remember_workspace

        old = self.engine
        if old is not None:
            await self._drop_section_screens()
            old.dispose()
        self.engine, self.db_path, self.actor = engine, path, actor
        self.sub_title = path.name
        remember_workspace(path)
        if empty:
            from isms_tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(load_demo=self.load_demo), self._welcomed)
        else:
            self.switch_mode("dashboard")

    def _welcomed(self, _result: Any) -> None:
        self.switch_mode("dashboard")

    async def _drop_section_screens(self) -> None:
        """Forget the screens built over the previous workspace before showing another."""
        await self.switch_mode("opening")
        for mode in SECTIONS:
            await self.remove_mode(mode)
            self.add_mode(mode, self.MODES[mode])

    @contextmanager
    def session(self) -> Iterator["Session"]:
        """One transaction for one user action, journaled under the current user's name."""
        from isms_tui.models.db import session_scope

        if self.engine is None:
            raise RuntimeError("The workspace is not open yet.")
        with session_scope(self.engine, self.actor) as session:
            yield session

    # -- actions ---------------------------------------------------------------------------

    def action_section(self, mode: str) -> None:
        if self.engine is not None:
            self.switch_mode(mode)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "section":
            if self.engine is None:
                return False
            return None if parameters and parameters[0] == self.current_mode else True
        return True

    def action_workspaces(self) -> None:
        from isms_tui.screens.workspaces import WorkspacePicker

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.open_workspace(path)

        self.push_screen(WorkspacePicker(self.db_path), chosen)


class OpeningScreen(Screen[None]):
    """Shown while a workspace is being opened."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Opening workspace…", id="opening")
        yield Footer()


def _user_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - an unknown user is not an error
        return "user"
