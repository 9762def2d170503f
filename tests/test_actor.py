"""Who did it: the CLI and the TUI journal the workspace's person (or the name given for the
run with --as / ISMS_ACTOR) and record them as entered or issued by; the login name is only a
labelled fallback ("login:NAME")."""

from __future__ import annotations

import getpass
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from isms_tui.app import IsmsApp
from isms_tui.cli import main
from isms_tui.models import Frequency
from isms_tui.services import actor, kpis, workspace
from isms_tui.services.errors import InputError
from isms_tui.services.kpis import KpiInput

from .db_helpers import workspace_session
from .pack_helpers import copy_workspace, make_demo, pdftotext
from .tui_helpers import loaded, opened, wait_for

CSV = "kpi,date,value\nM1,2026-01-15,90\n"
LOGIN = "login:" + getpass.getuser()


def make_workspace(path: Path, person: str = "") -> Path:
    with workspace_session(path, "setup") as s:
        workspace.save_workspace(s, "Example Ltd", current_user=person)
        kpis.save_kpi(
            s,
            KpiInput(code="M1", name="Monthly", target=90.0, frequency=Frequency.MONTHLY, started_on=date(2024, 1, 1)),
        )
    return path


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def import_as(db: Path, tmp_path: Path, *prefix: str, env: dict[str, str] | None = None) -> Result:
    csv = tmp_path / "r.csv"
    csv.write_text(CSV, encoding="utf-8")
    return run(*prefix, "import", "readings", csv, "--db", db, env=env)


def recorded(db: Path) -> tuple[list[str], set[str]]:
    """entered_by of every reading, and the actors of the journal entries after the set-up."""
    con = sqlite3.connect(db)
    try:
        entered = [r[0] for r in con.execute("SELECT entered_by FROM reading ORDER BY id")]
        actors = {r[0] for r in con.execute("SELECT actor FROM journal WHERE actor != 'setup'")}
        return entered, actors
    finally:
        con.close()


def test_cli_records_the_workspace_person(tmp_path: Path) -> None:
    db = make_workspace(tmp_path / "w.db", person="Ann Example")
    result = import_as(db, tmp_path)
    assert result.exit_code == 0, result.output
    assert recorded(db) == (["Ann Example"], {"Ann Example"})


def test_as_option_wins_over_the_environment_and_the_workspace(tmp_path: Path) -> None:
    db = make_workspace(tmp_path / "w.db", person="Ann Example")
    result = import_as(db, tmp_path, "--as", "Bob Auditor", env={"ISMS_ACTOR": "Carol Env"})
    assert result.exit_code == 0, result.output
    assert recorded(db) == (["Bob Auditor"], {"Bob Auditor"})


def test_environment_names_the_actor_when_no_option(tmp_path: Path) -> None:
    db = make_workspace(tmp_path / "w.db", person="Ann Example")
    result = import_as(db, tmp_path, env={"ISMS_ACTOR": "Carol Env"})
    assert result.exit_code == 0, result.output
    assert recorded(db) == (["Carol Env"], {"Carol Env"})


def test_login_name_is_only_a_labelled_fallback(tmp_path: Path) -> None:
    db = make_workspace(tmp_path / "w.db")  # nobody named in Settings
    result = import_as(db, tmp_path)
    assert result.exit_code == 0, result.output
    assert recorded(db) == ([LOGIN], {LOGIN})


@pytest.mark.parametrize(
    ("prefix", "env", "message"),
    [
        (("--as", ""), None, "--as needs a person's name."),
        (("--as", "\x1b\u202e\x07 "), None, "--as needs a person's name."),
        (("--as", "x" * 121), None, "--as has 121 characters; a name has at most 120."),
        ((), {"ISMS_ACTOR": "\x07"}, "ISMS_ACTOR needs a person's name."),
    ],
)
def test_a_name_that_names_nobody_is_refused_and_nothing_is_written(
    tmp_path: Path, prefix: tuple[str, ...], env: dict[str, str] | None, message: str
) -> None:
    db = make_workspace(tmp_path / "w.db", person="Ann Example")
    before = db.read_bytes()
    result = import_as(db, tmp_path, *prefix, env=env)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message}\n"
    assert "Traceback" not in result.output
    assert recorded(db) == ([], set())
    assert db.read_bytes() == before


def test_control_characters_never_reach_the_journal_as_actor(tmp_path: Path) -> None:
    db = make_workspace(tmp_path / "w.db")
    result = import_as(db, tmp_path, "--as", "Dan\x1b[31m  \u202eRed")
    assert result.exit_code == 0, result.output
    assert recorded(db) == (["Dan[31m Red"], {"Dan[31m Red"})


def test_resolve_order() -> None:
    assert actor.resolve("Given", "Person") == "Given"
    assert actor.resolve(None, "  Person ") == "Person"
    assert actor.resolve(None, "") == LOGIN
    assert actor.is_login_fallback(actor.resolve(None, None))
    with pytest.raises(InputError):
        actor.named("   ")


def test_pack_is_issued_by_the_workspace_person(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from isms_tui.services.demo import SECURITY_OFFICER

    monkeypatch.setenv("ISMS_PASSPHRASE", "correct horse battery staple")
    db = copy_workspace(make_demo(tmp_path / "demo" / "demo.db"), tmp_path / "ws")
    out = tmp_path / "p.pdf"
    result = run("pack", "--out", out, "--db", db)
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(db)
    try:
        (issued_by,) = con.execute("SELECT issued_by FROM issuedpack").fetchone()
        pack_actors = {r[0] for r in con.execute("SELECT actor FROM journal WHERE entity = 'issuedpack'")}
    finally:
        con.close()
    assert issued_by == SECURITY_OFFICER and pack_actors == {SECURITY_OFFICER}
    assert f"by {SECURITY_OFFICER}" in " ".join(pdftotext(out).split())


async def test_tui_journals_the_name_given_for_the_run(tmp_path: Path) -> None:
    db = make_workspace(tmp_path / "w.db", person="Ann Example")
    app = IsmsApp(db, actor="Bob Auditor")
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await loaded(pilot)
        assert app.actor == "Bob Auditor"
    app2 = IsmsApp(db)
    async with app2.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await loaded(pilot)
        assert app2.actor == "Ann Example"


async def test_tui_refuses_an_empty_environment_name_in_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_workspace(tmp_path / "w.db", person="Ann Example")
    monkeypatch.setenv("ISMS_ACTOR", "\x1b")
    app = IsmsApp(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.error_message) or app.return_code is not None, "the refusal")
    assert app.error_message == "ISMS_ACTOR needs a person's name."
    assert app.engine is None


def test_a_bad_as_is_refused_whatever_the_command(tmp_path: Path) -> None:
    db = make_workspace(tmp_path / "w.db", person="Ann Example")
    result = run("--as", " \t ", "status", "--db", db)
    assert (result.exit_code, result.stderr) == (1, "Error: --as needs a person's name.\n")
    assert result.stdout == ""
