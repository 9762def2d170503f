"""Signing checkpoints of the journal with the organisation's key, and where their copies live.

A checkpoint is signed by the same key that signs the packs and kept twice: as a row in the
workspace, and as a line in `checkpoints.jsonl` in the organisation's identity folder, beside
its keys. The copy outside the workspace is what catches an older copy of the workspace put
back, or a history re-forged with the sqlite3 shell: neither can reach it. Packs carry their
own checkpoint too (see reports/issue.py). The scheme: docs/journal-checkpoints.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography import x509
from sqlmodel import Session

from isms_tui.services import checkpoints as cp
from isms_tui.services.backup import Checkpointer
from isms_tui.services.checkpoint_format import SignedCheckpoint, Statement, sign_statement
from isms_tui.services.errors import InputError
from isms_tui.services.journal_verify import CheckpointSources, KnownCheckpoint

from . import keys
from .certificates import read_pem_certs


def sign(identity: keys.Identity, statement: Statement) -> SignedCheckpoint:
    """Sign a statement with the identity's signer key (the key that signs the packs)."""
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    private_key: Any = load_der_private_key(identity.signer.signing_key.dump(), password=None)
    return sign_statement(statement, private_key, identity.certificate)


def keep(session: Session, signed: SignedCheckpoint, org: str, workspace_path: Path, *, in_workspace: bool) -> None:
    """Keep a signed checkpoint beside the organisation's keys and, unless the caller may not
    write (a backup), as a row of the workspace."""
    keep_outside(signed, org, workspace_path)
    if in_workspace:
        cp.record(session, signed)


def seal(
    session: Session, workspace_path: Path, passphrase: str, *, reason: str = "seal", subject: str = ""
) -> SignedCheckpoint:
    """`isms journal seal` (and a restore): sign the journal's head now and keep the checkpoint
    in both places. A restore's checkpoint marks the history it replaced as superseded."""
    from isms_tui.services.workspace import get_workspace

    ws = get_workspace(session)
    if ws is None or not ws.org_name.strip():
        raise InputError("Set the organisation's name first (Settings, or `isms demo`); checkpoints are signed for it.")
    identity = keys.ensure_identity(ws.org_name, passphrase)
    state = cp.journal_state(cp.raw_connection(session))
    signed = sign(identity, cp.statement_for(state, ws.org_name, reason, subject))
    keep(session, signed, ws.org_name, workspace_path, in_workspace=True)
    return signed


def sources(workspace_path: Path) -> CheckpointSources:
    """Every checkpoint kept beside any identity on this machine, and those identities'
    certificates (signers, CAs, and the ones replaced since, kept in old/)."""
    external: list[KnownCheckpoint] = []
    trusted: list[x509.Certificate] = []
    for folder in keys.identity_dirs():
        for line in cp.read_external(folder):
            source = f"beside the keys ({line.file}, line {line.line})"
            external.append(KnownCheckpoint(source, line.signed, line.error, line.path))
        for pem_folder in [folder, *sorted(p for p in (folder / "old").glob("*") if p.is_dir())]:
            for name in (keys.SIGNER_PEM, keys.CA_PEM):
                trusted.extend(read_pem_certs(pem_folder / name))
    return CheckpointSources(external=external, trusted=trusted, workspace_path=str(workspace_path))


def backup_checkpointer(workspace_path: Path, passphrase: Callable[[], str | None]) -> Checkpointer | None:
    """What signs a backup's checkpoint, or None when the organisation has no signing identity
    yet or no passphrase is at hand (`passphrase` returns None): the backup is then made
    without one. A wrong passphrase is an InputError, before anything is written."""
    org = organisation_of(workspace_path)
    if org is None or not keys.has_identity(org):
        return None
    secret = passphrase()
    if secret is None:
        return None
    identity = keys.load_identity(secret, org)

    def checkpoint(con: sqlite3.Connection, name: str) -> dict[str, Any]:
        signed = sign(identity, cp.statement_for(cp.journal_state(con), org, "backup", name))
        keep_outside(signed, org, workspace_path)
        return signed.to_dict()

    return checkpoint


def keep_outside(signed: SignedCheckpoint, org: str, workspace_path: Path) -> None:
    try:
        cp.append_external(keys.identity_dir(org), signed, workspace_path)
    except OSError as exc:
        raise InputError(
            f"Cannot write the checkpoint beside the keys in {keys.identity_dir(org)}: {exc.strerror or exc}."
        ) from None


def organisation_of(workspace_path: Path) -> str | None:
    """The organisation's name, read without the data layer (a backup runs beside an open isms)."""
    try:
        con = sqlite3.connect(f"file:{workspace_path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT org_name FROM workspace ORDER BY id LIMIT 1").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return row[0] if row and isinstance(row[0], str) and row[0].strip() else None
