"""The command line beside an open isms: reading commands work from one snapshot, write
commands are refused in one sentence naming who holds the workspace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from isms_tui.models.lock import WorkspaceLocked, acquire, lock_path, read_holder, short_time
from isms_tui.services import workspace

from .db_helpers import workspace_session
from .test_cli_readings import GOOD, csv_file, make_workspace, run

HOLDER = """
import sys
from isms_tui.models.lock import acquire
lock = acquire(sys.argv[1], program=sys.argv[2])
print("locked", flush=True)
sys.stdin.read()  # hold until the test closes our stdin
"""


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ISMS_TODAY", "2026-11-28")
    path = make_workspace(tmp_path / "w.db")
    assert run("import", "readings", csv_file(tmp_path, GOOD), "--db", path).exit_code == 0
    return path


class Holder:
    """Another process holding the workspace lock as `program`, until the block ends."""

    def __init__(self, db: Path, program: str) -> None:
        self.db, self.program = db, program

    def __enter__(self) -> subprocess.Popen[str]:
        self.child = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(self.db), self.program],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.child.stdout is not None and self.child.stdout.readline().strip() == "locked"
        return self.child

    def __exit__(self, *_exc: object) -> None:
        assert self.child.stdin is not None
        self.child.stdin.close()
        self.child.wait(timeout=10)


def test_reading_commands_work_while_the_app_holds_the_workspace(db, tmp_path):
    with Holder(db, "the isms app") as app:
        for args in (
            ("status", "--db", db),
            ("status", "--json", "--db", db),
            ("export", "readings", tmp_path / "r.csv", "--db", db),
            ("export", "risks", tmp_path / "k.csv", "--db", db),
            ("export", "soa", tmp_path / "s.csv", "--db", db),
            ("journal", "verify", "--db", db),
            ("checklist", "list", "--db", db),
        ):
            result = run(*args)
            assert result.exit_code == 0, (args, result.output)
        assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").count("\n") == 3
        since = short_time(read_holder(db).since)
        for args, doing in (
            (("import", "readings", csv_file(tmp_path, GOOD, "again.csv"), "--db", db), "close it before importing"),
            (
                ("pack", "--out", tmp_path / "p.pdf", "--db", db),
                "close it before issuing a pack, or issue the pack there (P)",
            ),
            (("journal", "seal", "--db", db), "close it before sealing the journal"),
        ):
            result = run(*args)
            assert result.exit_code == 1, args
            holder = f"{db.name} is open in the isms app (pid {app.pid}, since {since})"
            assert result.stderr == f"Error: {holder}; {doing}\n"
    assert not (tmp_path / "p.pdf").exists()


def test_a_command_holding_the_workspace_is_waited_for_not_closed(db, tmp_path):
    with Holder(db, "isms import readings") as other:
        result = run("import", "risks", tmp_path / "none.csv", "--db", db)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {db.name} is open in isms import readings (pid {other.pid}, since ")
    assert result.stderr.endswith("; run this again when that command has finished\n")


def test_a_held_lock_whose_recorded_pid_has_ended_says_so(db, tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    with acquire(db, program="the isms app"):
        lock_path(db).write_text(f"pid={ended.pid}\nprogram=the isms app\nhost=\nsince=\n", encoding="utf-8")
        with pytest.raises(WorkspaceLocked) as refused:
            acquire(db, doing="close it first")
    assert str(refused.value) == (
        f"{db.name} is locked by a process started from the isms app (pid {ended.pid}, which has ended, "
        "so a process it started still holds it); close it first"
    )


def test_the_cli_records_which_command_holds_the_lock(db, tmp_path):
    seen: list[str] = []

    def spy(session, path, **kwargs):
        seen.append(read_holder(db).program)
        raise AssertionError("stop here")

    import isms_tui.services.risks_csv as risks_csv

    original = risks_csv.import_risks
    risks_csv.import_risks = spy
    try:
        run("import", "risks", tmp_path / "x.csv", "--db", db)
    finally:
        risks_csv.import_risks = original
    assert seen == ["isms import risks"]
    assert read_holder(db).pid is None  # released: an empty file


def test_a_reading_session_sees_one_state_while_another_process_writes(db):
    from isms_tui.cli.common import reading_session

    with reading_session(db) as session:
        before = [p.name for p in workspace.list_people(session)]
        with workspace_session(db, "other") as other:  # the TUI saving meanwhile
            workspace.save_person(other, "Late Arrival")
        assert [p.name for p in workspace.list_people(session)] == before
    with reading_session(db) as session:
        assert "Late Arrival" in [p.name for p in workspace.list_people(session)]


def test_lock_file_says_who_holds_it(db):
    with acquire(db, program="the isms app"):
        holder = read_holder(db)
        assert (holder.pid, holder.program) == (os.getpid(), "the isms app")


def test_hostile_lock_file_content_reaches_the_terminal_as_plain_short_text(db, tmp_path):
    with acquire(db):
        lock_path(db).write_text(
            "pid=99999999999999999999\nprogram=\x1b[31mevil\x07 "
            + "x" * 500
            + "\nhost=\x1b]0;title\x07\nsince=\x1b[2J\n",
            encoding="utf-8",
        )
        result = run("import", "readings", csv_file(tmp_path, GOOD, "x.csv"), "--db", db)
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert len(result.stderr) < 300
    assert result.stderr.startswith(f"Error: {db.name} is open in [31mevil")
