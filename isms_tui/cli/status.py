"""`isms status`: the ISMS health summary, as text or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import db_option, reading_session, user_errors, workspace_path


@click.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@user_errors
def status(ctx: click.Context, db: Path | None, as_json: bool) -> None:
    """ISMS health summary: KPI statuses, due readings, audits and open or overdue actions."""
    from isms_tui.services import clock
    from isms_tui.services.status import render_text, summary

    with reading_session(workspace_path(ctx, db)) as session:
        data = summary(session, clock.today())
    click.echo(json.dumps(data, indent=2, ensure_ascii=False) if as_json else render_text(data))
