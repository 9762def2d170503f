"""`isms backup` and `isms restore`: the workspace and its evidence in one archive, and back."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from isms_tui.services.formatting import plural

from .common import EXIT_FAILED, db_option, user_errors, workspace_path


@click.command("backup")
@db_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Archive to write (default: FILE.backup-<timestamp>.zip next to the workspace; "
    "only the newest ISMS_BACKUPS_KEPT of those are kept).",
)
@click.pass_context
@user_errors
def backup_cmd(ctx: click.Context, db: Path | None, out: Path | None) -> None:
    """Back up the workspace and its evidence into one .zip (safe while the TUI is open)."""
    from isms_tui.services.backup import backup

    result = backup(workspace_path(ctx, db), out)
    click.echo(
        f"Backup written: {result.path} ({result.evidence_files} evidence files, "
        f"{result.journal_entries} journal entries, head {result.journal_head})."
    )
    if result.evidence_problems:
        n = len(result.evidence_problems)
        click.echo(f"Error: {plural(n, 'evidence file')} could not be included:", err=True)
        for line in result.evidence_problems:
            click.echo(f"  {line}", err=True)
        sys.exit(EXIT_FAILED)


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.pass_context
@user_errors
def restore_cmd(ctx: click.Context, file: Path, db: Path | None) -> None:
    """Replace the workspace with a backup, after checking the backup completely.

    The current workspace file is kept next to it as FILE.replaced-<timestamp>.
    """
    from isms_tui.services.restore import restore

    path = workspace_path(ctx, db)
    result = restore(file, path)
    click.echo(
        f"Restored {path} from {file} (backup of {result.created_at}: {result.journal_entries} "
        f"journal entries, {result.evidence_files} evidence files)."
    )
    if result.replaced is not None:
        click.echo(f"The previous workspace was kept as {result.replaced}.")
