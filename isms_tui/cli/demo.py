"""`isms demo`: a workspace of realistic demo data, created once and then opened."""

from __future__ import annotations

from pathlib import Path

import click

from .common import db_option, run_tui, user_errors, write_lock


@click.command()
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
    with write_lock(path, "close it first"):
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
    if not no_tui:  # the TUI takes the lock again itself
        run_tui(path)
