"""Backups of a whole workspace (database and evidence store) in one file, and restoring them.

Format: one ZIP archive, because a backup is something people copy to a USB stick, attach
to a ticket or keep in a cloud folder, and one file survives that better than a folder
(nothing left behind, one name to check). The standard library reads and writes it, any
unzip tool can open it in an emergency, and members can be read one at a time. It holds:

    workspace.db                     a consistent copy made with SQLite's online backup API
                                     (safe while the TUI is writing), in rollback-journal
                                     mode so the single file holds everything
    evidence/ab/abcdef...            every evidence file the copy refers to, by SHA-256
    manifest.json                    format and version, the schema revision, the journal's
                                     size and head hash, and the SHA-256 and size of every
                                     other member

Restoring, which trusts nothing in the archive, is restore.py.

Automatic backups (`isms backup` without --out) are named FILE.backup-YYYYMMDD-HHMMSS.zip
next to the workspace and only the newest ISMS_BACKUPS_KEPT (default 5) are kept; a backup
written with --out is never deleted, and neither is a file kept by restore.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from isms_tui.files import (
    check_target,
    fsync_dir,
    is_out_of_space,
    out_of_space_message,
    remove_stale,
    scratch_dir,
    staged,
    write_error,
)
from isms_tui.models.db import WorkspaceError, backups_kept, read_only_place, sqlite_uri
from isms_tui.models.db import _probe as probe_revision
from isms_tui.models.journal import GENESIS_HASH
from isms_tui.models.schema import HEAD
from isms_tui.models.schema_shape import foreign_schema_message, schema_differences

from .errors import InputError
from .evidence_store import CEILING_BYTES, NotAFile, hash_stream, open_entry

__all__ = ["fsync_dir"]  # restore.py takes it from here

FORMAT = "isms-backup"
FORMAT_VERSION = 1
DB_MEMBER = "workspace.db"
MANIFEST = "manifest.json"
EVIDENCE_RE = re.compile(r"evidence/([0-9a-f]{2})/([0-9a-f]{64})")
MAX_MANIFEST_BYTES = 64 << 20
CHUNK = 1 << 20
TEMP_TAG = "backup"  # temporary names: .FILE.backup-PID-RANDOM.tmp beside the archive


@dataclass
class BackupResult:
    path: Path
    journal_entries: int
    journal_head: str
    evidence_files: int
    bytes: int
    schema: str
    evidence_problems: list[str] = field(default_factory=list)  # files not included, and why
    removed: list[Path] = field(default_factory=list)  # older automatic backups deleted
    checkpoint: dict[str, Any] | None = None  # the signed checkpoint of the journal, when one was made


Checkpointer = Callable[[sqlite3.Connection, str], dict[str, Any]]
"""Signs the journal of the backed-up copy (an open read-only connection) for the archive of
the given name and keeps the checkpoint beside the keys; reports/checkpoints.py makes one."""


def stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def default_backup_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.name}.backup-{stamp()}.zip")


def _auto_backups(db_path: Path) -> list[Path]:
    """The automatic backups of a workspace, oldest first."""
    pattern = re.compile(re.escape(db_path.name) + r"\.backup-(\d{8}-\d{6})(?:-(\d+))?\.zip")
    found = []
    for p in db_path.parent.glob(f"{db_path.name}.backup-*.zip"):
        m = pattern.fullmatch(p.name)
        if m:
            found.append((m[1], int(m[2] or 0), p))
    return [p for _, _, p in sorted(found)]


def evidence_dir(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".evidence")


def sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _snapshot(db_path: Path, target: Path) -> None:
    """A consistent single-file copy of the workspace, even while another process writes."""
    if read_only_place(db_path):  # a read-only mount: SQLite cannot even make its -shm file there
        src = sqlite3.connect(sqlite_uri(db_path), uri=True, timeout=30)
    else:
        src = sqlite3.connect(db_path, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # everything in the one file, no -wal needed
        dst.commit()
    finally:
        dst.close()
        src.close()


def _refuse_foreign_schema(snap: Path, db_path: Path) -> None:
    """A backup must not preserve a doctored file as if it were the record: refuse it."""
    con = sqlite3.connect(f"file:{snap}?mode=ro", uri=True)
    try:
        problems = schema_differences(con)
    finally:
        con.close()
    if problems:
        raise WorkspaceError(foreign_schema_message(db_path, problems))


def _snapshot_facts(path: Path) -> tuple[str, int, str, list[tuple[str, str]]]:
    """(schema revision, journal entries, journal head, [(sha256, original name)]) of a copy."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        revision = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        count = con.execute("SELECT count(*) FROM journal").fetchone()[0]
        head = con.execute("SELECT hash FROM journal ORDER BY id DESC LIMIT 1").fetchone()
        files = con.execute("SELECT sha256, original_name FROM evidence ORDER BY id").fetchall()
    finally:
        con.close()
    return revision, count, head[0] if head else GENESIS_HASH, files


def backup(db_path: Path, out_path: Path | None = None, checkpoint: Checkpointer | None = None) -> BackupResult:
    """Write the workspace and its evidence to one ZIP archive (see the module docstring).

    Without `out_path` the archive goes next to the workspace under a timestamped name and
    the oldest automatic backups beyond ISMS_BACKUPS_KEPT are deleted. An evidence file that
    is missing or altered is left out and named in the result (and the manifest); a link,
    named pipe, device or folder in its place stops the backup with one sentence.
    """
    db_path = Path(db_path).expanduser()
    if not db_path.exists():
        raise WorkspaceError(f"No workspace at {db_path}.")
    if probe_revision(db_path) is None:
        raise WorkspaceError(f"{db_path} is an empty workspace; there is nothing to back up.")
    automatic = out_path is None
    out = default_backup_path(db_path) if out_path is None else Path(out_path).expanduser()
    check_target(out)
    if automatic:  # later backups in the same second get -1, -2... (after any already there)
        first = out
        taken = [p for p in _auto_backups(db_path) if p.name.startswith(first.stem)]
        if taken:
            last = taken[-1].stem[len(first.stem) :].lstrip("-")
            out = first.with_name(f"{first.stem}-{int(last or 0) + 1}.zip")
    remove_stale(out.parent, db_path.name, TEMP_TAG, dirs=True)  # what a killed backup left
    work = scratch_dir(out.parent, db_path.name, TEMP_TAG, for_output=out)
    try:
        written = _write_archive(db_path, out, work, checkpoint)
    except (OSError, sqlite3.Error) as exc:
        if is_out_of_space(exc):
            raise InputError(out_of_space_message(out)) from None
        if isinstance(exc, sqlite3.DatabaseError):
            raise WorkspaceError(f"Cannot copy {db_path}: {exc}.") from None
        raise write_error(out, exc) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    revision, entries, head, members, total, problems, signed = written
    removed: list[Path] = []
    if automatic:
        for old in _auto_backups(db_path)[: -backups_kept()]:
            if old != out:
                old.unlink(missing_ok=True)
                removed.append(old)
    return BackupResult(out, entries, head, members - 1, total, revision, problems, removed, signed)


def _write_archive(
    db_path: Path, out: Path, work: Path, checkpoint: Checkpointer | None
) -> tuple[str, int, str, int, int, list[str], dict[str, Any] | None]:
    """Snapshot the workspace into `work` and write the archive to `out` atomically.

    Returns (schema, journal entries, journal head, members, bytes, evidence problems, the
    signed checkpoint of the archived journal or None).
    """
    snap = work / DB_MEMBER
    _snapshot(db_path, snap)
    revision, entries, head, files = _snapshot_facts(snap)
    if revision == HEAD:  # an older file is checked when it is opened and migrated
        _refuse_foreign_schema(snap, db_path)
    signed = _sign_snapshot(snap, out.name, checkpoint) if checkpoint is not None else None
    db_sha, db_size = sha256_file(snap)
    members: dict[str, dict[str, Any]] = {DB_MEMBER: {"sha256": db_sha, "size": db_size}}
    problems: list[str] = []
    store = evidence_dir(db_path)
    total = db_size
    with (
        staged(out, mode=0o600, tag=TEMP_TAG, owner=db_path.name) as tmp_zip,  # it holds the whole record
        zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf,
    ):
        zf.write(snap, DB_MEMBER)
        for sha, name in files:
            member = f"evidence/{sha[:2]}/{sha}"
            if member in members:
                continue
            size = _add_evidence(zf, store, sha, name, member, problems)
            if size is not None:
                members[member] = {"sha256": sha, "size": size}
                total += size
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "workspace": db_path.name,
            "schema": revision,
            "journal": {"entries": entries, "head": head},
            "files": members,
            "evidence_problems": problems,
        }
        if signed is not None:
            manifest["checkpoint"] = signed
        zf.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False))
    return revision, entries, head, len(members), total, problems, signed


def _sign_snapshot(snap: Path, name: str, checkpoint: Checkpointer) -> dict[str, Any]:
    """The signed checkpoint of the copy being archived: exactly the journal the backup holds."""
    con = sqlite3.connect(f"file:{snap}?mode=ro", uri=True)
    try:
        return checkpoint(con, name)
    finally:
        con.close()


def _add_evidence(
    zf: zipfile.ZipFile, store: Path, sha: str, name: str, member: str, problems: list[str]
) -> int | None:
    """Copy one stored file into the archive if it is intact: its size, or None with the problem
    noted. A link, named pipe, device or folder under its name is refused: the backup would
    otherwise copy a file from outside the store, or hang (see evidence_store)."""
    opened = False
    try:
        with open_entry(store, sha) as (src, _):
            opened = True
            hashed = hash_stream(src)
            if hashed is None or hashed[0] != sha:
                problems.append(f"{name!r} ({sha[:12]}…) was altered in the evidence store")
                return None
            src.seek(0)
            written = _add_member(zf, src, member)
    except NotAFile as exc:
        raise WorkspaceError(
            f"The evidence store entry {exc.where} for {name!r} is {exc.kind}, not a file; "
            "remove it and attach the file again (see `isms evidence verify`)."
        ) from None
    except OSError:
        if opened:  # reading it or writing the archive failed: not a problem of the store
            raise
        problems.append(f"{name!r} ({sha[:12]}…) is missing from the evidence store")
        return None
    if written != hashed:
        raise WorkspaceError(f"The evidence file {name!r} changed during the backup; run it again.")
    return written[1]


def _add_member(zf: zipfile.ZipFile, src: BinaryIO, member: str) -> tuple[str, int]:
    """Copy an open file into the archive, returning the SHA-256 and size of what was written
    (at most the store's ceiling and one chunk more)."""
    digest = hashlib.sha256()
    size = 0
    with zf.open(member, "w", force_zip64=True) as dst:
        while size <= CEILING_BYTES and (chunk := src.read(CHUNK)):
            digest.update(chunk)
            size += len(chunk)
            dst.write(chunk)
    return digest.hexdigest(), size
