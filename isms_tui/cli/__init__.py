"""The `isms` command: opens the TUI, or runs a scriptable subcommand over the same services.

This module is the root group; each command group lives in its own module and is added here.
What the commands share (the --db option, errors, opening a workspace, the lock, the
passphrase) is in `common`.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import (  # noqa: F401 (risks, soa, spreadsheet and oscal add to the import and export groups, exchange to audit)
    audits,
    backup,
    checklist,
    demo,
    evaluation,
    exchange,
    journal,
    keys,
    nonconformities,
    oscal,
    pack,
    portfolio,
    readings,
    risks,
    soa,
    spreadsheet,
    status,
)
from .common import db_option, fail, run_tui, workspace_path


@click.group(invoke_without_command=True)
@db_option
@click.option(
    "--as",
    "as_name",
    default=None,
    metavar="NAME",
    help="The person acting, journaled and named as entered or issued by "
    "(default: ISMS_ACTOR, else 'You are' in Settings, else the login name as login:NAME).",
)
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Start on the portfolio: the known workspaces and every *.db in this folder.",
)
@click.version_option(package_name="isms-tui")
@click.pass_context
def main(ctx: click.Context, db: Path | None, as_name: str | None, folder: Path | None) -> None:
    """isms-tui: ISO/IEC 27001:2022 Clause 9 performance evaluation, offline."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    if as_name is not None:
        from isms_tui.services import actor
        from isms_tui.services.errors import InputError

        try:
            as_name = actor.named(as_name)  # refused before any command runs, whichever it is
        except InputError as exc:
            fail(str(exc))
    ctx.obj["actor"] = as_name
    if ctx.invoked_subcommand is None:
        if folder is not None:
            from isms_tui.services.errors import InputError
            from isms_tui.services.portfolio import check_folder

            try:
                check_folder(folder)
            except InputError as exc:
                fail(str(exc))
        run_tui(workspace_path(ctx, db), as_name, portfolio_dir=folder)
    elif folder is not None:
        ctx.obj["dir"] = folder  # `isms --dir F portfolio` reads it as its own --dir


main.add_command(audits.audit_group)
main.add_command(backup.backup_cmd)
main.add_command(backup.restore_cmd)
main.add_command(checklist.checklist_group)
main.add_command(demo.demo)
main.add_command(evaluation.evaluation_group)
main.add_command(journal.journal_group)
main.add_command(journal.evidence_group)
main.add_command(keys.keys_group)
main.add_command(nonconformities.nc_group)
main.add_command(pack.pack_cmd)
main.add_command(pack.verify_cmd)
main.add_command(portfolio.portfolio_cmd)
main.add_command(readings.import_group)
main.add_command(readings.export_group)
main.add_command(readings.readings_group)
main.add_command(status.status)
