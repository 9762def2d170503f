"""First run: name the organisation and start empty, or load the demo workspace.

A modal screen, so the app's section keys stay inactive until the workspace has a row:
the dashboard of a nameless workspace would only confuse. Escape leaves without creating
anything: it dismisses with False, and the app removes the file it made for this screen.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from isms_tui.services import actor as actors
from isms_tui.widgets.form import FormField, mark_field_errors

from .base import WorkspaceHost, workspace_host

INTRO = (
    "ISO/IEC 27001:2022 Clause 9 in your terminal: measure (9.1), audit (9.2), review (9.3).\n"
    "One workspace file per organisation, kept on this computer; no network needed."
)


class WelcomeScreen(ModalScreen[bool]):
    """Creates the workspace row (or the demo data), then dismisses with True so the app shows
    the dashboard; escape dismisses with False, having saved nothing."""

    HELP = (
        "A new workspace: name the organisation and its ISMS scope, then start empty or with the demo. Escape"
        " leaves without creating anything."
    )

    DEFAULT_CSS = """
    WelcomeScreen { align: center middle; background: $background; }
    WelcomeScreen > #welcome-box {
        width: 100; max-width: 100%; height: auto; border: thick $primary;
        background: $surface; padding: 1 2;
    }
    WelcomeScreen #welcome-title { text-style: bold; }
    WelcomeScreen #welcome-intro { margin: 1 0 0 0; }
    WelcomeScreen #welcome-path { margin: 0 0 1 0; color: $text-muted; }
    WelcomeScreen #welcome-message { color: $error; height: auto; }
    WelcomeScreen #welcome-buttons { height: auto; margin-top: 1; }
    WelcomeScreen #welcome-buttons Button { margin-right: 2; }
    WelcomeScreen #welcome-leave { color: $text-muted; margin-top: 1; }
    WelcomeScreen #welcome-form { height: auto; }
    WelcomeScreen #welcome-busy { height: auto; display: none; }
    WelcomeScreen #welcome-busy LoadingIndicator { height: 1; width: 8; }
    WelcomeScreen.-busy #welcome-busy { display: block; }
    WelcomeScreen.-busy #welcome-form { display: none; }
    """
    BINDINGS = [
        Binding("ctrl+s", "start_empty", "Start empty", priority=True),
        Binding("ctrl+l", "load_demo", "Load the demo", priority=True),
        Binding("escape", "leave", "Leave without creating"),
    ]

    def __init__(self, load_demo: bool = False) -> None:
        super().__init__()
        self.load_demo = load_demo

    @property
    def isms(self) -> WorkspaceHost:
        return workspace_host(self)

    def compose(self) -> ComposeResult:
        with Vertical(id="welcome-box"):
            yield Static("Welcome to isms-tui", id="welcome-title")
            yield Static(INTRO, id="welcome-intro")
            yield Static(f"New workspace file: {self.isms.db_path}", id="welcome-path", markup=False)
            with Vertical(id="welcome-form"):
                yield FormField(
                    "Organisation name",
                    Input(placeholder="e.g. Example Ltd", id="org-name"),
                    key="org_name",
                )
                yield FormField(
                    "ISMS scope",
                    Input(placeholder="What the ISMS covers (you can change it later)", id="scope"),
                    key="scope",
                )
                yield FormField(
                    "You are",
                    Input(
                        self.isms.actor_override or "",
                        placeholder="Your name, as changes are journaled (else login:NAME)",
                        id="current-user",
                    ),
                    key="current_user",
                )
                yield Static("", id="welcome-message", markup=False)
                with Horizontal(id="welcome-buttons"):
                    yield Button("Start empty  ctrl+s", id="start-empty", variant="primary")
                    yield Button("Load the demo workspace  ctrl+l", id="load-demo")
                yield Static("escape leaves without creating anything", id="welcome-leave")
            with Horizontal(id="welcome-busy"):
                yield LoadingIndicator()
                yield Static("Creating demo workspace…")

    def on_mount(self) -> None:
        if self.load_demo:
            self.action_load_demo()
        else:
            self.query_one("#org-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start_empty()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "start-empty":
            self.action_start_empty()
        elif event.button.id == "load-demo":
            self.action_load_demo()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the demo is being written nothing else may touch the workspace.
        return not self.has_class("-busy")

    def action_start_empty(self) -> None:
        """Save the organisation as typed; errors go under their fields and nothing is saved."""
        from isms_tui.services import workspace
        from isms_tui.services.errors import InputError

        person = self.query_one("#current-user", Input).value
        self.isms.actor = actors.resolve(self.isms.actor_override, person)
        try:
            with self.isms.session() as session:
                workspace.save_workspace(
                    session,
                    self.query_one("#org-name", Input).value,
                    self.query_one("#scope", Input).value,
                    current_user=person,
                )
        except InputError as exc:
            self._show_errors(str(exc), exc.fields)
            return
        self.dismiss(True)

    def action_leave(self) -> None:
        """Nothing has been saved yet (a save dismisses at once), so leaving loses nothing."""
        self.dismiss(False)

    def action_load_demo(self) -> None:
        self._show_errors("", {})
        self.add_class("-busy")
        self.refresh_bindings()
        self._create_demo()

    @work(thread=True, exit_on_error=False, group="demo")
    def _create_demo(self) -> str:
        """Write the demo off the main thread; returns the demo's current user, if it names one."""
        from isms_tui.services import clock, demo, workspace

        with self.isms.session() as session:
            demo.create_demo(session, clock.today())
            ws = workspace.get_workspace(session)
            return ws.current_user if ws is not None else ""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "demo":
            return
        if event.state == WorkerState.SUCCESS:
            self.isms.actor = actors.resolve(self.isms.actor_override, event.worker.result)
            self.dismiss(True)
        elif event.state == WorkerState.ERROR:
            self.remove_class("-busy")
            self.refresh_bindings()
            self._show_errors(f"The demo workspace could not be created: {event.worker.error}", {})

    def _show_errors(self, message: str, errors: dict[str, str]) -> None:
        mark_field_errors(self, errors)
        self.query_one("#welcome-message", Static).update(message)
        if "org_name" in errors:
            self.query_one("#org-name", Input).focus()
