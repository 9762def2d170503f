"""Writing a file the user named (an export, a backup, a pack, a key) so that nothing is lost.

Every such write goes through `staged` (or `replace_atomically` / `write_bytes` on top of
it), because an insider can point the output at anything and a machine can die or fill up
at any moment:

- the target must be a regular file or not exist yet: a symbolic link, folder, FIFO, device
  or socket is refused in one sentence and left untouched (checked with lstat, so a link is
  never followed; the final rename replaces a name, it never writes into whatever is there);
- the new content goes to a temporary file beside the target (same file system), is fsynced,
  renamed over the target, and the folder is fsynced: a crash leaves the old file or the new;
- any failure removes the temporary file and ends in one sentence (a full disk says so and
  that nothing was changed);
- temporary names say who made them (`.NAME.TAG-PID-RANDOM.tmp`), so the next run of the
  same command removes what a killed run left (`remove_stale`), and nothing else.

This module sits at the bottom of the package (standard library only) so the data layer,
the services, the reports and `isms verify` can all use it without loading SQLAlchemy.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import InputError

OUT_OF_SPACE = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
SQLITE_FULL = 13
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CANTOPEN = 14
_SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, what it wraps (SQLAlchemy's `.orig`) and what caused it, each once."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        cur = todo.pop()
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        yield cur
        orig = getattr(cur, "orig", None)
        todo.extend([orig if isinstance(orig, BaseException) else None, cur.__cause__, cur.__context__])


def is_out_of_space(exc: BaseException) -> bool:
    """Whether `exc` (an OSError, SQLite's "database or disk is full", or one wrapping them) is a full disk."""
    for cur in _causes(exc):
        if isinstance(cur, OSError) and cur.errno in OUT_OF_SPACE:
            return True
        if isinstance(cur, sqlite3.Error) and (
            getattr(cur, "sqlite_errorcode", None) == SQLITE_FULL or "database or disk is full" in str(cur)
        ):
            return True
    return False


def is_read_only_fs(exc: BaseException) -> bool:
    """Whether `exc` comes from a read-only file system (or SQLite refusing to write a read-only file)."""
    for cur in _causes(exc):
        if isinstance(cur, OSError) and cur.errno == errno.EROFS:
            return True
        if isinstance(cur, sqlite3.Error) and (
            getattr(cur, "sqlite_errorcode", None) is not None and cur.sqlite_errorcode & 0xFF == SQLITE_READONLY
        ):
            return True
    return False


def disk_is_full(folder: Path, margin: int = 64 << 10) -> bool:
    """Whether the file system of `folder` has (almost) no space left for this user.

    SQLite reports a -shm file it cannot grow as a plain "disk I/O error"; this tells that
    case from a damaged file.
    """
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < margin


def is_out_of_space_in(exc: BaseException, folder: Path) -> bool:
    """`is_out_of_space`, or an SQLite I/O error (it says no more for a -shm file it cannot
    grow) while the file system of `folder` is full."""
    if is_out_of_space(exc):
        return True
    io_error = any(
        isinstance(c, sqlite3.Error)
        and (getattr(c, "sqlite_errorcode", 0) or 0) & 0xFF in (SQLITE_IOERR, SQLITE_CANTOPEN)
        for c in _causes(exc)
    )
    return io_error and disk_is_full(folder)


def out_of_space_message(what: Path | str) -> str:
    return f"There is not enough space on the disk to write {what}; nothing was changed."


def fault_sentence(exc: BaseException) -> str | None:
    """The one sentence for a full disk or a read-only file system behind `exc`, else None.

    Used by the central error handling of the CLI and the TUI, where SQLite's "database or
    disk is full" or an ENOSPC arrives from any depth; the write it interrupted was rolled
    back or removed, so nothing was changed.
    """
    filename = next((c.filename for c in _causes(exc) if isinstance(c, OSError) and c.filename), None)
    if is_out_of_space(exc):
        return out_of_space_message(filename or "the workspace")
    if is_read_only_fs(exc):
        where = f"{filename} is on" if filename else "The workspace is on"
        return f"{where} a read-only file system, so nothing can be saved; nothing was changed."
    return None


def check_target(path: Path) -> None:
    """Refuse, in one sentence, an output path that is not a regular file or a new name."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(f"Cannot check {path}: {exc.strerror or exc}; nothing was written.") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise InputError(f"{path} is a symbolic link; give the real file's name (links are never written through).")
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path} is a directory; give a file name to write to.")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path} is not a regular file (a device, FIFO or socket); it was left untouched.")
    if not path.parent.is_dir():
        raise InputError(f"The folder {path.parent} does not exist.")


def write_error(path: Path | str, exc: BaseException) -> InputError:
    """The one sentence for a write to `path` that failed with `exc` (nothing was changed)."""
    if is_out_of_space(exc):
        return InputError(out_of_space_message(path))
    if is_read_only_fs(exc):
        return InputError(f"Cannot write {path}: the file system is read-only; nothing was changed.")
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return InputError(f"Cannot write {path}: {reason}; nothing was changed.")


def temp_prefix(name: str, tag: str) -> str:
    """The start of the temporary names a `tag` writer of `name` uses (see `remove_stale`)."""
    return f".{name}.{tag}-{os.getpid()}-"


def _remove_quietly(path: Path) -> None:
    for suffix in ("", *_SQLITE_SIDE_FILES):
        try:
            os.unlink(f"{path}{suffix}")
        except OSError:
            pass


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory descriptors
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def staged(path: Path, *, mode: int | None = None, tag: str = "write", owner: str | None = None) -> Iterator[Path]:
    """A temporary file beside `path` for the caller to fill by name; it replaces `path` if the block succeeds.

    `mode` sets the new file's permissions; by default a replaced file keeps its own and a
    new one is readable by its owner only (outputs hold ISMS data). Raises InputError (one
    sentence, nothing changed, no temporary file left) for a refused target or a failed write.
    The temporary file is `.OWNER.TAG-PID-RANDOM.tmp`, OWNER being `path`'s name unless given
    (automatic backups change name each time, so they use the workspace's).
    """
    path = Path(path)
    check_target(path)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(owner or path.name, tag), suffix=".tmp")
    except OSError as exc:
        raise write_error(path, exc) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        _fsync_file(tmp)
        keep = None
        try:
            current = os.lstat(path)
            if stat.S_ISREG(current.st_mode):
                keep = current.st_mode & 0o7777
        except FileNotFoundError:
            pass
        os.chmod(tmp, mode if mode is not None else (keep if keep is not None else 0o600))
        check_target(path)  # refused if a link or special file appeared meanwhile
        os.replace(tmp, path)
    except BaseException as exc:
        _remove_quietly(tmp)
        if isinstance(exc, OSError | sqlite3.Error):
            raise write_error(path, exc) from None
        raise
    fsync_dir(path.parent)


@contextmanager
def replace_atomically(
    path: Path, *, mode: int | None = None, tag: str = "write", **open_args: Any
) -> Iterator[IO[Any]]:
    """A file object for the new content of `path` (see `staged`).

    `open_args` go to `open` (default binary: pass encoding= and newline= for text).
    """
    file_mode = "w" if "encoding" in open_args else "wb"
    with staged(path, mode=mode, tag=tag) as tmp, open(tmp, file_mode, **open_args) as fh:
        yield fh
        fh.flush()


def write_bytes(path: Path, data: bytes, *, mode: int | None = None, tag: str = "write") -> None:
    """Replace `path` with `data` atomically (see `staged`)."""
    with replace_atomically(path, mode=mode, tag=tag) as fh:
        fh.write(data)


def scratch_dir(folder: Path, name: str, tag: str, *, for_output: Path | None = None) -> Path:
    """A private temporary folder in `folder` named so that `remove_stale(..., dirs=True)` finds it.

    A failure is one sentence about `for_output` (the file being made), else the folder.
    """
    try:
        return Path(tempfile.mkdtemp(dir=folder, prefix=temp_prefix(name, tag), suffix=".tmp"))
    except OSError as exc:
        raise write_error(for_output or folder, exc) from None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_stale(folder: Path, name: str, tag: str, *, dirs: bool = False, name_regex: str | None = None) -> list[Path]:
    """Remove what killed `tag` writers of `name` left in `folder`; returns what was removed.

    Only names of exactly our pattern whose process is gone, only regular files (or, with
    `dirs`, real folders) owned by this user; links are never followed, anything else is
    left alone. Errors are ignored: cleaning up must never stop the command itself.
    `name_regex` matches several names at once (e.g. any SHA-256 in an evidence folder).
    """
    named = name_regex if name_regex is not None else re.escape(name)
    pattern = re.compile(r"\." + named + re.escape(f".{tag}-") + r"(\d+)-[A-Za-z0-9_]+\.tmp")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = pattern.fullmatch(entry.name)
        if m is None or _alive(int(m[1])):
            continue
        try:
            info = os.lstat(entry.path)
            if info.st_uid != os.getuid():
                continue
            if stat.S_ISREG(info.st_mode):
                os.unlink(entry.path)
            elif dirs and stat.S_ISDIR(info.st_mode) and shutil.rmtree.avoids_symlink_attacks:
                shutil.rmtree(entry.path)
            else:
                continue
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed
