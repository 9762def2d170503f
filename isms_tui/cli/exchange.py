"""`isms audit kit|import-kit|results|import-results`: the signed audit round trip between a
client and an external auditor (docs/audit-exchange.md). Each is one transaction under the
workspace lock, journaled as the acting person; every refusal is one sentence."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from .audits import audit_group
from .common import (
    current_actor,
    db_option,
    engine_org,
    open_existing,
    passphrase_file_option,
    read_passphrase,
    user_errors,
    workspace_path,
    write_lock,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from isms_tui.services.exchange import ImportedKit

T = TypeVar("T")

trust_option = click.option(
    "--trust",
    "trust",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The issuer's CA certificate (PEM or DER); remembered for that organisation.",
)


def _run(ctx: click.Context, db: Path | None, doing: str, change: Callable[[Session, str], T]) -> T:
    from isms_tui.models.db import session_scope

    path = workspace_path(ctx, db)
    with write_lock(path, f"close it before {doing}", must_exist=True):
        engine = open_existing(path, locked=True)
        try:
            actor = current_actor(ctx, engine)
            with session_scope(engine, actor) as session:
                return change(session, actor)
        finally:
            engine.dispose()


def _signing(
    ctx: click.Context,
    db: Path | None,
    doing: str,
    passphrase_file: Path | None,
    change: Callable[[Session, str, str], T],
) -> T:
    """Like _run, asking for the key's passphrase under the lock (twice when this creates the key)."""
    from isms_tui.models.db import session_scope
    from isms_tui.reports.keys import has_identity

    path = workspace_path(ctx, db)
    with write_lock(path, f"close it before {doing}", must_exist=True):
        engine = open_existing(path, locked=True)
        try:
            exists = has_identity(engine_org(engine))
            prompt = "Passphrase for the signing key" if exists else "New passphrase for the signing key"
            passphrase = read_passphrase(passphrase_file, prompt, confirm=not exists)
            actor = current_actor(ctx, engine)
            with session_scope(engine, actor) as session:
                return change(session, actor, passphrase)
        finally:
            engine.dispose()


@audit_group.command("kit")
@click.argument("audit_id", type=int)
@click.option("--for", "recipient", required=True, help="The external auditor's organisation, as in their workspace.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The kit file to write.")
@passphrase_file_option
@db_option
@click.pass_context
@user_errors
def kit_cmd(
    ctx: click.Context, audit_id: int, recipient: str, out: Path, passphrase_file: Path | None, db: Path | None
) -> None:
    """Issue a signed audit kit for a planned audit (the client's side)."""
    from isms_tui.reports import exchange

    issued = _signing(
        ctx,
        db,
        "issuing a kit",
        passphrase_file,
        lambda s, who, secret: exchange.issue_kit(s, audit_id, recipient, who, secret, out),
    )
    click.echo(issued.sentence("audit kit"))


@audit_group.command("import-kit")
@click.argument("kit", type=click.Path(dir_okay=False, path_type=Path))
@trust_option
@click.option("--fingerprint", default=None, help="The client's CA SHA-256, confirmed with the client (first kit).")
@db_option
@click.pass_context
@user_errors
def import_kit_cmd(
    ctx: click.Context, kit: Path, trust: tuple[Path, ...], fingerprint: str | None, db: Path | None
) -> None:
    """Import a client's signed audit kit as a planned audit here (the external auditor's side)."""
    from isms_tui.reports import exchange
    from isms_tui.services.exchange import UnconfirmedCA, colon

    def run(accept: str | None) -> ImportedKit:
        return _run(ctx, db, "importing a kit", lambda s, who: exchange.import_kit(s, kit, who, list(trust), accept))

    try:
        done = run(fingerprint)
    except UnconfirmedCA as exc:
        if fingerprint is not None or not sys.stdin.isatty():
            raise
        org = exc.organisation
        click.echo(f"The kit from {org} is signed under a CA not trusted here yet, SHA-256:")
        click.echo(f"  {colon(exc.fingerprint)}")
        if not click.confirm(f"Is this the fingerprint {org} gave you?", default=False):
            raise
        done = run(exc.fingerprint)
    click.echo(done.sentence())


@audit_group.command("results")
@click.argument("audit_id", type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The package to write.")
@passphrase_file_option
@db_option
@click.pass_context
@user_errors
def results_cmd(ctx: click.Context, audit_id: int, out: Path, passphrase_file: Path | None, db: Path | None) -> None:
    """Issue the signed results of a completed kit audit (the external auditor's side)."""
    from isms_tui.reports import exchange

    issued = _signing(
        ctx,
        db,
        "issuing results",
        passphrase_file,
        lambda s, who, secret: exchange.issue_results(s, audit_id, who, secret, out),
    )
    click.echo(issued.sentence("audit results"))


@audit_group.command("import-results")
@click.argument("package", type=click.Path(dir_okay=False, path_type=Path))
@trust_option
@db_option
@click.pass_context
@user_errors
def import_results_cmd(ctx: click.Context, package: Path, trust: tuple[Path, ...], db: Path | None) -> None:
    """Import an external auditor's signed results into the audit the kit was issued for (the client's side)."""
    from isms_tui.reports import exchange

    done = _run(ctx, db, "importing results", lambda s, who: exchange.import_results(s, package, who, list(trust)))
    click.echo(done.sentence())
