"""The `isms` command: opens the TUI, or runs a scriptable subcommand over the same services.

Heavy modules (the data layer, the TUI) are imported inside commands so `isms --help` and the
first paint stay fast. Every user-caused failure prints one sentence on stderr and exits 1.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any, Callable

import click

EXIT_FAILED = 1


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_FAILED)


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a user can cause into one line on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from isms_tui.models.db import WorkspaceError
        from isms_tui.services.errors import InputError, NotFound

        try:
            return func(*args, **kwargs)
        except (WorkspaceError, InputError, NotFound) as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))

    return wrapper


db_option = click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Workspace file (default: the one in your user data folder).",
)


def _db_path(ctx: click.Context, db: Path | None) -> Path:
    from isms_tui.config import default_db_path

    return db or ctx.obj.get("db") or default_db_path()


def _existing_engine(path: Path):
    """Open a workspace that must already exist (reporting commands never create one)."""
    from isms_tui.models.db import WorkspaceError, open_engine

    if not path.exists():
        raise WorkspaceError(f"No workspace at {path}; run `isms` or `isms demo` to create one.")
    return open_engine(path)


def _actor() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name available is not an error
        return "cli"


@click.group(invoke_without_command=True)
@db_option
@click.version_option(package_name="isms-tui")
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """isms-tui: ISO/IEC 27001:2022 Clause 9 performance evaluation, offline."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    if ctx.invoked_subcommand is None:
        _run_tui(_db_path(ctx, db))


def _run_tui(path: Path, demo: bool = False) -> None:
    from isms_tui.app import IsmsApp

    app = IsmsApp(path, load_demo=demo)
    app.run()
    if app.return_code:
        _fail(app.error_message or "The workspace could not be opened.")


@main.command()
@db_option
@click.option("--no-tui", is_flag=True, help="Create the demo workspace and exit.")
@click.pass_context
@user_errors
def demo(ctx: click.Context, db: Path | None, no_tui: bool) -> None:
    """Create a workspace of realistic demo data, then open it.

    Without --db the demo gets its own file (demo.db in the user data folder), so it never
    mixes with a real workspace; running it again just opens that file.
    """
    from isms_tui.config import demo_db_path
    from isms_tui.models.db import open_engine, session_scope
    from isms_tui.services import clock, workspace
    from isms_tui.services.demo import create_demo
    from isms_tui.services.errors import InputError

    path = db or ctx.obj.get("db") or demo_db_path()
    engine = open_engine(path)
    try:
        with session_scope(engine, "demo") as session:
            if workspace.is_empty(session):
                create_demo(session, clock.today())
                click.echo(f"Demo workspace created: {path}")
            elif path != demo_db_path():
                raise InputError(f"{path} already holds data; the demo only fills an empty workspace.")
            else:
                click.echo(f"Opening the existing demo workspace: {path}")
    finally:
        engine.dispose()
    if not no_tui:
        _run_tui(path)


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@user_errors
def status(ctx: click.Context, db: Path | None, as_json: bool) -> None:
    """ISMS health summary: KPI statuses, due readings and what needs attention."""
    from isms_tui.models.db import session_scope
    from isms_tui.services import clock
    from isms_tui.services.status import render_text, summary

    engine = _existing_engine(_db_path(ctx, db))
    with session_scope(engine) as session:
        data = summary(session, clock.today())
    click.echo(json.dumps(data, indent=2, ensure_ascii=False) if as_json else render_text(data))


@main.group("import")
def import_group() -> None:
    """Import data from files (all-or-nothing)."""


@import_group.command("readings")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option(
    "--replace",
    is_flag=True,
    help="Overwrite existing readings for the same KPI and period (the journal keeps the old ones).",
)
@click.pass_context
@user_errors
def import_readings_cmd(ctx: click.Context, file: Path, db: Path | None, replace: bool) -> None:
    """Import readings from a CSV with columns kpi, date, value[, note, entered_by]."""
    from isms_tui.models.db import session_scope
    from isms_tui.services.csv_io import ImportRejected, import_readings

    engine = _existing_engine(_db_path(ctx, db))
    try:
        with session_scope(engine, _actor()) as session:
            result = import_readings(session, file, entered_by=_actor(), replace=replace)
    except ImportRejected as rejected:
        click.echo(f"Error: {rejected}", err=True)
        for line in rejected.row_errors[:200]:
            click.echo(f"  {line}", err=True)
        if len(rejected.row_errors) > 200:
            click.echo(f"  ... and {len(rejected.row_errors) - 200} more", err=True)
        sys.exit(EXIT_FAILED)
    replaced = f" ({result.replaced} replaced)" if result.replaced else ""
    click.echo(f"Imported {result.count} readings from {file}{replaced}.")


@main.group("export")
def export_group() -> None:
    """Export data to files."""


@export_group.command("readings")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.pass_context
@user_errors
def export_readings_cmd(ctx: click.Context, file: Path, db: Path | None) -> None:
    """Export every reading to a CSV (safe to open in a spreadsheet)."""
    from isms_tui.models.db import session_scope
    from isms_tui.services.csv_io import export_readings

    engine = _existing_engine(_db_path(ctx, db))
    with session_scope(engine) as session:
        count = export_readings(session, file)
    click.echo(f"Exported {count} readings to {file}.")


if __name__ == "__main__":  # pragma: no cover
    main()
