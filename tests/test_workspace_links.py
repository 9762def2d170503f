"""One workspace, one writer, whatever name it is opened by; a lock file that is not what it seems.

SQLite keeps its WAL per name, so two names for one file opened by two writers corrupt it.
These tests give a workspace a second name (a symbolic link, a hard link) and replace its
lock file with a link or a FIFO, as an insider could, and check that isms never ends up with
two writers, never writes through a link, and never hangs.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from isms_tui.models import lock
from isms_tui.models.db import WorkspaceError, open_engine

from .db_helpers import fresh_engine


@pytest.fixture
def workspace(db_path: Path) -> Path:
    with fresh_engine(db_path):
        pass
    return db_path


def test_a_symbolic_link_shares_the_real_file_s_lock(workspace, tmp_path):
    link = tmp_path / "other-name.db"
    link.symlink_to(workspace)
    with lock.acquire(workspace), pytest.raises(lock.WorkspaceLocked):
        lock.acquire(link)
    with lock.acquire(link), pytest.raises(lock.WorkspaceLocked):
        lock.acquire(workspace)


def test_a_symbolic_link_opens_the_real_file_and_its_wal(workspace, tmp_path):
    link = tmp_path / "links" / "ws.db"
    link.parent.mkdir()
    link.symlink_to(workspace)
    engine = open_engine(link)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM workspace").all()
            assert Path(engine.url.database or "") == workspace.resolve()
            assert not list(link.parent.glob("ws.db-*")), "no WAL beside the link's name"
    finally:
        engine.dispose()


def test_a_workspace_with_two_hard_links_is_refused(workspace, tmp_path):
    second = tmp_path / "hard.db"
    os.link(workspace, second)
    for name in (workspace, second):
        with pytest.raises(WorkspaceError, match="hard links"):
            open_engine(name)
        with pytest.raises(WorkspaceError, match="hard links"):
            lock.acquire(name)


def test_a_lock_path_made_a_symbolic_link_never_touches_its_target(workspace, tmp_path):
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me", encoding="utf-8")
    lock.lock_path(workspace).unlink(missing_ok=True)
    lock.lock_path(workspace).symlink_to(victim)
    with pytest.raises(WorkspaceError, match="symbolic link"):
        lock.acquire(workspace)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert lock.read_holder(workspace) is None  # reading the holder does not follow it either


def test_a_lock_path_made_a_fifo_is_refused_without_hanging(workspace):
    path = lock.lock_path(workspace)
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            lock.acquire(workspace).release()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "acquire blocked on a FIFO"
    assert isinstance(outcome[0], WorkspaceError) and "not a regular file" in str(outcome[0])
    assert lock.read_holder(workspace) is None


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_a_workspace_name_that_is_not_a_regular_file_is_one_sentence(tmp_path, kind):
    path = tmp_path / "ws.db"
    path.mkdir() if kind == "directory" else os.mkfifo(path)
    with pytest.raises(WorkspaceError) as refused:
        open_engine(path)
    assert str(refused.value).startswith(str(path))
