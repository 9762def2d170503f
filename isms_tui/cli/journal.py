"""`isms journal verify` and `isms evidence verify`: checks of the workspace that exit 1 on any problem."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .common import (
    EXIT_FAILED,
    current_actor,
    db_option,
    engine_org,
    open_existing,
    passphrase_file_option,
    read_passphrase,
    reading_session,
    user_errors,
    workspace_path,
    write_lock,
)


def _run_check(path: Path, check: Callable[..., Any], as_json: bool) -> None:
    """Run a verification over the workspace, print its report, exit 1 when it failed."""
    with reading_session(path, check_schema=False) as session:  # the check reports a foreign schema itself
        report = check(session)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        from isms_tui.services.integrity import report_lines

        for line in report_lines(report):
            click.echo(line)
    if not report.ok:
        sys.exit(EXIT_FAILED)


@click.group("journal")
def journal_group() -> None:
    """The hash-chained journal of every change."""


@journal_group.command("verify")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@user_errors
def journal_verify_cmd(ctx: click.Context, db: Path | None, as_json: bool) -> None:
    """Check the journal's hash chain and that the data matches it; exit 1 on any problem."""
    from isms_tui.models.db import real_workspace_path
    from isms_tui.reports.checkpoints import sources
    from isms_tui.services.journal_verify import verify

    path = workspace_path(ctx, db)
    known = sources(real_workspace_path(path)) if path.exists() else None
    _run_check(path, lambda session: verify(session, known), as_json)


@journal_group.command("seal")
@db_option
@passphrase_file_option
@click.pass_context
@user_errors
def journal_seal_cmd(ctx: click.Context, db: Path | None, passphrase_file: Path | None) -> None:
    """Sign the journal's head now with the organisation's key: a checkpoint kept in the workspace
    and beside the keys, which `isms journal verify` holds every later chain to."""
    from isms_tui.models.db import real_workspace_path, session_scope
    from isms_tui.reports.checkpoints import seal
    from isms_tui.reports.keys import has_identity

    path = workspace_path(ctx, db)
    with write_lock(path, "close it before sealing the journal", must_exist=True):
        engine = open_existing(path, locked=True)
        try:
            exists = has_identity(engine_org(engine))
            prompt = "Passphrase for the signing key" if exists else "New passphrase for the signing key"
            passphrase = read_passphrase(passphrase_file, prompt, confirm=not exists)
            with session_scope(engine, current_actor(ctx, engine)) as session:
                signed = seal(session, real_workspace_path(path), passphrase)
        finally:
            engine.dispose()
    s = signed.statement
    click.echo(f"Journal sealed: {s.entries} entries, head {s.head}, signed {s.at[:19].replace('T', ' ')} UTC.")
    click.echo(f"Merkle root: {s.root}")


@click.group("evidence")
def evidence_group() -> None:
    """The evidence store beside the workspace."""


@evidence_group.command("verify")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@user_errors
def evidence_verify_cmd(ctx: click.Context, db: Path | None, as_json: bool) -> None:
    """Re-hash every stored evidence file; exit 1 if any is missing, altered or not a file."""
    from isms_tui.services.evidence import verify_store

    _run_check(workspace_path(ctx, db), verify_store, as_json)
