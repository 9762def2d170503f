"""Issuing a pack: unlock (or create) the signing identity, build the pack, sign it with its
evidence embedded, and record the issue in the workspace, as one user action.

Why this order: the request is checked and the identity unlocked before any layout work, so a
wrong passphrase or a bad period costs nothing; the pack is written (atomically, by the
signer) before it is recorded, and the file is removed again if the record cannot be saved, so
the workspace never lists a pack that does not exist and no unrecorded pack is left behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session

from isms_tui.models import IssuedPack
from isms_tui.services.errors import InputError

Progress = Callable[[float, str], None]


@dataclass
class IssueTimings:
    """Seconds spent in each step (the benchmark reports them)."""

    identity: float = 0.0
    build: float = 0.0
    sign: float = 0.0
    record: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


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
    timings: IssueTimings | None = None,
) -> IssuedPack:
    """Build, sign and record one pack; returns the IssuedPack row (flushed, not committed)."""
    from . import keys
    from .pack import build_pack, resolve_request
    from .signing import sign_pdf

    report = progress or (lambda _f, _m: None)
    t = timings or IssueTimings()
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
        issued_by=issued_by,
        progress=lambda f, m: report(0.02 + 0.86 * f, m),
    )
    t.build = time.perf_counter() - start

    report(0.9, "Signing the pack")
    start = time.perf_counter()
    result = sign_pdf(content.pdf, content.attachments, identity, out, tsa_url=tsa_url)
    t.sign = time.perf_counter() - start

    report(0.97, "Recording the issue")
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
    except BaseException:
        out.unlink(missing_ok=True)  # never leave a pack the workspace does not know it issued
        raise
    t.record = time.perf_counter() - start
    t.extra["pages"] = float(content.pages)
    report(1.0, "Pack issued")
    return record
