"""`isms import soa` and `isms export soa`: the statement of applicability to and from CSV."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlmodel import Session

from .common import (
    db_option,
    exit_rejected,
    reading_session,
    user_errors,
    workspace_path,
    write_change,
)
from .readings import export_group, import_group


@import_group.command("soa")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.pass_context
@user_errors
def import_soa_cmd(ctx: click.Context, file: Path, db: Path | None) -> None:
    """Import the statement of applicability from a CSV with columns
    control,applicable,justification,status,notes.

    applicable is yes or no (empty: not yet decided); a control that does not apply needs its
    justification; any bad row rejects the whole file.
    """
    from isms_tui.services.csv_io import ImportRejected
    from isms_tui.services.soa_csv import import_soa

    def change(session: Session, _actor: str) -> str:
        decided, cleared = import_soa(session, file)
        tail = f"; {cleared} taken back to not yet decided" if cleared else ""
        return f"Recorded the decision on {decided} controls from {file}{tail}."

    try:
        write_change(ctx, db, "importing", change)
    except ImportRejected as rejected:
        exit_rejected(rejected)


@export_group.command("soa")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.pass_context
@user_errors
def export_soa_cmd(ctx: click.Context, file: Path, db: Path | None) -> None:
    """Export the statement of applicability (all 93 Annex A controls) to a CSV that
    `isms import soa` reads back."""
    from isms_tui.services.soa_csv import export_soa

    with reading_session(workspace_path(ctx, db)) as session:
        count = export_soa(session, file)
    click.echo(f"Exported {count} controls to {file}.")
