"""OSCAL JSON from the TUI (`isms export oscal`): an audit's assessment results or plan, or the
catalogue, written to a file the user names.

The document is built, validated with compliance-trestle and written in a thread worker, with
its steps on a progress bar (trestle alone takes about a second to load); `escape` cancels it
before the file is written. The same services as the CLI (`services/oscal/export.py`), so the
file is the one `isms export oscal` writes; the target goes through `files.py` (a link, folder
or special file refused, a full disk one sentence, nothing half-written). Without the `oscal`
extra the dialog says in one sentence how to install it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from isms_tui.models.text import clean
from isms_tui.services import clock
from isms_tui.widgets.footer import IsmsFooter
from isms_tui.widgets.job_progress import JobProgress, Report

from .base import workspace_host, workspace_session
from .file_picker import FilePicker

RESULTS, PLAN, CATALOGUE = "assessment-results", "assessment-plan", "catalog"
KINDS = {
    RESULTS: "Assessment results (lines, findings, risks)",
    PLAN: "Assessment plan (scope, schedule, criteria)",
    CATALOGUE: "Catalogue (every requirement, our questions)",
}
Cancelled = Callable[[], bool]
SHORT = {RESULTS: "results", PLAN: "plan", CATALOGUE: "catalogue"}


class OscalExportScreen(ModalScreen[str | None]):
    """Choose the document (for an audit: results or plan) and the file; export; say what was written."""

    HELP = (
        "Export OSCAL JSON (NIST's machine-readable format for assessments) for a GRC tool or an auditor: an "
        "internal audit's assessment results or plan (9.2), or the requirement catalogue with our questions. "
        "The file is the one `isms export oscal` writes."
    )

    DEFAULT_CSS = """
    OscalExportScreen { align: center middle; }
    OscalExportScreen > #oscal-box {
        width: 100; max-width: 96%; height: auto; max-height: 94%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    OscalExportScreen #oscal-title { text-style: bold; padding-bottom: 1; }
    OscalExportScreen .oscal-row { height: auto; }
    OscalExportScreen .oscal-label { width: 10; padding-top: 1; }
    OscalExportScreen #oscal-kind, OscalExportScreen #oscal-path { width: 1fr; }
    OscalExportScreen #oscal-progress { padding-top: 1; }
    OscalExportScreen #oscal-result { height: auto; padding-top: 1; }
    OscalExportScreen #oscal-result.-error { color: $error; }
    OscalExportScreen #oscal-result.-done { color: $success; }
    OscalExportScreen #oscal-buttons { height: auto; align-horizontal: right; padding-top: 1; }
    OscalExportScreen #oscal-buttons Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close · cancels"),
        Binding("ctrl+s", "run", "Export", priority=True),
        Binding("ctrl+f", "browse", "Choose file", priority=True),
    ]

    def __init__(self, audit_id: int | None = None, *, planned: bool = False) -> None:
        """For an audit, its results (its plan while it is planned); without one, the catalogue."""
        super().__init__()
        self.audit_id = audit_id
        self.kind = CATALOGUE if audit_id is None else PLAN if planned else RESULTS
        self.busy = False
        self.done_message: str | None = None

    def compose(self) -> ComposeResult:
        what = f"audit #{self.audit_id}" if self.audit_id is not None else "the requirement catalogue"
        with Vertical(id="oscal-box"):
            yield Static(f"Export {what} as OSCAL JSON", id="oscal-title", markup=False)
            with Horizontal(classes="oscal-row"):
                yield Static("Document", classes="oscal-label")
                kinds = [RESULTS, PLAN] if self.audit_id is not None else [CATALOGUE]
                yield Select([(KINDS[k], k) for k in kinds], value=self.kind, allow_blank=False, id="oscal-kind")
            with Horizontal(classes="oscal-row"):
                yield Static("File", classes="oscal-label")
                yield Input(str(self.default_path()), id="oscal-path")
                yield Button("Choose…  ctrl+f", id="oscal-browse")
            yield JobProgress(id="oscal-progress")
            yield Static("", id="oscal-result", markup=False)
            with Horizontal(id="oscal-buttons"):
                yield Button("Close", id="oscal-close")
                yield Button("Export  ctrl+s", id="oscal-run", variant="primary")
        yield IsmsFooter()

    def default_path(self) -> Path:
        """`NAME-audit-3-results-DATE.json` (or `NAME-oscal-catalogue-DATE.json`) beside the workspace."""
        db = workspace_host(self).db_path
        subject = f"audit-{self.audit_id}-{SHORT[self.kind]}" if self.audit_id is not None else "oscal-catalogue"
        return db.parent / f"{db.stem}-{subject}-{clock.today().isoformat()}.json"

    def on_mount(self) -> None:
        self.query_one("#oscal-path", Input).focus()

    @on(Select.Changed, "#oscal-kind")
    def kind_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str) or event.value == self.kind:
            return
        box = self.query_one("#oscal-path", Input)
        proposed = str(self.default_path())
        self.kind = event.value
        if box.value == proposed:  # the name we proposed: follow the document
            box.value = str(self.default_path())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {"oscal-run": self.action_run, "oscal-close": self.action_close, "oscal-browse": self.action_browse}
        if event.button.id in actions:
            actions[event.button.id]()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    def action_close(self) -> None:
        if self.busy:
            self.query_one(JobProgress).cancel()
            return
        self.dismiss(self.done_message)

    def action_browse(self) -> None:
        if self.busy:
            return
        current = Path(self.query_one("#oscal-path", Input).value.strip() or ".").expanduser()

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.query_one("#oscal-path", Input).value = str(path)
                self.query_one("#oscal-run", Button).focus()

        self.app.push_screen(FilePicker("Choose where to write the OSCAL JSON", current, for_writing=True), chosen)

    def action_run(self) -> None:
        if self.busy:
            return
        text = self.query_one("#oscal-path", Input).value.strip()
        if not text:
            self._finish("Type the path of the file to write, or choose it (ctrl+f).", "-error")
            return
        self.busy = True
        self.query_one("#oscal-run", Button).disabled = True
        result = self.query_one("#oscal-result", Static)
        result.remove_class("-error", "-done")
        result.update("")
        report, cancelled = self.query_one(JobProgress).start("Loading compliance-trestle")
        self.export(self.kind, self.audit_id, Path(text).expanduser(), report, cancelled)

    @work(thread=True, exclusive=True, exit_on_error=False, group="oscal")
    def export(self, kind: str, audit_id: int | None, path: Path, report: Report, cancelled: Cancelled) -> None:
        """Build, validate and write off the main thread; report back, never raise."""
        from isms_tui.models.db import WorkspaceError
        from isms_tui.services.errors import InputError, NotFound

        call = self.app.call_from_thread
        try:
            message = write_document(self, kind, audit_id, path, report, cancelled)
        except (InputError, NotFound, WorkspaceError) as exc:
            call(self._failed, str(exc))
        except OSError as exc:
            call(
                self._failed,
                f"{exc.strerror or exc}: {exc.filename}; nothing was written." if exc.filename else f"{exc}.",
            )
        else:
            if message:
                call(self._done, message)
            else:
                call(self._cancelled)

    def _done(self, message: str) -> None:
        self.done_message = message
        if not self.is_attached:
            self.app.notify(message, title="OSCAL", markup=False)
            return
        self.query_one(JobProgress).finish("Done", 1.0)
        self._finish(message, "-done")  # in the dialog itself; a toast would only cover it

    def _failed(self, message: str) -> None:
        if not self.is_attached:
            self.app.notify(message, title="OSCAL not written", severity="error", markup=False)
            return
        self.query_one(JobProgress).finish("")
        self._finish(message, "-error")

    def _cancelled(self) -> None:
        if self.is_attached:
            self.query_one(JobProgress).finish("Cancelled", 0.0)
            self._finish("Cancelled; nothing was written.", "-error")

    def _finish(self, message: str, kind: str) -> None:
        self.busy = False
        self.query_one("#oscal-run", Button).disabled = False
        result = self.query_one("#oscal-result", Static)
        result.remove_class("-error", "-done")
        if kind:
            result.add_class(kind)
        result.update(clean(message))  # a pasted path may hold control or bidi characters


def write_document(
    screen: OscalExportScreen, kind: str, audit_id: int | None, path: Path, report: Report, cancelled: Cancelled
) -> str:
    """The CLI's steps, in the worker's thread: the extra, the target, the document, the file.
    Returns the sentence to show, or "" when cancelled before anything was written."""
    from isms_tui.files import check_target, write_bytes
    from isms_tui.services.oscal import export

    export.require_trestle(kind)  # one sentence on how to install it, before any work
    check_target(path)  # a link, folder or special file is refused before any work
    if cancelled():
        return ""
    report(0.3, "Building the document and validating it with compliance-trestle")
    if kind == CATALOGUE:
        data, what = export.catalogue(), "The catalogue"
    else:
        assert audit_id is not None
        with workspace_session(screen) as session:
            if kind == RESULTS:
                data, what = export.audit_results(session, audit_id), f"Audit {audit_id}'s assessment results"
            else:
                data, what = export.audit_plan(session, audit_id), f"Audit {audit_id}'s assessment plan"
    report(0.8, "Writing the file")
    if cancelled():
        return ""
    write_bytes(path, data, tag="oscal")
    return f"{what} written to {path} as OSCAL JSON."
