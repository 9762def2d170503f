"""The audit exchange in the TUI: issue a kit (audit screen, K), issue results (audit screen, X),
import either (Audits screen, I). Each form takes a path and ends in one sentence; the work is
reports/exchange.py's, as for `isms audit kit|results|import-kit|import-results`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.widget import Widget
from textual.widgets import Input

from isms_tui.widgets.form import FormField, FormModal
from isms_tui.widgets.form_parts import FORM_CSS

from .base import current_actor, workspace_session

NO_KEY = "This organisation has no signing key yet: issue a pack first (P), which creates it, or run `isms keys init`."


def _passphrase_field() -> Iterable[Widget]:
    from isms_tui.reports.issue import preset_passphrase

    if preset_passphrase() is None:
        yield FormField(
            "Signing key passphrase", Input("", password=True), key="passphrase", hint="ISMS_PASSPHRASE is not set."
        )


def _passphrase(form: FormModal[str]) -> str:
    from isms_tui.reports.issue import preset_passphrase

    preset = preset_passphrase()
    return preset if preset is not None else str(form.value("passphrase") or "")


def _path(form: FormModal[str], key: str) -> Path:
    from isms_tui.services.errors import InputError

    text = str(form.value(key) or "").strip()
    if not text:
        raise InputError("Give the file's path.", {key: "Required."})
    return Path(text).expanduser()


def _require_key(session: object) -> None:
    from isms_tui.reports.issue import creates_key
    from isms_tui.services import exchange
    from isms_tui.services.errors import InputError

    if creates_key(exchange.own_org(session)):  # type: ignore[arg-type]
        raise InputError(NO_KEY)


class IssueKitForm(FormModal[str]):
    """The client: sign the kit of a planned audit for an external auditor's organisation."""

    HELP = (
        "The client's side of an external audit (9.2): sign a planned audit's plan, scope, auditees "
        "and checklist lines as a kit for the external auditor's organisation, who performs the "
        "audit on site and sends signed results back."
    )

    DEFAULT_CSS = FORM_CSS

    def __init__(self, audit_id: int) -> None:
        super().__init__()
        self.audit_id = audit_id
        self.form_title = f"Issue a signed audit kit for audit #{audit_id}"
        self.save_label = "Issue  ctrl+s"

    def fields(self) -> Iterable[Widget]:
        yield FormField(
            "For (organisation)",
            Input("", placeholder="the external auditor's organisation"),
            key="recipient",
            hint="As named in the auditor's own workspace; a kit for anyone else is refused there.",
        )
        yield FormField("Save as", Input("", placeholder="KIT.isms-audit"), key="out")
        yield from _passphrase_field()

    def submit(self) -> str:
        from isms_tui.reports import exchange

        out = _path(self, "out")
        with workspace_session(self) as session:
            _require_key(session)
            issued = exchange.issue_kit(
                session, self.audit_id, str(self.value("recipient") or ""), current_actor(self), _passphrase(self), out
            )
        return issued.sentence("audit kit")


class IssueResultsForm(FormModal[str]):
    """The external auditor: sign the results of a completed audit imported from a kit."""

    HELP = (
        "The external auditor's side (9.2): sign the results of an audit imported from a client's "
        "kit (line results, findings, evidence) for the client to import into its own registers."
    )

    DEFAULT_CSS = FORM_CSS

    def __init__(self, audit_id: int) -> None:
        super().__init__()
        self.audit_id = audit_id
        self.form_title = f"Issue the signed results of audit #{audit_id}"
        self.save_label = "Issue  ctrl+s"

    def fields(self) -> Iterable[Widget]:
        yield FormField("Save as", Input("", placeholder="RESULTS.isms-audit"), key="out")
        yield from _passphrase_field()

    def submit(self) -> str:
        from isms_tui.reports import exchange

        out = _path(self, "out")
        with workspace_session(self) as session:
            _require_key(session)
            issued = exchange.issue_results(session, self.audit_id, current_actor(self), _passphrase(self), out)
        return issued.sentence("audit results")


class ImportPackageForm(FormModal[str]):
    """Import a kit (as a planned audit) or results (into the audit the kit was issued for)."""

    HELP = (
        "Import a signed audit package (9.2): a client's kit becomes a planned audit here; an "
        "external auditor's results land in the audit the kit was issued for, with findings, "
        "corrective actions and evidence, all or nothing."
    )

    DEFAULT_CSS = FORM_CSS

    def __init__(self) -> None:
        super().__init__()
        self.form_title = "Import an audit kit or audit results"
        self.save_label = "Import  ctrl+s"
        self.pending: tuple[str, str] | None = None  # (path, CA fingerprint) shown, awaiting confirmation

    def fields(self) -> Iterable[Widget]:
        yield FormField("Package", Input("", placeholder="KIT or RESULTS file"), key="path")
        yield FormField(
            "Trust CA",
            Input("", placeholder="CA.pem (optional)"),
            key="trust",
            hint="The issuer's CA certificate; needed for an auditor's first results. Remembered after.",
        )

    def submit(self) -> str:
        from isms_tui.reports import exchange
        from isms_tui.services.errors import InputError
        from isms_tui.services.exchange import UnconfirmedCA, colon

        path = _path(self, "path")
        trust_text = str(self.value("trust") or "").strip()
        trust = [Path(trust_text).expanduser()] if trust_text else None
        accept = self.pending[1] if self.pending and self.pending[0] == str(path) else None
        try:
            with workspace_session(self) as session:
                done = exchange.import_package(session, path, current_actor(self), trust, accept)
        except UnconfirmedCA as exc:
            self.pending = (str(path), exc.fingerprint)
            org = exc.organisation
            raise InputError(
                f"The CA of {org} is not trusted here yet. Check its SHA-256 with {org}: {colon(exc.fingerprint)}; "
                "if it matches, ctrl+s again imports the kit and trusts that CA for them."
            ) from None
        return done.sentence()
