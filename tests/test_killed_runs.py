"""A backup, restore or upgrade killed halfway leaves its temporary files; the next run of the
same command removes them, and only them: a look-alike an insider plants (a link with the
same pattern, a file of a process still running, another command's file) stays untouched."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from isms_tui.cli import main
from isms_tui.models.schema import HEAD

from .db_helpers import downgrade

KILL_IN = r"""
import os, signal, sys
from contextlib import contextmanager

from isms_tui.cli import main

target, attribute = sys.argv[1], sys.argv[2]
module = __import__(target, fromlist=["_"])
real = getattr(module, attribute)


def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def killed_inside(*args, **kwargs):
    with real(*args, **kwargs) as value:
        yield value
        os.kill(os.getpid(), signal.SIGKILL)


setattr(module, attribute, killed_inside if sys.argv[3] == "inside" else killed)
main(sys.argv[4:])
"""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def killed(module: str, attribute: str, how: str, *args: str | Path) -> None:
    """Run `isms ARGS` in a child that kills itself when it reaches `module.attribute`."""
    proc = subprocess.run(
        [sys.executable, "-c", KILL_IN, module, attribute, how, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def plant_lookalikes(folder: Path, name: str, tag: str, tmp_path: Path) -> list[Path]:
    """What must survive the cleanup: a link and a folder of a live process, with our names."""
    precious = tmp_path / "precious"
    precious.mkdir(exist_ok=True)
    (precious / "keep.txt").write_text("keep")
    link = folder / f".{name}.{tag}-999999999-link00.tmp"  # no such process, but a link
    link.symlink_to(precious)
    live = folder / f".{name}.{tag}-1-live00.tmp"  # pid 1 is alive
    live.write_text("in progress")
    other = folder / f".{name}.other-999999999-abc123.tmp"
    other.write_text("another command's")
    return [link, live, other]


def test_a_killed_backup_is_cleaned_up_by_the_next_backup(demo_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "backups"
    out.mkdir()
    killed("isms_tui.services.backup", "_add_member", "now", "backup", "--db", demo_workspace, "--out", out / "b.zip")
    left = temps(out)
    assert len(left) == 2 and all(n.startswith(f".{demo_workspace.name}.backup-") for n in left)  # folder, archive
    assert not (out / "b.zip").exists()
    planted = plant_lookalikes(out, demo_workspace.name, "backup", tmp_path)
    assert run("backup", "--db", demo_workspace, "--out", out / "b.zip").exit_code == 0
    assert temps(out) == sorted(p.name for p in planted)
    assert (tmp_path / "precious" / "keep.txt").read_text() == "keep"


def test_a_killed_restore_is_cleaned_up_by_the_next_restore(demo_workspace: Path, tmp_path: Path) -> None:
    archive = tmp_path / "b.zip"
    assert run("backup", "--db", demo_workspace, "--out", archive).exit_code == 0
    target = tmp_path / "restored" / "w.db"
    target.parent.mkdir()
    killed("isms_tui.services.restore", "_check_database", "now", "restore", archive, "--db", target)
    left = temps(target.parent)
    assert len(left) == 1 and left[0].startswith(".w.db.restore-")
    assert not target.exists()
    planted = plant_lookalikes(target.parent, "w.db", "restore", tmp_path)
    assert run("restore", archive, "--db", target).exit_code == 0
    assert temps(target.parent) == sorted(p.name for p in planted)
    assert (tmp_path / "precious" / "keep.txt").read_text() == "keep"


def test_a_killed_pre_migration_copy_is_cleaned_up_by_the_next_open(demo_template: Path, tmp_path: Path) -> None:
    ws = tmp_path / "w.db"
    shutil.copyfile(demo_template, ws)
    shutil.copytree(demo_template.with_name(demo_template.name + ".evidence"), tmp_path / "w.db.evidence")
    downgrade(ws, "0005_indexes")
    killed("isms_tui.models.db", "staged", "inside", "status", "--db", ws)
    left = temps(tmp_path)
    assert len(left) == 1 and left[0].startswith(".w.db.bak-")
    assert not list(tmp_path.glob("w.db.pre-*.bak"))  # no half copy that looks like a backup
    assert run("status", "--db", ws).exit_code == 0
    assert temps(tmp_path) == []
    assert len(list(tmp_path.glob("w.db.pre-*.bak"))) == 1
    assert run("journal", "verify", "--db", ws).exit_code == 0
    import sqlite3

    con = sqlite3.connect(ws)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
    con.close()
    assert os.path.getsize(ws) > 0
