"""The export screen: issue a signed PDF evidence pack from the TUI.

The pack is built and signed in a thread worker (reportlab and pyHanko are imported there, never
at start-up); the worker reports progress to a `JobProgress` (the step, the pages laid out) and
ends with the file's path, SHA-256 and signer fingerprint, or with one sentence saying what is
wrong. Escape while it runs cancels it: nothing is written and no issue is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from isms_tui.reports.issue import (
    CheckedChoice,
    IssueChoice,
    check_choice,
    creates_key,
    default_pack_path,
    issue_pack,
    preset_passphrase,
)
from isms_tui.services import clock
from isms_tui.services.errors import InputError
from isms_tui.widgets.form import FormField, FormModal, mark_field_errors
from isms_tui.widgets.job_progress import JobProgress, Report

from .base import current_actor, workspace_session

KIND_OPTIONS = [
    (Text("Clause 9 pack for a period"), "clause9"),
    (Text("One audit's report"), "audit"),
    (Text("One management review's minutes"), "review"),
]


@dataclass(frozen=True)
class PackIssued:
    """What the screen shows (and dismisses with) once a pack is written."""

    path: Path
    sha256: str
    fingerprint: str
    pages: int


class ExportScreen(FormModal[PackIssued]):
    """Choose what the pack covers and where it goes, then build and sign it with a progress bar.

    A FormModal whose save issues the pack in a worker and stays open to show the result;
    closing it dismisses with the last pack issued (None when none was).
    """

    HELP = (
        "Issue a signed evidence pack (PDF): Clause 9 over a period, one audit or one review, signed with the"
        " organisation's key for the certification auditor."
    )

    DEFAULT_CSS = """
    ExportScreen > #form-box { width: 96; max-width: 96%; max-height: 94%; }
    ExportScreen #form-message { display: none; }
    ExportScreen .hidden { display: none; }
    ExportScreen #export-progress { padding: 1 0 0 0; }
    ExportScreen #export-result { height: auto; padding: 1 0 0 0; }
    ExportScreen #export-draft { height: auto; color: $warning; text-style: bold; padding: 1 0 0 0; }
    ExportScreen #export-result.-error { color: $error; }
    ExportScreen #export-result.-cancelled { color: $warning; }
    ExportScreen #export-result.-done { color: $success; }
    ExportScreen #form-buttons { padding-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Close"),
        Binding("ctrl+s", "save", "Issue pack", priority=True),
    ]
    AUTO_FOCUS = "#field-kind Select"
    form_title = "Issue a signed evidence pack"
    cancel_label = "Close"
    save_label = "Issue pack  ctrl+s"
    chrome_lines = 12  # FormModal's 8, the progress row 2, the result 1 and the buttons' padding 1

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.busy = False
        self.issued: PackIssued | None = None
        self.needs_passphrase = preset_passphrase() is None
        self._org = ""
        self._auto_out = ""
        self._drafts: dict[tuple[str, int], str] = {}  # (kind, id) -> why that pack is a draft

    # -- layout ------------------------------------------------------------------------------

    def fields(self) -> Iterable[FormField]:
        from isms_tui.services.pack_data import default_period

        start, end = default_period(clock.today())
        yield FormField("What the pack covers", Select(KIND_OPTIONS, value="clause9", allow_blank=False), key="kind")
        yield FormField("Period from", Input(start.isoformat(), placeholder="YYYY-MM-DD"), key="period_from")
        yield FormField(
            "Period to",
            Input(end.isoformat(), placeholder="YYYY-MM-DD"),
            key="period_to",
            hint="Default: the last twelve closed months. Audits and reviews use their own dates.",
        )
        audit = FormField("Audit", Select([], prompt="Choose an audit"), key="audit_id")
        audit.add_class("hidden")
        yield audit
        review = FormField("Management review", Select([], prompt="Choose a review"), key="review_id")
        review.add_class("hidden")
        yield review
        yield FormField("Save as", Input("", placeholder="FILE.pdf"), key="out")
        if self.needs_passphrase:
            yield FormField(
                "Signing key passphrase",
                Input("", password=True),
                key="passphrase",
                hint="ISMS_PASSPHRASE is not set. The first pack creates the signing key with it.",
            )
            repeat = FormField(
                "Repeat the new passphrase",
                Input("", password=True),
                key="passphrase_again",
                hint="This organisation has no signing key yet: this pack creates it. "
                "Keep the passphrase: every later pack needs it.",
            )
            repeat.add_class("hidden")  # shown once we know the key does not exist yet
            yield repeat

    def below_fields(self) -> Iterable[Widget]:
        draft = Static("", id="export-draft", markup=False)
        draft.display = False
        yield draft
        yield JobProgress(id="export-progress")
        yield Static("", id="export-result", markup=False)

    def on_mount(self) -> None:
        self.load_choices()

    @work(thread=True, exclusive=True, exit_on_error=False, group="export-choices")
    def load_choices(self) -> None:
        """Audits and reviews for the Selects, and the organisation for the default file name."""
        from isms_tui.services import audits, review_records, workspace
        from isms_tui.services.drafts import audit_draft_reason, review_draft_reason

        try:
            with workspace_session(self) as session:
                ws = workspace.get_workspace(session)
                org = ws.org_name if ws else ""
                audit_opts = [
                    (Text(f"#{a.id}  {a.title}  ({a.planned_start.isoformat()}, {a.status.value})"), a.id)
                    for a in reversed(audits.list_audits(session))
                ]
                listed = audits.list_audits(session)
                reviews = review_records.list_reviews(session)
                review_opts = [(Text(f"#{r.id}  {r.title}  ({r.status.value})"), r.id) for r in reversed(reviews)]
                drafts = {("audit", a.id): audit_draft_reason(a.status) for a in listed if a.id is not None}
                drafts.update({("review", r.id): review_draft_reason(r.status) for r in reviews if r.id is not None})
        except Exception as exc:
            self.app.call_from_thread(self._failed, f"The workspace could not be read: {exc}")
            return
        new_key = creates_key(org)
        found = {key: reason for key, reason in drafts.items() if reason}
        self.app.call_from_thread(self._choices, org, audit_opts, review_opts, new_key, found)

    def _choices(
        self,
        org: str,
        audit_opts: list[tuple[Text, int]],
        review_opts: list[tuple[Text, int]],
        new_key: bool = False,
        drafts: dict[tuple[str, int], str] | None = None,
    ) -> None:
        self._org = org
        self._drafts = drafts or {}
        if self.needs_passphrase:
            self.query_one("#field-passphrase_again", FormField).set_class(not new_key, "hidden")
        self.query_one("#field-audit_id Select", Select).set_options(audit_opts)
        self.query_one("#field-review_id Select", Select).set_options(review_opts)
        out = self.query_one("#field-out Input", Input)
        if not out.value:
            kind = self.value("kind") or "clause9"
            self._auto_out = out.value = str(default_pack_path(self.db_path, org, kind, clock.today()))
        self._show_draft()

    # -- reacting to the form ----------------------------------------------------------------

    @on(Select.Changed, "#field-kind Select")
    def kind_changed(self, event: Select.Changed) -> None:
        kind = event.value if isinstance(event.value, str) else "clause9"
        self.query_one("#field-audit_id", FormField).set_class(kind != "audit", "hidden")
        self.query_one("#field-review_id", FormField).set_class(kind != "review", "hidden")
        for key in ("period_from", "period_to"):
            self.query_one(f"#field-{key}", FormField).set_class(kind != "clause9", "hidden")
        out = self.query_one("#field-out Input", Input)
        if self._org and out.value in ("", self._auto_out):  # only a name the user has not edited
            self._auto_out = out.value = str(default_pack_path(self.db_path, self._org, kind, clock.today()))
        self._show_draft()

    @on(Select.Changed, "#field-audit_id Select")
    @on(Select.Changed, "#field-review_id Select")
    def subject_changed(self) -> None:
        self._show_draft()

    def _show_draft(self) -> None:
        """Say before issuing that the chosen audit or review is not final: its pack is a DRAFT."""
        kind = self.value("kind") or "clause9"
        subject = self.value("audit_id") if kind == "audit" else self.value("review_id") if kind == "review" else None
        reason = self._drafts.get((kind, subject)) if isinstance(subject, int) else None
        note = self.query_one("#export-draft", Static)
        note.update(f"DRAFT: {reason} Every page of the pack will be marked DRAFT." if reason else "")
        note.display = bool(reason)

    def action_cancel(self) -> None:
        if self.busy:  # stop the pack being issued; the screen stays open to say so
            self.query_one(JobProgress).cancel()
            return
        self.dismiss(self.issued)

    # -- issuing -----------------------------------------------------------------------------

    def action_save(self) -> None:
        """Check the choice, then issue the pack in a worker; the screen stays open for the result."""
        if self.busy:
            return
        confirm = self.needs_passphrase and not self.query_one("#field-passphrase_again", FormField).has_class("hidden")
        choice = IssueChoice(
            kind=self.value("kind") or "clause9",
            period_from=self.value("period_from") or "",
            period_to=self.value("period_to") or "",
            audit_id=self.value("audit_id"),
            review_id=self.value("review_id"),
            out=self.value("out") or "",
            passphrase=(self.value("passphrase") or "") if self.needs_passphrase else "",
            passphrase_again=self.value("passphrase_again") if confirm else None,
        )
        try:
            checked = check_choice(choice)
        except InputError as exc:
            self.show_errors(str(exc), exc.fields)
            return
        mark_field_errors(self, {})
        self.busy = True
        self.query_one("#form-save", Button).disabled = True
        result = self.query_one("#export-result", Static)
        result.remove_class("-error", "-done", "-cancelled")
        result.update("")
        progress, cancelled = self.query_one(JobProgress).start()
        self.issue(checked, current_actor(self), progress, cancelled)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export-pack")
    def issue(self, checked: CheckedChoice, actor: str, progress: Report, cancelled: Callable[[], bool]) -> None:
        """Build, sign and record the pack off the main thread; report back, never raise.

        Cancelled (escape), it stops at its next step and the session rolls back: no file and
        no record of an issue are left (`issue_pack`)."""
        from isms_tui.models.db import WorkspaceError
        from isms_tui.services.errors import Cancelled, NotFound

        try:
            with workspace_session(self) as session:
                issued = issue_pack(
                    session,
                    checked.out,
                    checked.kind,
                    period_from=checked.period_from,
                    period_to=checked.period_to,
                    audit_id=checked.audit_id,
                    review_id=checked.review_id,
                    passphrase=checked.passphrase,
                    issued_by=actor,
                    progress=progress,
                    cancelled=cancelled,
                )
            record = issued.record
            done = PackIssued(checked.out, record.sha256, record.signer_fingerprint, issued.pages)
        except Cancelled:
            self.app.call_from_thread(self._cancelled)
            return
        except (InputError, NotFound, WorkspaceError) as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except OSError as exc:
            self.app.call_from_thread(
                self._failed,
                f"{exc.strerror or exc}: {exc.filename}" if exc.filename else f"The pack could not be written: {exc}.",
            )
            return
        except Exception as exc:
            self.app.call_from_thread(self._failed, f"The pack could not be issued: {exc}.")
            return
        self.app.call_from_thread(self._done, done)

    def show_errors(self, message: str, errors: dict[str, str]) -> None:
        """Field errors under their fields (the first one focused, as in every form), the
        sentence where the result goes."""
        first = mark_field_errors(self, errors)
        self._failed(message)
        if first is not None:
            first.control.focus(scroll_visible=False)
            first.scroll_visible()

    def _failed(self, message: str) -> None:
        self.busy = False
        self.query_one("#form-save", Button).disabled = False
        self.query_one(JobProgress).finish()
        result = self.query_one("#export-result", Static)
        result.remove_class("-done", "-cancelled")
        result.add_class("-error")
        result.update(message)

    def _cancelled(self) -> None:
        self.busy = False
        self.query_one("#form-save", Button).disabled = False
        self.query_one(JobProgress).finish("Cancelled", 0.0)
        result = self.query_one("#export-result", Static)
        result.remove_class("-done", "-error")
        result.add_class("-cancelled")
        result.update("The pack was cancelled; nothing was written and no issue was recorded.")

    def _done(self, issued: PackIssued) -> None:
        self.busy = False
        self.issued = issued
        self.query_one("#form-save", Button).disabled = False
        self.query_one(JobProgress).finish("Done", 1.0)
        result = self.query_one("#export-result", Static)
        result.remove_class("-error", "-cancelled")
        result.add_class("-done")
        result.update(
            f"Pack written: {issued.path} ({issued.pages} pages)\n"
            f"SHA-256: {issued.sha256}\n"
            f"Signer certificate SHA-256: {issued.fingerprint}"
        )
        if self.needs_passphrase:
            self.query_one("#field-passphrase Input", Input).value = ""
            again = self.query_one("#field-passphrase_again", FormField)
            again.query_one(Input).value = ""
            again.add_class("hidden")  # the key exists now: later packs only need the passphrase
