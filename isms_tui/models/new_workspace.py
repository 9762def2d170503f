"""Leaving a workspace file that was created a moment ago and never got its organisation.

Opening a new name creates the SQLite file at once (the welcome screen then asks for the
organisation). A user who leaves the welcome screen has not created a workspace, so the
file and its companions go again rather than lingering as an empty, half-made workspace.
"""

from __future__ import annotations

from pathlib import Path

from .lock import WorkspaceLock, lock_path

SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def discard_new_workspace(path: Path, lock: WorkspaceLock) -> None:
    """Remove a workspace file this process created and still holds the lock of.

    The caller has disposed of its engine and checked the file holds no workspace row; the
    lock file goes last, while still held, so that no other isms can open the name between.
    """
    path = Path(path)
    held = lock_path(path)  # named from the real file, so before that goes
    for name in (path, *(path.with_name(path.name + tail) for tail in SQLITE_COMPANIONS)):
        name.unlink(missing_ok=True)
    evidence = path.with_name(path.name + ".evidence")
    try:
        evidence.rmdir()  # only if it exists and is empty
    except OSError:
        pass
    held.unlink(missing_ok=True)
    lock.release()
