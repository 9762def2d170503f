"""`isms portfolio`: five workspaces (one damaged, one newer, one older) and the reasons of the
rest; the figures equal `isms status`; nothing is locked, migrated or created."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from isms_tui import config
from isms_tui.cli import main
from isms_tui.models.lock import acquire
from isms_tui.models.schema import REVISIONS
from isms_tui.services import workspace
from isms_tui.services.portfolio import candidates, portfolio

from .conftest import TODAY
from .db_helpers import workspace_session

OPENED = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _workspace(path: Path, org: str) -> Path:
    with workspace_session(path, "test") as session:
        workspace.save_workspace(session, org, "All of it")
    return path


def _stamp(path: Path, revision: str) -> Path:
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    con.commit()
    con.close()
    return path


@pytest.fixture
def five(demo_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The demo and Acme (good), a damaged file, one from a newer and one from an older
    isms-tui, all in the recent list; a sixth recent entry has gone since."""
    monkeypatch.setenv("ISMS_TODAY", TODAY.isoformat())
    files = {"demo": demo_workspace, "acme": _workspace(tmp_path / "acme.db", "Acme =Ltd")}
    files["damaged"] = tmp_path / "damaged.db"
    files["damaged"].write_bytes(os.urandom(8192))
    files["newer"] = _stamp(shutil.copyfile(files["acme"], tmp_path / "newer.db"), "9999_from_the_future")
    files["older"] = _stamp(shutil.copyfile(files["acme"], tmp_path / "older.db"), REVISIONS[-2])
    gone = _workspace(tmp_path / "gone.db", "Gone Ltd")
    for path in (gone, *reversed(files.values())):
        config.remember_workspace(path, OPENED)
    gone.unlink()
    files["gone"] = gone
    for side in tmp_path.glob("*.db-*"):
        side.unlink()  # the WAL files of the set-up: what remains after this must be the portfolio's doing
    return {k: v.resolve() for k, v in files.items()}


def _fingerprint(folder: Path) -> dict[str, str]:
    """Every file's content, but SQLite's side files: a reader of a WAL database may leave an
    empty -wal and a -shm index beside it (mode=ro cannot remove them); the next open does."""
    assert all(p.stat().st_size == 0 for p in folder.glob("*.db-wal"))
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(folder.iterdir())
        if not p.name.endswith(("-wal", "-shm"))
    }


def test_five_workspaces_figures_and_reasons(five: dict[str, Path], tmp_path: Path) -> None:
    before = _fingerprint(tmp_path)
    with acquire(five["acme"]):  # another isms has Acme open: it is still summarised
        rows = {s.path: s for s in portfolio(None, TODAY)}
    assert list(rows) == [five[k] for k in ("demo", "acme", "damaged", "newer", "older", "gone")]
    assert _fingerprint(tmp_path) == before | {"acme.db.lock": _fingerprint(tmp_path)["acme.db.lock"]}

    status = json.loads(run("status", "--json", "--db", five["demo"]).output)
    demo = rows[five["demo"]]
    assert demo.readable and demo.organisation == status["organisation"] and demo.opened_at == OPENED
    assert demo.kpis_off_target == status["kpis"]["by_status"]["off target"] > 0
    assert demo.readings_due == status["readings_due"] and demo.readings_overdue == status["readings_overdue"]
    assert demo.open_nonconformities == status["audits"]["open_nonconformities"] > 0
    assert demo.next_audit == status["next_audit"] and demo.next_review == status["reviews"]["next"]
    assert rows[five["acme"]].organisation == "Acme =Ltd"

    assert "not a workspace file, or it is corrupt" in rows[five["damaged"]].problem
    assert "newer version of isms-tui" in rows[five["newer"]].problem
    older = rows[five["older"]].problem
    assert older == f"{five['older']} needs upgrade: open it in isms to migrate it (a backup is taken first)."
    assert rows[five["gone"]].problem.endswith("is no longer there: it was moved or deleted.")
    con = sqlite3.connect(five["older"])
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == REVISIONS[-2]  # not migrated
    con.close()


def test_cli_json_and_text(five: dict[str, Path]) -> None:
    result = run("portfolio", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["today"] == TODAY.isoformat()
    rows = {r["path"]: r for r in data["workspaces"]}
    demo = rows[str(five["demo"])]
    assert demo["readable"] and demo["problem"] is None and demo["last_opened"] == OPENED.isoformat()
    assert set(demo) >= {"organisation", "kpis_off_target", "readings_due", "next_audit", "open_nonconformities"}
    damaged = rows[str(five["damaged"])]
    assert damaged["readable"] is False and "corrupt" in damaged["problem"] and "organisation" not in damaged

    text = run("portfolio")
    assert text.exit_code == 0 and text.output.startswith("Organisation")
    lines = text.output.splitlines()
    assert len(lines) == 7 and "Northwind Analytics Ltd" in lines[1] and str(five["demo"]) in lines[1]
    assert lines[3].startswith("! ") and "corrupt" in lines[3] and "Traceback" not in text.output


def test_a_folder_adds_its_workspaces_not_its_links_out(five: dict[str, Path], tmp_path: Path) -> None:
    folder = tmp_path / "clients"
    folder.mkdir()
    client = _workspace(folder / "client-b.db", "Client B")
    (folder / "notes.txt").write_text("not listed")
    (folder / ".hidden.db").write_bytes(b"")
    (folder / "out.db").symlink_to(five["acme"])  # leads out of the folder
    (folder / "same.db").symlink_to(client)  # a second name for a file in it: listed once
    os.mkfifo(folder / "pipe.db")
    (folder / "zz\x1b]0;owned\x07\u202e.db").write_bytes(b"garbage" * 100)  # a hostile name in a shared folder
    doctored = shutil.copyfile(client, folder / "doctored.db")
    con = sqlite3.connect(doctored)
    con.execute("CREATE TABLE extra (x)")  # a shape the application did not make
    con.commit()
    con.close()
    (folder / "sub").mkdir()
    _workspace(folder / "sub" / "deeper.db", "Deeper")  # not searched
    found = [c for c in candidates(folder) if c.source == "folder"]
    assert [c.path.name for c in found][:4] == ["client-b.db", "doctored.db", "out.db", "pipe.db"]
    assert len(found) == 5
    rows = {s.path.name: s for s in portfolio(folder, TODAY) if s.source == "folder"}
    assert rows["client-b.db"].organisation == "Client B"
    assert rows["out.db"].problem.endswith("; not followed.") and "outside" in rows["out.db"].problem
    assert "not a regular file" in rows["pipe.db"].problem
    assert rows["doctored.db"].problem and not rows["doctored.db"].readable
    text = run("portfolio", "--dir", folder).output
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text and "zz]0;owned.db" in text
    assert run("portfolio", "--dir", tmp_path / "nowhere").output.startswith("Error: The folder")
    assert run("portfolio", "--dir", client).exit_code != 0
    started = run("--dir", tmp_path / "nowhere")  # the TUI on the portfolio: refused before it starts
    assert started.exit_code == 1 and started.output == f"Error: The folder {tmp_path / 'nowhere'} does not exist.\n"
