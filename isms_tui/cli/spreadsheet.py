"""`isms export xlsx`: the registers auditors ask for, as one spreadsheet workbook."""

from __future__ import annotations

from pathlib import Path

import click

from .common import db_option, reading_session, user_errors, workspace_path
from .readings import export_group


@export_group.command("xlsx")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.pass_context
@user_errors
def export_xlsx_cmd(ctx: click.Context, file: Path, db: Path | None) -> None:
    """Write the registers (KPIs, readings, analyses, audits and their lines, findings, actions,
    risks, SoA) to one .xlsx workbook: typed cells, frozen headers, formula-safe text."""
    from isms_tui.services.xlsx_export import export_xlsx

    with reading_session(workspace_path(ctx, db)) as session:
        counts = export_xlsx(session, file)
    detail = ", ".join(f"{name} {n}" for name, n in counts.items() if name != "About")
    click.echo(f"Exported the registers to {file}: {detail}.")
