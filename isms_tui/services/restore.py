"""Restoring a workspace from a backup archive (the format is described in backup.py).

Restore trusts nothing in the archive: members are matched against the manifest by name,
size and SHA-256 while they are extracted (a member that grows past its declared size is
cut off, so a zip bomb cannot fill the disk), names other than the two shapes a backup holds are refused
(no path traversal), then the database must pass `PRAGMA integrity_check`, be a workspace
whose schema this version knows, and have a journal that verifies with a head matching the
manifest. Only then, holding the workspace lock (refused while an isms has the workspace
open), is the current file kept under a timestamped name and the restored one moved into
place with one atomic rename. The evidence store only ever gains files (it is
content-addressed), so the kept file still finds its evidence.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isms_tui.files import (
    fsync_dir,
    is_out_of_space,
    is_out_of_space_in,
    out_of_space_message,
    remove_stale,
    scratch_dir,
    staged,
)
from isms_tui.models import lock as workspace_lock
from isms_tui.models.db import WorkspaceError, make_engine, migrate, real_workspace_path, session_scope
from isms_tui.models.db import _probe as probe_revision
from isms_tui.models.journal import GENESIS_HASH
from isms_tui.models.schema import HEAD, REVISIONS
from isms_tui.userfiles import UserFileError, open_regular

from .backup import (
    CHUNK,
    DB_MEMBER,
    EVIDENCE_RE,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MAX_MANIFEST_BYTES,
    evidence_dir,
    sha256_file,
    stamp,
)
from .errors import InputError
from .formatting import plural
from .restore_limits import Budget, check_limits

TEMP_TAG = "restore"  # scratch folder .FILE.restore-PID-RANDOM.tmp, evidence .SHA.restore-PID-RANDOM.tmp


@dataclass
class RestoreResult:
    db_path: Path
    replaced: Path | None  # where the previous workspace file was kept
    journal_entries: int
    journal_head: str
    evidence_files: int
    created_at: str
    schema: str


@dataclass
class _Checked:
    """An archive whose members all match its manifest, extracted into a scratch folder."""

    manifest: dict[str, Any]
    db: Path
    evidence: dict[str, Path]  # sha256 -> extracted file


def _refuse(archive: Path, why: str) -> InputError:
    return InputError(f"{archive} cannot be restored: {why}.")


def _read_manifest(archive: Path, zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        info = zf.getinfo(MANIFEST)
    except KeyError:
        raise _refuse(archive, "it has no manifest.json, so it is not an isms backup") from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise _refuse(archive, "its manifest is implausibly large")
    try:
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError):
        raise _refuse(archive, "its manifest cannot be read") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(archive, "it is not an isms backup")
    if manifest.get("version") != FORMAT_VERSION:
        raise _refuse(archive, f"it uses backup format {manifest.get('version')!r}, which this version does not know")
    files = manifest.get("files")
    if not isinstance(files, dict) or DB_MEMBER not in files:
        raise _refuse(archive, "its manifest lists no workspace.db")
    for name, meta in files.items():
        if not isinstance(name, str) or not isinstance(meta, dict):
            raise _refuse(archive, "its manifest is malformed")
        sha, size = meta.get("sha256"), meta.get("size")
        if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
            raise _refuse(archive, f"its manifest has no valid SHA-256 for {name!r}")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise _refuse(archive, f"its manifest has no valid size for {name!r}")
        if name == DB_MEMBER:
            continue
        m = EVIDENCE_RE.fullmatch(name)
        if m is None or m[2] != sha or not sha.startswith(m[1]):
            raise _refuse(archive, f"it contains an unexpected file {name[:80]!r}")
    return manifest


def _extract(archive: Path, zf: zipfile.ZipFile, name: str, meta: dict[str, Any], target: Path, budget: Budget) -> None:
    """Extract one member, checking its size and SHA-256 against the manifest as it streams.

    `budget` holds what the whole restore may still write: a member whose stream runs past
    it (a header that lies about the size) is refused there, before the disk fills.
    """
    digest = hashlib.sha256()
    size, limit = 0, meta["size"]
    try:
        with zf.open(name) as src, target.open("wb") as dst:
            while chunk := src.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _refuse(archive, f"{name} is larger than its manifest says")
                budget.spend(archive, len(chunk))
                digest.update(chunk)
                dst.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        if is_out_of_space(exc):
            raise  # the caller names what could not be written
        raise _refuse(archive, f"{name} cannot be read ({exc})") from None
    if size != limit or digest.hexdigest() != meta["sha256"]:
        raise _refuse(
            archive, f"{name} does not match its SHA-256 in the manifest (the archive is damaged or was altered)"
        )


def _check_archive(archive: Path, scratch: Path) -> _Checked:
    archive = Path(archive).expanduser()
    if not archive.exists():
        raise InputError(f"{archive} does not exist.")
    if archive.is_dir():
        raise InputError(f"{archive} is a folder; give the backup's .zip file.")
    try:  # a named pipe or a device must not block the restore: only a regular file is opened
        fd, _ = open_regular(archive, what="backup file", advice="give the backup's .zip file")
    except UserFileError as exc:
        raise InputError(str(exc)) from None
    handle = os.fdopen(fd, "rb")
    try:
        zf = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError):
        handle.close()
        raise _refuse(archive, "it is not a zip archive (not an isms backup, or damaged)") from None
    with handle, zf:
        manifest = _read_manifest(archive, zf)
        files: dict[str, dict[str, Any]] = manifest["files"]
        names = [i.filename for i in zf.infolist()]
        if len(names) != len(set(names)):
            raise _refuse(archive, "it holds the same member twice")
        extra = sorted(set(names) - set(files) - {MANIFEST})
        if extra:
            raise _refuse(archive, f"it contains a file its manifest does not list ({extra[0][:80]!r})")
        absent = sorted(set(files) - set(names))
        if absent:
            raise _refuse(archive, f"{absent[0]} is listed in its manifest but missing")
        budget = check_limits(archive, zf.infolist(), files)
        db = scratch / DB_MEMBER
        _extract(archive, zf, DB_MEMBER, files[DB_MEMBER], db, budget)
        evidence: dict[str, Path] = {}
        (scratch / "evidence").mkdir()
        for name, meta in files.items():
            if name == DB_MEMBER:
                continue
            target = scratch / "evidence" / meta["sha256"]
            _extract(archive, zf, name, meta, target, budget)
            evidence[meta["sha256"]] = target
    _check_database(archive, db, manifest, evidence)
    return _Checked(manifest, db, evidence)


def _check_database(archive: Path, db: Path, manifest: dict[str, Any], evidence: dict[str, Path]) -> None:
    from sqlmodel import select

    from isms_tui.models import Evidence

    from .journal_verify import verify

    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            result = [r[0] for r in con.execute("PRAGMA integrity_check")]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise _refuse(archive, f"its workspace.db is not a usable SQLite database ({exc})") from None
    if result != ["ok"]:
        raise _refuse(archive, f"its workspace.db fails SQLite's integrity check ({result[0][:120]})")
    try:
        revision = probe_revision(db)
    except WorkspaceError as exc:
        raise _refuse(archive, str(exc).rstrip(".").replace(str(db), "its workspace.db")) from None
    if revision is None or revision not in REVISIONS:
        raise _refuse(archive, "its workspace.db is not a workspace this version knows")
    engine = make_engine(db)
    try:
        if revision != HEAD:  # an older backup: bring the scratch copy to this version's schema first,
            try:  # so that its shape is checked against the application's own (and restored upgraded)
                migrate(engine)
            except Exception as exc:
                raise _refuse(archive, f"its workspace.db cannot be upgraded to this version ({exc})") from None
        with session_scope(engine) as session:
            report = verify(session)
            indexed = set(session.exec(select(Evidence.sha256)))
    finally:
        engine.dispose()
    for leftover in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        leftover.unlink(missing_ok=True)
    if not report.ok:
        n = report.problem_count
        first = report.problems[0].message if report.problems else "see isms journal verify"
        raise _refuse(archive, f"its journal does not verify ({plural(n, 'problem')}; first: {first})")
    declared = manifest.get("journal") or {}
    if declared.get("head") != report.head or declared.get("entries") != report.entries:
        raise _refuse(archive, "its journal does not match the head recorded in its manifest")
    unreferenced = sorted(set(evidence) - indexed)
    if unreferenced:
        sha = unreferenced[0]
        raise _refuse(archive, f"it holds evidence/{sha[:2]}/{sha}, which no record of its workspace refers to")
    lacking = sorted(indexed - set(evidence))
    noted = len(manifest.get("evidence_problems") or [])
    if len(lacking) > noted:
        raise _refuse(archive, f"{len(lacking)} evidence files of its workspace are not in it")


def verify_archive(archive: Path) -> dict[str, Any]:
    """Check an archive completely (without restoring it); returns its manifest."""
    scratch = Path(tempfile.mkdtemp(prefix="isms-verify-"))
    try:
        return _check_archive(Path(archive), scratch).manifest
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _install_evidence(files: dict[str, Path], store: Path) -> int:
    """Put every file in the store unless an intact copy is already there; returns how many."""
    written = 0
    for sha, source in files.items():
        target = store / sha[:2] / sha
        if target.exists():
            try:
                if sha256_file(target)[0] == sha:
                    continue
            except OSError:
                pass
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(target.parent, sha, TEMP_TAG, name_regex="[0-9a-f]{64}")  # left by a killed restore
        with staged(target, mode=0o600, tag=TEMP_TAG) as tmp:
            shutil.copyfile(source, tmp)
        written += 1
    return written


def _settle_current(db_path: Path) -> None:
    """Fold the current file's WAL into it, and make sure no other program has it open."""
    try:
        con = sqlite3.connect(db_path, timeout=10)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if is_out_of_space_in(exc, db_path.parent):  # not "in use": the disk is full
            raise InputError(out_of_space_message(db_path)) from None
        # not a database (or damaged): it is kept as it is, byte for byte
    if db_path.with_name(db_path.name + "-wal").exists():
        raise WorkspaceError(
            f"{db_path} is in use by another program (its write-ahead log is still open); close it and restore again."
        )


def _keep_current(db_path: Path) -> Path:
    kept = db_path.with_name(f"{db_path.name}.replaced-{stamp()}")
    n = 1
    while kept.exists():
        kept = db_path.with_name(f"{db_path.name}.replaced-{stamp()}-{n}")
        n += 1
    try:
        os.link(db_path, kept)  # the same bytes under a second name, atomically
    except OSError:
        with staged(kept, tag=TEMP_TAG, owner=db_path.name) as tmp:  # a full disk leaves no half copy
            shutil.copy2(db_path, tmp)
    return kept


def restore(archive: Path, db_path: Path) -> RestoreResult:
    """Replace the workspace at `db_path` with the backup `archive`, after checking it all.

    Raises InputError when the archive is refused (nothing is touched) and WorkspaceError
    when the workspace is open in another isms or in use by another program.
    """
    archive = Path(archive).expanduser()
    db_path = Path(db_path).expanduser()
    if db_path.is_dir():
        raise InputError(f"{db_path} is a folder, not a workspace file.")
    db_path = real_workspace_path(db_path)  # a link is restored into the file it names, never replaced
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(f"Cannot create the folder {db_path.parent}: {exc.strerror}.") from None
    remove_stale(db_path.parent, db_path.name, TEMP_TAG, dirs=True)  # what a killed restore left
    scratch = scratch_dir(db_path.parent, db_path.name, TEMP_TAG, for_output=db_path)
    try:
        checked = _check_archive(archive, scratch)
        with workspace_lock.acquire(db_path, doing="close it before restoring", program="isms restore"):
            replaced = None
            try:
                if db_path.exists():
                    _settle_current(db_path)
                    replaced = _keep_current(db_path)
                _install_evidence(checked.evidence, evidence_dir(db_path))
                with checked.db.open("rb") as fh:
                    os.fsync(fh.fileno())
                os.chmod(checked.db, 0o600)
                os.replace(checked.db, db_path)
            except BaseException:
                # The kept name is a second hard link to the workspace, which would stop it
                # from opening (a workspace must have one name): take it away again.
                if replaced is not None:
                    replaced.unlink(missing_ok=True)
                raise
            for stale in (db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")):
                stale.unlink(missing_ok=True)
            fsync_dir(db_path.parent)
    except Exception as exc:
        if is_out_of_space_in(exc, db_path.parent):
            raise InputError(out_of_space_message(db_path)) from None
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    manifest = checked.manifest
    journal = manifest.get("journal") or {}
    return RestoreResult(
        db_path=db_path,
        replaced=replaced,
        journal_entries=int(journal.get("entries", 0)),
        journal_head=str(journal.get("head", GENESIS_HASH)),
        evidence_files=len(checked.evidence),
        created_at=str(manifest.get("created_at", "")),
        schema=str(manifest.get("schema", HEAD)),
    )
