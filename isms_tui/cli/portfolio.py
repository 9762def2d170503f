"""`isms portfolio`: every workspace known on this machine (and in a folder) at a glance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import user_errors

if TYPE_CHECKING:
    from isms_tui.services.portfolio import Summary

dir_option = click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also list every *.db file directly in this folder (links leading out of it are not followed).",
)


@click.command("portfolio")
@dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@user_errors
def portfolio_cmd(ctx: click.Context, folder: Path | None, as_json: bool) -> None:
    """Every known workspace: organisation, last opened, KPIs off target, readings due, next
    audit, open nonconformities, next review; one that cannot be read says why."""
    from isms_tui.services import clock
    from isms_tui.services.portfolio import check_folder, portfolio

    folder = folder or (ctx.obj or {}).get("dir")
    if folder is not None:
        check_folder(folder)
    today = clock.today()
    if as_json:
        rows = [s.as_json() for s in portfolio(folder, today)]
        click.echo(json.dumps({"today": today.isoformat(), "workspaces": rows}, indent=2, ensure_ascii=False))
        return
    click.echo(HEADER)
    count = 0
    for s in portfolio(folder, today):  # each line as soon as its workspace is read
        click.echo(text_line(s))
        count += 1
    if not count:
        click.echo("No workspaces known yet: open one with `isms --db FILE`, or give a folder with --dir.")


COLUMNS = "{org:<28} {off:>4} {due:>9} {audit:<22} {ncs:>4} {review:<20} {opened:<16}  {path}"
HEADER = COLUMNS.format(
    org="Organisation",
    off="Off",
    due="Due",
    audit="Next audit",
    ncs="NCs",
    review="Next review",
    opened="Last opened",
    path="File",
)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _printable(text: str) -> str:
    """No control, bidi-override or line-break characters from a file name or a doctored
    workspace reach the terminal."""
    from isms_tui.models.sanitize import clean

    return clean(text.replace("\n", " ").replace("\r", " ").replace("\t", " "))


def text_line(s: Summary) -> str:
    """One workspace as a line of the table; one that cannot be read gives its reason instead."""
    from isms_tui.services.portfolio import audit_text, opened_text, review_text

    if not s.readable:
        return _printable(f"! {s.problem}")
    due = f"{s.readings_due}" + (f" ({s.readings_overdue}!)" if s.readings_overdue else "")
    line = COLUMNS.format(
        org=_cut(s.organisation or "(no organisation yet)", 28),
        off=s.kpis_off_target,
        due=due,
        audit=_cut(audit_text(s), 22),
        ncs=s.open_nonconformities,
        review=_cut(review_text(s), 20),
        opened=opened_text(s.opened_at),
        path=s.path,
    )
    return _printable(line)
