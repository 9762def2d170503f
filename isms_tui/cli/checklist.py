"""`isms checklist`: list, export and import audit checklist templates (CSV or JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import (
    current_actor,
    db_option,
    exit_rejected,
    open_existing,
    reading_session,
    user_errors,
    workspace_path,
    write_lock,
)


@click.group("checklist")
def checklist_group() -> None:
    """Audit checklist templates: list them, export one, import one (CSV or JSON)."""


@checklist_group.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@user_errors
def checklist_list_cmd(ctx: click.Context, db: Path | None, as_json: bool) -> None:
    """List the built-in and user checklist templates with their number of questions."""
    from isms_tui.services import checklists

    with reading_session(workspace_path(ctx, db)) as session:
        templates = checklists.list_templates(session)
    if as_json:
        rows = [
            {"name": t.name, "builtin": t.builtin, "questions": t.size, "description": t.description} for t in templates
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(t.name) for t in templates)
    for t in templates:
        kind = "built-in" if t.builtin else "user"
        click.echo(f"{t.name:<{width}}  {t.size:>4} questions  {kind:<8}  {t.description}".rstrip())


@checklist_group.command("export")
@click.argument("name")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"], case_sensitive=False),
    default=None,
    help="File format (default: from the --out file's extension).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@db_option
@click.pass_context
@user_errors
def checklist_export_cmd(ctx: click.Context, name: str, fmt: str | None, out: Path | None, db: Path | None) -> None:
    """Export a checklist as CSV (UTF-8 with BOM, spreadsheet-safe) or JSON.

    NAME is the full name from `isms checklist list`, or a unique part of it (case, spacing
    and the kind of dash do not matter).
    """
    from isms_tui.services import checklist_io

    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out else ""
        if suffix not in checklist_io.FORMATS:
            raise click.UsageError("Choose the format with --format csv or --format json.")
        fmt = suffix
    with reading_session(workspace_path(ctx, db)) as session:
        name = checklist_io.resolve_name(session, name)
        if out is None:
            data = checklist_io.export_bytes(session, name, fmt)
        else:
            count = checklist_io.export_template(session, name, fmt, out)
    if out is None:
        click.echo(data, nl=False)  # bytes go to the binary stdout untouched
    else:
        click.echo(f"Exported {count} questions of '{name}' to {out}.")


@checklist_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="Name of the new checklist (default: the JSON's name or the file name).")
@click.option("--replace", is_flag=True, help="Overwrite a user checklist of the same name.")
@db_option
@click.pass_context
@user_errors
def checklist_import_cmd(ctx: click.Context, file: Path, name: str | None, replace: bool, db: Path | None) -> None:
    """Import a checklist from CSV (columns ref, title, question[, evidence_hint]) or JSON.

    The file is checked as a whole and refused as a whole, with every problem by row.
    """
    from isms_tui.models.db import session_scope
    from isms_tui.services.checklist_io import import_template
    from isms_tui.services.csv_io import ImportRejected
    from isms_tui.services.formatting import plural

    path = workspace_path(ctx, db)
    try:
        with write_lock(path, "close it before importing", must_exist=True):
            engine = open_existing(path, locked=True)
            try:
                with session_scope(engine, current_actor(ctx, engine)) as session:
                    result = import_template(session, file, name=name, replace=replace)
            finally:
                engine.dispose()
    except ImportRejected as rejected:
        exit_rejected(rejected)
    verb = "Replaced" if result.replaced else "Imported"
    click.echo(f"{verb} checklist '{result.name}' with {plural(result.count, 'question')} from {file}.")
    if result.custom_refs:
        shown = ", ".join(result.custom_refs[:10]) + (", …" if len(result.custom_refs) > 10 else "")
        n = len(result.custom_refs)
        click.echo(
            f"Note: {n} {'refs are' if n != 1 else 'ref is'} not in the ISO/IEC 27001:2022 catalogue, "
            f"kept as organisation-specific: {shown}.",
            err=True,
        )
