"""Checkpoints on the workspace side: the journal's head and Merkle tree, the rows kept in the
workspace, the copies kept beside the keys, and the proofs a pack carries.

Signing is the caller's (reports/checkpoints.py holds the key); this module only states what
the journal is and stores what was signed. The scheme: docs/journal-checkpoints.md.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from isms_tui.models import JournalCheckpoint
from isms_tui.models.journal import GENESIS_HASH
from isms_tui.userfiles import UserFileError, read_user_file

from .checkpoint_format import CheckpointError, SignedCheckpoint, Statement, parse_signed
from .merkle import MerkleTree

EXTERNAL_FILE = "checkpoints.jsonl"
MAX_EXTERNAL_BYTES = 64 * 1024 * 1024  # about 25,000 checkpoints; a bigger file is not ours


@dataclass(frozen=True)
class JournalState:
    """The journal as it stands: its identity, size, head and Merkle tree over the entry hashes."""

    workspace: str
    entries: int
    head: str
    tree: MerkleTree

    @property
    def root(self) -> str:
        return self.tree.root().hex()


def journal_state(raw: sqlite3.Connection) -> JournalState:
    """Read every entry hash in id order (one column, streamed) and build the tree."""
    cur = raw.execute("SELECT hash FROM journal ORDER BY id")
    hashes: list[bytes] = []
    while chunk := cur.fetchmany(10_000):
        hashes.extend(bytes.fromhex(str(h)) for (h,) in chunk)
    cur.close()
    head = hashes[-1].hex() if hashes else GENESIS_HASH
    workspace = hashes[0].hex() if hashes else GENESIS_HASH
    return JournalState(workspace, len(hashes), head, MerkleTree(hashes))


def raw_connection(session: Session) -> sqlite3.Connection:
    conn = session.connection().connection.dbapi_connection
    assert isinstance(conn, sqlite3.Connection)  # a workspace is SQLite
    return conn


def statement_for(state: JournalState, organisation: str, reason: str, subject: str = "") -> Statement:
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    return Statement(state.workspace, organisation, state.entries, state.head, state.root, now, reason, subject)


def record(session: Session, signed: SignedCheckpoint) -> JournalCheckpoint:
    """Keep a signed checkpoint in the workspace (journaled like any row)."""
    s = signed.statement
    row = JournalCheckpoint(
        at=datetime.fromisoformat(s.at),
        reason=s.reason,
        subject=s.subject,
        entries=s.entries,
        head=s.head,
        root=s.root,
        signed=json.dumps(signed.to_dict(), sort_keys=True),
    )
    session.add(row)
    session.flush()
    return row


def stored(session: Session) -> list[tuple[int, str]]:
    """(row id, signed JSON text) of every checkpoint kept in the workspace, oldest first."""
    rows = session.exec(select(JournalCheckpoint.id, JournalCheckpoint.signed).order_by(col(JournalCheckpoint.id)))
    return [(int(i or 0), str(text)) for i, text in rows]


def pack_proofs(session: Session, state: JournalState) -> list[dict[str, Any]]:
    """A consistency proof from the head of every earlier pack to this head.

    With these, `isms verify NEW --previous OLD` needs nothing but the two PDFs. A pack whose
    head this journal contradicts gets no proof, so that comparison fails as it should.
    """
    proofs: list[dict[str, Any]] = []
    seen: set[int] = set()
    for _id, text in stored(session):
        try:
            s = parse_signed(json.loads(text)).statement
        except (CheckpointError, ValueError):
            continue
        if s.reason != "pack" or not 0 < s.entries <= state.entries or s.entries in seen:
            continue
        if s.workspace != state.workspace or state.tree.root(s.entries).hex() != s.root:
            continue
        seen.add(s.entries)
        path = state.tree.consistency_proof(s.entries)
        proofs.append({"entries": s.entries, "root": s.root, "path": [h.hex() for h in path]})
    return proofs


# --- the copies beside the keys ---------------------------------------------------------------


def append_external(folder: Path, signed: SignedCheckpoint, workspace_path: Path) -> None:
    """Append one line to FOLDER/checkpoints.jsonl: the signed checkpoint and the workspace's path.

    One write with O_APPEND (never through a link), then fsync: a killed process leaves at
    most a partial last line, which the reader skips and reports.
    """
    line = dict(signed.to_dict(), path=str(workspace_path))
    data = (json.dumps(line, sort_keys=True, ensure_ascii=True) + "\n").encode("ascii")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(folder / EXTERNAL_FILE, flags, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class ExternalLine:
    """One line of a checkpoints file beside the keys: the checkpoint (or why it is unreadable)."""

    file: Path
    line: int
    path: str
    signed: SignedCheckpoint | None
    error: str | None = None


def read_external(folder: Path) -> list[ExternalLine]:
    """Every line of FOLDER/checkpoints.jsonl; bounded, never following a link, never blocking."""
    file = folder / EXTERNAL_FILE
    try:
        data = read_user_file(file, max_bytes=MAX_EXTERNAL_BYTES, what="checkpoints file", follow=False)
    except UserFileError as exc:
        if not file.exists() and not file.is_symlink():
            return []
        return [ExternalLine(file, 0, "", None, exc.reason)]
    out: list[ExternalLine] = []
    for number, raw_line in enumerate(data.split(b"\n"), start=1):
        if not raw_line.strip():
            continue
        try:
            item = json.loads(raw_line.decode("ascii"))
            signed = parse_signed(item)
            path = item.get("path")
            out.append(ExternalLine(file, number, path if isinstance(path, str) else "", signed))
        except (CheckpointError, ValueError, UnicodeDecodeError, RecursionError) as exc:
            reason = str(exc) if isinstance(exc, CheckpointError) else "it is not a checkpoint record"
            out.append(ExternalLine(file, number, "", None, reason))
    return out
