"""`isms backup` and `isms restore`: the workspace and its evidence in one archive, and back."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from isms_tui.services.formatting import plural

from .common import EXIT_FAILED, db_option, passphrase_file_option, user_errors, workspace_path


@click.command("backup")
@db_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Archive to write (default: FILE.backup-<timestamp>.zip next to the workspace; "
    "only the newest ISMS_BACKUPS_KEPT of those are kept).",
)
@passphrase_file_option
@click.pass_context
@user_errors
def backup_cmd(ctx: click.Context, db: Path | None, out: Path | None, passphrase_file: Path | None) -> None:
    """Back up the workspace and its evidence into one .zip (safe while the TUI is open).

    When the organisation has a signing key, the backup also signs a checkpoint of the journal
    it holds (kept in the archive and beside the keys); it asks for the key's passphrase.
    """
    from isms_tui.models.db import real_workspace_path
    from isms_tui.reports.checkpoints import backup_checkpointer
    from isms_tui.services.backup import backup

    path = workspace_path(ctx, db)
    real = real_workspace_path(path) if path.exists() else path
    checkpointer = backup_checkpointer(real, lambda: _passphrase(passphrase_file))
    result = backup(path, out, checkpoint=checkpointer)
    click.echo(
        f"Backup written: {result.path} ({result.evidence_files} evidence files, "
        f"{result.journal_entries} journal entries, head {result.journal_head})."
    )
    if result.checkpoint is not None:
        click.echo("Checkpoint signed: the journal it holds is kept beside the organisation's keys too.")
    else:
        click.echo(
            "No checkpoint signed (no signing key yet, or no passphrase given: set ISMS_PASSPHRASE, "
            "use --passphrase-file, or run it in a terminal).",
            err=True,
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
@passphrase_file_option
@click.pass_context
@user_errors
def restore_cmd(ctx: click.Context, file: Path, db: Path | None, passphrase_file: Path | None) -> None:
    """Replace the workspace with a backup, after checking the backup completely.

    The current workspace file is kept next to it as FILE.replaced-<timestamp>. When the
    organisation has a signing key, a restore checkpoint is signed: `isms journal verify`
    then lists the checkpoints of the replaced history as superseded, not as a rollback.
    """
    from isms_tui.services.restore import restore

    path = workspace_path(ctx, db)
    passphrase = _restore_passphrase(path, passphrase_file)
    result = restore(file, path)
    click.echo(
        f"Restored {path} from {file} (backup of {result.created_at}: {result.journal_entries} "
        f"journal entries, {result.evidence_files} evidence files)."
    )
    if result.replaced is not None:
        click.echo(f"The previous workspace was kept as {result.replaced}.")
    _seal_restore(ctx, path, Path(file).name, passphrase)


def _restore_passphrase(path: Path, passphrase_file: Path | None) -> str | None:
    """The key's passphrase when the organisation has a key, checked before anything is replaced."""
    from isms_tui.models.db import real_workspace_path
    from isms_tui.reports import keys
    from isms_tui.reports.checkpoints import organisation_of

    org = organisation_of(real_workspace_path(path)) if path.exists() else None
    if org is None or not keys.has_identity(org):
        return None
    passphrase = _passphrase(passphrase_file)
    if passphrase is not None:
        keys.load_identity(passphrase, org)  # a wrong passphrase stops here, before the restore
    return passphrase


def _seal_restore(ctx: click.Context, path: Path, archive: str, passphrase: str | None) -> None:
    """Sign the restored journal as a restore checkpoint, or say why none was signed."""
    from isms_tui.models.db import real_workspace_path, session_scope
    from isms_tui.reports import keys
    from isms_tui.reports.checkpoints import organisation_of, seal

    from .common import current_actor, open_existing, write_lock

    real = real_workspace_path(path)
    org = organisation_of(real)
    if passphrase is None or org is None or not keys.has_identity(org):
        click.echo(
            "No restore checkpoint signed (no signing key, or no passphrase given): `isms journal verify` "
            "will report the checkpoints of the replaced history as contradicted.",
            err=True,
        )
        return
    with write_lock(path, "close it to sign the restore checkpoint", must_exist=True):
        engine = open_existing(path, locked=True)
        try:
            with session_scope(engine, current_actor(ctx, engine)) as session:
                signed = seal(session, real, passphrase, reason="restore", subject=archive)
        finally:
            engine.dispose()
    click.echo(f"Restore checkpoint signed: {signed.statement.entries} entries, head {signed.statement.head}.")


def _passphrase(passphrase_file: Path | None) -> str | None:
    """--passphrase-file or ISMS_PASSPHRASE, else a prompt in a terminal, else None (no checkpoint)."""
    from isms_tui.reports.keys import passphrase_from_env_or_file

    value = passphrase_from_env_or_file(passphrase_file)
    if value is not None or not sys.stdin.isatty():
        return value
    return str(click.prompt("Passphrase for the signing key (signs a checkpoint)", hide_input=True))
