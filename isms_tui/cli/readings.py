"""`isms import readings` and `isms export readings`: KPI readings to and from CSV files."""

from __future__ import annotations

from pathlib import Path

import click

from .common import (
    current_actor,
    db_option,
    exit_rejected,
    open_existing,
    user_errors,
    workspace_path,
    write_lock,
)


@click.group("import")
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
    from isms_tui.services.csv_io import ImportRejected
    from isms_tui.services.readings_csv import import_readings

    path = workspace_path(ctx, db)
    try:
        with write_lock(path, "close it before importing", must_exist=True):
            engine = open_existing(path, locked=True)
            actor = current_actor(ctx, engine)
            with session_scope(engine, actor) as session:
                result = import_readings(session, file, entered_by=actor, replace=replace)
            engine.dispose()
    except ImportRejected as rejected:
        exit_rejected(rejected)
    replaced = f" ({result.replaced} replaced)" if result.replaced else ""
    click.echo(f"Imported {result.count} readings from {file}{replaced}.")


@click.group("export")
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
    from isms_tui.services.readings_csv import export_readings

    engine = open_existing(workspace_path(ctx, db))
    with session_scope(engine) as session:
        count = export_readings(session, file)
    click.echo(f"Exported {count} readings to {file}.")
