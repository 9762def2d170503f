"""`isms pack` issues a signed PDF evidence pack; `isms verify` checks one."""

from __future__ import annotations

import json
import sys
from datetime import date
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
    signing_errors,
    user_errors,
    workspace_path,
    write_lock,
)


def _date_option(value: str | None, name: str) -> date | None:
    """A YYYY-MM-DD option as a date; a bad one is rejected with one sentence (exit 1)."""
    from isms_tui.services.errors import InputError

    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{name} must be a date as YYYY-MM-DD (got {value!r}).") from None


@click.command("pack")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="The signed PDF to write.")
@db_option
@click.option(
    "--from", "date_from", default=None, help="First day of the period (default: the year that ends on --to)."
)
@click.option(
    "--to", "date_to", default=None, help="Last day of the period (default: the end of the last closed month)."
)
@click.option("--audit", "audit_id", type=int, default=None, help="Issue one audit's report instead.")
@click.option("--review", "review_id", type=int, default=None, help="Issue one management review's minutes instead.")
@passphrase_file_option
@click.option("--tsa-url", default=None, help="RFC 3161 timestamp server (the only network access; off by default).")
@click.pass_context
@user_errors
def pack_cmd(
    ctx: click.Context,
    out: Path,
    db: Path | None,
    date_from: str | None,
    date_to: str | None,
    audit_id: int | None,
    review_id: int | None,
    passphrase_file: Path | None,
    tsa_url: str | None,
) -> None:
    """Issue a signed PDF evidence pack: Clause 9 for a period, or one audit's report or review's minutes."""
    from isms_tui.models.db import session_scope
    from isms_tui.reports.issue import check_output, issue_pack
    from isms_tui.reports.keys import has_identity
    from isms_tui.services.drafts import pack_draft_reason
    from isms_tui.services.errors import InputError

    if audit_id is not None and review_id is not None:
        raise InputError("Choose either --audit or --review, not both.")
    start, end = _date_option(date_from, "--from"), _date_option(date_to, "--to")
    kind = "audit" if audit_id is not None else "review" if review_id is not None else "clause9"
    out = check_output(out)
    path = workspace_path(ctx, db)
    with write_lock(path, "close it before issuing a pack, or issue the pack there (P)", must_exist=True):
        engine = open_existing(path, locked=True)
        try:
            with session_scope(engine) as session:  # reading only
                draft = pack_draft_reason(session, kind, audit_id, review_id)
            if draft:  # said before the passphrase is asked, so a draft is never issued unawares
                click.echo(f"DRAFT: {draft} Every page of the pack will be marked DRAFT.")
            exists = has_identity(engine_org(engine))
            prompt = "Passphrase for the signing key" if exists else "New passphrase for the signing key"
            passphrase = read_passphrase(passphrase_file, prompt, confirm=not exists)
            actor = current_actor(ctx, engine)
            with session_scope(engine, actor) as session:
                issued = issue_pack(
                    session,
                    out,
                    kind,
                    period_from=start,
                    period_to=end,
                    audit_id=audit_id,
                    review_id=review_id,
                    passphrase=passphrase,
                    issued_by=actor,
                    tsa_url=tsa_url,
                )
        finally:
            engine.dispose()
    record = issued.record
    click.echo(
        f"Pack written: {out} ({issued.pages} pages; "
        f"{record.period_from.isoformat()} to {record.period_to.isoformat()})"
    )
    click.echo(f"SHA-256: {record.sha256}")
    click.echo(f"Signer certificate SHA-256: {record.signer_fingerprint}")


@click.command("verify")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--trust",
    "trust",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CA certificate (PEM or DER) to trust; repeatable. Default: only the CA of the --db workspace.",
)
@click.option(
    "--previous",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="An earlier pack of the same workspace: also prove the journal under FILE extends the one under it.",
)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@signing_errors
def verify_cmd(
    ctx: click.Context, file: Path, trust: tuple[Path, ...], previous: Path | None, db: Path | None, as_json: bool
) -> None:
    """Check a signed pack: intact, trusted, the whole file signed, every attachment as in its manifest.

    Without --trust, only the CA of the workspace's organisation (--db, else the default
    workspace) is trusted, and its SHA-256 fingerprint is printed. With --previous OLD.pdf,
    also check that the journal under FILE extends the one under OLD.pdf (nothing recorded
    before OLD.pdf was issued was changed or cut). Exit 0 only if every check
    passes, 1 otherwise.
    """
    from isms_tui.reports.verify import verify_pdf

    workspace = workspace_path(ctx, db)
    if previous is not None:
        from isms_tui.reports.continuity import compare

        report: Any = compare(file, previous, list(trust) or None, workspace=workspace)
    else:
        report = verify_pdf(file, list(trust) or None, workspace=workspace)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.render_text())
    if not report.ok:
        sys.exit(EXIT_FAILED)
