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
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session as Session  # re-exported: screens type sessions without importing sqlmodel

from isms_tui.errors import InputError
from isms_tui.files import is_out_of_space, is_out_of_space_in, is_read_only_fs, remove_stale, staged

from . import journal, load_tables, sanitize  # noqa: F401  (register the journal and sanitising hooks)
from .sanitize import without_surrogates
from .schema import HEAD, REVISIONS

load_tables()  # every table registered and mapped before any engine or session exists

BACKUPS_KEPT = 5  # default for ISMS_BACKUPS_KEPT
BACKUP_TAG = "bak"  # a pre-migration copy in progress: .FILE.bak-PID-RANDOM.tmp
READ_ONLY_KEY = "isms_read_only"
READ_ONLY_MESSAGE = "The workspace is open read-only because another isms has it open; nothing was saved."
READ_ONLY_PLACE_MESSAGE = (
    "The workspace is read-only (its file system, folder or file cannot be written); nothing was saved."
)


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


def make_engine(path: Path, read_only: bool = False, *, why: str = READ_ONLY_MESSAGE) -> Engine:
    """An engine on the workspace file; `read_only` refuses every write, saying `why`.

    A workspace in a place that cannot be written (`read_only_place`) is opened as
    immutable: SQLite could not create the -shm file a WAL database needs even to be read.
    Nothing can change the file there but its owner through chmod, who is then not using it.
    """
    options = {READ_ONLY_KEY: why if read_only else ""}
    connect: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if read_only and read_only_place(path):  # the URL still names the file (the evidence store is found by it)
        uri = f"file:{quote(str(path))}?mode=ro&immutable=1"
        connect = {"creator": lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)}
    engine = create_engine(f"sqlite:///{path}", execution_options=options, **connect)
    event.listen(engine, "connect", _set_pragmas)
    event.listen(engine, "before_cursor_execute", without_surrogates, retval=True)
    if read_only:  # SQLite itself refuses every write, Core and ORM alike
        event.listen(engine, "connect", _set_query_only)
    return engine


def is_read_only(engine: Engine) -> bool:
    return bool(engine.get_execution_options().get(READ_ONLY_KEY))


def read_only_place(path: Path) -> bool:
    """Whether the workspace file or its folder cannot be written (a read-only mount, a chmod)."""
    path = Path(path)
    if path.exists() and not os.access(path, os.W_OK):
        return True
    try:
        if os.statvfs(path.parent).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return path.parent.exists() and not os.access(path.parent, os.W_OK)


def sqlite_uri(path: Path) -> str:
    """A read-only URI for `path`, immutable in a read-only place (see make_engine)."""
    return f"file:{quote(str(path))}?mode=ro" + ("&immutable=1" if read_only_place(path) else "")


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
        con = sqlite3.connect(sqlite_uri(path), uri=True)
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
        raise _unreadable(path, exc) from None
    if row is None:
        raise WorkspaceError(f"{path} has no schema version; it is not a usable workspace.")
    revision: str = row[0]
    if revision not in REVISIONS:
        raise WorkspaceError(
            f"{path} was written by a newer version of isms-tui (schema {revision}); upgrade isms-tui."
        )
    return revision


def _unreadable(path: Path, exc: sqlite3.DatabaseError) -> WorkspaceError:
    """Why SQLite could not read `path`: a full disk or a read-only place is not a corrupt file."""
    if is_out_of_space_in(exc, path.parent):
        return WorkspaceError(f"There is not enough space on the disk to open {path}; nothing was changed.")
    if is_read_only_fs(exc):
        return WorkspaceError(f"{path} is on a read-only file system and cannot be opened ({exc}).")
    return WorkspaceError(f"{path} is not a workspace file, or it is corrupt ({exc}).")


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
    """Copy `path` with SQLite's online backup API next to it and keep the last few copies.

    The copy is written through `files.staged` (a full disk or a kill leaves no half copy
    that looks like a backup); what a killed copy left is removed first.
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = path.with_name(f"{path.name}.{label}-{stamp}.bak")
    remove_stale(path.parent, path.name, BACKUP_TAG)
    try:
        with staged(target, tag=BACKUP_TAG, owner=path.name) as tmp:
            src = sqlite3.connect(path)
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
    except InputError as exc:
        raise WorkspaceError(str(exc)) from None  # the file was not upgraded either
    olds = sorted(path.parent.glob(f"{path.name}.{label}-*.bak"))
    for old in olds[: -backups_kept()]:
        old.unlink(missing_ok=True)
    return target


def migrate(engine: Engine) -> None:
    """Upgrade the database behind `engine` to the head revision, all or nothing.

    pysqlite starts transactions only before INSERT/UPDATE/DELETE, so by default each DDL
    statement of a migration commits on its own, and a process killed halfway leaves a
    schema no revision describes. The migration therefore runs on its own connection with
    pysqlite's transaction handling off and one explicit BEGIN IMMEDIATE: every statement and
    Alembic's version stamp commit together, or (killed, out of space) none of them does.
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        saved = raw.isolation_level
        raw.isolation_level = None  # we say when the transaction starts and ends
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.exec_driver_sql("COMMIT")
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
        finally:
            raw.isolation_level = saved


def open_engine(path: Path, read_only: bool = False, *, check_schema: bool = True) -> Engine:
    """Open (creating or migrating if needed) the workspace at `path`.

    `read_only` (another isms holds the workspace lock) opens an up-to-date workspace with
    every write refused; it never creates or migrates one. A workspace whose schema is not
    exactly the one the application makes is refused in one sentence (nothing may report
    from, or write to, a doctored file); only `isms journal verify`, which says what
    differs, opens it with `check_schema=False`.
    """
    path = real_workspace_path(path)
    if not read_only and path.exists() and read_only_place(path):
        raise WorkspaceError(
            f"{path} is read-only (its file system, folder or file cannot be written); nothing was changed."
        )
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
        except Exception as exc:  # the migration rolled back: the file keeps its old schema
            engine.dispose()
            raise _migration_error(path, revision, exc) from None
    if check_schema:
        _refuse_foreign_schema(engine, path)
    return engine


def _migration_error(path: Path, revision: str | None, exc: Exception) -> WorkspaceError:
    """One sentence for a failed creation or upgrade (which changed nothing); unexpected errors propagate."""
    from sqlalchemy.exc import DBAPIError

    doing = "create" if revision is None else "upgrade"
    if is_out_of_space(exc):
        return WorkspaceError(f"There is not enough space on the disk to {doing} {path}; nothing was changed.")
    if is_read_only_fs(exc):
        return WorkspaceError(f"Cannot {doing} {path}: its file system is read-only; nothing was changed.")
    if isinstance(exc, DBAPIError | sqlite3.DatabaseError):
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        return WorkspaceError(f"Cannot {doing} {path} ({reason}); nothing was changed.")
    raise exc


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
    place = read_only_place(path)
    if revision is None:
        if place:
            raise WorkspaceError(f"{path} is not a workspace yet, and it is read-only, so it cannot become one.")
        raise WorkspaceError(f"{path} is being created by another isms; open it again when that is done.")
    if revision != HEAD:
        if place:
            raise WorkspaceError(
                f"{path} needs upgrading, which cannot happen where it is: it is read-only; copy it somewhere writable."
            )
        raise WorkspaceError(
            f"{path} needs upgrading, which cannot happen while another isms has it open; close that one first."
        )
    return make_engine(path, read_only=True, why=READ_ONLY_PLACE_MESSAGE if place else READ_ONLY_MESSAGE)


def hold_snapshot(session: Session) -> None:
    """Make every later query of `session` read one state of the file, until it ends.

    pysqlite runs a SELECT outside any transaction, so each query of a multi-query report
    would see the file as it is at that moment, mixing states while another isms writes.
    A deferred `BEGIN` in WAL mode takes one read snapshot at the first read and keeps it
    until the session commits (which ends the read); writers are never blocked by it. A session
    already in a transaction (it has written) keeps the one it has.
    """
    conn = session.connection()
    raw = conn.connection.dbapi_connection
    if not getattr(raw, "in_transaction", False):
        conn.exec_driver_sql("BEGIN")


@event.listens_for(Session, "before_flush")
def _refuse_read_only(session: Session, _ctx: object, _instances: object) -> None:
    if session.info.get(READ_ONLY_KEY) and (
        session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)
    ):
        raise ReadOnlyWorkspace(session.info[READ_ONLY_KEY])


@contextmanager
def session_scope(engine: Engine, actor: str = "") -> Iterator[Session]:
    """One transaction per user action: commit on success, roll back on any error.

    On a read-only engine any write raises ReadOnlyWorkspace (one sentence for the user).
    """
    from sqlalchemy.exc import OperationalError

    read_only = str(engine.get_execution_options().get(READ_ONLY_KEY) or "")
    with Session(engine, expire_on_commit=False) as session:
        session.info["isms_actor"] = actor
        session.info[READ_ONLY_KEY] = read_only
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            if read_only and "readonly" in str(exc.orig).replace(" ", ""):
                raise ReadOnlyWorkspace(read_only) from None
            raise
        except BaseException:
            session.rollback()
            raise
