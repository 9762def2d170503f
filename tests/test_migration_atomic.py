"""A schema migration is all or nothing: a process killed after any statement of it leaves the
old schema (or the new one, whole), and the next open migrates again and finds a journal that
verifies. The kill happens in a child process, counted on SQLAlchemy's statement events, so
the application carries no test hook."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from isms_tui.cli import main
from isms_tui.models.schema import HEAD

from .db_helpers import downgrade

OLD = "0003_review"  # three migrations to run: a new table, its index, index changes on two tables

CHILD = r"""
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

from isms_tui.models import db

kill_at = int(sys.argv[2])
seen = 0


@event.listens_for(Engine, "after_cursor_execute")
def count(conn, cursor, statement, parameters, context, executemany):
    global seen
    if statement.lstrip().upper().startswith(("CREATE", "DROP", "ALTER", "INSERT", "UPDATE", "DELETE")):
        seen += 1
        if seen == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


db.open_engine(sys.argv[1]).dispose()
print(seen)
"""


def revision(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def old_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sqlmodel import select

    from isms_tui.models import Action, Risk

    from .db_helpers import workspace_session
    from .pack_helpers import make_demo

    path = make_demo(tmp_path_factory.mktemp("old") / "w.db")
    with workspace_session(path, "test") as s:  # an older schema has no risk register: remove it, journaled
        for row in [*s.exec(select(Action).where(Action.source == "risk")), *s.exec(select(Risk))]:
            s.delete(row)
    downgrade(path, OLD)
    assert revision(path) == OLD
    return path


def copy_of(template: Path, folder: Path) -> Path:
    folder.mkdir()
    target = folder / template.name
    shutil.copyfile(template, target)
    shutil.copytree(template.with_name(template.name + ".evidence"), folder / (template.name + ".evidence"))
    return target


def open_in_child(path: Path, kill_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(kill_at)], capture_output=True, text=True, timeout=120
    )


def test_a_migration_killed_after_any_statement_is_redone_cleanly(old_workspace: Path, tmp_path: Path) -> None:
    probe = copy_of(old_workspace, tmp_path / "probe")
    done = open_in_child(probe, 0)
    assert done.returncode == 0, done.stderr
    statements = int(done.stdout)
    assert statements >= 6  # the migration really has several steps to interrupt
    for kill_at in range(1, statements + 1):
        ws = copy_of(old_workspace, tmp_path / f"kill-{kill_at}")
        killed = open_in_child(ws, kill_at)
        assert killed.returncode == -signal.SIGKILL, (kill_at, killed.stderr)
        assert revision(ws) in (OLD, HEAD), kill_at
        result = CliRunner().invoke(main, ["journal", "verify", "--db", str(ws)])
        assert result.exit_code == 0, (kill_at, result.output)
        assert revision(ws) == HEAD
        assert not [p.name for p in ws.parent.iterdir() if p.name.endswith(".tmp")]
