"""A full disk, for real: the workspace lives on a small tmpfs that is filled to the last byte.
Each command that writes (the upgrade and its pre-migration copy, an import, the demo, a pack,
a backup) must end in one sentence, leave the workspace as it was (same content, same
schema, same journal head) with no temporary or half-written file, and succeed once space is
freed. Mounting needs root (as here and in CI); elsewhere these tests skip and say why."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from isms_tui.cli import main
from isms_tui.models.schema import HEAD

from .db_helpers import downgrade

PASSPHRASE = "correct horse battery staple"
FULL = "There is not enough space on the disk to "


def fill(folder: Path, leave: int = 0) -> Path:
    """Fill the file system of `folder` up, then give back `leave` bytes."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for block in (1 << 20, 1 << 12, 1):
            while True:
                try:
                    os.write(fd, b"\0" * block)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
    finally:
        os.close(fd)
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def content(db: Path) -> tuple[str, str]:
    """(schema revision, SHA-256 of the whole SQL dump): equal means the same workspace."""
    con = sqlite3.connect(db)
    try:
        revision = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        dump = hashlib.sha256("\n".join(con.iterdump()).encode()).hexdigest()
    finally:
        con.close()
    return revision, dump


def listing(folder: Path) -> list[str]:
    """Every name under `folder` but SQLite's own -wal/-shm, the lock file (it stays after
    every write command, holding nothing) and the filler."""
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.name != "filler" and not p.name.endswith(("-wal", "-shm", ".lock"))
    )


def assert_one_sentence(result: Result, start: str = FULL) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].startswith(f"Error: {start}"), lines[0]
    assert lines[0].endswith("nothing was changed."), lines[0]


def workspace_on(disk: Path, template: Path) -> Path:
    ws = disk / "w.db"
    shutil.copyfile(template, ws)
    shutil.copytree(template.with_name(template.name + ".evidence"), disk / "w.db.evidence")
    return ws


def attempt_on_full_disk(disk: Path, ws: Path, *args: str | Path, leave: int = 0) -> tuple[Result, Result]:
    """Run a command on a full disk (but `leave` bytes), check nothing changed, free the space and run it again."""
    before, names = content(ws), listing(disk)
    filler = fill(disk, leave)
    refused = run(*args)
    filler.unlink()
    assert content(ws) == before
    assert listing(disk) == names  # no temporary, half-written or empty file left behind
    return refused, run(*args)


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("ISMS_PASSPHRASE", PASSPHRASE)


@pytest.mark.parametrize(("leave", "says"), [(0, "open"), (256 << 10, "write")])
def test_backup_on_a_full_disk(disk: Path, demo_template: Path, leave: int, says: str) -> None:
    """No room to open the workspace at all, or room to open it but not for the archive."""
    ws = workspace_on(disk, demo_template)
    out = disk / "b.zip"
    refused, done = attempt_on_full_disk(disk, ws, "backup", "--db", ws, "--out", out, leave=leave)
    assert_one_sentence(refused, f"{FULL}{says} {ws if says == 'open' else out}")
    assert done.exit_code == 0, done.output
    assert out.stat().st_size > 0


@pytest.mark.parametrize("leave", [0, 160 << 10])
def test_readings_import_on_a_full_disk(leave: int, disk: Path, demo_template: Path, tmp_path: Path) -> None:
    ws = workspace_on(disk, demo_template)
    csv = tmp_path / "r.csv"  # about 1 MB in the database with its journal entries
    rows = "".join(f"INC-01,{y}-{m:02d}-01,{m},imported reading\n" for y in range(1850, 2024) for m in range(1, 13))
    csv.write_text("kpi,date,value,note\n" + rows)
    refused, done = attempt_on_full_disk(disk, ws, "import", "readings", csv, "--db", ws, leave=leave)
    assert_one_sentence(refused)
    assert done.exit_code == 0, done.output


@pytest.mark.parametrize("leave", [0, 160 << 10])
def test_checklist_import_on_a_full_disk(leave: int, disk: Path, demo_template: Path, tmp_path: Path) -> None:
    ws = workspace_on(disk, demo_template)
    csv = tmp_path / "c.csv"  # about 1 MB in the database with its journal entries
    rows = "".join(f"A.{n},Control {n},Is control {n} in place and working as intended?\n" for n in range(4000))
    csv.write_text("ref,title,question\n" + rows)
    refused, done = attempt_on_full_disk(
        disk, ws, "checklist", "import", csv, "--name", "Full disk", "--db", ws, leave=leave
    )
    assert_one_sentence(refused)
    assert done.exit_code == 0, done.output


@pytest.mark.parametrize("leave", [0, 160 << 10])
def test_pack_on_a_full_disk(leave: int, disk: Path, demo_template: Path, keys: None) -> None:
    ws = workspace_on(disk, demo_template)
    out = disk / "pack.pdf"
    args = ("pack", "--db", ws, "--out", out, "--from", "2025-11-29", "--to", "2026-11-28")
    refused, done = attempt_on_full_disk(disk, ws, *args, leave=leave)
    assert_one_sentence(refused)
    assert done.exit_code == 0, done.output
    assert out.read_bytes().startswith(b"%PDF")


def test_demo_creation_on_a_full_disk_leaves_nothing_that_blocks_the_next_run(disk: Path) -> None:
    ws = disk / "demo.db"
    filler = fill(disk)
    refused = run("demo", "--no-tui", "--db", ws)
    assert_one_sentence(refused)
    assert not [p for p in disk.iterdir() if p.name.endswith(".tmp")]
    filler.unlink()
    done = run("demo", "--no-tui", "--db", ws)
    assert done.exit_code == 0, done.output
    assert run("journal", "verify", "--db", ws).exit_code == 0


def test_upgrade_on_a_full_disk_fails_whole_wherever_the_space_runs_out(disk: Path, demo_template: Path) -> None:
    """Space runs out in the pre-migration copy or in the migration itself: both leave the old schema."""
    old = disk.parent / "old.db"
    shutil.copyfile(demo_template, old)
    downgrade(old, "0003_review")
    size = old.stat().st_size
    seen = set()
    for leave in range(0, 4 * size + (256 << 10), 32 << 10):  # the migrations may rebuild a table or two
        ws = disk / "w.db"
        shutil.copyfile(old, ws)
        before = content(ws)
        filler = fill(disk, leave)
        result = run("status", "--db", ws)
        copies = list(disk.glob("w.db.pre-*.bak"))
        filler.unlink()
        if result.exit_code == 0:
            seen.add("done")
            assert content(ws)[0] == HEAD
        else:
            assert_one_sentence(result)
            assert content(ws) == before
            seen.add("migration" if copies else "copy")
        assert not [p.name for p in disk.iterdir() if p.name.endswith(".tmp")]
        for p in disk.iterdir():
            p.unlink()
        if "done" in seen:
            break  # with more space it only succeeds again
    assert seen == {"copy", "migration", "done"}, seen
    ws = disk / "w.db"
    shutil.copyfile(old, ws)
    assert run("status", "--db", ws).exit_code == 0
    assert run("journal", "verify", "--db", ws).exit_code == 0


def test_restore_on_a_filling_disk_never_leaves_a_half_restored_workspace(
    disk: Path, demo_template: Path, tmp_path: Path
) -> None:
    """Whichever step runs out of space (extracting, checking, settling the current file), the
    workspace is the one it was, still opens, and no kept copy or scratch stays."""
    archive = tmp_path / "b.zip"
    source = place(tmp_path / "source", demo_template)
    assert run("backup", "--db", source, "--out", archive).exit_code == 0
    assert run("import", "readings", _one_reading(tmp_path), "--db", source).exit_code == 0  # differ from the archive

    def attempt(leave: int) -> bool:
        """Restore with `leave` bytes free; check the property either way; whether it restored."""
        ws = workspace_on(disk, source)
        shutil.rmtree(disk / "w.db.evidence")  # so restoring has evidence to install after keeping the old file
        before = content(ws)
        filler = fill(disk, leave)
        result = run("restore", archive, "--db", ws)
        filler.unlink()
        try:
            if result.exit_code == 0:
                assert content(ws) != before
                return True
            assert_one_sentence(result, f"{FULL}write {ws}")
            assert content(ws) == before
            assert not list(disk.glob("w.db.replaced-*"))
            assert run("status", "--db", ws).exit_code == 0  # still opens: one name, intact
            return False
        finally:
            assert not [p.name for p in disk.iterdir() if p.name.endswith(".tmp")]
            for p in disk.iterdir():
                shutil.rmtree(p) if p.is_dir() else p.unlink()

    low, high = 0, 4 * source.stat().st_size  # the least free space that suffices, to a page
    assert not attempt(low) and attempt(high)
    while high - low > 4096:
        mid = (low + high) // 2
        low, high = (low, mid) if attempt(mid) else (mid, high)
    for leave in range(high - (96 << 10), high, 4096):  # every page below it: the late steps fail too
        attempt(leave)


def place(folder: Path, template: Path) -> Path:
    folder.mkdir()
    ws = folder / "w.db"
    shutil.copyfile(template, ws)
    shutil.copytree(template.with_name(template.name + ".evidence"), folder / "w.db.evidence")
    return ws


def _one_reading(tmp_path: Path) -> Path:
    csv = tmp_path / "one.csv"
    csv.write_text("kpi,date,value\nINC-01,2001-01-01,1\n")
    return csv


def test_a_restore_failing_after_keeping_the_old_file_takes_the_kept_name_away(
    demo_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept file is a hard link to the workspace; left behind, the workspace (two names)
    would no longer open. The space freed by the checks makes this step hard to reach on a real
    disk, so the failure is injected where it would happen."""
    from isms_tui.services import restore

    archive = tmp_path / "b.zip"
    assert run("backup", "--db", demo_workspace, "--out", archive).exit_code == 0

    def no_space(*_args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(restore, "_install_evidence", no_space)
    before = content(demo_workspace)
    result = run("restore", archive, "--db", demo_workspace)
    assert_one_sentence(result, f"{FULL}write {demo_workspace}")
    assert content(demo_workspace) == before
    assert not list(tmp_path.glob("workspace.db.replaced-*"))
    assert os.stat(demo_workspace).st_nlink == 1
    assert run("status", "--db", demo_workspace).exit_code == 0


async def test_the_tui_says_the_disk_is_full_and_goes_on(disk: Path, demo_template: Path) -> None:
    from isms_tui.screens.settings import PersonForm
    from isms_tui.services import workspace
    from isms_tui.services.errors import InputError

    from .tui_helpers import make_app, opened

    ws = workspace_on(disk, demo_template)
    app = make_app(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        with app.session() as s:
            before = len(workspace.list_people(s, include_inactive=True))
        filler = fill(disk)
        with pytest.raises(InputError) as refused, app.session() as s:
            workspace.save_person(s, "Mallory " + "x" * 5000)
        assert str(refused.value).startswith(FULL) and str(refused.value).endswith("nothing was changed.")
        await app.push_screen(PersonForm(None))
        await pilot.pause()
        app.screen.query_one("#field-name").control.value = "Mallory"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PersonForm)  # not dismissed: nothing was saved
        assert "not enough space on the disk" in str(app.screen.query_one("#form-message").render())
        assert app.is_running
        filler.unlink()
        with app.session() as s:
            assert len(workspace.list_people(s, include_inactive=True)) == before
            workspace.save_person(s, "Ann Other")  # with space again, saving works


def test_attaching_evidence_on_a_full_disk(disk: Path, demo_template: Path, tmp_path: Path) -> None:
    """The store's copy goes through the one writer: one sentence, no temporary file in the store."""
    from isms_tui.services import evidence
    from isms_tui.services.errors import InputError

    from .db_helpers import workspace_session

    ws = workspace_on(disk, demo_template)
    source = tmp_path / "scan.bin"
    source.write_bytes(os.urandom(2 << 20))  # 2 MB that do not compress

    def files() -> list[str]:  # an empty shard folder of the store may stay: it holds nothing
        return [n for n in listing(disk) if (disk / n).is_file()]

    before, names = content(ws), files()
    filler = fill(disk, 256 << 10)
    with pytest.raises(InputError) as refused, workspace_session(ws, "ann") as s:
        evidence.add_file(s, source, "ann")
    assert str(refused.value).startswith(FULL) and str(refused.value).endswith("nothing was changed.")
    filler.unlink()
    assert content(ws) == before
    assert files() == names
    with workspace_session(ws, "ann") as s:
        assert evidence.add_file(s, source, "ann").size == 2 << 20
