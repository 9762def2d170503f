"""`isms journal verify` and `isms evidence verify`: checks of the workspace that exit 1 on any problem."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .common import EXIT_FAILED, db_option, open_existing, user_errors, workspace_path


def _run_check(path: Path, check: Callable[..., Any], as_json: bool) -> None:
    """Run a verification over the workspace, print its report, exit 1 when it failed."""
    from isms_tui.models.db import session_scope

    engine = open_existing(path, check_schema=False)  # the check reports a foreign schema itself
    try:
        with session_scope(engine) as session:
            report = check(session)
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.summary())
        for problem in report.problems:
            click.echo(f"  {problem.message}")
        if getattr(report, "omitted", 0):
            click.echo(f"  ... and {report.omitted} more")
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
    from isms_tui.services.journal_verify import verify

    _run_check(workspace_path(ctx, db), verify, as_json)


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
