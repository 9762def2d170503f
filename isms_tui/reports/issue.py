"""Issuing a pack: unlock (or create) the signing identity, build the pack, sign it with its
evidence embedded, and record the issue in the workspace, as one user action.

Why this order: the request is checked and the identity unlocked before any layout work, so a
wrong passphrase or a bad period costs nothing; the pack is written (atomically, by the
signer) before it is recorded, and the file is removed again if the record cannot be saved, so
the workspace never lists a pack that does not exist and no unrecorded pack is left behind.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from isms_tui.files import check_target
from isms_tui.models import IssuedPack
from isms_tui.services.errors import Cancelled, InputError, cancellable
from isms_tui.services.form_values import parse_date

from .certificates import colon_fingerprint
from .passphrase import check_new_passphrase

Progress = Callable[[float, str], None]


@dataclass
class IssueTimings:
    """Seconds spent in each step of an issue, for profiling a slow one."""

    identity: float = 0.0
    build: float = 0.0
    sign: float = 0.0
    record: float = 0.0


@dataclass(frozen=True)
class IssueResult:
    """An issued pack: its record in the workspace, its page count and the time each step took."""

    record: IssuedPack
    pages: int
    timings: IssueTimings = field(default_factory=IssueTimings)


def default_pack_path(db_path: Path, org: str, kind: str, day: date) -> Path:
    """A pack name beside the workspace: '<organisation>-<kind>-<date>.pdf'."""
    slug = re.sub(r"[^a-z0-9]+", "-", org.lower()).strip("-")[:40] or "isms"
    return Path(db_path).parent / f"{slug}-{kind}-{day.isoformat()}.pdf"


def preset_passphrase() -> str | None:
    """The signing key's passphrase from ISMS_PASSPHRASE, None when it is not set (then ask)."""
    from .keys import passphrase_from_env_or_file

    return passphrase_from_env_or_file(None)


def creates_key(org: str) -> bool:
    """Whether issuing for `org` creates its signing key (so a new passphrase is asked twice)."""
    from .keys import has_identity

    return bool(org.strip()) and not has_identity(org)


@dataclass(frozen=True)
class IssueChoice:
    """What the export form collected, as typed."""

    kind: str
    period_from: str
    period_to: str
    audit_id: int | None
    review_id: int | None
    out: str
    passphrase: str  # typed; empty when the form did not ask for it
    passphrase_again: str | None  # None unless a new key's passphrase is confirmed


@dataclass(frozen=True)
class CheckedChoice:
    """An IssueChoice with its dates read, the file named and the passphrase settled."""

    kind: str
    period_from: date | None
    period_to: date | None
    audit_id: int | None
    review_id: int | None
    out: Path
    passphrase: str


def check_choice(choice: IssueChoice) -> CheckedChoice:
    """Check the form before any work: InputError with the first problem and one per field."""
    errors: dict[str, str] = {}
    kind = choice.kind
    start = end = None
    if kind == "clause9":
        start = parse_date(choice.period_from, "period_from", errors, required=True)
        end = parse_date(choice.period_to, "period_to", errors, required=True)
    audit_id = choice.audit_id if kind == "audit" else None
    review_id = choice.review_id if kind == "review" else None
    if kind == "audit" and audit_id is None:
        errors["audit_id"] = "Choose the audit."
    if kind == "review" and review_id is None:
        errors["review_id"] = "Choose the review."
    out_text = choice.out.strip()
    if not out_text:
        errors["out"] = "Where should the pack be saved?"
    passphrase = preset_passphrase() or choice.passphrase
    if not passphrase:
        errors["passphrase"] = "The signing key needs its passphrase."
    elif choice.passphrase_again is not None and choice.passphrase_again != passphrase:
        errors["passphrase_again"] = "The two passphrases differ; type the new one twice."
    elif choice.passphrase_again is not None:  # this pack creates the key: a new passphrase
        try:
            check_new_passphrase(passphrase)
        except InputError as exc:
            errors["passphrase"] = str(exc)
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    return CheckedChoice(kind, start, end, audit_id, review_id, Path(out_text).expanduser(), passphrase)


def check_output(out: Path) -> Path:
    """The pack's path, or InputError: an existing folder to write into, a .pdf name."""
    out = Path(out).expanduser()
    if out.is_dir():
        raise InputError(f"{out} is a folder; give the pack a file name ending in .pdf.")
    if out.suffix.lower() != ".pdf":
        raise InputError(f"The pack's file name must end in .pdf (got {out.name!r}).")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"The folder {parent} does not exist.")
    check_target(out)  # a link or special file is refused before any work (and again when writing)
    return out


def issue_pack(
    session: Session,
    out: Path,
    kind: str = "clause9",
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    audit_id: int | None = None,
    review_id: int | None = None,
    passphrase: str | None,
    issued_by: str,
    progress: Progress | None = None,
    tsa_url: str | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> IssueResult:
    """Build, sign and record one pack; the result's IssuedPack row is flushed, not committed.

    Once `cancelled()` is true (it is asked at every step, from another thread if need be) the
    issue stops with Cancelled: no pack file, no temporary file and no record are left.
    """
    from . import checkpoints, keys
    from .pack import build_pack, resolve_request
    from .signing import sign_pdf

    told = progress or (lambda _f, _m: None)
    report = cancellable(told, cancelled)
    t = IssueTimings()
    out = check_output(out)
    req = resolve_request(
        session, kind, period_from=period_from, period_to=period_to, audit_id=audit_id, review_id=review_id
    )
    if not passphrase:
        raise InputError("The signing key needs a passphrase: set ISMS_PASSPHRASE or use --passphrase-file.")
    report(0.0, "Unlocking the signing key")
    start = time.perf_counter()
    from isms_tui.services.workspace import get_workspace

    ws = get_workspace(session)
    assert ws is not None  # resolve_request checked it
    identity = keys.ensure_identity(ws.org_name, passphrase)
    checkpoint, attachment = _pack_checkpoint(session, identity, ws.org_name, out.name)
    t.identity = time.perf_counter() - start

    start = time.perf_counter()
    content = build_pack(
        session,
        req.kind,
        period_from=req.period_from,
        period_to=req.period_to,
        audit_id=audit_id,
        review_id=review_id,
        signer=identity.common_name,
        fingerprint=identity.fingerprint,
        ca_fingerprint=colon_fingerprint(identity.ca_cert) if identity.ca_cert is not None else "",
        issued_by=issued_by,
        progress=lambda f, m: report(0.02 + 0.86 * f, m),
        checkpoint=attachment,
    )
    t.build = time.perf_counter() - start

    report(0.9, "Signing the pack")
    start = time.perf_counter()
    result = sign_pdf(content.pdf, content.attachments, identity, out, tsa_url=tsa_url)
    t.sign = time.perf_counter() - start
    if cancelled is not None and cancelled():  # asked for while signing: the pack is not kept
        out.unlink(missing_ok=True)
        raise Cancelled("Cancelled.")

    # No cancelling from here on: the issue is recorded (or the file removed if it cannot be).
    told(0.97, "Recording the issue")
    start = time.perf_counter()
    record = IssuedPack(
        file_name=out.name,
        sha256=result.sha256,
        kind=req.kind,
        period_from=req.period_from,
        period_to=req.period_to,
        subject_id=req.subject_id,
        signer_fingerprint=result.fingerprint,
        issued_at=result.signed_at,
        issued_by=issued_by,
    )
    try:
        session.add(record)
        session.flush()
        checkpoints.keep(session, checkpoint, ws.org_name, _database_file(session), in_workspace=True)
    except BaseException:
        out.unlink(missing_ok=True)  # never leave a pack the workspace does not know it issued
        raise
    t.record = time.perf_counter() - start
    told(1.0, "Pack issued")
    return IssueResult(record, content.pages, t)


CHECKPOINT_NAME = "checkpoint.json"


def _pack_checkpoint(session: Session, identity: Any, org: str, name: str) -> tuple[Any, Any]:
    """The journal's head signed for this pack, and the attachment that carries it with a
    consistency proof from every earlier pack's head (docs/journal-checkpoints.md)."""
    import json

    from isms_tui.services import checkpoints as cp

    from .checkpoints import sign
    from .signing import Attachment

    state = cp.journal_state(cp.raw_connection(session))
    signed = sign(identity, cp.statement_for(state, org, "pack", name))
    body = dict(signed.to_dict(), proofs=cp.pack_proofs(session, state))
    data = json.dumps(body, indent=1, sort_keys=True).encode("ascii")
    attachment = Attachment(
        CHECKPOINT_NAME, data, "The journal's head signed at issue, with proofs from earlier packs", "application/json"
    )
    return signed, attachment


def _database_file(session: Session) -> Path:
    """The workspace file the session is open on (its real path, as the lock and checkpoints name it)."""
    from isms_tui.services.checkpoints import raw_connection

    row = raw_connection(session).execute("PRAGMA database_list").fetchone()
    return Path(row[2])
