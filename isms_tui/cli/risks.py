"""`isms import risks` and `isms export risks`: the risk register to and from CSV."""

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


@import_group.command("risks")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.pass_context
@user_errors
def import_risks_cmd(ctx: click.Context, file: Path, db: Path | None) -> None:
    """Import risks from a CSV with columns ref,title,owner,likelihood,impact,treatment,status,due,controls.

    A row whose ref exists updates that risk; any bad row rejects the whole file.
    """
    from isms_tui.services.csv_io import ImportRejected
    from isms_tui.services.risks_csv import import_risks

    def change(session: Session, _actor: str) -> str:
        result = import_risks(session, file)
        return f"Imported {result.created + result.updated} risks from {file} ({result.updated} updated)."

    try:
        write_change(ctx, db, "importing", change)
    except ImportRejected as rejected:
        exit_rejected(rejected)


@export_group.command("risks")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.pass_context
@user_errors
def export_risks_cmd(ctx: click.Context, file: Path, db: Path | None) -> None:
    """Export the risk register to a CSV that `isms import risks` reads back."""
    from isms_tui.services.risks_csv import export_risks

    with reading_session(workspace_path(ctx, db)) as session:
        count = export_risks(session, file)
    click.echo(f"Exported {count} risks to {file}.")
