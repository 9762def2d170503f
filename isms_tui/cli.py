"""The `isms` command: opens the TUI, or runs a scriptable subcommand over the same services.

Heavy modules (the data layer, the TUI) are imported inside commands so `isms --help` and the
first paint stay fast. Every user-caused failure prints one sentence on stderr and exits 1.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

EXIT_FAILED = 1


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_FAILED)


def user_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors a user can cause into one line on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from isms_tui.models.db import WorkspaceError
        from isms_tui.services.errors import InputError, NotFound

        try:
            return func(*args, **kwargs)
        except (WorkspaceError, InputError, NotFound) as exc:
            _fail(str(exc))
        except BrokenPipeError:
            raise  # output piped into `head` and the like: click ends quietly
        except OSError as exc:
            _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))

    return wrapper


db_option = click.option(
    "--db",
    "db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Workspace file (default: the one in your user data folder).",
)


def _db_path(ctx: click.Context, db: Path | None) -> Path:
    from isms_tui.config import default_db_path

    return db or ctx.obj.get("db") or default_db_path()


def _existing_engine(path: Path, *, locked: bool = False):
    """Open a workspace that must already exist (reporting commands never create one).

    Reading needs no lock, but upgrading the file's schema is a write: a reporting command
    that finds an older workspace upgrades it only while holding the lock (`locked`: the
    caller holds it already), so it never changes the file under an open isms.
    """
    from isms_tui.models.db import WorkspaceError, needs_upgrade, open_engine
    from isms_tui.models.lock import acquire

    if not path.exists():
        raise WorkspaceError(f"No workspace at {path}; run `isms` or `isms demo` to create one.")
    if locked or not needs_upgrade(path):
        return open_engine(path)
    with acquire(path, doing="close it so that this version can upgrade the workspace first"):
        return open_engine(path)


@contextmanager
def _write_lock(path: Path, doing: str, must_exist: bool = False) -> Iterator[None]:
    """Hold the workspace lock for a write command; refuse (exit 1) while an isms has it open."""
    from isms_tui.models.db import WorkspaceError
    from isms_tui.models.lock import acquire

    if must_exist and not path.exists():
        raise WorkspaceError(f"No workspace at {path}; run `isms` or `isms demo` to create one.")
    with acquire(path, doing=doing):
        yield


def _actor() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "cli"


@click.group(invoke_without_command=True)
@db_option
@click.version_option(package_name="isms-tui")
@click.pass_context
def main(ctx: click.Context, db: Path | None) -> None:
    """isms-tui: ISO/IEC 27001:2022 Clause 9 performance evaluation, offline."""
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    if ctx.invoked_subcommand is None:
        _run_tui(_db_path(ctx, db))


def _run_tui(path: Path, demo: bool = False) -> None:
    from isms_tui.app import IsmsApp

    app = IsmsApp(path, load_demo=demo)
    app.run()
    if app.return_code:
        _fail(app.error_message or "The workspace could not be opened.")


@main.command()
@db_option
@click.option("--no-tui", is_flag=True, help="Create the demo workspace and exit.")
@click.pass_context
@user_errors
def demo(ctx: click.Context, db: Path | None, no_tui: bool) -> None:
    """Create a workspace of realistic demo data, then open it.

    Without --db the demo gets its own file (demo.db in the user data folder), so it never
    mixes with a real workspace; running it again just opens that file.
    """
    from isms_tui.config import demo_db_path
    from isms_tui.models.db import open_engine, session_scope
    from isms_tui.services import clock, workspace
    from isms_tui.services.demo import create_demo
    from isms_tui.services.errors import InputError

    path = db or ctx.obj.get("db") or demo_db_path()
    with _write_lock(path, "close it first"):
        engine = open_engine(path)
        try:
            with session_scope(engine, "demo") as session:
                if workspace.is_empty(session):
                    create_demo(session, clock.today())
                    click.echo(f"Demo workspace created: {path}")
                elif path != demo_db_path():
                    raise InputError(f"{path} already holds data; the demo only fills an empty workspace.")
                else:
                    click.echo(f"Opening the existing demo workspace: {path}")
        finally:
            engine.dispose()
    if not no_tui:  # the TUI takes the lock again itself
        _run_tui(path)


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@user_errors
def status(ctx: click.Context, db: Path | None, as_json: bool) -> None:
    """ISMS health summary: KPI statuses, due readings, audits and open or overdue actions."""
    from isms_tui.models.db import session_scope
    from isms_tui.services import clock
    from isms_tui.services.status import render_text, summary

    engine = _existing_engine(_db_path(ctx, db))
    with session_scope(engine) as session:
        data = summary(session, clock.today())
    click.echo(json.dumps(data, indent=2, ensure_ascii=False) if as_json else render_text(data))


@main.group("import")
def import_group() -> None:
    """Import data from files (all-or-nothing)."""


@import_group.command("readings")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option(
    "--replace",
    is_flag=True,
    help="Overwrite existing readings for the same KPI and period (the journal keeps the old ones).",
)
@click.pass_context
@user_errors
def import_readings_cmd(ctx: click.Context, file: Path, db: Path | None, replace: bool) -> None:
    """Import readings from a CSV with columns kpi, date, value[, note, entered_by]."""
    from isms_tui.models.db import session_scope
    from isms_tui.services.readings_csv import ImportRejected, import_readings

    path = _db_path(ctx, db)
    try:
        with _write_lock(path, "close it before importing", must_exist=True):
            engine = _existing_engine(path, locked=True)
            with session_scope(engine, _actor()) as session:
                result = import_readings(session, file, entered_by=_actor(), replace=replace)
            engine.dispose()
    except ImportRejected as rejected:
        click.echo(f"Error: {rejected}", err=True)
        for line in rejected.row_errors[:200]:
            click.echo(f"  {line}", err=True)
        if len(rejected.row_errors) > 200:
            click.echo(f"  ... and {len(rejected.row_errors) - 200} more", err=True)
        sys.exit(EXIT_FAILED)
    replaced = f" ({result.replaced} replaced)" if result.replaced else ""
    click.echo(f"Imported {result.count} readings from {file}{replaced}.")


@main.group("export")
def export_group() -> None:
    """Export data to files."""


@export_group.command("readings")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.pass_context
@user_errors
def export_readings_cmd(ctx: click.Context, file: Path, db: Path | None) -> None:
    """Export every reading to a CSV (safe to open in a spreadsheet)."""
    from isms_tui.models.db import session_scope
    from isms_tui.services.readings_csv import export_readings

    engine = _existing_engine(_db_path(ctx, db))
    with session_scope(engine) as session:
        count = export_readings(session, file)
    click.echo(f"Exported {count} readings to {file}.")


def _run_check(path: Path, check: Callable[..., Any], as_json: bool) -> None:
    """Run a verification over the workspace, print its report, exit 1 when it failed."""
    from isms_tui.models.db import session_scope

    engine = _existing_engine(path)
    try:
        with session_scope(engine) as session:
            report = check(session)
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.summary())
        for problem in report.problems:
            click.echo(f"  {problem.message}")
        if getattr(report, "omitted", 0):
            click.echo(f"  ... and {report.omitted} more")
    if not report.ok:
        sys.exit(EXIT_FAILED)


@main.group("journal")
def journal_group() -> None:
    """The hash-chained journal of every change."""


@journal_group.command("verify")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@user_errors
def journal_verify_cmd(ctx: click.Context, db: Path | None, as_json: bool) -> None:
    """Check the journal's hash chain and that the data matches it; exit 1 on any problem."""
    from isms_tui.services.journal import verify

    _run_check(_db_path(ctx, db), verify, as_json)


@main.group("evidence")
def evidence_group() -> None:
    """The evidence store beside the workspace."""


@evidence_group.command("verify")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@user_errors
def evidence_verify_cmd(ctx: click.Context, db: Path | None, as_json: bool) -> None:
    """Re-hash every stored evidence file; exit 1 if any is missing or altered."""
    from isms_tui.services.evidence import verify_store

    _run_check(_db_path(ctx, db), verify_store, as_json)


@main.command("backup")
@db_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Archive to write (default: FILE.backup-<timestamp>.zip next to the workspace; "
    "only the newest ISMS_BACKUPS_KEPT of those are kept).",
)
@click.pass_context
@user_errors
def backup_cmd(ctx: click.Context, db: Path | None, out: Path | None) -> None:
    """Back up the workspace and its evidence into one .zip (safe while the TUI is open)."""
    from isms_tui.services.backup import backup

    result = backup(_db_path(ctx, db), out)
    click.echo(
        f"Backup written: {result.path} ({result.evidence_files} evidence files, "
        f"{result.journal_entries} journal entries, head {result.journal_head})."
    )
    if result.evidence_problems:
        n = len(result.evidence_problems)
        click.echo(f"Error: {n} evidence file{'s' if n != 1 else ''} could not be included:", err=True)
        for line in result.evidence_problems:
            click.echo(f"  {line}", err=True)
        sys.exit(EXIT_FAILED)


@main.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.pass_context
@user_errors
def restore_cmd(ctx: click.Context, file: Path, db: Path | None) -> None:
    """Replace the workspace with a backup, after checking the backup completely.

    The current workspace file is kept next to it as FILE.replaced-<timestamp>.
    """
    from isms_tui.services.backup import restore

    path = _db_path(ctx, db)
    result = restore(file, path)
    click.echo(
        f"Restored {path} from {file} (backup of {result.created_at}: {result.journal_entries} "
        f"journal entries, {result.evidence_files} evidence files)."
    )
    if result.replaced is not None:
        click.echo(f"The previous workspace was kept as {result.replaced}.")


@main.group("checklist")
def checklist_group() -> None:
    """Audit checklist templates: list them, export one, import one (CSV or JSON)."""


@checklist_group.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@user_errors
def checklist_list_cmd(ctx: click.Context, db: Path | None, as_json: bool) -> None:
    """List the built-in and user checklist templates with their number of questions."""
    from isms_tui.models.db import session_scope
    from isms_tui.services import checklists

    engine = _existing_engine(_db_path(ctx, db))
    try:
        with session_scope(engine) as session:
            templates = checklists.list_templates(session)
    finally:
        engine.dispose()
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
    from isms_tui.models.db import session_scope
    from isms_tui.services import checklist_io

    if fmt is None:
        suffix = out.suffix.lower().lstrip(".") if out else ""
        if suffix not in checklist_io.FORMATS:
            raise click.UsageError("Choose the format with --format csv or --format json.")
        fmt = suffix
    engine = _existing_engine(_db_path(ctx, db))
    try:
        with session_scope(engine) as session:
            name = checklist_io.resolve_name(session, name)
            if out is None:
                data = checklist_io.export_bytes(session, name, fmt)
            else:
                count = checklist_io.export_template(session, name, fmt, out)
    finally:
        engine.dispose()
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
    from isms_tui.services.checklist_io import ImportRejected, import_template

    path = _db_path(ctx, db)
    try:
        with _write_lock(path, "close it before importing", must_exist=True):
            engine = _existing_engine(path, locked=True)
            try:
                with session_scope(engine, _actor()) as session:
                    result = import_template(session, file, name=name, replace=replace)
            finally:
                engine.dispose()
    except ImportRejected as rejected:
        click.echo(f"Error: {rejected}", err=True)
        for line in rejected.row_errors[:200]:
            click.echo(f"  {line}", err=True)
        if len(rejected.row_errors) > 200:
            click.echo(f"  ... and {len(rejected.row_errors) - 200} more", err=True)
        sys.exit(EXIT_FAILED)
    verb = "Replaced" if result.replaced else "Imported"
    click.echo(f"{verb} checklist '{result.name}' with {result.count} questions from {file}.")
    if result.custom_refs:
        shown = ", ".join(result.custom_refs[:10]) + (", …" if len(result.custom_refs) > 10 else "")
        n = len(result.custom_refs)
        click.echo(
            f"Note: {n} {'refs are' if n != 1 else 'ref is'} not in the ISO/IEC 27001:2022 catalogue, "
            f"kept as organisation-specific: {shown}.",
            err=True,
        )


# --- signing identity and pack verification (isms_tui.reports.keys / .verify) -----------------
# These commands do not use `user_errors`: it imports the data layer (~0.45 s) on every call,
# which `isms verify` and `isms keys` do not need. `_signing_errors` handles the same errors.


def _signing_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """One sentence on stderr and exit 1 for the errors a user can cause, without loading the DB layer."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from isms_tui.services.errors import InputError, NotFound

        try:
            return func(*args, **kwargs)
        except (InputError, NotFound) as exc:
            _fail(str(exc))
        except BrokenPipeError:
            raise  # output piped into `head` and the like: click ends quietly
        except OSError as exc:
            _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
        except Exception as exc:
            db = sys.modules.get("isms_tui.models.db")  # only loaded if the command opened a workspace
            if db is not None and isinstance(exc, db.WorkspaceError):
                _fail(str(exc))
            raise

    return wrapper


passphrase_file_option = click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read the key passphrase from the first line of this file (else ISMS_PASSPHRASE, else a prompt).",
)


def _passphrase(passphrase_file: Path | None, prompt: str, confirm: bool = False) -> str:
    """--passphrase-file, else ISMS_PASSPHRASE, else a no-echo prompt when there is a terminal."""
    from isms_tui.reports.keys import passphrase_from_env_or_file
    from isms_tui.services.errors import InputError

    value = passphrase_from_env_or_file(passphrase_file)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise InputError("No passphrase given: set ISMS_PASSPHRASE or use --passphrase-file.")
    return click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)


org_option = click.option(
    "--org",
    default=None,
    help="Organisation whose signing identity this is (default: the workspace's; one identity each).",
)


def _engine_org(engine) -> str | None:  # type: ignore[no-untyped-def]
    """The organisation name stored in an open workspace."""
    from isms_tui.models.db import session_scope
    from isms_tui.services.workspace import get_workspace

    with session_scope(engine) as session:
        ws = get_workspace(session)
        return ws.org_name if ws and ws.org_name.strip() else None


def _workspace_org(ctx: click.Context, db: Path | None) -> str | None:
    """The organisation name of the workspace named by --db, or of the default one if it exists."""
    from isms_tui.config import default_db_path

    path = db or ctx.obj.get("db")
    if path is None:
        path = default_db_path()
        if not path.exists():
            return None
    engine = _existing_engine(path)
    try:
        return _engine_org(engine)
    finally:
        engine.dispose()


def _date_option(value: str | None, name: str):
    """A YYYY-MM-DD option as a date; a bad one is rejected with one sentence (exit 1)."""
    from datetime import date

    from isms_tui.services.errors import InputError

    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{name} must be a date as YYYY-MM-DD (got {value!r}).") from None


@main.command("pack")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="The signed PDF to write.")
@db_option
@click.option("--from", "date_from", default=None, help="First day of the period (default: a year before --to).")
@click.option("--to", "date_to", default=None, help="Last day of the period (default: today).")
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
    from isms_tui.reports.issue import IssueTimings, check_output, issue_pack
    from isms_tui.reports.keys import has_identity
    from isms_tui.services.errors import InputError

    if audit_id is not None and review_id is not None:
        raise InputError("Choose either --audit or --review, not both.")
    start, end = _date_option(date_from, "--from"), _date_option(date_to, "--to")
    kind = "audit" if audit_id is not None else "review" if review_id is not None else "clause9"
    out = check_output(out)
    path = _db_path(ctx, db)
    with _write_lock(path, "close it before issuing a pack", must_exist=True):
        engine = _existing_engine(path, locked=True)
        try:
            exists = has_identity(_engine_org(engine))
            prompt = "Passphrase for the signing key" if exists else "New passphrase for the signing key"
            passphrase = _passphrase(passphrase_file, prompt, confirm=not exists)
            timings = IssueTimings()
            with session_scope(engine, _actor()) as session:
                record = issue_pack(
                    session,
                    out,
                    kind,
                    period_from=start,
                    period_to=end,
                    audit_id=audit_id,
                    review_id=review_id,
                    passphrase=passphrase,
                    issued_by=_actor(),
                    tsa_url=tsa_url,
                    timings=timings,
                )
        finally:
            engine.dispose()
    click.echo(
        f"Pack written: {out} ({int(timings.extra.get('pages', 0))} pages; "
        f"{record.period_from.isoformat()} to {record.period_to.isoformat()})"
    )
    click.echo(f"SHA-256: {record.sha256}")
    click.echo(f"Signer certificate SHA-256: {record.signer_fingerprint}")


@main.group("keys")
def keys_group() -> None:
    """The signing identity: a local CA and signer certificate, or your own PKCS#12."""


@keys_group.command("init")
@click.option("--org", default=None, help="Organisation name for the certificates (default: the workspace's).")
@click.option("--force", is_flag=True, help="Replace an existing identity (the old files are kept in keys/old/).")
@passphrase_file_option
@db_option
@click.pass_context
@_signing_errors
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
    passphrase = _passphrase(passphrase_file, "New passphrase for the signing key", confirm=True)
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
@_signing_errors
def keys_import_cmd(
    ctx: click.Context, file: Path, force: bool, passphrase_file: Path | None, org: str | None, db: Path | None
) -> None:
    """Use your own PKCS#12 (.p12/.pfx with key and certificate) to sign the organisation's packs."""
    from isms_tui.reports import keys
    from isms_tui.services.errors import InputError

    org = org or _workspace_org(ctx, db)
    if keys.has_identity(org) and not force:
        raise InputError(f"A signing identity already exists in {keys.identity_dir(org)}; use --force to replace it.")
    passphrase = _passphrase(passphrase_file, f"Passphrase of {file.name}")
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
@_signing_errors
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
@_signing_errors
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


@main.command("verify")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--trust",
    "trust",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CA certificate (PEM or DER) to trust; repeatable. Default: this machine's signing CA.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@_signing_errors
def verify_cmd(file: Path, trust: tuple[Path, ...], as_json: bool) -> None:
    """Check a signed pack: intact, trusted, the whole file signed, every attachment as in its manifest.

    Exit 0 only if every check passes, 1 otherwise.
    """
    from isms_tui.reports.verify import verify_pdf

    report = verify_pdf(file, list(trust) or None)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.render_text())
    if not report.ok:
        sys.exit(EXIT_FAILED)


if __name__ == "__main__":  # pragma: no cover
    main()
