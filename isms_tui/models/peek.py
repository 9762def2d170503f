"""Reading a workspace's organisation name without opening it for work.

The recent-workspaces list names each file by its organisation. That must not migrate, lock
or create anything, and a file that has gone, been damaged or was written by a newer version
must give its reason in one sentence instead of a name.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .db import WorkspaceError, _probe, _unreadable, real_workspace_path, sqlite_uri


def organisation_of(path: Path) -> str | None:
    """The organisation named in the workspace at `path` (None if it has none yet).

    Raises WorkspaceError with the reason the file cannot be read.
    """
    real = real_workspace_path(path)
    if not real.exists():
        raise WorkspaceError(f"{path} is no longer there: it was moved or deleted.")
    if _probe(real) is None:
        return None  # an empty file: a workspace not set up yet
    try:
        con = sqlite3.connect(sqlite_uri(real), uri=True)
        try:
            row = con.execute("SELECT org_name FROM workspace ORDER BY id LIMIT 1").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise _unreadable(real, exc) from None
    name = row[0] if row else None
    return name if isinstance(name, str) and name.strip() else None
