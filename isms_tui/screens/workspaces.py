"""Switch workspace: consultants keep one file per client and hop between them."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from isms_tui.config import recent_workspaces


class WorkspacePicker(ModalScreen[Path | None]):
    """Pick a recent workspace or type the path of one to open (a new path creates it)."""

    DEFAULT_CSS = """
    WorkspacePicker { align: center middle; }
    WorkspacePicker > #picker-box {
        width: 96; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    WorkspacePicker #picker-title { text-style: bold; padding: 0 0 1 0; }
    WorkspacePicker #recent { height: auto; max-height: 14; }
    WorkspacePicker .picker-label { color: $text-muted; margin-top: 1; }
    WorkspacePicker #picker-error { color: $error; height: auto; }
    WorkspacePicker #picker-hint { color: $text-muted; text-style: italic; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: Path) -> None:
        super().__init__()
        self.current = Path(current).expanduser().resolve()

    def compose(self) -> ComposeResult:
        paths = recent_workspaces()
        if self.current not in paths:
            paths.insert(0, self.current)
        with Vertical(id="picker-box"):
            yield Static("Open a workspace", id="picker-title")
            yield Static("Recent workspaces", classes="picker-label")
            yield OptionList(*(self._option(p) for p in paths), id="recent")
            yield Static("Or type a path (a new file is created)", classes="picker-label")
            yield Input(placeholder="~/clients/example.db", id="picker-path")
            yield Static("", id="picker-error", markup=False)
            yield Static("enter opens · tab switches list/path · escape cancels", id="picker-hint")

    def _option(self, path: Path) -> Option:
        label = Content(str(path))
        if path == self.current:
            label = label + Content.styled("  (current)", "bold $accent")
        return Option(label, id=str(path))

    def on_mount(self) -> None:
        options = self.query_one("#recent", OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self._open(Path(event.option.id))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self._error("Type the path of a workspace file.")
            return
        path = Path(text).expanduser().resolve()
        if path.is_dir():
            self._error(f"{path} is a folder: type the path of a workspace file inside it.")
            return
        self._open(path)

    def _open(self, path: Path) -> None:
        """Return the chosen file; the current one needs no reopening."""
        self.dismiss(None if path == self.current else path)

    def _error(self, message: str) -> None:
        self.query_one("#picker-error", Static).update(message)
        self.query_one("#picker-path", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
