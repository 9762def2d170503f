"""What the `isms` commands share: the --db option, error handling, opening a workspace, the
write lock, the acting person, the passphrase and the import report.

Heavy modules (the data layer, the TUI, the PDF and signing libraries) are imported inside
these helpers and inside commands, so `isms --help` and the first paint stay fast. Every
user-caused failure prints one sentence on stderr and exits 1.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

    from isms_tui.services.csv_io import ImportRejected

EXIT_FAILED = 1


def fail(message: str) -> NoReturn:
    # A lone surrogate (from a "\\ud800" escape in a file) cannot be encoded for the terminal.
    click.echo(f"Error: {message.encode('utf-8', 'backslashreplace').decode('utf-8')}", err=True)
    sys.exit(EXIT_FAILED)


NESTED_TOO_DEEPLY = "The input is nested too deeply to be read; nothing was changed."


def damage_sentence(error: BaseException, db: Path | None) -> str | None:
    """One sentence when `error` comes from a value damaged outside isms in the workspace the
    command was given (see services/damage.py); None when it is the application's fault."""
    from isms_tui.services.damage import DAMAGE_ERRORS, damaged_value_sentence

    if not isinstance(error, DAMAGE_ERRORS):
        return None
    ctx = click.get_current_context(silent=True)
    if db is None and ctx is not None:
        db = (ctx.find_root().obj or {}).get("db")
    if db is None:
        from isms_tui.config import default_db_path

        db = default_db_path()
    return damaged_value_sentence(db, error)


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a user can cause into one line on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from isms_tui.models.db import WorkspaceError
        from isms_tui.services.errors import InputError, NotFound

        try:
            return func(*args, **kwargs)
        except (WorkspaceError, InputError, NotFound) as exc:
            fail(str(exc))
        except BrokenPipeError:
            raise  # output piped into `head` and the like: click ends quietly
        except RecursionError:
            fail(NESTED_TOO_DEEPLY)
        except Exception as exc:
            _fail_on_fault(exc)
            sentence = damage_sentence(exc, kwargs.get("db"))
            if sentence is None:
                raise
            fail(sentence)

    return wrapper


def _fail_on_fault(exc: Exception) -> None:
    """One sentence for a full disk or a read-only file system (SQLite's or the OS's), and for any OSError.

    Anything else returns, for the caller to re-raise: a bug keeps its traceback.
    """
    from isms_tui.files import fault_sentence

    sentence = fault_sentence(exc)
    if sentence is not None:
        fail(sentence)
    if isinstance(exc, OSError):
        fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))


# `user_errors` imports the data layer (~0.45 s) on every call, which `isms verify` and
# `isms keys` do not need: `signing_errors` handles the same errors without it.


def signing_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """One sentence on stderr and exit 1 for the errors a user can cause, without loading the DB layer."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from isms_tui.services.errors import InputError, NotFound

        try:
            return func(*args, **kwargs)
        except (InputError, NotFound) as exc:
            fail(str(exc))
        except BrokenPipeError:
            raise  # output piped into `head` and the like: click ends quietly
        except RecursionError:
            fail(NESTED_TOO_DEEPLY)
        except Exception as exc:
            db = sys.modules.get("isms_tui.models.db")  # only loaded if the command opened a workspace
            if db is not None and isinstance(exc, db.WorkspaceError):
                fail(str(exc))
            _fail_on_fault(exc)
            sentence = damage_sentence(exc, kwargs.get("db")) if db is not None else None
            if sentence is None:
                raise
            fail(sentence)

    return wrapper


db_option = click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Workspace file (default: the one in your user data folder).",
)


passphrase_file_option = click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read the key passphrase from the first line of this file (else ISMS_PASSPHRASE, else a prompt).",
)


def workspace_path(ctx: click.Context, db: Path | None) -> Path:
    from isms_tui.config import default_db_path

    return db or ctx.obj.get("db") or default_db_path()


def open_existing(path: Path, *, locked: bool = False, check_schema: bool = True) -> Engine:
    """Open a workspace that must already exist (reporting commands never create one).

    Reading needs no lock, but upgrading the file's schema is a write: a reporting command
    that finds an older workspace upgrades it only while holding the lock (`locked`: the
    caller holds it already), so it never changes the file under an open isms. A schema
    that is not the application's is refused unless `check_schema` is False (the checks
    that report it).
    """
    from isms_tui.models.db import WorkspaceError, needs_upgrade, open_engine, read_only_place
    from isms_tui.models.lock import acquire

    if not path.exists():
        raise WorkspaceError(f"No workspace at {path}; run `isms` or `isms demo` to create one.")
    if not locked and read_only_place(path):  # a read-only mount or folder: reading still works
        return open_engine(path, read_only=True, check_schema=check_schema)
    if locked or not needs_upgrade(path):
        return open_engine(path, check_schema=check_schema)
    with acquire(path, doing="close it so that this version can upgrade the workspace first", program=command_name()):
        return open_engine(path, check_schema=check_schema)


def write_change(ctx: click.Context, db: Path | None, doing: str, change: Callable[[Session, str], str]) -> None:
    """Run one change under the workspace lock, in one transaction, as the acting person, and
    print the sentence `change` returns; `doing` completes "close it before …"."""
    from isms_tui.models.db import session_scope

    path = workspace_path(ctx, db)
    with write_lock(path, f"close it before {doing}", must_exist=True):
        engine = open_existing(path, locked=True)
        try:
            actor = current_actor(ctx, engine)
            with session_scope(engine, actor) as session:
                message = change(session, actor)
        finally:
            engine.dispose()
    click.echo(message)


@contextmanager
def reading_session(path: Path, *, check_schema: bool = True) -> Iterator[Session]:
    """A session on an existing workspace for a command that only reads; the engine is
    disposed afterwards, so no handle on the file outlives the command (a caller running
    commands in one process, or a file removed afterwards, would otherwise keep its space).

    Every query of the session reads one snapshot of the file (`hold_snapshot`), so a
    command run while the TUI writes reports one consistent state, never a mix."""
    from isms_tui.models.db import hold_snapshot, session_scope

    engine = open_existing(path, check_schema=check_schema)
    try:
        with session_scope(engine) as session:
            hold_snapshot(session)
            yield session
    finally:
        engine.dispose()


def command_name() -> str:
    """What this run is, as a refusal elsewhere names the lock's holder: "isms import readings"."""
    ctx = click.get_current_context(silent=True)
    words = ctx.command_path.split()[1:] if ctx is not None else []
    return " ".join(["isms", *words])


@contextmanager
def write_lock(path: Path, doing: str, must_exist: bool = False) -> Iterator[None]:
    """Hold the workspace lock for a write command; refuse (exit 1) while an isms has it open."""
    from isms_tui.models.db import WorkspaceError, read_only_place
    from isms_tui.models.lock import acquire

    if must_exist and not path.exists():
        raise WorkspaceError(f"No workspace at {path}; run `isms` or `isms demo` to create one.")
    if read_only_place(path):
        raise WorkspaceError(
            f"{path} is read-only (its file system, folder or file cannot be written); nothing was changed."
        )
    with acquire(path, doing=doing, program=command_name()):
        yield


def current_actor(ctx: click.Context, engine: Engine) -> str:
    """Who this command acts as: `--as`, else ISMS_ACTOR, else the workspace's person ("You are"
    in Settings), else the login name labelled "login:NAME". Journaled as the actor and
    recorded as entered or issued by."""
    from isms_tui.models.db import session_scope
    from isms_tui.services import actor
    from isms_tui.services.workspace import get_workspace

    given = actor.explicit((ctx.obj or {}).get("actor"))
    if given:
        return given
    with session_scope(engine) as session:
        ws = get_workspace(session)
        return actor.resolve(None, ws.current_user if ws else "")


def read_passphrase(passphrase_file: Path | None, prompt: str, confirm: bool = False) -> str:
    """--passphrase-file, else ISMS_PASSPHRASE, else a no-echo prompt when there is a terminal."""
    from isms_tui.reports.keys import passphrase_from_env_or_file
    from isms_tui.services.errors import InputError

    value = passphrase_from_env_or_file(passphrase_file)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise InputError("No passphrase given: set ISMS_PASSPHRASE or use --passphrase-file.")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)


def engine_org(engine: Engine) -> str | None:
    """The organisation name stored in an open workspace."""
    from isms_tui.models.db import session_scope
    from isms_tui.services.workspace import get_workspace

    with session_scope(engine) as session:
        ws = get_workspace(session)
        return ws.org_name if ws and ws.org_name.strip() else None


def exit_rejected(rejected: ImportRejected) -> NoReturn:
    """Print why an import refused its file, with the first 200 row problems, and exit 1."""
    click.echo(f"Error: {rejected}", err=True)
    for line in rejected.row_errors[:200]:
        click.echo(f"  {line}", err=True)
    if len(rejected.row_errors) > 200:
        click.echo(f"  ... and {len(rejected.row_errors) - 200} more", err=True)
    sys.exit(EXIT_FAILED)


def run_tui(path: Path, actor: str | None = None, portfolio_dir: Path | None = None) -> None:
    """Open the TUI on `path`; one sentence and exit 1 when the workspace cannot be opened.

    `actor` is the name given with `--as`; the app falls back as the CLI does. With
    `portfolio_dir` the app starts on the portfolio instead.
    """
    from isms_tui.app import IsmsApp
    from isms_tui.services import actor as actors
    from isms_tui.services.errors import InputError

    try:
        given = actors.explicit(actor)
    except InputError as exc:
        fail(str(exc))
    app = IsmsApp(path, actor=given, portfolio_dir=portfolio_dir)
    app.run()
    if app.return_code:
        fail(app.error_message or "The workspace could not be opened.")
