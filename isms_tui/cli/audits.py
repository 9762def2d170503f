"""`isms audit list` and `isms audit reported`: the audits (and where an exchanged one came from
or went), and recording to whom, when and how an audit's results were reported (9.2.2 c), which
marks it reported. The exchange commands (kit, results and their imports) are in exchange.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from .common import (
    current_actor,
    db_option,
    fail,
    open_existing,
    reading_session,
    user_errors,
    workspace_path,
    write_lock,
)


@click.group("audit")
def audit_group() -> None:
    """Internal audits (9.2)."""


@audit_group.command("list")
@db_option
@click.pass_context
@user_errors
def list_cmd(ctx: click.Context, db: Path | None) -> None:
    """List the audits with their id, status and dates."""
    from isms_tui.services import audit_reporting, audits, exchange

    with reading_session(workspace_path(ctx, db)) as session:  # one snapshot for every audit's record
        for audit in audits.list_audits(session):
            assert audit.id is not None
            record = audit_reporting.reporting(session, audit.id)
            exchanged = exchange.describe(session, audit.id)
            line = f"{audit.id:>3}  {audit.status.value:<12} {audit.planned_start.isoformat()}  {audit.title}"
            line += f"\n     {exchanged}." if exchanged else ""
            click.echo(line + (f"\n     {record.sentence()}" if record else ""))


@audit_group.command("reported")
@click.argument("audit_id", type=int)
@click.option("--to", "recipients", multiple=True, required=True, help="A person's name; repeat for each.")
@click.option("--on", "on", required=True, help="The day the results were reported (YYYY-MM-DD).")
@click.option("--how", required=True, help="e.g. 'management meeting', 'email', 'written report'.")
@db_option
@click.pass_context
@user_errors
def reported_cmd(
    ctx: click.Context, audit_id: int, recipients: tuple[str, ...], on: str, how: str, db: Path | None
) -> None:
    """Record that a completed audit's results were reported, to whom, when and how."""
    from isms_tui.models.db import session_scope
    from isms_tui.services import audit_reporting, workspace

    try:
        day = date.fromisoformat(on)
    except ValueError:
        fail(f"--on {on!r} is not a date like 2026-11-30.")
    path = workspace_path(ctx, db)
    with write_lock(path, "close it before recording the reporting", must_exist=True):
        engine = open_existing(path, locked=True)
        try:
            with session_scope(engine, current_actor(ctx, engine)) as session:
                ids = []
                for name in recipients:
                    person = workspace.person_by_name(session, name)
                    if person is None or person.id is None:
                        fail(f"Nobody called {name!r} in the workspace (names as in Settings → People).")
                    ids.append(person.id)
                audit_reporting.report_results(session, audit_id, ids, day, how)
                record = audit_reporting.reporting(session, audit_id)
        finally:
            engine.dispose()
    assert record is not None
    click.echo(f"Audit {audit_id}: {record.sentence()}")
