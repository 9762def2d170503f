"""`isms export oscal`: an audit's results or plan, or the catalogue, as OSCAL JSON.

compliance-trestle (the `oscal` extra) builds and validates the documents; it is imported only
inside this command, never when `isms` starts.
"""

from __future__ import annotations

from pathlib import Path

import click

from .common import db_option, fail, reading_session, user_errors, workspace_path
from .readings import export_group

MAX_ID = 2**63 - 1  # SQLite's largest integer: a larger id names no audit


@export_group.command("oscal")
@click.option("--audit", "audit_id", type=int, default=None, metavar="ID", help="The audit's results.")
@click.option("--plan", "plan_id", type=int, default=None, metavar="ID", help="The audit's plan.")
@click.option(
    "--catalogue", "--catalog", "catalogue", is_flag=True, help="The requirement catalogue with our questions."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (replaced atomically); default: standard output.",
)
@db_option
@click.pass_context
@user_errors
def export_oscal_cmd(
    ctx: click.Context,
    audit_id: int | None,
    plan_id: int | None,
    catalogue: bool,
    out: Path | None,
    db: Path | None,
) -> None:
    """Export OSCAL JSON: an audit's assessment results (--audit ID), its assessment plan
    (--plan ID) or the catalogue (--catalogue), validated with compliance-trestle.

    Needs the oscal extra: pip install 'isms-tui[oscal]'. The ids are those of `isms audit list`.
    """
    chosen = [name for name, given in (("--audit", audit_id), ("--plan", plan_id)) if given is not None]
    if catalogue:
        chosen.append("--catalogue")
    if len(chosen) != 1:
        raise click.UsageError("Give exactly one of --audit ID, --plan ID or --catalogue.")
    record = audit_id if audit_id is not None else plan_id
    if record is not None and not 1 <= record <= MAX_ID:
        fail(f"No audit with id {record}.")
    from isms_tui.services.oscal import export

    kind = {"--audit": "assessment-results", "--plan": "assessment-plan"}.get(chosen[0], "catalog")
    export.require_trestle(kind)
    if out is not None:
        from isms_tui.files import check_target

        check_target(out)  # a link, folder or special file is refused before any work
    if catalogue:
        data = export.catalogue()
        what = "The catalogue"
    else:
        with reading_session(workspace_path(ctx, db)) as session:
            if audit_id is not None:
                data = export.audit_results(session, audit_id)
                what = f"Audit {audit_id}'s assessment results"
            else:
                assert plan_id is not None
                data = export.audit_plan(session, plan_id)
                what = f"Audit {plan_id}'s assessment plan"
    if out is None:
        click.echo(data, nl=False)  # bytes go to the binary stream unchanged
        return
    from isms_tui.files import write_bytes

    write_bytes(out, data, tag="oscal")
    click.echo(f"{what} written to {out} as OSCAL JSON.")
