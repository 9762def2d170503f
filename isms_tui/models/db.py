"""Opening a workspace file: pragmas, schema checks, migrations with a backup first.

Every failure a user can cause (wrong file, corrupt file, newer schema, read-only location)
becomes a WorkspaceError with one clear sentence; callers show it and exit, never a traceback.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session as Session  # re-exported: screens type sessions without importing sqlmodel

from . import journal, sanitize  # noqa: F401  (register the journal and sanitising hooks)
from .sanitize import without_surrogates
from .schema import HEAD, REVISIONS

BACKUPS_KEPT = 5  # default for ISMS_BACKUPS_KEPT
READ_ONLY_KEY = "isms_read_only"
READ_ONLY_MESSAGE = "The workspace is open read-only because another isms has it open; nothing was saved."


def backups_kept() -> int:
    """How many automatic backups of each kind to keep: ISMS_BACKUPS_KEPT (default 5, at least 1)."""
    try:
        return max(1, int(os.environ.get("ISMS_BACKUPS_KEPT", "").strip() or BACKUPS_KEPT))
    except ValueError:
        return BACKUPS_KEPT


class WorkspaceError(Exception):
    """A workspace cannot be opened; the message is meant for the user."""


class ReadOnlyWorkspace(WorkspaceError):
    """A write was attempted through a read-only engine (another isms holds the lock)."""


def _set_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _set_query_only(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.execute("PRAGMA query_only=ON")


def make_engine(path: Path, read_only: bool = False) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False},
        execution_options={READ_ONLY_KEY: read_only},
    )
    event.listen(engine, "connect", _set_pragmas)
    event.listen(engine, "before_cursor_execute", without_surrogates, retval=True)
    if read_only:  # SQLite itself refuses every write, Core and ORM alike
        event.listen(engine, "connect", _set_query_only)
    return engine


def is_read_only(engine: Engine) -> bool:
    return bool(engine.get_execution_options().get(READ_ONLY_KEY))


def real_workspace_path(path: Path) -> Path:
    """The workspace's real file, whatever name it is given by; WorkspaceError if it cannot be one.

    SQLite keeps its WAL and shared-memory files per *name*, so two names for one file
    (a symbolic link and its target, or two hard links) opened by two writers corrupt it, and
    two names would also take two different locks. So a symbolic link is resolved to the file
    it names, and a file with more than one hard link is refused: there is no telling which
    name another process uses. Anything but a regular file (a folder, a FIFO, a device) is
    refused before SQLite could block on it.
    """
    given = Path(path).expanduser()
    real = Path(os.path.realpath(given))
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return real  # a new workspace: it is created under its real folder
    except OSError as exc:
        raise WorkspaceError(f"Cannot read {given}: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise WorkspaceError(f"{given} is a directory, not a workspace file.")
    if not stat.S_ISREG(info.st_mode):
        raise WorkspaceError(f"{given} is not a regular file (a FIFO, device or socket cannot be a workspace).")
    if info.st_nlink > 1:
        raise WorkspaceError(
            f"{given} has {info.st_nlink} hard links; a workspace must have exactly one name, because two "
            "names for one SQLite file can corrupt it. Remove the other links, or copy the file."
        )
    return real


def _probe(path: Path) -> str | None:
    """The schema revision stored in `path`, None for a new file; raises WorkspaceError."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    if path.is_dir():
        raise WorkspaceError(f"{path} is a directory, not a workspace file.")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in tables or "workspace" not in tables:
                if not tables:
                    return None
                raise WorkspaceError(f"{path} is an SQLite database but not an isms workspace.")
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise WorkspaceError(f"{path} is not a workspace file, or it is corrupt ({exc}).") from None
    if row is None:
        raise WorkspaceError(f"{path} has no schema version; it is not a usable workspace.")
    revision: str = row[0]
    if revision not in REVISIONS:
        raise WorkspaceError(
            f"{path} was written by a newer version of isms-tui (schema {revision}); upgrade isms-tui."
        )
    return revision


def needs_upgrade(path: Path) -> bool:
    """Whether opening the workspace at `path` would migrate its schema (a write)."""
    return _probe(Path(path).expanduser()) not in (None, HEAD)


def _check_writable(path: Path) -> None:
    folder = path.parent
    if path.exists() and not os.access(path, os.W_OK):
        raise WorkspaceError(f"Cannot write to {path}: check the file's permissions.")
    if not os.access(folder, os.W_OK):
        raise WorkspaceError(f"Cannot write in {folder}: the workspace needs a writable folder.")


def backup_file(path: Path, label: str) -> Path:
    """Copy `path` with SQLite's online backup API next to it and keep the last few copies."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = path.with_name(f"{path.name}.{label}-{stamp}.bak")
    src = sqlite3.connect(path)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    olds = sorted(path.parent.glob(f"{path.name}.{label}-*.bak"))
    for old in olds[: -backups_kept()]:
        old.unlink(missing_ok=True)
    return target


def migrate(engine: Engine) -> None:
    """Upgrade the database behind `engine` to the head revision with the application's migrations."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_engine(path: Path, read_only: bool = False, *, check_schema: bool = True) -> Engine:
    """Open (creating or migrating if needed) the workspace at `path`.

    `read_only` (another isms holds the workspace lock) opens an up-to-date workspace with
    every write refused; it never creates or migrates one. A workspace whose schema is not
    exactly the one the application makes is refused in one sentence (nothing may report
    from, or write to, a doctored file); only `isms journal verify`, which says what
    differs, opens it with `check_schema=False`.
    """
    path = real_workspace_path(path)
    if read_only:
        engine = _open_read_only(path)
        if check_schema:
            _refuse_foreign_schema(engine, path)
        return engine
    if not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"Cannot create the folder {path.parent}: {exc.strerror}.") from None
    revision = _probe(path)
    _check_writable(path)
    if revision is not None and revision != HEAD:
        backup_file(path, f"pre-{HEAD}")
    engine = make_engine(path)
    if revision != HEAD:
        try:
            migrate(engine)
        except sqlite3.DatabaseError as exc:  # pragma: no cover - depends on the disk
            raise WorkspaceError(f"Cannot prepare {path}: {exc}.") from None
    if check_schema:
        _refuse_foreign_schema(engine, path)
    return engine


def _refuse_foreign_schema(engine: Engine, path: Path) -> None:
    """WorkspaceError (and the engine disposed) when the file's schema is not the application's."""
    from .schema_shape import foreign_schema_message, schema_differences

    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            problems = schema_differences(raw)
    except sqlite3.DatabaseError as exc:
        engine.dispose()
        raise WorkspaceError(f"{path} cannot be read ({exc}); run `isms journal verify` for details.") from None
    if problems:
        engine.dispose()
        raise WorkspaceError(foreign_schema_message(path, problems))


def _open_read_only(path: Path) -> Engine:
    revision = _probe(path)
    if revision is None:
        raise WorkspaceError(f"{path} is being created by another isms; open it again when that is done.")
    if revision != HEAD:
        raise WorkspaceError(
            f"{path} needs upgrading, which cannot happen while another isms has it open; close that one first."
        )
    return make_engine(path, read_only=True)


@event.listens_for(Session, "before_flush")
def _refuse_read_only(session: Session, _ctx: object, _instances: object) -> None:
    if session.info.get(READ_ONLY_KEY) and (
        session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)
    ):
        raise ReadOnlyWorkspace(READ_ONLY_MESSAGE)


@contextmanager
def session_scope(engine: Engine, actor: str = "") -> Iterator[Session]:
    """One transaction per user action: commit on success, roll back on any error.

    On a read-only engine any write raises ReadOnlyWorkspace (one sentence for the user).
    """
    from sqlalchemy.exc import OperationalError

    read_only = is_read_only(engine)
    with Session(engine, expire_on_commit=False) as session:
        session.info["isms_actor"] = actor
        session.info[READ_ONLY_KEY] = read_only
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if read_only and "readonly" in str(exc.orig).replace(" ", ""):
                raise ReadOnlyWorkspace(READ_ONLY_MESSAGE) from None
            raise
        except BaseException:
            session.rollback()
            raise
