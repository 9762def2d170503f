"""Reading a workspace without opening it for work: its organisation name, its figures.

The recent-workspaces list names each file by its organisation; the portfolio shows each
one's figures. That must not migrate, lock or write anything, and a file that has gone, been
damaged or was written by a newer version must give its reason in one sentence instead.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from .db import WorkspaceError, _probe, _unreadable, real_workspace_path, sqlite_uri

if TYPE_CHECKING:
    from sqlalchemy import Engine


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


UPGRADE_SENTENCE = "{path} needs upgrade: open it in isms to migrate it (a backup is taken first)."


class OpenToUse(WorkspaceError):
    """The file cannot be read as it is, but opening it in isms makes it usable (an upgrade
    migrates it; an empty file is set up on the welcome screen)."""


def peek_engine(path: Path) -> Engine:
    """A read-only engine on the workspace at `path`, for reading figures without opening it
    for work: no lock, no migration, no backup, SQLite's read-only mode (the file itself is
    never written; like any reader of a WAL database it may leave the empty -wal and the
    -shm index beside it), every write refused. Raises WorkspaceError with the one-sentence
    reason it cannot be read: gone, not a regular file, not a workspace, damaged, a schema to
    upgrade or one from a newer isms-tui, or a shape the application did not make.
    """
    from sqlalchemy import create_engine

    from .db import READ_ONLY_KEY, _refuse_foreign_schema
    from .schema import HEAD

    real = real_workspace_path(path)
    if not real.exists():
        raise WorkspaceError(f"{path} is no longer there: it was moved or deleted.")
    revision = _probe(real)  # a newer schema, a foreign or damaged file: its sentence
    if revision is None:
        raise OpenToUse(f"{path} is not set up yet: open it in isms to name its organisation.")
    if revision != HEAD:
        raise OpenToUse(UPGRADE_SENTENCE.format(path=path))
    uri = sqlite_uri(real)

    def connect() -> sqlite3.Connection:
        con = sqlite3.connect(uri, uri=True, check_same_thread=False)
        con.execute("PRAGMA query_only=ON")
        con.execute("PRAGMA busy_timeout=2000")
        return con

    why = f"{path} is only being read here; nothing was saved."
    engine = create_engine(f"sqlite:///{real}", creator=connect, execution_options={READ_ONLY_KEY: why})
    _refuse_foreign_schema(engine, real)
    return engine
