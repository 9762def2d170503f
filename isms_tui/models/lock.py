"""One writer per workspace: an advisory lock on FILE.lock beside the workspace file.

The lock is `flock(LOCK_EX | LOCK_NB)` on a file descriptor kept open for as long as the
holder works on the workspace (the TUI's lifetime, one CLI write command). The kernel drops
the lock when that descriptor closes, including when the process is killed or crashes, so a
stale lock cannot outlive its holder and nobody ever has to delete a lock file by hand.

The file's content (pid, program, host name, start time) only explains who holds the lock;
whether it is held is decided by the kernel alone. A refusal names the holder from it, and
says so when the pid it names has ended (a child process may have inherited the descriptor)
rather than blaming a process that is gone. The file is never deleted: deleting it while another
process waits on it would let two processes lock two different files of the same name.

flock is per open file description, so two opens in one process also exclude each other
(tests rely on it). On network file systems flock may be local to one machine; the host name
in the message helps there.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .db import WorkspaceError, real_workspace_path

try:  # pragma: no cover - which branch runs depends on the platform
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def lock_path(db_path: Path) -> Path:
    """FILE.lock beside the workspace's real file, so every name of the workspace shares it."""
    real = real_workspace_path(db_path)
    return real.with_name(real.name + ".lock")


MAX_LOCK_TEXT = 4096  # a lock file holds three short lines


def _open_lock_file(path: Path, flags: int) -> int:
    """Open the lock file itself, never through a link, and only if it is a regular file.

    O_NOFOLLOW: a lock path made a symbolic link must not let isms write into (or truncate)
    the file it points to. O_NONBLOCK: a FIFO put in its place must not hang the open.
    """
    fd = os.open(
        path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0), 0o600
    )
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise WorkspaceError(f"The lock file {path} is not a regular file; remove it and try again.")
    return fd


UNKNOWN_PROGRAM = "another isms"


@dataclass(frozen=True)
class LockInfo:
    """Who holds (or last held) a workspace lock, as written in the lock file."""

    pid: int | None
    host: str
    since: str
    program: str = ""

    @property
    def here(self) -> bool:
        return not self.host or self.host == socket.gethostname()

    def gone(self) -> bool:
        """Whether the recorded pid has ended (only knowable on this host)."""
        if self.pid is None or self.pid <= 0 or not self.here:
            return False
        try:
            os.kill(self.pid, 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return True
        except (OSError, OverflowError):  # EPERM: it runs, as another user; a pid no process can have
            return False
        return False

    def describe(self) -> str:
        parts = []
        if self.pid is not None:
            parts.append(f"pid {self.pid}")
        if not self.here:
            parts.append(f"on {self.host}")
        if self.since:
            parts.append(f"since {short_time(self.since)}")
        return ", ".join(parts)


def short_time(since: str) -> str:
    """The lock's start as HH:MM when it is today, else as YYYY-MM-DD HH:MM (local time)."""
    try:
        moment = datetime.fromisoformat(since)
    except ValueError:
        return since[:40]
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    if moment.date() == datetime.now().date():
        return moment.strftime("%H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


class WorkspaceLocked(WorkspaceError):
    """Another process holds the workspace lock.

    "workspace.db is open in the isms app (pid 1234, since 10:02); close it before importing."
    A holder that is a command rather than the app is waited for, not closed; a holder whose
    recorded pid has ended is described as such.
    """

    def __init__(self, db_path: Path, holder: LockInfo | None, doing: str = "") -> None:
        name = Path(db_path).name
        program = (holder.program if holder else "") or UNKNOWN_PROGRAM
        if holder is not None and holder.gone():
            message = (
                f"{name} is locked by a process started from {program} (pid {holder.pid}, which has ended, "
                "so a process it started still holds it)"
            )
        else:
            who = f" ({holder.describe()})" if holder and holder.describe() else ""
            message = f"{name} is open in {program}{who}"
            if holder is not None and program.startswith("isms ") and doing.startswith("close it"):
                doing = "run this again when that command has finished"
        super().__init__(message + (f"; {doing}" if doing else "."))
        self.db_path = Path(db_path)
        self.holder = holder
        self.base_message = message


def read_holder(db_path: Path) -> LockInfo | None:
    """The holder recorded in the lock file (possibly stale: only the kernel knows)."""
    try:
        fd = _open_lock_file(lock_path(db_path), os.O_RDONLY)
    except (OSError, WorkspaceError):
        return None
    try:
        text = os.pread(fd, MAX_LOCK_TEXT, 0).decode("utf-8", errors="replace")
    except OSError:
        return None
    finally:
        os.close(fd)
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    try:
        pid = int(fields.get("pid", ""))
    except ValueError:
        pid = None
    host, since, program = (_shown(fields.get(key, "")) for key in ("host", "since", "program"))
    return LockInfo(pid, host, since, program)


def _shown(text: str) -> str:
    """A lock file field as one short printable line, whatever the file holds (it reaches a terminal)."""
    return "".join(c for c in " ".join(text.split()) if c.isprintable())[:80]


class WorkspaceLock:
    """A held lock; `release()` (or leaving the `with` block, or exiting) gives it up."""

    def __init__(self, db_path: Path, fd: int) -> None:
        self.db_path = Path(db_path)
        self.path = lock_path(db_path)
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # nobody holds it now; an empty file says so
        except OSError:
            pass
        os.close(fd)  # closing the descriptor releases the flock

    def __enter__(self) -> WorkspaceLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()

    def __del__(self) -> None:  # pragma: no cover - a safety net; callers release explicitly
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass


def _try_flock(fd: int, path: Path) -> bool:
    if fcntl is None:  # pragma: no cover - Windows: lock the first byte instead
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    except OSError as exc:  # e.g. a file system without locks: say so rather than guess
        raise WorkspaceError(f"Cannot lock {path}: {exc.strerror or exc}.") from None


def acquire(db_path: Path, doing: str = "", program: str = "") -> WorkspaceLock:
    """Take the workspace lock now or raise WorkspaceLocked naming the holder; never waits.

    `doing` ends the refusal message, e.g. "close it before restoring"; `program` is what
    this process is, as others' refusals will name it ("the isms app", "isms import readings").
    """
    path = lock_path(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _open_lock_file(path, os.O_RDWR | os.O_CREAT)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise WorkspaceError(f"The lock file {path} is a symbolic link; remove it and try again.") from None
        raise WorkspaceError(f"Cannot create the lock file {path}: {exc.strerror or exc}.") from None
    try:
        locked = _try_flock(fd, path)
    except BaseException:
        os.close(fd)
        raise
    if not locked:
        os.close(fd)
        raise WorkspaceLocked(db_path, read_holder(db_path), doing)
    since = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    program = " ".join(program.split())
    info = f"pid={os.getpid()}\nprogram={program}\nhost={socket.gethostname()}\nsince={since}\n".encode()
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, info, 0)
    except OSError:
        pass  # the lock holds even if its description cannot be written
    return WorkspaceLock(db_path, fd)


def is_locked(db_path: Path) -> LockInfo | None:
    """The holder when another process (or descriptor) holds the lock, else None."""
    try:
        lock = acquire(db_path)
    except WorkspaceLocked as exc:
        return exc.holder or LockInfo(None, "", "")
    except WorkspaceError:
        return None
    lock.release()
    return None
