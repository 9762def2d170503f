"""Switch workspace: consultants keep one file per client and hop between them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from isms_tui.config import recent_entries

if TYPE_CHECKING:
    from isms_tui.services.recent import RecentWorkspace


class WorkspacePicker(ModalScreen[Path | None]):
    """Pick a recent workspace or type the path of one to open (a new path creates it).

    Each file is listed by its path at once; its organisation and when it was last opened (or
    why it cannot be read) follow from a thread, so a slow or damaged file never holds the list.
    """

    HELP = (
        "Open another workspace: a recent one (listed by organisation) or a file by path; a new path creates "
        "a workspace."
    )

    DEFAULT_CSS = """
    WorkspacePicker { align: center middle; }
    WorkspacePicker > #picker-box {
        width: 96; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    WorkspacePicker #picker-title { text-style: bold; padding: 0 0 1 0; }
    WorkspacePicker #recent { height: auto; max-height: 24; }
    WorkspacePicker .picker-label { color: $text-muted; margin-top: 1; }
    WorkspacePicker #picker-error { color: $error; height: auto; }
    WorkspacePicker #picker-hint { color: $text-muted; text-style: italic; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+o", "portfolio", "Portfolio"),
        Binding("delete", "forget", "Forget", tooltip="Take the highlighted workspace off the list; the file stays"),
    ]

    def __init__(self, current: Path) -> None:
        super().__init__()
        self.current = Path(current).expanduser().resolve()
        self.missing: set[Path] = set()

    def compose(self) -> ComposeResult:
        paths = [e.path for e in recent_entries()]  # gone files too: they are listed with the reason
        if self.current not in paths:
            paths.insert(0, self.current)
        with Vertical(id="picker-box"):
            yield Static("Open a workspace", id="picker-title")
            yield Static("Recent workspaces", classes="picker-label")
            yield OptionList(*(self._option(p) for p in paths), id="recent")
            yield Static("Or type a path (a new file is created)", classes="picker-label")
            yield Input(placeholder="~/clients/example.db", id="picker-path")
            yield Static("", id="picker-error", markup=False)
            yield Static(
                "enter opens · delete forgets an entry · tab switches list/path · ctrl+o portfolio · escape cancels",
                id="picker-hint",
            )

    def _option(self, path: Path) -> Option:
        label = Content(str(path))
        if path == self.current:
            label = label + Content.styled("  (current)", "bold $accent")
        return Option(label, id=str(path))

    def on_mount(self) -> None:
        options = self.query_one("#recent", OptionList)
        options.highlighted = 0
        options.focus()
        self.describe_files()

    @work(thread=True, exclusive=True, exit_on_error=False, group="picker")
    def describe_files(self) -> None:
        from isms_tui.services.recent import recent_workspaces as described

        rows = described(self.current)
        self.app.call_from_thread(self.show_described, rows)

    def show_described(self, rows: list[RecentWorkspace]) -> None:
        """Name each listed file by its organisation, or say why it cannot be read."""
        options = self.query_one("#recent", OptionList)
        self.missing = {r.path for r in rows if r.missing}
        for r in rows:
            try:
                options.replace_option_prompt(str(r.path), self._label(r))
            except OptionDoesNotExist:  # the list changed under the thread
                continue

    def _label(self, r: RecentWorkspace) -> Content:
        if r.problem:
            head = Content.styled(r.problem, "$error")
        else:
            head = Content.styled(r.organisation or "No organisation named yet", "bold" if r.organisation else "italic")
        if r.path == self.current:
            head = head + Content.styled("  (current)", "bold $accent")
        return head + Content("\n") + Content.styled(f"{r.path}  ·  {_opened(r.opened_at)}", "dim")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is None:
            return
        path = Path(event.option.id)
        if path in self.missing:
            self._error(f"{path} is no longer there: type the path it has now.")
            return
        self._open(path)

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

    def action_forget(self) -> None:
        """Take the highlighted entry off the recent list (not the file, and not the one open)."""
        from isms_tui.config import forget_workspace

        options = self.query_one("#recent", OptionList)
        if options.highlighted is None:
            return
        option = options.get_option_at_index(options.highlighted)
        if option.id is None:
            return
        path = Path(option.id)
        if path == self.current:
            self._error("The workspace open now stays on the list.")
            return
        forget_workspace(path)
        options.remove_option(option.id)
        self.query_one("#picker-error", Static).update(f"{path.name} is off the list; the file was not touched.")

    def action_portfolio(self) -> None:
        """The same workspaces with their figures; the one chosen there opens as from here."""
        from isms_tui.screens.portfolio import PortfolioScreen

        def chosen(path: Path | None) -> None:
            if path is not None:
                self._open(path)

        folder = getattr(self.app, "portfolio_dir", None)  # `isms --dir FOLDER`: its files too
        self.app.push_screen(PortfolioScreen(self.current, folder), chosen)


def _opened(when: datetime | None) -> str:
    """'last opened 2026-12-02 09:41' in local time; older lists did not keep the time."""
    if when is None:
        return "last opened: not recorded"
    return f"last opened {when.astimezone():%Y-%m-%d %H:%M}"
