"""`isms import readings`, `isms export readings` (CSV files) and `isms readings void|correct`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import (
    current_actor,
    db_option,
    exit_rejected,
    open_existing,
    reading_session,
    user_errors,
    workspace_path,
    write_change,
    write_lock,
)

if TYPE_CHECKING:
    from sqlmodel import Session


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
    from isms_tui.services.readings_csv import export_readings

    with reading_session(workspace_path(ctx, db)) as session:
        count = export_readings(session, file)
    click.echo(f"Exported {count} readings to {file}.")


@click.group("readings")
def readings_group() -> None:
    """Put a wrong reading right: void it or correct it (the record keeps both)."""


@readings_group.command("void")
@click.argument("kpi")
@click.argument("period")
@click.option("--reason", required=True, help="Why the reading is void (kept with it).")
@db_option
@click.pass_context
@user_errors
def void_cmd(ctx: click.Context, kpi: str, period: str, reason: str, db: Path | None) -> None:
    """Void KPI's reading for PERIOD (a label such as 2026-03 or a date in it)."""

    def change(session: Session, actor: str) -> str:
        from isms_tui.models import require_id
        from isms_tui.services import readings

        reading = readings.reading_by_period(session, kpi, period)
        readings.void_reading(session, require_id(reading), reason, by=actor)
        return f"Voided the reading of {kpi} for {period} ({reading.value:g}); it no longer counts."

    write_change(ctx, db, "voiding a reading", change)


@readings_group.command("correct")
@click.argument("kpi")
@click.argument("period")
@click.argument("value")
@click.option("--reason", required=True, help="Why the value was wrong (kept with it).")
@db_option
@click.pass_context
@user_errors
def correct_cmd(ctx: click.Context, kpi: str, period: str, value: str, reason: str, db: Path | None) -> None:
    """Correct KPI's reading for PERIOD to VALUE; the old value and the reason stay visible."""

    def change(session: Session, actor: str) -> str:
        from isms_tui.models import require_id
        from isms_tui.services import readings

        reading = readings.reading_by_period(session, kpi, period)
        old = reading.value
        readings.correct_reading(session, require_id(reading), readings.parse_value(value), reason, by=actor)
        return f"Corrected the reading of {kpi} for {period} from {old:g} to {reading.value:g}."

    write_change(ctx, db, "correcting a reading", change)
