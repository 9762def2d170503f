"""The files of the evidence store (FILE.evidence/ab/abcdef...), read and written without
trusting what sits there.

Anyone with a shell can put a symbolic link, a named pipe, a device or a folder where an
evidence file belongs. Reading the store (verify, backup, packs) therefore never follows a
link out of it (the two-letter folder and the file are opened with O_NOFOLLOW), never
blocks on a special file (O_NONBLOCK, then fstat on the open descriptor), and never reads
more than `CEILING_BYTES`, the most any evidence file may hold.

Writing (attach) copies the file once into a temporary file named `.attach-*.tmp` in the
store's top folder, hashing while it copies; re-hashes the written file by its name; then
renames it over the entry, which also repairs an entry that is damaged or not a file. The
temporary file is flock()ed for as long as its attach runs, so the next attach can tell
one left by a killed process (unlocked) from one being written (locked) and remove it.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from isms_tui.files import is_out_of_space, out_of_space_message
from isms_tui.userfiles import CHUNK, UserFileError, kind_of, open_regular

from .errors import InputError

CEILING_MB = 256
CEILING_BYTES = CEILING_MB << 20  # no evidence file may be larger (ISMS_MAX_EVIDENCE_MB is capped to it)
_SHA256 = re.compile(r"[0-9a-f]{64}")
TEMP_PREFIX = ".attach-"
TEMP_SUFFIX = ".tmp"
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)

INTACT = "intact"
MISSING = "missing"
ALTERED = "altered"
NOT_A_FILE = "not-a-file"


class NotAFile(Exception):
    """Something other than a regular file sits in the store under an evidence name."""

    def __init__(self, where: Path, kind: str) -> None:
        super().__init__(f"{where} is {kind}, not a file")
        self.where = where
        self.kind = kind


def entry_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


@contextmanager
def open_entry(root: Path, sha256: str) -> Iterator[tuple[BinaryIO, int]]:
    """The stored file (open for reading) and its size, never through a link or a special file.

    FileNotFoundError when there is nothing under the name; NotAFile naming what is there
    instead (for the two-letter folder as well as the file); OSError when it cannot be read.
    """
    if not _SHA256.fullmatch(sha256):  # a name edited into the database must not lead out of the store
        raise FileNotFoundError(errno.ENOENT, "not an evidence name", sha256)
    folder = root / sha256[:2]
    try:
        dir_fd = os.open(folder, _DIR_FLAGS)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise NotAFile(folder, _kind_at(folder)) from None
        raise
    try:
        fd, st = open_regular(sha256, follow=False, dir_fd=dir_fd, label=str(folder / sha256))
    except UserFileError as exc:
        if exc.kind is not None:
            raise NotAFile(folder / sha256, exc.kind) from None
        if exc.reason == "does not exist":
            raise FileNotFoundError(errno.ENOENT, exc.reason, str(folder / sha256)) from None
        raise OSError(exc.reason) from None
    finally:
        os.close(dir_fd)
    with os.fdopen(fd, "rb") as fh:
        yield fh, st.st_size


def _kind_at(path: Path) -> str:
    try:
        return kind_of(os.lstat(path).st_mode)
    except OSError:
        return "a special file"


def hash_stream(fh: BinaryIO, max_bytes: int = CEILING_BYTES) -> tuple[str, int] | None:
    """(SHA-256, size) of what `fh` holds from its position, or None past `max_bytes`."""
    digest = hashlib.sha256()
    size = 0
    while chunk := fh.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            return None
        digest.update(chunk)
    return digest.hexdigest(), size


@dataclass(frozen=True)
class EntryState:
    """What the store holds under one evidence name."""

    state: str  # INTACT, MISSING, ALTERED or NOT_A_FILE
    size: int = 0
    found_sha256: str | None = None
    kind: str | None = None  # for NOT_A_FILE: "a symbolic link", "a named pipe"...


def check_entry(root: Path, sha256: str) -> EntryState:
    """Re-hash one stored file (bounded) without following links or blocking."""
    try:
        with open_entry(root, sha256) as (fh, size):
            if size > CEILING_BYTES:
                return EntryState(ALTERED, size)  # nothing this large is ever attached
            hashed = hash_stream(fh)
    except NotAFile as exc:
        return EntryState(NOT_A_FILE, kind=exc.kind)
    except OSError:
        return EntryState(MISSING)
    if hashed is None:
        return EntryState(ALTERED, CEILING_BYTES + 1)
    found, size = hashed
    return EntryState(INTACT if found == sha256 else ALTERED, size, found)


# --- attaching --------------------------------------------------------------------------------


def leftovers(root: Path) -> list[Path]:
    """Temporary files of attaches in the store's top folder (running or interrupted)."""
    try:
        names = os.listdir(root)
    except OSError:
        return []
    return sorted(root / n for n in names if n.startswith(TEMP_PREFIX) and n.endswith(TEMP_SUFFIX))


def remove_leftovers(root: Path) -> int:
    """Remove the temporary files no running attach holds (its process was killed)."""
    removed = 0
    for path in leftovers(root):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # a link under a temporary name: remove the link only
                path.unlink(missing_ok=True)
                removed += 1
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError: an attach is writing it
            path.unlink(missing_ok=True)
            removed += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


@dataclass
class Staged:
    """A file being copied into the store under a temporary name, flock()ed while it exists."""

    fd: int
    path: Path

    def fill(self, source: BinaryIO, max_bytes: int) -> tuple[str, int] | None:
        """Copy `source` in, hashing what is copied: (SHA-256, size), or None past `max_bytes`."""
        digest = hashlib.sha256()
        size = 0
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                return None
            digest.update(chunk)
            view = memoryview(chunk)
            while view:
                view = view[os.write(self.fd, view) :]
        os.fsync(self.fd)
        return digest.hexdigest(), size


@contextmanager
def staging(root: Path) -> Iterator[Staged]:
    """A new temporary file in the store; removed at the end unless `install` renamed it."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        remove_leftovers(root)
        fd, name = tempfile.mkstemp(dir=root, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    except OSError as exc:
        if is_out_of_space(exc):
            raise InputError(out_of_space_message(f"into the evidence store {root}")) from None
        raise InputError(f"Cannot write into the evidence store {root}: {exc.strerror or exc}.") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield Staged(fd, Path(name))
    finally:
        Path(name).unlink(missing_ok=True)
        os.close(fd)


def install(root: Path, staged: Staged, sha256: str, size: int) -> bool:
    """Put the staged copy under its name unless an intact copy is there; True if written.

    The staged file is re-hashed by its name first (what reached the disk is what was read).
    A damaged entry, or a link or special file under the name, is replaced atomically.
    """
    try:
        fd, _ = open_regular(staged.path, follow=False)
        with os.fdopen(fd, "rb") as fh:
            rehashed = hash_stream(fh, size)
    except (OSError, UserFileError):
        rehashed = None
    if rehashed != (sha256, size):
        raise InputError("The copy in the evidence store does not match the file read; nothing was attached.")
    entry = check_entry(root, sha256)
    if entry.state == INTACT:
        return False
    folder = root / sha256[:2]
    target = folder / sha256
    try:
        folder.mkdir(exist_ok=True)
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            raise NotAFile(folder, _kind_at(folder))
        if os.path.lexists(target) and stat.S_ISDIR(os.lstat(target).st_mode):
            raise NotAFile(target, "a directory")
        os.replace(staged.path, target)
        _fsync_dir(folder)
    except NotAFile as exc:
        raise InputError(f"The evidence store holds {exc.kind} at {exc.where}; remove it and attach again.") from None
    except OSError as exc:
        if is_out_of_space(exc):
            raise InputError(out_of_space_message(f"into the evidence store {root}")) from None
        raise InputError(f"Cannot write into the evidence store {root}: {exc.strerror or exc}.") from None
    return True


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, _DIR_FLAGS)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
