"""Export the registers as a spreadsheet (`isms export xlsx` from the TUI): where to, then done.

The workbook is written in a thread (a large register takes seconds); the result or the one
sentence of a refusal (a link, a folder, a full disk) shows in the dialog.
"""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from isms_tui.screens.base import workspace_host, workspace_session
from isms_tui.services import clock


def default_target(db_path: Path) -> Path:
    """`NAME-registers-YYYY-MM-DD.xlsx` in the folder isms was started from."""
    return Path.cwd() / f"{db_path.stem}-registers-{clock.today().isoformat()}.xlsx"


class SpreadsheetExport(ModalScreen[Path | None]):
    """Ask for the file, write the workbook, say what was written (or why not)."""

    HELP = (
        "Write the registers an auditor asks for (readings with their targets and status, analyses, "
        "audits and their lines, findings, actions, risks, the SoA) to one spreadsheet workbook."
    )

    DEFAULT_CSS = """
    SpreadsheetExport { align: center middle; }
    SpreadsheetExport > #xlsx-box {
        width: 96; max-width: 95%; height: auto; border: thick $primary; background: $surface; padding: 0 1;
    }
    SpreadsheetExport #xlsx-title { text-style: bold; padding: 0 0 1 0; }
    SpreadsheetExport #xlsx-result { height: auto; margin-top: 1; }
    SpreadsheetExport #xlsx-result.problem { color: $error; }
    SpreadsheetExport #xlsx-hint { color: $text-muted; text-style: italic; }
    """
    BINDINGS = [Binding("escape", "close", "Close")]

    def compose(self) -> ComposeResult:
        target = default_target(workspace_host(self).db_path)
        with Vertical(id="xlsx-box"):
            yield Static("Export the registers as a spreadsheet (.xlsx)", id="xlsx-title")
            yield Input(str(target), id="xlsx-path")
            yield Static("", id="xlsx-result", markup=False)
            yield Static("enter writes the workbook · escape closes", id="xlsx-hint")

    def on_mount(self) -> None:
        self.query_one("#xlsx-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self._show("Type the path of the file to write.", problem=True)
            return
        self._show("Writing the workbook…", problem=False)
        self.write(Path(text).expanduser())

    @work(thread=True, exclusive=True, exit_on_error=False, group="xlsx")
    def write(self, path: Path) -> None:
        from isms_tui.models.db import WorkspaceError
        from isms_tui.services.errors import InputError
        from isms_tui.services.xlsx_export import export_xlsx

        try:
            with workspace_session(self) as session:
                counts = export_xlsx(session, path)
        except (InputError, WorkspaceError) as exc:
            self.app.call_from_thread(self._show, str(exc), True)
            return
        detail = ", ".join(f"{name} {n}" for name, n in counts.items() if name != "About")
        self.app.call_from_thread(self._show, f"Written to {path}: {detail}.", False)

    def _show(self, text: str, problem: bool) -> None:
        if not self.is_attached:  # closed while the workbook was being written
            if not problem:
                self.app.notify(text, title="Spreadsheet", markup=False)
            else:
                self.app.notify(text, title="Spreadsheet not written", severity="error", markup=False)
            return
        result = self.query_one("#xlsx-result", Static)
        result.update(text)
        result.set_class(problem, "problem")

    def action_close(self) -> None:
        self.dismiss(None)
