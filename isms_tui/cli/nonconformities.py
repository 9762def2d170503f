"""`isms nc raise` (a nonconformity from an incident, complaint, review or other source) and
`isms nc reopen` (a closed action, with the reason), over the same services as the TUI."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import db_option, user_errors, write_change

if TYPE_CHECKING:
    from sqlmodel import Session

SOURCES = ("incident", "complaint", "review", "other")


@click.group("nc")
def nc_group() -> None:
    """Nonconformities (10.2) in the action register."""


@nc_group.command("raise")
@click.option("--source", "kind", type=click.Choice(SOURCES), required=True, help="Where it came from.")
@click.option("--ref", default="", help="The incident's, complaint's or review's own reference.")
@click.option("--description", required=True, help="What happened.")
@click.option("--detected-on", type=click.DateTime(["%Y-%m-%d"]), help="When it was detected (default today).")
@click.option("--title", required=True, help="The corrective action's title.")
@click.option("--owner", default="", help="The action's owner (a person's name).")
@click.option("--due", type=click.DateTime(["%Y-%m-%d"]), help="The action's due date.")
@click.option("--correction", default="", help="What was done to contain it.")
@click.option("--extent", default="", help="Does it exist elsewhere, or could it occur elsewhere?")
@click.option("--settling-days", type=click.IntRange(0), default=0, help="Days between implementation and the check.")
@db_option
@click.pass_context
@user_errors
def raise_cmd(
    ctx: click.Context,
    kind: str,
    ref: str,
    description: str,
    detected_on: object,
    title: str,
    owner: str,
    due: object,
    correction: str,
    extent: str,
    settling_days: int,
    db: Path | None,
) -> None:
    """Record a nonconformity and open its corrective action."""

    def change(session: Session, actor: str) -> str:
        from isms_tui.services import clock, nonconformities, workspace
        from isms_tui.services.actions import ActionInput
        from isms_tui.services.errors import InputError

        owner_id = None
        if owner:
            match = [p for p in workspace.list_people(session) if p.name.casefold() == owner.casefold()]
            if not match:
                raise InputError(f"No active person named {owner!r}.")
            owner_id = match[0].id
        action = nonconformities.raise_nonconformity(
            session,
            kind,
            ActionInput(
                title=title,
                owner_id=owner_id,
                due_date=_day(due),
                description=description,
                detected_on=_day(detected_on) or clock.today(),
                source_ref=ref,
                correction=correction,
                extent=extent,
                settling_days=settling_days,
            ),
        )
        return f"Raised nonconformity from {kind}{' ' + ref if ref else ''}: action #{action.id} is open."

    write_change(ctx, db, "raising a nonconformity", change)


@nc_group.command("reopen")
@click.argument("action_id", type=int)
@click.option("--reason", required=True, help="Why the closed action is reopened (kept with it).")
@db_option
@click.pass_context
@user_errors
def reopen_cmd(ctx: click.Context, action_id: int, reason: str, db: Path | None) -> None:
    """Reopen closed action ACTION_ID; it closes again only through a new effectiveness check."""

    def change(session: Session, actor: str) -> str:
        from isms_tui.services import actions

        actions.reopen_action(session, action_id, reason, actor)
        return f"Action #{action_id} is reopened and in progress again."

    write_change(ctx, db, "reopening an action", change)


def _day(value: object) -> date | None:
    return value.date() if hasattr(value, "date") else None  # click.DateTime gives a datetime
