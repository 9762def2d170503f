"""Integrity: the command line's integrity tools from the TUI, for the officer who lives in it.

At a glance: the workspace file, the journal's head, the newest signed checkpoint, whether a
signing key exists, the newest backup beside the workspace. Keys: `j` checks the journal and
`e` the evidence files (the CLI's `isms journal verify` / `isms evidence verify`, with the same
report lines, `services/integrity.report_lines`), `b` backs up (`isms backup`), `s` seals the
journal (`isms journal seal`, a write), `c` exports the CA certificate (`isms keys export-ca`).

Checks and the backup run in a thread worker with a `JobProgress`; a check reads one snapshot of
the workspace (a deferred read transaction: the app's writes are never blocked) and escape
cancels it at its next stage. Opened from the command palette and from Settings (`i`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from isms_tui.widgets.job_progress import JobProgress, Report

from .base import SectionScreen, WriteBinding, workspace_session

if TYPE_CHECKING:
    from isms_tui.services.integrity import Facts

    from .integrity_forms import BackupChoice

MAX_SHOWN_PROBLEMS = 200
IDLE = (
    "j checks the journal (its hash chain and every table against it), e re-hashes the evidence files, "
    "b backs up, s seals the journal, c exports the CA certificate for the auditor."
)

JOB_ACTIONS = frozenset({"check", "backup", "seal", "export_ca"})


class IntegrityScreen(SectionScreen):
    """The workspace's integrity at a glance, its checks, backup, seal and CA export."""

    HELP = (
        "Trust in the record (9.1 results, 9.2 and 9.3 evidence): check the hash-chained journal and the "
        "evidence files, back up the workspace, seal the journal with a signed checkpoint and export the CA "
        "certificate the auditor trusts, as `isms journal verify`, `isms evidence verify`, `isms backup`, "
        "`isms journal seal` and `isms keys export-ca` do."
    )
    DEFAULT_CSS = """
    IntegrityScreen #integrity-body { height: 1fr; padding: 0 1; }
    IntegrityScreen #integrity-facts { height: auto; padding: 1 0; }
    IntegrityScreen #integrity-progress { height: auto; display: none; }
    IntegrityScreen #integrity-progress.-used { display: block; }
    IntegrityScreen #integrity-results { height: 1fr; border: round $primary-darken-2; padding: 0 1; }
    IntegrityScreen #integrity-results:focus { border: round $primary; }
    IntegrityScreen #integrity-result { height: auto; }
    IntegrityScreen #integrity-result.-failed { color: $error; }
    IntegrityScreen #integrity-result.-clean { color: $success; }
    IntegrityScreen.-short #integrity-facts { padding: 0; }
    """
    BINDINGS = [
        Binding("j", "check('journal')", "Check journal", tooltip="The hash chain and every table against it"),
        Binding("e", "check('evidence')", "Check evidence", tooltip="Re-hash every evidence file in the store"),
        Binding("b", "backup", "Back up", tooltip="The workspace and its evidence in one archive"),
        WriteBinding("s", "seal", "Seal", tooltip="Sign a checkpoint of the journal's head now"),
        Binding("c", "export_ca", "Export CA", tooltip="Write the CA certificate the auditor imports"),
        Binding("escape", "close", "Close", tooltip="Close; while a check runs, cancel it"),
        Binding("q", "hold_on('quit')", "Quit", show=False, tooltip="Quit (a running backup is finished first)"),
        Binding("ctrl+o", "hold_on('workspaces')", "Workspaces", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.facts: Facts | None = None
        self.running = ""  # "journal", "evidence" or "backup" while one runs
        self.shown_lines: list[str] = [IDLE]  # the results panel's lines, as the CLI prints them
        self._report: Report = lambda fraction, step: None
        self._is_cancelled: Callable[[], bool] = lambda: False
        self._gone = threading.Event()  # the screen was removed (the app quit): a check stops too

    def body(self) -> ComposeResult:
        with Vertical(id="integrity-body"):
            yield Static("Reading the workspace…", id="integrity-facts", markup=False)
            yield JobProgress(id="integrity-progress")
            with VerticalScroll(id="integrity-results"):
                yield Static(IDLE, id="integrity-result", markup=False)

    def on_mount(self) -> None:
        self.query_one("#integrity-results").border_title = "Results"

    # -- the facts ---------------------------------------------------------------------------

    def refresh_data(self) -> None:
        if self.isms.engine is not None:
            self.load_facts()

    @work(thread=True, exclusive=True, exit_on_error=False, group="integrity-facts")
    def load_facts(self) -> None:
        from dataclasses import replace

        from isms_tui.models.db import real_workspace_path
        from isms_tui.reports.checkpoints import sources
        from isms_tui.reports.keys import has_identity
        from isms_tui.services.integrity import workspace_facts

        path = self.isms.db_path
        try:
            external = sources(real_workspace_path(path)).external
            with workspace_session(self) as session:
                facts = workspace_facts(session, path, external)
            facts = replace(facts, has_key=bool(facts.organisation) and has_identity(facts.organisation))
        except Exception as exc:  # a damaged file, a folder gone: said in the panel, never a crash
            self.app.call_from_thread(self._show_facts_failed, _sentence(exc))
            return
        self.app.call_from_thread(self.show_facts, facts)

    def show_facts(self, facts: Facts) -> None:
        self.facts = facts
        self.refresh_bindings()
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")  # a long path or name wraps under its value, not its label
        for label, value in facts.rows():
            grid.add_row(label, Text(value))
        self.query_one("#integrity-facts", Static).update(grid)

    def _show_facts_failed(self, sentence: str) -> None:
        self.query_one("#integrity-facts", Static).update(sentence)

    # -- keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        if not allowed or action not in JOB_ACTIONS:
            return allowed
        if action != "check" and self.facts is None:
            return None  # whether a key exists decides what b, s and c ask: known once the facts are read
        return None if self.running else True  # one job at a time; the keys show dimmed meanwhile

    def action_close(self) -> None:
        if self.running == "backup":
            self.notify("The backup is being written; it finishes in a moment (nothing is left half-written).")
        elif self.running:
            self.query_one(JobProgress).cancel()
        else:
            self.dismiss()

    def action_hold_on(self, action: str) -> None:
        """`q` and `ctrl+o` wait for a running backup (it cannot stop half-way); a running check
        is left to stop at its next stage. Otherwise they do what they do everywhere."""
        if self.running == "backup":
            self.notify("The backup is being written; quit or switch once it is done.", severity="warning")
        elif action == "quit":
            self.app.exit()
        else:
            getattr(self.app, f"action_{action}")()

    def on_unmount(self) -> None:
        self._gone.set()

    def action_check(self, what: str) -> None:
        self._start(what, "Checking the journal" if what == "journal" else "Checking the evidence files")
        self.run_check(what)

    def action_backup(self) -> None:
        from isms_tui.services.backup import default_backup_path

        from .integrity_forms import BackupForm

        has_key = self.facts is not None and self.facts.has_key
        path = self.isms.db_path
        self.app.push_screen(BackupForm(path, default_backup_path(path), has_key), self._backup_chosen)

    def action_seal(self) -> None:
        from .integrity_forms import NO_KEY_SEAL, SealForm

        if self.facts is not None and not self.facts.has_key:
            self._show_lines([NO_KEY_SEAL], "-failed")
            return
        self.app.push_screen(SealForm(self.isms.db_path), self._written)

    def action_export_ca(self) -> None:
        from .integrity_forms import NO_KEY_CA, CaExportForm

        facts = self.facts
        if facts is None or not facts.has_key:
            self._show_lines([NO_KEY_CA], "-failed")
            return
        default = self.isms.db_path.parent / f"{self.isms.db_path.stem}-ca.pem"
        self.app.push_screen(CaExportForm(facts.organisation, default), self._written)

    # -- the jobs ----------------------------------------------------------------------------

    def _start(self, what: str, step: str) -> None:
        self.running = what
        self.refresh_bindings()
        self._show_lines([f"{step}…"], "")
        progress = self.query_one(JobProgress)
        progress.add_class("-used")  # shown from the first job on
        self._report, self._is_cancelled = progress.start(step)

    def _progress(self, fraction: float, step: str) -> None:
        """Handed to the check: raising here ends it (it only reads; its read transaction ends)."""
        from isms_tui.services.errors import Cancelled

        if self._is_cancelled() or self._gone.is_set():
            raise Cancelled
        self._report(fraction, step)

    @work(thread=True, exclusive=True, exit_on_error=False, group="integrity-job")
    def run_check(self, what: str) -> None:
        from isms_tui.services.errors import Cancelled
        from isms_tui.services.integrity import report_lines

        call = self.app.call_from_thread
        try:
            report = self._journal_report() if what == "journal" else self._evidence_report()
        except Cancelled:
            call(self._ended, ["Check cancelled; nothing was changed."], "", "Cancelled")
        except Exception as exc:
            call(self._ended, [_sentence(exc)], "-failed", "")
        else:
            call(self._ended, report_lines(report, MAX_SHOWN_PROBLEMS), "-clean" if report.ok else "-failed", "Done")

    def _journal_report(self) -> Any:
        from isms_tui.models.db import real_workspace_path
        from isms_tui.reports.checkpoints import sources
        from isms_tui.services.journal_verify import verify

        path = self.isms.db_path
        known = sources(real_workspace_path(path)) if path.exists() else None
        with workspace_session(self) as session:
            return verify(session, known, progress=self._progress)

    def _evidence_report(self) -> Any:
        from isms_tui.models.db import hold_snapshot
        from isms_tui.services.evidence import verify_store

        with workspace_session(self) as session:
            hold_snapshot(session)
            return verify_store(session, progress=self._progress)

    def _backup_chosen(self, choice: BackupChoice | None) -> None:
        if choice is not None:
            self._start("backup", "Writing the backup")
            self.run_backup(choice)

    @work(thread=True, exclusive=True, exit_on_error=False, group="integrity-job")
    def run_backup(self, choice: BackupChoice) -> None:
        from isms_tui.services.backup import backup
        from isms_tui.services.formatting import plural

        call = self.app.call_from_thread
        try:
            result = backup(self.isms.db_path, choice.out, checkpoint=choice.checkpointer)
        except Exception as exc:
            call(self._ended, [_sentence(exc)], "-failed", "")
            return
        lines = [
            f"Backup written: {result.path} ({result.evidence_files} evidence files, "
            f"{result.journal_entries} journal entries, head {result.journal_head})."
        ]
        if result.checkpoint is not None:
            lines.append("Checkpoint signed: the journal it holds is kept beside the organisation's keys too.")
        else:
            lines.append("No checkpoint signed (no signing key yet, or no passphrase given).")
        if result.evidence_problems:
            lines.append(f"{plural(len(result.evidence_problems), 'evidence file')} could not be included:")
            lines.extend(f"  {line}" for line in result.evidence_problems)
        call(self._ended, lines, "-failed" if result.evidence_problems else "-clean", "Done")
        call(self.load_facts)

    def _ended(self, lines: list[str], kind: str, step: str) -> None:
        self.running = ""
        self.refresh_bindings()
        self.query_one(JobProgress).finish(step, 1.0 if step == "Done" else 0.0)
        self._show_lines(lines, kind)

    def _written(self, sentence: str | None) -> None:
        """A seal or a CA export finished in its form: say what was written, show the new facts."""
        if sentence:
            self._show_lines([sentence], "-clean")
            self.notify(sentence, markup=False)
            self.load_facts()

    def _show_lines(self, lines: list[str], kind: str) -> None:
        """The lines as the CLI prints them; an indented line (a problem, a checkpoint) wraps
        under its own start, so each stays readable as one item on a narrow terminal."""
        self.shown_lines = list(lines)
        result = self.query_one("#integrity-result", Static)
        result.remove_class("-failed", "-clean")
        if kind:
            result.add_class(kind)
        parts = []
        for line in lines:
            indent = len(line) - len(line.lstrip(" "))
            parts.append(Padding(Text(line[indent:]), (0, 0, 0, indent)) if indent else Text(line))
        result.update(Group(*parts))
        self.query_one("#integrity-results", VerticalScroll).scroll_home(animate=False)


def _sentence(exc: BaseException) -> str:
    """One sentence for whatever stopped a job: a refusal's own, a full disk's, an OSError's."""
    from isms_tui.files import fault_sentence
    from isms_tui.models.db import WorkspaceError
    from isms_tui.services.errors import InputError, NotFound

    if isinstance(exc, InputError | NotFound | WorkspaceError):
        return str(exc)
    sentence = fault_sentence(exc)
    if sentence is not None:
        return sentence
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename}." if exc.filename else f"{exc}."
    orig = getattr(exc, "orig", exc)  # SQLAlchemy wraps the driver's error
    if isinstance(orig, sqlite3.DatabaseError):
        return f"The workspace could not be read ({orig}); nothing was changed."
    return f"It stopped: {exc}; nothing was changed."
