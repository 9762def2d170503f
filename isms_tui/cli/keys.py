"""`isms keys`: the organisation's signing identity (a local CA and signer, or an imported PKCS#12)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import (
    db_option,
    engine_org,
    open_existing,
    passphrase_file_option,
    read_passphrase,
    signing_errors,
)

org_option = click.option(
    "--org",
    default=None,
    help="Organisation whose signing identity this is (default: the workspace's; one identity each).",
)


def _workspace_org(ctx: click.Context, db: Path | None) -> str | None:
    """The organisation name of the workspace named by --db, or of the default one if it exists."""
    from isms_tui.config import default_db_path

    path = db or ctx.obj.get("db")
    if path is None:
        path = default_db_path()
        if not path.exists():
            return None
    engine = open_existing(path)
    try:
        return engine_org(engine)
    finally:
        engine.dispose()


@click.group("keys")
def keys_group() -> None:
    """The signing identity: a local CA and signer certificate, or your own PKCS#12."""


@keys_group.command("init")
@click.option("--org", default=None, help="Organisation name for the certificates (default: the workspace's).")
@click.option("--force", is_flag=True, help="Replace an existing identity (the old files are kept in keys/old/).")
@passphrase_file_option
@db_option
@click.pass_context
@signing_errors
def keys_init_cmd(
    ctx: click.Context, org: str | None, force: bool, passphrase_file: Path | None, db: Path | None
) -> None:
    """Create a local CA and a signer certificate, saved as passphrase-protected PKCS#12 (mode 0600)."""
    from isms_tui.reports import keys
    from isms_tui.services.errors import InputError

    org = org or _workspace_org(ctx, db)
    if not org:
        raise InputError("Give the organisation's name with --org (no workspace with one was found).")
    if keys.has_identity(org) and not force:
        raise InputError(f"A signing identity already exists in {keys.identity_dir(org)}; use --force to replace it.")
    passphrase = read_passphrase(passphrase_file, "New passphrase for the signing key", confirm=True)
    identity = keys.init_identity(org, passphrase, force=force)
    click.echo(f"Signing identity created for {identity.common_name} in {keys.identity_dir(org)}.")
    click.echo(f"Signer certificate SHA-256: {identity.fingerprint}")
    click.echo("Give auditors the CA certificate: isms keys export-ca --out CA.pem")


@keys_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing identity (the old files are kept in keys/old/).")
@passphrase_file_option
@org_option
@db_option
@click.pass_context
@signing_errors
def keys_import_cmd(
    ctx: click.Context, file: Path, force: bool, passphrase_file: Path | None, org: str | None, db: Path | None
) -> None:
    """Use your own PKCS#12 (.p12/.pfx with key and certificate) to sign the organisation's packs."""
    from isms_tui.reports import keys
    from isms_tui.services.errors import InputError

    org = org or _workspace_org(ctx, db)
    if keys.has_identity(org) and not force:
        raise InputError(f"A signing identity already exists in {keys.identity_dir(org)}; use --force to replace it.")
    passphrase = read_passphrase(passphrase_file, f"Passphrase of {file.name}")
    identity = keys.import_identity(file, passphrase, force=force, org=org)
    click.echo(f"Imported the signing identity of {identity.common_name} from {file}.")
    click.echo(f"Signer certificate SHA-256: {identity.fingerprint}")
    if identity.ca_cert is None:
        click.echo(
            "Note: the file holds no CA certificate; auditors need your issuer's CA to trust the packs.", err=True
        )


@keys_group.command("export-ca")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the CA certificate (PEM).",
)
@org_option
@db_option
@click.pass_context
@signing_errors
def keys_export_ca_cmd(ctx: click.Context, out: Path, org: str | None, db: Path | None) -> None:
    """Write the CA certificate (PEM) that an auditor imports to trust the organisation's packs."""
    from isms_tui.reports import keys

    keys.export_ca(out, org or _workspace_org(ctx, db))
    click.echo(f"CA certificate written to {out}.")


@keys_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@org_option
@db_option
@click.pass_context
@signing_errors
def keys_show_cmd(ctx: click.Context, as_json: bool, org: str | None, db: Path | None) -> None:
    """Subject, fingerprint, validity and files of the organisation's signing identity (no passphrase)."""
    from isms_tui.reports import keys

    info = keys.identity_info(org or _workspace_org(ctx, db))
    if as_json:
        click.echo(json.dumps(info.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"Organisation: {info.organisation or 'not used for a workspace yet'}")
    click.echo(f"Subject:      {info.subject}")
    click.echo(f"Issuer:       {info.issuer}")
    click.echo(f"SHA-256:      {info.fingerprint}")
    import datetime as dt

    expired = " (EXPIRED: packs cannot be signed)" if info.not_after < dt.datetime.now(dt.UTC) else ""
    click.echo(f"Valid:        {info.not_before:%Y-%m-%d} to {info.not_after:%Y-%m-%d}{expired}")
    if info.ca_subject:
        kind = "generated here" if info.has_ca_key else "from the imported chain"
        click.echo(f"CA:           {info.ca_subject} ({kind}, valid to {info.ca_not_after:%Y-%m-%d})")
        click.echo(f"CA SHA-256:   {info.ca_fingerprint}")
    else:
        click.echo("CA:           none (the imported file has no CA certificate)")
    click.echo(f"Folder:       {info.directory}")
    for name, path in info.files.items():
        click.echo(f"  {name:<11} {path}")
