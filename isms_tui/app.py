"""IsmsApp: the shell. It paints at once, then opens the workspace in a thread worker.

The data layer (SQLModel/SQLAlchemy) costs about half a second to import, so nothing here
imports it at module level; screens are created lazily through the MODES factories.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from isms_tui.config import write_crash_log
from isms_tui.screens.opening import OpeningScreen, OpensOnTheFirstView
from isms_tui.services import actor as actors
from isms_tui.widgets.footer import NARROW_WIDTH, IsmsFooter
from isms_tui.widgets.toasts import ToastsStayWithTheirScreen
from isms_tui.widgets.typing import TypedInOrder

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session
    from textual.actions import ActionParseResult
    from textual.app import SystemCommand
    from textual.content import Content
    from textual.dom import DOMNode

    from isms_tui.models.lock import WorkspaceLock
    from isms_tui.screens.base import WorkspaceHost


def _lazy(module: str, name: str) -> Callable[[], Screen[Any]]:
    def factory() -> Screen[Any]:
        screen: Screen[Any] = getattr(importlib.import_module(module), name)()
        return screen

    return factory


# The sections of the app: mode name -> (key, title, screen module, screen class).
SECTIONS: dict[str, tuple[str, str, str, str]] = {
    "dashboard": ("d", "Dashboard", "isms_tui.screens.dashboard", "DashboardScreen"),
    "monitoring": ("m", "Monitoring", "isms_tui.screens.monitoring", "KpiListScreen"),
    "audits": ("a", "Audits", "isms_tui.screens.audits", "AuditsScreen"),
    "actions": ("c", "Actions", "isms_tui.screens.actions", "ActionsScreen"),
    "risks": ("g", "Risks", "isms_tui.screens.risks", "RisksScreen"),
    "review": ("v", "Review", "isms_tui.screens.reviews", "ReviewsScreen"),
    "settings": ("s", "Settings", "isms_tui.screens.settings", "SettingsScreen"),
}


class IsmsApp(OpensOnTheFirstView, ToastsStayWithTheirScreen, TypedInOrder, App[None]):
    """Keyboard-first ISMS performance evaluation over one workspace file."""

    TITLE = "isms-tui"
    CSS_PATH = "app.tcss"
    # Classes every screen carries by the terminal's size, for the small-terminal rules in
    # the .tcss files: narrower than 100 columns, shorter than 32 rows (80x24 is both).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_WIDTH, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    MODES = {
        "opening": lambda: OpeningScreen(),
        **{mode: _lazy(mod, cls) for mode, (_, _, mod, cls) in SECTIONS.items()},
    }
    BINDINGS = [
        *(
            Binding(key, f"section('{mode}')", title, id=f"section-{mode}", tooltip=f"Go to {title}")
            for mode, (key, title, _, _) in SECTIONS.items()
        ),
        Binding("ctrl+o", "workspaces", "Workspaces"),
        Binding("P", "export_pack", "Pack", id="export-pack", show=False),  # also in the command palette
        Binding("q", "quit", "Quit"),
        # Help for the screen in front: F1 everywhere (forms included), ? where no field takes it.
        Binding("f1", "help", "Help", show=False, priority=True, tooltip="Help: what this screen is for, and its keys"),
        Binding("question_mark", "help", "Help", show=False, tooltip="Help: what this screen is for, and its keys"),
    ]

    def __init__(
        self,
        db_path: Path,
        *,
        load_demo: bool = False,
        actor: str | None = None,
        portfolio_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        # `isms --dir FOLDER`: start on the portfolio (the known workspaces and FOLDER's)
        # instead of opening db_path; the portfolio screen lists FOLDER's for the whole run.
        self.portfolio_dir = portfolio_dir
        self.footer_keys_held = portfolio_dir is None  # until the first view is read (screens/opening.py)
        self.load_demo = load_demo
        self.engine: Engine | None = None
        # The name given for this run (`--as`, else ISMS_ACTOR, read as the workspace opens),
        # which wins over the workspace's person; until the workspace is open the actor is the
        # login name, labelled.
        self.actor_override = actor
        self.actor = actor or actors.login_fallback()
        self.error_message = ""
        self.sub_title = self.db_path.name
        # The workspace lock, held while the workspace is open; None when another isms holds
        # it and this one opened the workspace read-only.
        self.workspace_lock: WorkspaceLock | None = None
        self.read_only = False
        # While the welcome screen shows: the file this run created for it (removed again if
        # the user leaves) and the workspace open before, to go back to.
        self._new_file: Path | None = None
        self._previous: Path | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Opening workspace…", id="opening")
        yield IsmsFooter()

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._drop_stale_toasts)

    def on_ready(self) -> None:
        """Textual's Ready: the first frame is on screen. Only now the open worker starts: its
        reads and imports would otherwise hold the GIL while the shell paints, and the frame is
        what tells the user the app has started."""
        if self.portfolio_dir is not None:
            self.sub_title = "portfolio"
            self.action_portfolio()
        else:
            self.open_workspace(self.db_path)

    # -- workspace -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def open_workspace(self, path: Path) -> None:
        """Open (create or migrate) the file off the main thread, then show the dashboard."""
        held = self.workspace_lock
        if self.engine is None and held is None:
            self._first_view(path)  # before the data layer's imports below
        from isms_tui.models.db import WorkspaceError, open_engine, read_only_place, session_scope
        from isms_tui.models.lock import WorkspaceLocked, acquire
        from isms_tui.services import workspace
        from isms_tui.services.errors import InputError

        lock = None
        notice = ""
        created = not Path(path).exists()  # this run makes the file (the welcome screen follows)
        try:
            if self.actor_override is None:
                self.actor_override = actors.explicit(None)  # ISMS_ACTOR
        except InputError as exc:
            self.call_from_thread(self._open_failed, str(exc))
            return
        try:
            if held is not None and held.held and held.db_path.resolve() == Path(path).resolve():
                lock = held  # reopening the workspace this app already holds
            elif Path(path).exists() and read_only_place(Path(path)):
                notice = f"{Path(path).name} cannot be written where it is (a read-only place); opened read-only."
            else:
                try:
                    lock = acquire(path, program="the isms app")
                except WorkspaceLocked as exc:
                    notice = f"{exc.base_message}; opened read-only."
            engine = open_engine(path, read_only=lock is None)
            with session_scope(engine) as session:
                empty = workspace.is_empty(session)
                ws = workspace.get_workspace(session)
                actor = actors.resolve(self.actor_override, ws.current_user if ws else "")
        except WorkspaceError as exc:
            if lock is not None and lock is not held:
                lock.release()
            self.call_from_thread(self._open_failed, str(exc))
            return
        # Textual awaits a coroutine callback; mypy cannot solve call_from_thread's
        # `T | Awaitable[T]` for a coroutine function, hence the ignore.
        new = created and empty and lock is not None
        self.call_from_thread(self._opened, path, engine, empty, actor, lock, notice, new)  # type: ignore[arg-type]

    def on_dashboard_screen_data_shown(self) -> None:
        """Once the dashboard's data is on screen, load the other sections' modules."""
        self._warm_sections()

    @work(thread=True, exclusive=True, exit_on_error=False, group="warm")
    def _warm_sections(self) -> None:
        """Import the section screens in a thread, so that the first switch to each is quick;
        done after the dashboard's data is painted, so that it never delays it."""
        for _, _, module, _ in SECTIONS.values():
            importlib.import_module(module)

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected error ends the app with one sentence instead of a traceback.

        Every user action commits on its own, so nothing saved before the error is lost.
        A full disk or a read-only file system is not a crash: the write was rolled back, so
        the app says so in one sentence and carries on (or, while opening, stops with it).
        Under tests (Pilot) other errors are re-raised by Textual as usual.
        """
        from isms_tui.files import fault_sentence

        sentence = fault_sentence(error)
        if sentence is not None:
            if self.engine is None:
                self._open_failed(sentence)
            else:
                self.notify(sentence, title="Not saved", severity="error", markup=False)
            return
        if self.is_headless:
            super()._handle_exception(error)
            return
        log = write_crash_log(error)
        where = f" Details: {log}" if log else ""
        self.error_message = (
            f"isms-tui stopped on an unexpected error ({type(error).__name__}); "
            f"everything saved before it is kept.{where}"
        )
        self._return_code = 1
        self.exit(return_code=1)

    def _open_failed(self, message: str) -> None:
        if self.engine is None and self.portfolio_dir is not None:  # started on the portfolio: back to it
            self.notify(message, title="Cannot open workspace", severity="error", markup=False)
            self.action_portfolio()
        elif self.engine is None:
            self.error_message = message
            self.exit(return_code=1)
        else:
            self.notify(message, title="Cannot open workspace", severity="error", markup=False)

    async def _opened(
        self,
        path: Path,
        engine: Engine,
        empty: bool,
        actor: str,
        lock: WorkspaceLock | None = None,
        notice: str = "",
        new: bool = False,
    ) -> None:
        from isms_tui.config import remember_workspace

        old = self.engine
        self._previous = self.db_path if old is not None and self.db_path != path else None
        self._new_file = path if new else None
        if old is not None:
            await self._drop_section_screens()
            old.dispose()
        if self.workspace_lock is not None and self.workspace_lock is not lock:
            self.workspace_lock.release()
        self.workspace_lock, self.read_only = lock, lock is None
        self.engine, self.db_path, self.actor = engine, path, actor
        self.sub_title = path.name
        if notice:
            self.notify(notice, title="Read-only", severity="warning", timeout=15, markup=False)
        remember_workspace(path)
        if empty:
            from isms_tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(load_demo=self.load_demo), self._welcomed)
        elif self.current_mode == "dashboard" and old is None:
            from isms_tui.screens.base import SectionScreen

            if isinstance(self.screen, SectionScreen):  # the first view: now the full load
                self.screen.refresh_bindings()  # its keys, disabled until now
                self.screen.refresh_data()
        else:
            self.switch_mode("dashboard")

    def _welcomed(self, created: bool | None) -> None:
        if created is False:
            self._leave_welcome()
        else:
            self.switch_mode("dashboard")

    def _leave_welcome(self) -> None:
        """Escape on the welcome screen: no workspace was made, so a file this run created for
        it goes again; then back to the workspace open before, or out of the app."""
        from isms_tui.models.db import session_scope
        from isms_tui.models.new_workspace import discard_new_workspace
        from isms_tui.services import workspace

        path, engine, lock = self.db_path, self.engine, self.workspace_lock
        said = f"Nothing was created; {path.name} is left as it was."
        if self._new_file == path and engine is not None and lock is not None:
            with session_scope(engine) as session:
                empty = workspace.is_empty(session)
            if empty:
                engine.dispose()
                self.engine, self.workspace_lock = None, None
                try:
                    discard_new_workspace(path, lock)
                    said = f"Nothing was created; the new file {path.name} was removed."
                except OSError as exc:
                    lock.release()
                    said = f"Nothing was created, but the new file {path.name} could not be removed: {exc.strerror}."
        self._new_file = None
        if self._previous is not None:
            self.notify(said, markup=False)
            self.open_workspace(self._previous)
        else:
            self.exit(message=said)

    async def _drop_section_screens(self) -> None:
        """Forget the screens built over the previous workspace before showing another."""
        await self.switch_mode("opening")
        for mode in SECTIONS:
            await self.remove_mode(mode)
            self.add_mode(mode, self.MODES[mode])

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction for one user action, journaled under the current user's name.

        In a read-only app (another isms holds the workspace) any write raises InputError
        with one sentence, which every form already shows like a validation error. A value
        damaged outside isms (a date '2025-13-45' stored with the sqlite3 shell) that breaks a
        reader is said in one sentence pointing to `isms journal verify`, shown as an error
        notification and raised as WorkspaceError, which forms and workers already handle.
        """
        from isms_tui.models.db import ReadOnlyWorkspace, WorkspaceError, session_scope
        from isms_tui.services.damage import DAMAGE_ERRORS, damaged_value_sentence
        from isms_tui.services.errors import InputError, NotFound

        if self.engine is None:
            raise RuntimeError("The workspace is not open yet.")
        from isms_tui.files import fault_sentence

        try:
            with session_scope(self.engine, self.actor) as session:
                yield session
        except ReadOnlyWorkspace as exc:
            raise InputError(str(exc)) from None
        except Exception as exc:
            sentence = fault_sentence(exc)
            if sentence is not None:  # a full disk: the form shows it like any refusal
                raise InputError(sentence) from None
            if not isinstance(exc, DAMAGE_ERRORS) or isinstance(exc, InputError | NotFound | WorkspaceError):
                raise
            sentence = damaged_value_sentence(self.db_path, exc)
            if sentence is None:
                raise
            self._tell_damage(sentence)
            raise WorkspaceError(sentence) from None

    def _tell_damage(self, sentence: str) -> None:
        """An error notification from any thread (data workers run in threads)."""

        def tell() -> None:
            self.notify(sentence, title="Damaged workspace", severity="error", timeout=30, markup=False)

        try:
            self.call_from_thread(tell)
        except RuntimeError:  # already on the app's thread
            tell()

    def on_unmount(self) -> None:
        if self.workspace_lock is not None:
            self.workspace_lock.release()  # the process may live on (tests, an embedding app)

    # -- actions ---------------------------------------------------------------------------

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Run a key's action; a refusal from the services becomes a notice, not a crash.

        A write key of a read-only workspace is disabled and does nothing, not even the section
        key of the same letter. Forms show their own errors under the fields; this catches
        what single-key actions leave uncaught (a write in a read-only workspace, a record deleted meanwhile), which
        would otherwise stop the app.
        """
        from isms_tui.screens.base import blocked_write
        from isms_tui.services.errors import InputError, NotFound

        if isinstance(action, str) and default_namespace is not None and blocked_write(default_namespace, action):
            return True  # a disabled write key of a read-only workspace: handled by doing nothing
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except (InputError, NotFound) as exc:
            self.notify(str(exc), title="Not done", severity="error", markup=False)
            return True

    def action_section(self, mode: str) -> None:
        if self.engine is not None:
            self.switch_mode(mode)

    def format_title(self, title: str, sub_title: str) -> Content:
        """Every screen's title says "(read-only)" in a read-only workspace, its own sub-title too."""
        return super().format_title(title, f"{sub_title}  (read-only)" if self.read_only else sub_title)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "section":
            if self.engine is None:
                return False
            return None if parameters and parameters[0] == self.current_mode else True
        if action == "export_pack":  # issuing records a checkpoint in the workspace
            return self.engine is not None and not self.read_only
        return True

    def action_workspaces(self) -> None:
        from isms_tui.screens.workspaces import WorkspacePicker

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.open_workspace(path)

        self.push_screen(WorkspacePicker(self.db_path), chosen)

    def action_portfolio(self) -> None:
        """Every workspace at a glance; enter opens one as ctrl+o does. Leaving it before any
        workspace is open (`isms --dir`) leaves the app."""
        from isms_tui.screens.portfolio import PortfolioScreen

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.open_workspace(path)
            elif self.engine is None:
                self.exit(message="No workspace was opened.")

        current = self.db_path if self.engine is not None else None
        self.push_screen(PortfolioScreen(current, self.portfolio_dir), chosen)

    def action_export_xlsx(self) -> None:
        from isms_tui.screens.spreadsheet import SpreadsheetExport

        if self.engine is not None:
            self.push_screen(SpreadsheetExport())

    def action_export_pack(self) -> None:
        """Issue a signed evidence pack (the screen, and reportlab, load only now)."""
        if self.engine is None:
            return
        from isms_tui.screens.export import ExportScreen

        self.push_screen(ExportScreen(self.db_path))

    def action_transfer(self, importing: bool) -> None:
        """The import or export screen, on the register of the section shown."""
        if self.engine is None or (importing and self.read_only):
            return
        from isms_tui.screens.transfer import transfer_screen

        self.push_screen(transfer_screen(self.screen, str(self.current_mode), importing))

    def action_help(self) -> None:
        """Help for the screen in front (pressed again, or on the help itself, it closes)."""
        from isms_tui.screens.help import toggle_help

        toggle_help(self)

    def get_system_commands(self, screen: Screen[Any]) -> Iterator[SystemCommand]:
        """Textual's commands, help, every key the screen (and the app) offers now, and the app's dialogs."""
        from isms_tui.screens.palette import screen_commands, workspace_commands

        yield from super().get_system_commands(screen)
        yield from screen_commands(self, screen)
        yield from workspace_commands(self, opened=self.engine is not None, read_only=self.read_only)


if TYPE_CHECKING:
    _HOST: type[WorkspaceHost] = IsmsApp  # the screens rely on the app being their workspace host
