"""Choosing a file to read or write: a folder tree beside a path the user can also type.

The tree lists folders and regular files only (a named pipe, socket or device is never
offered). Whatever is chosen, from the tree or typed, is checked again when chosen: a file to
read must be a regular file (a link counts as what it points to), a file to write must be a
regular file or a new name in an existing folder (files.check_target, the rule every export
follows); anything else is refused in one sentence and the picker stays open. The reading
and writing themselves still go through userfiles.py and files.py.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Static

from isms_tui.errors import InputError
from isms_tui.files import check_target
from isms_tui.userfiles import kind_of


class RegularFilesTree(DirectoryTree):
    """A DirectoryTree of folders and regular files; hidden entries and special files are left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                mode = os.stat(path).st_mode  # never opens it: a FIFO cannot block this
            except OSError:
                continue
            if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
                yield path


def check_pick(path: Path, *, for_writing: bool) -> None:
    """Refuse, in one sentence, a path that cannot be read (or written) as a regular file."""
    if for_writing:
        check_target(path)
        return
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError(f"There is no file at {path}.") from None
    except OSError as exc:
        raise InputError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"{path} is {kind_of(mode)}, not a regular file; choose a regular file.")


class FilePicker(ModalScreen[Path | None]):
    """Pick a file: `enter` on a file in the tree or in the path box chooses it; a folder opens."""

    HELP = (
        "Choose the file to import from or export to: folders and regular files only, so a link to "
        "a device or a named pipe is never read or written."
    )

    DEFAULT_CSS = """
    FilePicker { align: center middle; }
    FilePicker > Vertical {
        width: 90; max-width: 96%; height: 80%; border: round $primary; background: $surface; padding: 0 1;
    }
    FilePicker #picker-title { text-style: bold; padding-bottom: 1; }
    FilePicker RegularFilesTree { height: 1fr; }
    FilePicker #picker-message { color: $error; height: auto; }
    FilePicker #picker-hint { color: $text-muted; height: auto; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+l", "focus_path", "Path"),
        Binding("ctrl+t", "focus_tree", "Tree"),
    ]

    def __init__(self, title: str, start: Path, *, for_writing: bool) -> None:
        super().__init__()
        self.title_text = title
        self.for_writing = for_writing
        start = Path(start).expanduser()
        folder = start if start.is_dir() else start.parent
        self.folder = folder if folder.is_dir() else Path.cwd()
        self.start = start

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, id="picker-title", markup=False)
            yield Input(str(self.start), id="picker-path", placeholder="/path/to/file.csv")
            yield RegularFilesTree(self.folder, id="picker-tree")
            yield Static("", id="picker-message", markup=False)
            yield Static(
                "enter chooses · ctrl+t the tree, ctrl+l the path · a folder typed and entered opens · escape cancels",
                id="picker-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#picker-path", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_focus_path(self) -> None:
        self.query_one("#picker-path", Input).focus()

    def action_focus_tree(self) -> None:
        self.query_one(RegularFilesTree).focus()

    def _say(self, message: str) -> None:
        self.query_one("#picker-message", Static).update(message)

    @on(DirectoryTree.FileSelected)
    def file_chosen(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.query_one("#picker-path", Input).value = str(event.path)
        self.choose(Path(event.path))

    @on(DirectoryTree.DirectorySelected)
    def folder_chosen(self, event: DirectoryTree.DirectorySelected) -> None:
        event.stop()
        box = self.query_one("#picker-path", Input)
        name = Path(box.value).name if self.for_writing and box.value and not Path(box.value).is_dir() else ""
        box.value = str(Path(event.path) / name) if name else str(event.path)

    @on(Input.Submitted, "#picker-path")
    def path_entered(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self._say("Type a file's path or choose one in the tree.")
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        if path.is_dir():
            self.folder = path
            self.query_one(RegularFilesTree).path = path
            self._say("")
            return
        self.choose(path)

    def choose(self, path: Path) -> None:
        try:
            check_pick(path, for_writing=self.for_writing)
        except InputError as exc:
            self._say(str(exc))
            return
        self.dismiss(path)
