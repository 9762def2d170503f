"""`isms evaluation record|list|frequency`: evaluations of the ISMS as a whole (9.1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import (
    db_option,
    reading_session,
    user_errors,
    workspace_path,
    write_change,
)

if TYPE_CHECKING:
    from sqlmodel import Session


@click.group("evaluation")
def evaluation_group() -> None:
    """Evaluate the ISMS as a whole for a period: performance and effectiveness (9.1)."""


@evaluation_group.command("record")
@click.option("--from", "period_from", required=True, metavar="DATE", help="First day of the period evaluated.")
@click.option("--to", "period_to", required=True, metavar="DATE", help="Last day of the period evaluated.")
@click.option("--performance", required=True, help="Conclusion on information security performance.")
@click.option("--effectiveness", required=True, help="Conclusion on the effectiveness of the ISMS.")
@click.option("--basis", default=None, help="What was looked at (default: the facts of the period, from the data).")
@click.option("--follow-up", "follow_up", multiple=True, help="A follow-up (repeatable).")
@click.option("--raise-actions", is_flag=True, help="Raise each follow-up as an action owned by the evaluator.")
@click.option("--action-due", default="", metavar="DATE", help="Due date of the raised actions.")
@click.option("--by", "by", default=None, metavar="NAME", help="Who evaluated (a person; default: the acting one).")
@click.option("--on", "on", default="", metavar="DATE", help="When the evaluation was made (default: today).")
@db_option
@click.pass_context
@user_errors
def record_cmd(
    ctx: click.Context,
    period_from: str,
    period_to: str,
    performance: str,
    effectiveness: str,
    basis: str | None,
    follow_up: tuple[str, ...],
    raise_actions: bool,
    action_due: str,
    by: str | None,
    on: str,
    db: Path | None,
) -> None:
    """Record an evaluation of the ISMS for the period --from to --to."""

    def change(session: Session, actor: str) -> str:
        from isms_tui.services import evaluation_basis, isms_evaluation, workspace
        from isms_tui.services.errors import InputError
        from isms_tui.services.form_values import parse_date

        errors: dict[str, str] = {}
        start = parse_date(period_from, "period_from", errors, required=True)
        end = parse_date(period_to, "period_to", errors, required=True)
        due = parse_date(action_due, "action_due", errors)
        when = parse_date(on, "evaluated_on", errors)
        if errors:
            key, _ = next(iter(errors.items()))
            option = {"period_from": "--from", "period_to": "--to", "action_due": "--action-due"}.get(key, "--on")
            raise InputError(f"{option} takes a date as YYYY-MM-DD.")
        person = workspace.person_by_name(session, by if by is not None else actor)
        if by is not None and person is None:
            raise InputError(f"No person named {by!r}; add them in Settings first.")
        if basis is None and start is not None and end is not None and start <= end:
            text = evaluation_basis.period_summary(session, start, end)
        else:
            text = basis or ""
        e = isms_evaluation.record_evaluation(
            session,
            isms_evaluation.EvaluationInput(
                start,
                end,
                performance,
                effectiveness,
                basis=text,
                follow_up="\n".join(follow_up),
                evaluator_id=person.id if person else None,
                evaluated_on=when,
                raise_actions=raise_actions,
                action_due=due,
            ),
        )
        raised = len(isms_evaluation.follow_ups(e.follow_up)) if raise_actions else 0
        actions = f"; {raised} action{'s' if raised != 1 else ''} raised" if raised else ""
        return f"Recorded ISMS evaluation {e.id} of {e.period_from} to {e.period_to}{actions}."

    write_change(ctx, db, "recording an evaluation", change)


@evaluation_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@db_option
@click.pass_context
@user_errors
def list_cmd(ctx: click.Context, as_json: bool, db: Path | None) -> None:
    """Every evaluation of the ISMS, the most recent first, and when the next is due."""
    from isms_tui.services import clock, isms_evaluation
    from isms_tui.services.review_inputs import people_by_id

    with reading_session(workspace_path(ctx, db)) as session:
        people = people_by_id(session)
        rows = [isms_evaluation.as_json(e, people) for e in isms_evaluation.list_evaluations(session)]
        due = isms_evaluation.evaluation_due(session, clock.today())
        next_due = due.as_json() if due else None
    if as_json:
        click.echo(json.dumps({"evaluations": rows, "next": next_due}, indent=2, ensure_ascii=False))
        return
    for r in rows:
        click.echo(
            f"#{r['id']:<4} {r['period_from']} to {r['period_to']}  on {r['evaluated_on']}  {r['evaluator'] or '—'}"
        )
        click.echo(f"      performance: {r['performance']}")
        click.echo(f"      effectiveness: {r['effectiveness']}")
    if not rows:
        click.echo("No evaluation of the ISMS recorded yet.")
    if next_due:
        state = "due since" if next_due["due"] else "next due"
        click.echo(f"Next ({next_due['frequency']}): {next_due['next_period']}, {state} {next_due['due_on']}.")


@evaluation_group.command("frequency")
@click.argument("value", required=False)
@db_option
@click.pass_context
@user_errors
def frequency_cmd(ctx: click.Context, value: str | None, db: Path | None) -> None:
    """Show how often the ISMS is evaluated, or set it (weekly … annual)."""
    from isms_tui.services import isms_evaluation

    if value is None:
        with reading_session(workspace_path(ctx, db)) as session:
            click.echo(isms_evaluation.evaluation_frequency(session).value)
        return

    def change(session: Session, actor: str) -> str:
        isms_evaluation.set_evaluation_frequency(session, value.strip().lower())
        return f"The ISMS is now evaluated {isms_evaluation.evaluation_frequency(session).value}."

    write_change(ctx, db, "changing the evaluation frequency", change)
