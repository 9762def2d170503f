"""One writer per workspace: the lock file, the read-only second opener, CLI write commands."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import select

from isms_tui.cli import main
from isms_tui.models import Person
from isms_tui.models.db import ReadOnlyWorkspace, session_scope
from isms_tui.models.lock import WorkspaceLocked, acquire, is_locked, lock_path, read_holder
from isms_tui.services import kpis, workspace
from isms_tui.services.errors import InputError
from isms_tui.services.kpis import KpiInput

from .db_helpers import fresh_engine, read, workspace_session
from .tui_helpers import make_app, notifications, opened, wait_for

HOLDER = """
import sys, time
from isms_tui.models.lock import acquire
lock = acquire(sys.argv[1])
print("locked", flush=True)
time.sleep(120)
"""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def ws(db_path: Path) -> Path:
    with workspace_session(db_path, "setup") as s:
        workspace.save_workspace(s, "Acme Ltd")
        workspace.save_person(s, "Ann Officer")
        kpis.save_kpi(s, KpiInput(code="M1", name="Monthly", target=90.0, started_on=date(2024, 1, 1)))
    return db_path


def people(db: Path) -> list[str]:
    return read(db, lambda s: [p.name for p in s.exec(select(Person).order_by(Person.name))])


# -- the lock itself -------------------------------------------------------------------------------


def test_second_acquire_is_refused_and_names_the_holder(ws):
    with acquire(ws):
        with pytest.raises(WorkspaceLocked) as refused:
            acquire(ws, doing="close it first")
        message = str(refused.value)
        assert message.startswith(f"{ws.name} is open in another isms (pid {os.getpid()}")
        assert message.endswith("; close it first")
        assert is_locked(ws) is not None
        assert read_holder(ws).pid == os.getpid()
    assert is_locked(ws) is None
    acquire(ws).release()  # free again
    assert lock_path(ws).exists()  # the file stays; only the kernel lock comes and goes


def test_lock_is_released_when_the_holder_process_is_killed(ws):
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(ws)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(WorkspaceLocked, match=f"pid {child.pid}"):
            acquire(ws)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert read_holder(ws).pid == child.pid  # the dead holder's note is still in the file...
    with acquire(ws) as lock:  # ...but it does not hold anything
        assert lock.held
        assert read_holder(ws).pid == os.getpid()


def test_read_only_engine_refuses_orm_and_core_writes(ws):
    with fresh_engine(ws, read_only=True) as engine:
        with session_scope(engine) as s:  # reading works
            assert workspace.get_workspace(s).org_name == "Acme Ltd"
        with pytest.raises(ReadOnlyWorkspace, match="read-only"), session_scope(engine, "x") as s:
            workspace.save_person(s, "Mallory")
        with pytest.raises(ReadOnlyWorkspace, match="read-only"), session_scope(engine, "x") as s:
            s.connection().exec_driver_sql("DELETE FROM person")
    assert people(ws) == ["Ann Officer"]


def _make_older(ws: Path) -> None:
    """Turn `ws` back into a workspace of the previous schema revision."""
    import sqlite3

    from isms_tui.models.schema import REVISIONS

    assert REVISIONS[-1] == "0016_audit_exchange"  # update this helper with the next migration
    con = sqlite3.connect(ws)
    con.executescript(
        """
        DROP TABLE exchange_trust;
        DROP INDEX ix_exchange_package_audit_id;
        DROP TABLE exchange_package;
        """
    )
    con.execute("UPDATE alembic_version SET version_num = ?", (REVISIONS[-2],))
    con.commit()
    con.close()


def _revision(ws: Path) -> str:
    import sqlite3

    con = sqlite3.connect(ws)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()


def test_reporting_command_upgrades_an_older_workspace_only_under_the_lock(ws):
    from isms_tui.models.schema import HEAD

    _make_older(ws)
    with acquire(ws):
        refused = run("status", "--db", ws)
    assert refused.exit_code == 1
    assert "upgrade" in refused.output and "Traceback" not in refused.output
    assert _revision(ws) != HEAD  # nothing changed under the open isms
    done = run("status", "--db", ws)
    assert done.exit_code == 0, done.output
    assert _revision(ws) == HEAD
    assert not is_locked(ws)  # the lock taken for the upgrade was let go


# -- the TUI ---------------------------------------------------------------------------------------


async def test_second_tui_opens_read_only_with_a_notice(ws):
    with acquire(ws):  # "another isms" has the workspace open
        app = make_app(ws)
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await opened(pilot)
            assert app.read_only and app.workspace_lock is None
            assert "(read-only)" in str(app.format_title(app.title, app.sub_title))
            notices = [n.message for n in notifications(app)]
            assert f"{ws.name} is open in another isms (pid {os.getpid()}" in notices[0]
            assert notices[0].endswith("; opened read-only.")
            with pytest.raises(InputError) as refused, app.session() as s:
                workspace.save_person(s, "Mallory")
            assert str(refused.value) == (
                "The workspace is open read-only because another isms has it open; nothing was saved."
            )
            with app.session() as s:  # reads still work
                assert workspace.person_by_name(s, "Ann Officer") is not None
    assert people(ws) == ["Ann Officer"]


async def test_read_only_form_shows_the_refusal_and_saves_nothing(ws):
    from isms_tui.screens.settings import PersonForm

    with acquire(ws):
        app = make_app(ws)
        async with app.run_test(size=(120, 40)) as pilot:
            await opened(pilot)
            await app.push_screen(PersonForm(None))
            await pilot.pause()
            app.screen.query_one("#field-name").control.value = "Mallory"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, PersonForm)  # not dismissed
            message = str(app.screen.query_one("#form-message").render())
            assert "read-only" in message
    assert people(ws) == ["Ann Officer"]


async def test_read_only_write_key_is_not_offered_and_does_nothing(ws):
    """A key that writes directly (x deactivates a KPI) is hidden in a read-only workspace and
    does nothing when pressed; the app goes on and the other keys still work."""
    with acquire(ws):
        app = make_app(ws)
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await opened(pilot)
            await pilot.press("m")
            await wait_for(pilot, lambda: app.current_mode == "monitoring" and app.screen.query_one("#kpis").row_count)
            assert not app.screen.active_bindings["x"].enabled  # shown dimmed, not offered
            shown = len(notifications(app))
            await pilot.press("x")
            await pilot.pause()
            assert len(notifications(app)) == shown  # nothing attempted, nothing to refuse
            assert app.is_running and app.return_code is None
            await pilot.press("d")  # keys still work
            await wait_for(pilot, lambda: app.current_mode == "dashboard")
    with workspace_session(ws) as s:
        assert kpis.kpi_by_code(s, "M1").active


async def test_first_tui_holds_the_lock_until_it_exits(ws):
    app = make_app(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        assert not app.read_only and app.workspace_lock is not None
        assert is_locked(ws).pid == os.getpid()
        with app.session() as s:
            workspace.save_person(s, "Bea Writer")
        result = run("import", "readings", ws.with_name("x.csv"), "--db", ws)
        assert result.exit_code == 1
        assert "is open in the isms app (pid" in result.stderr and "close it before importing" in result.stderr
    await wait_for(pilot, lambda: is_locked(ws) is None)
    assert people(ws) == ["Ann Officer", "Bea Writer"]


# -- CLI commands while another isms has the workspace ------------------------------------------------


def test_cli_write_commands_refuse_while_locked(ws, tmp_path):
    csv = tmp_path / "r.csv"
    csv.write_text("kpi,date,value\nM1,2026-01-15,90\n", encoding="utf-8")
    ok = run("backup", "--db", ws, "--out", tmp_path / "b.zip")
    assert ok.exit_code == 0, ok.output
    with acquire(ws):
        for args in (
            ("import", "readings", csv, "--db", ws),
            ("demo", "--no-tui", "--db", ws),
            ("restore", tmp_path / "b.zip", "--db", ws),
        ):
            result = run(*args)
            assert result.exit_code == 1, (args, result.output)
            assert result.stderr.startswith(f"Error: {ws.name} is open in another isms (pid {os.getpid()}"), args
            assert "Traceback" not in result.output
        for args in (
            ("status", "--db", ws),
            ("export", "readings", tmp_path / "out.csv", "--db", ws),
            ("journal", "verify", "--db", ws),
            ("evidence", "verify", "--db", ws),
            ("backup", "--db", ws, "--out", tmp_path / "b2.zip"),
        ):
            result = run(*args)
            assert result.exit_code == 0, (args, result.output)
    result = run("import", "readings", csv, "--db", ws)
    assert result.exit_code == 0, result.output
