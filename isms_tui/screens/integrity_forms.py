"""The Integrity screen's forms: where to write a backup or the CA certificate, and the signing
key's passphrase for a backup's checkpoint or a seal.

Each checks what it can before anything is written (the target is a regular file or a new name
in an existing folder, the passphrase unlocks the key), so a refusal is one sentence under the
field and the form stays open. The services are the CLI's: `isms backup`, `isms journal seal`,
`isms keys export-ca`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input, Static

from isms_tui.widgets.form import FormField, FormModal
from isms_tui.widgets.form_parts import FORM_CONTEXT_CSS, FORM_CSS

from .base import workspace_session

if TYPE_CHECKING:
    from isms_tui.services.backup import Checkpointer

NO_KEY_SEAL = (
    "This organisation has no signing key yet, so nothing can be sealed: issuing a pack (P) creates it, "
    "or run `isms keys init`."
)
NO_KEY_CA = (
    "This organisation has no signing key yet, so there is no CA certificate to export: issuing a pack (P) "
    "creates it, or run `isms keys init`."
)


def passphrase_field(hint: str) -> Iterable[Widget]:
    """The key's passphrase, unless ISMS_PASSPHRASE gives it (as the CLI reads it)."""
    from isms_tui.reports.issue import preset_passphrase

    if preset_passphrase() is None:
        yield FormField("Signing key passphrase", Input("", password=True), key="passphrase", hint=hint)


def typed_passphrase(form: FormModal[Any]) -> str:
    from isms_tui.reports.issue import preset_passphrase

    preset = preset_passphrase()
    if preset is not None:
        return preset
    fields = form.query("#field-passphrase")
    return str(form.value("passphrase") or "") if fields else ""


def target_path(form: FormModal[Any], key: str) -> Path:
    """The file a form names, refused in one sentence when it cannot be written as a file."""
    from isms_tui.files import check_target
    from isms_tui.services.errors import InputError

    text = str(form.value(key) or "").strip()
    if not text:
        raise InputError("Give the file's path.", {key: "Required."})
    path = Path(text).expanduser()
    try:
        check_target(path)
    except InputError as exc:
        raise InputError(str(exc), {key: "Choose another file."}) from None
    return path


BROWSE = Binding("ctrl+f", "browse", "Choose file", priority=True)


class ChoosesTarget:
    """For a form with a "Save as" field (`#field-out`): ctrl+f (`BROWSE`, in the form's own
    BINDINGS: Textual reads bindings from widget classes only) picks the file in a folder tree
    (folders and regular files only; `file_picker.check_pick` refuses anything else)."""

    app: Any
    query_one: Any
    pick_title = "Choose where to write the file"

    def action_browse(self) -> None:
        from .file_picker import FilePicker

        field = self.query_one("#field-out Input", Input)

        def chosen(path: Path | None) -> None:
            if path is not None:
                field.value = str(path)
                field.focus()

        start = Path(field.value.strip() or ".").expanduser()
        self.app.push_screen(FilePicker(self.pick_title, start, for_writing=True), chosen)


@dataclass(frozen=True)
class BackupChoice:
    """Where to write the backup (None: the automatic name, as `isms backup` without --out) and
    what signs its checkpoint (None: no key, or no passphrase given)."""

    out: Path | None
    checkpointer: Checkpointer | None


class BackupForm(ChoosesTarget, FormModal[BackupChoice]):
    """`isms backup` from the TUI: the archive's name, and the passphrase for its checkpoint."""

    HELP = (
        "Back up the workspace and its evidence into one archive, as `isms backup` does (safe while "
        "the app is open); with the signing key's passphrase it also signs a checkpoint of the journal "
        "it holds, kept in the archive and beside the keys."
    )

    DEFAULT_CSS = FORM_CSS + FORM_CONTEXT_CSS
    BINDINGS = [BROWSE]

    def __init__(self, db_path: Path, default: Path, has_key: bool) -> None:
        super().__init__()
        self.db_path = db_path
        self.default = default
        self.has_key = has_key
        self.form_title = "Back up the workspace and its evidence"
        self.pick_title = "Choose where to write the backup"
        self.save_label = "Back up  ctrl+s"

    def fields(self) -> Iterable[Widget]:
        yield FormField(
            "Save as",
            Input(str(self.default)),
            key="out",
            hint="ctrl+f chooses the file. The proposed name keeps the newest ISMS_BACKUPS_KEPT automatic "
            "backups; another name is kept.",
        )
        if self.has_key:
            yield from passphrase_field("Signs a checkpoint of the journal; leave it empty to back up without one.")
        else:
            yield Static("No signing key yet: the backup is made without a signed checkpoint.", classes="form-context")

    def submit(self) -> BackupChoice:
        from isms_tui.models.db import real_workspace_path
        from isms_tui.reports.checkpoints import backup_checkpointer
        from isms_tui.services.errors import InputError

        out = target_path(self, "out")
        automatic = out == self.default
        checkpointer = None
        passphrase = typed_passphrase(self) if self.has_key else ""
        if passphrase:
            try:
                checkpointer = backup_checkpointer(real_workspace_path(self.db_path), lambda: passphrase)
            except InputError as exc:
                raise InputError(str(exc), {"passphrase": "Type the key's passphrase again."}) from None
        return BackupChoice(None if automatic else out, checkpointer)


class SealForm(FormModal[str]):
    """`isms journal seal` from the TUI: sign the journal's head now."""

    HELP = (
        "Seal the journal, as `isms journal seal` does: sign its head now with the organisation's key. "
        "The checkpoint is kept in the workspace and beside the keys, and every later journal check "
        "holds the chain to it, so a cut, rolled-back or re-forged history shows."
    )

    DEFAULT_CSS = FORM_CSS + FORM_CONTEXT_CSS

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path
        self.form_title = "Seal the journal (sign its head now)"
        self.save_label = "Seal  ctrl+s"

    def fields(self) -> Iterable[Widget]:
        yield Static(
            "A signed checkpoint of the journal as it stands is kept in the workspace and beside the keys.",
            classes="form-context",
        )
        yield from passphrase_field("The passphrase of the organisation's signing key.")

    def submit(self) -> str:
        from isms_tui.models.db import real_workspace_path
        from isms_tui.reports.checkpoints import seal
        from isms_tui.services.errors import InputError

        passphrase = typed_passphrase(self)
        if not passphrase:
            raise InputError("The signing key needs its passphrase.", {"passphrase": "Required."})
        try:
            with workspace_session(self) as session:
                signed = seal(session, real_workspace_path(self.db_path), passphrase)
        except InputError as exc:
            raise InputError(str(exc), {"passphrase": "Type the key's passphrase again."}) from None
        s = signed.statement
        return f"Journal sealed: {s.entries} entries, head {s.head}, signed {s.at[:19].replace('T', ' ')} UTC."


class CaExportForm(ChoosesTarget, FormModal[str]):
    """`isms keys export-ca` from the TUI: the CA certificate an auditor imports."""

    HELP = (
        "Write the organisation's CA certificate (PEM), as `isms keys export-ca` does: the certification "
        "auditor imports it to trust the signed evidence packs (pdfsig, Acrobat or `isms verify --trust`)."
    )

    DEFAULT_CSS = FORM_CSS + FORM_CONTEXT_CSS
    BINDINGS = [BROWSE]

    def __init__(self, organisation: str, default: Path) -> None:
        super().__init__()
        self.organisation = organisation
        self.default = default
        self.form_title = "Export the CA certificate for the auditor"
        self.pick_title = "Choose where to write the CA certificate"
        self.save_label = "Export  ctrl+s"

    def fields(self) -> Iterable[Widget]:
        yield FormField(
            "Save as",
            Input(str(self.default)),
            key="out",
            hint="A PEM file to give the auditor; ctrl+f chooses the file.",
        )

    def submit(self) -> str:
        from isms_tui.reports import keys
        from isms_tui.services.formatting import grouped_hex

        out = target_path(self, "out")
        keys.export_ca(out, self.organisation)
        fingerprint = keys.identity_info(self.organisation).ca_fingerprint
        said = f" Its SHA-256: {grouped_hex(fingerprint)}." if fingerprint else ""
        return f"CA certificate written to {out}.{said}"
