"""Importing a file into a register, or exporting a register to a file, from the TUI.

The same services and sentences as `isms import|export` and `isms checklist import|export`
(services/transfer.py): an import checks the whole file and imports nothing unless every row
is valid, showing each row's problems in a table as the CLI lists them; an export writes
through files.py. The work runs in a thread worker, with progress for a readings file; while
an import runs, `escape` cancels it and its transaction rolls back, so nothing is half
written. Importing is a write (`WriteBinding`): a read-only workspace offers export only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DataTable, Input, Select, Static

from isms_tui.services.transfer import REGISTERS
from isms_tui.widgets.footer import IsmsFooter
from isms_tui.widgets.job_progress import JobProgress, Report
from isms_tui.widgets.tickbox import TickBox

from .base import WriteBinding, blocked_write, current_actor, workspace_host, workspace_session
from .file_picker import FilePicker

MAX_SHOWN_ERRORS = 1000


def split_row_error(line: str) -> tuple[str, str]:
    """'row 12: kpi X is unknown' -> ('12', 'kpi X is unknown'); other lines keep their text."""
    head, sep, rest = line.partition(": ")
    if sep and head.startswith("row ") and head[4:].isdigit():
        return head[4:], rest
    return "", line


class TransferScreen(ModalScreen[str | None]):
    """Shared by the import and the export screen: a register, a file, a run, a result."""

    HELP = (
        "Move a register between the workspace and a file: readings (9.1), the risk register, the "
        "statement of applicability or an audit checklist (9.2)."
    )

    DEFAULT_CSS = """
    TransferScreen { align: center middle; }
    TransferScreen > #transfer-box {
        width: 100; max-width: 96%; height: auto; max-height: 94%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    TransferScreen #transfer-title { text-style: bold; padding-bottom: 1; }
    TransferScreen .transfer-row { height: auto; }
    TransferScreen .transfer-label { width: 16; padding-top: 1; }
    TransferScreen #transfer-path { width: 1fr; }
    TransferScreen #transfer-register, TransferScreen #transfer-checklist { width: 1fr; }
    TransferScreen #transfer-columns { color: $text-muted; padding-left: 16; height: auto; }
    TransferScreen .hidden { display: none; }
    TransferScreen #transfer-progress { padding-top: 1; }
    TransferScreen #transfer-result { height: auto; padding-top: 1; }
    TransferScreen #transfer-result.-error { color: $error; }
    TransferScreen #transfer-result.-done { color: $success; }
    TransferScreen #transfer-errors { height: auto; max-height: 14; }
    TransferScreen #transfer-buttons { height: auto; align-horizontal: right; padding-top: 1; }
    TransferScreen #transfer-buttons Button { margin-left: 2; }
    """
    importing = False
    verb = "Export"

    def __init__(self, register: str = "readings") -> None:
        super().__init__()
        self.register_key = register if register in REGISTERS else "readings"
        self.busy = False
        self.done_message: str | None = None
        self._report: Report = lambda fraction, step: None
        self._is_cancelled: Callable[[], bool] = lambda: False

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="transfer-box"):
            yield Static(self.title_text(), id="transfer-title", markup=False)
            with Horizontal(classes="transfer-row"):
                yield Static("Register", classes="transfer-label")
                options = [(Text(r.label), r.key) for r in REGISTERS.values()]
                yield Select(options, value=self.register_key, allow_blank=False, id="transfer-register")
            yield Static("", id="transfer-columns", markup=False)
            with Horizontal(classes="transfer-row", id="transfer-checklist-row"):
                yield from self.checklist_fields()
            with Horizontal(classes="transfer-row"):
                yield Static("File", classes="transfer-label")
                yield Input(str(self.default_path()), id="transfer-path")
                yield Button("Choose…  ctrl+f", id="transfer-browse")
            yield TickBox(self.replace_label(), id="transfer-replace", classes="hidden")
            yield JobProgress(id="transfer-progress")
            yield Static("", id="transfer-result", markup=False)
            table: DataTable[str] = DataTable(id="transfer-errors", cursor_type="row", zebra_stripes=True)
            table.add_column("Row", width=5)
            table.add_column("Problem", width=84)  # a fixed width, so that long problems wrap
            table.display = False
            yield table
            with Horizontal(id="transfer-buttons"):
                yield Button("Close", id="transfer-close")
                yield Button(f"{self.verb}  ctrl+s", id="transfer-run", variant="primary")
        yield IsmsFooter()

    def title_text(self) -> str:
        return "Export a register to a file"

    def replace_label(self) -> str:
        return ""

    def checklist_fields(self) -> ComposeResult:
        yield from ()

    def default_path(self) -> Path:
        return workspace_host(self).db_path.parent

    def on_mount(self) -> None:
        self._register_shown()
        self.query_one("#transfer-path", Input).focus()

    @on(Select.Changed, "#transfer-register")
    def register_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.register_key = event.value
            self._register_shown()

    def _register_shown(self) -> None:
        register = REGISTERS[self.register_key]
        self.query_one("#transfer-columns", Static).update(f"Columns: {register.columns}")
        self.query_one("#transfer-checklist-row").set_class(self.register_key != "checklist", "hidden")
        self.query_one("#transfer-replace").set_class(
            not self.importing or self.register_key not in ("readings", "checklist"), "hidden"
        )
        self.query_one("#transfer-replace", Checkbox).label = self.replace_label()

    # -- keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if blocked_write(self, action) else True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "transfer-run":
            if not blocked_write(self, "run"):  # the button obeys the key's rule
                self.action_run()
        elif event.button.id == "transfer-close":
            self.action_close()
        elif event.button.id == "transfer-browse":
            self.action_browse()

    def action_hold_on(self, action: str) -> None:
        """`q` and `ctrl+o` wait for a running import or export: leaving the workspace mid-way
        would only roll it back unseen. Otherwise they do what they do everywhere."""
        if self.busy:
            self.notify("Wait for the file to finish, or cancel the import with escape.", severity="warning")
        elif action == "quit":
            self.app.exit()
        else:
            getattr(self.app, f"action_{action}")()

    def action_close(self) -> None:
        if self.busy:
            if self.importing:
                self.query_one(JobProgress).cancel()
            return
        self.dismiss(self.done_message)

    def action_browse(self) -> None:
        if self.busy:
            return
        current = Path(self.query_one("#transfer-path", Input).value.strip() or ".").expanduser()
        title = "Choose the file to import" if self.importing else "Choose where to write the export"

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.query_one("#transfer-path", Input).value = str(path)
                self.query_one("#transfer-run", Button).focus()

        self.app.push_screen(FilePicker(title, current, for_writing=not self.importing), chosen)

    def action_run(self) -> None:
        if self.busy:
            return
        text = self.query_one("#transfer-path", Input).value.strip()
        if not text:
            self._failed("Choose the file first (ctrl+f).")
            return
        path = Path(text).expanduser()
        self.busy = True
        self.query_one("#transfer-run", Button).disabled = True
        table = self.query_one("#transfer-errors", DataTable)
        table.clear()
        table.display = False
        result = self.query_one("#transfer-result", Static)
        result.remove_class("-error", "-done")
        result.update("")
        self._report, self._is_cancelled = self.query_one(JobProgress).start(
            "Reading the file" if self.importing else "Writing the file"
        )
        self.transfer(self.register_key, path, self.options(), current_actor(self))

    def options(self) -> dict[str, Any]:
        return {}

    # -- the work ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="transfer")
    def transfer(self, key: str, path: Path, options: dict[str, Any], actor: str) -> None:
        """Import or export off the main thread; report back, never raise."""
        from isms_tui.models.db import WorkspaceError
        from isms_tui.services.csv_io import ImportRejected
        from isms_tui.services.errors import InputError, NotFound
        from isms_tui.services.transfer import ImportCancelled

        report = self.app.call_from_thread
        try:
            message = self.work_on(key, path, options, actor)
        except ImportCancelled:
            report(self._cancelled)
        except ImportRejected as rejected:
            report(self._rejected, str(rejected), rejected.row_errors)
        except (InputError, NotFound, WorkspaceError) as exc:
            report(self._failed, str(exc))
        except OSError as exc:
            report(self._failed, f"{exc.strerror or exc}: {exc.filename}." if exc.filename else f"{exc}.")
        except Exception as exc:
            report(self._failed, f"The {self.verb.lower()} failed: {exc}; nothing was changed.")
        else:
            report(self._done, message)

    def work_on(self, key: str, path: Path, options: dict[str, Any], actor: str) -> str:
        from isms_tui.services.transfer import run_export

        with workspace_session(self) as session:
            return run_export(session, key, path, name=options.get("name"))

    # -- results (main thread) ---------------------------------------------------------------

    def _finish(self, message: str, kind: str) -> None:
        self.busy = False
        self.query_one("#transfer-run", Button).disabled = False
        result = self.query_one("#transfer-result", Static)
        result.remove_class("-error", "-done")
        result.add_class(kind)
        result.update(message)

    def _done(self, message: str) -> None:
        self.done_message = message
        self.query_one(JobProgress).finish("Done", 1.0)
        self._finish(message, "-done")
        self.notify(message, markup=False)

    def _failed(self, message: str) -> None:
        self.query_one(JobProgress).finish("")
        self._finish(message, "-error")

    def _cancelled(self) -> None:
        self.query_one(JobProgress).finish("Cancelled", 0.0)
        self._finish("Cancelled; nothing was imported.", "-error")

    def _rejected(self, message: str, row_errors: list[str]) -> None:
        self._failed(message)
        if not row_errors:
            return
        table = self.query_one("#transfer-errors", DataTable)
        for index, line in enumerate(row_errors[:MAX_SHOWN_ERRORS]):
            row, problem = split_row_error(line)
            table.add_row(row, Text(problem), key=str(index), height=None)
        if len(row_errors) > MAX_SHOWN_ERRORS:
            table.add_row("", Text(f"… and {len(row_errors) - MAX_SHOWN_ERRORS:,} more"))
        table.display = True


class RegisterExportScreen(TransferScreen):
    """Export a register to a CSV (or a checklist to CSV or JSON)."""

    HELP = (
        "Export a register to a file: readings (9.1), the risk register, the statement of "
        "applicability or an audit checklist (9.2), in a form the import reads back."
    )

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+s", "run", "Export", priority=True),
        Binding("q", "hold_on('quit')", "Quit", show=False),
        Binding("ctrl+o", "hold_on('workspaces')", "Workspaces", show=False),
        Binding("ctrl+f", "browse", "Choose file", priority=True),
    ]

    def checklist_fields(self) -> ComposeResult:
        yield Static("Checklist", classes="transfer-label")
        yield Select([], prompt="Choose a checklist", id="transfer-checklist")

    def default_path(self) -> Path:
        host = workspace_host(self)
        return host.db_path.parent / f"{host.db_path.stem}-{self.register_key}.csv"

    def on_mount(self) -> None:
        super().on_mount()
        self.load_checklists()

    @work(thread=True, exclusive=True, exit_on_error=False, group="transfer-checklists")
    def load_checklists(self) -> None:
        from isms_tui.services.transfer import checklist_names

        with workspace_session(self) as session:
            names = checklist_names(session)
        self.app.call_from_thread(self._checklists, names)

    def _checklists(self, names: list[str]) -> None:
        choose = self.query_one("#transfer-checklist", Select)
        choose.set_options([(Text(n), n) for n in names])
        if names:
            choose.value = names[0]

    def _register_shown(self) -> None:
        super()._register_shown()
        box = self.query_one("#transfer-path", Input)
        path = Path(box.value)
        if path.stem.endswith(tuple(f"-{k}" for k in REGISTERS)):  # a name we proposed: follow the register
            box.value = str(self.default_path())

    def options(self) -> dict[str, Any]:
        name = self.query_one("#transfer-checklist", Select).value
        return {"name": name if isinstance(name, str) else None}


class RegisterImportScreen(TransferScreen):
    """Import a file into a register: all rows or none, each row's problems in a table."""

    HELP = (
        "Import readings (9.1), risks, the statement of applicability or an audit checklist from a "
        "file: every row is checked first and nothing is imported unless all are valid; each "
        "rejected row is listed."
    )

    BINDINGS = [
        Binding("escape", "close", "Close · cancels a running import"),
        WriteBinding("ctrl+s", "run", "Import", priority=True),
        Binding("q", "hold_on('quit')", "Quit", show=False),
        Binding("ctrl+o", "hold_on('workspaces')", "Workspaces", show=False),
        Binding("ctrl+f", "browse", "Choose file", priority=True),
    ]
    importing = True
    verb = "Import"

    def title_text(self) -> str:
        return "Import a file into a register (all rows or none)"

    def replace_label(self) -> str:
        if self.register_key == "checklist":
            return "Replace my checklist of the same name"
        return "Replace readings already recorded for the same KPI and period (the journal keeps the old ones)"

    def checklist_fields(self) -> ComposeResult:
        yield Static("Name", classes="transfer-label")
        yield Input("", placeholder="default: the JSON's name or the file's name", id="transfer-name")

    def options(self) -> dict[str, Any]:
        return {
            "replace": self.query_one("#transfer-replace", Checkbox).value,
            "name": self.query_one("#transfer-name", Input).value.strip() or None,
        }

    def work_on(self, key: str, path: Path, options: dict[str, Any], actor: str) -> str:
        from isms_tui.services.transfer import ImportCancelled, run_import

        def progress(done: int, total: int) -> None:
            if self._is_cancelled():
                raise ImportCancelled
            step = "Every line checked; writing" if done >= total else f"Checked {done:,} of about {total:,} lines"
            self._report(done / total if total else 0.0, step)

        with workspace_session(self) as session:
            message = run_import(
                session,
                key,
                path,
                actor,
                replace=bool(options.get("replace")),
                name=options.get("name"),
                progress=progress,
            )
            if self._is_cancelled():  # pressed while the last rows were written: roll them back
                raise ImportCancelled
        return message


def transfer_bindings() -> list[Binding]:
    """`I` imports into the screen's register (a write key), `X` exports it; not in the footer."""
    return [
        WriteBinding("I", "import_file", "Import", show=False),
        Binding("X", "export_file", "Export", show=False),
    ]


class TransferKeys:
    """For a section screen: `I` and `X` open the import and export screens on its register."""

    transfer_register = "readings"
    app: Any

    def action_import_file(self) -> None:
        self.app.push_screen(RegisterImportScreen(self.transfer_register))

    def action_export_file(self) -> None:
        self.app.push_screen(RegisterExportScreen(self.transfer_register))


TRANSFER_REGISTERS = {"monitoring": "readings", "risks": "risks", "audits": "checklist"}


def transfer_screen(shown: object, mode: str, importing: bool) -> TransferScreen:
    """The import or export screen on the register of the screen shown (or of its section)."""
    register = getattr(shown, "transfer_register", None) or TRANSFER_REGISTERS.get(mode, "readings")
    return (RegisterImportScreen if importing else RegisterExportScreen)(register)
