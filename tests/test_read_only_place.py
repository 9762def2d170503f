"""A workspace on a read-only file system (or in a folder its user cannot write) is read-only,
not corrupt: reading commands and the TUI open it read-only and work; every write command
says "read-only" in one sentence. The mount variant needs root (as here and in CI); the chmod
variant needs a user whom permissions bind, so it runs only when not root."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from isms_tui.cli import main
from isms_tui.services import workspace
from isms_tui.services.errors import InputError

from .tui_helpers import make_app, notifications, opened

PASSPHRASE = "correct horse battery staple"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def place_workspace(folder: Path, template: Path) -> Path:
    ws = folder / "w.db"
    shutil.copyfile(template, ws)
    shutil.copytree(template.with_name(template.name + ".evidence"), folder / "w.db.evidence")
    return ws


# Root can remount a tmpfs read-only but ignores folder permissions; anyone else is the reverse.
# So each run takes the read-only place it can make, and nothing is skipped.
READ_ONLY_PLACE = "mount" if os.geteuid() == 0 else "chmod"


@pytest.fixture(params=[READ_ONLY_PLACE])
def read_only_ws(request: pytest.FixtureRequest, tmp_path: Path, demo_template: Path) -> Iterator[Path]:
    folder = tmp_path / "ro"
    folder.mkdir()
    if request.param == "mount":
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(folder)], check=True)
        try:
            ws = place_workspace(folder, demo_template)
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
            yield ws
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
    else:
        ws = place_workspace(folder, demo_template)
        ws.chmod(0o444)
        folder.chmod(0o555)
        try:
            yield ws
        finally:
            folder.chmod(0o755)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("journal", "verify"),
        ("evidence", "verify"),
        ("checklist", "list"),
        ("export", "readings", "{out}/r.csv"),
        ("export", "oscal", "--audit", "2", "--out", "{out}/ar.json"),
        ("backup", "--out", "{out}/b.zip"),
    ],
)
def test_reading_commands_work_on_a_read_only_workspace(read_only_ws: Path, tmp_path: Path, args: tuple[str]) -> None:
    before = digest(read_only_ws)
    result = run(*[a.format(out=tmp_path) for a in args], "--db", read_only_ws)
    assert result.exit_code == 0, result.output
    assert "corrupt" not in result.output
    assert digest(read_only_ws) == before


@pytest.mark.parametrize(
    "args",
    [
        ("import", "readings", "{out}/in.csv"),
        ("checklist", "import", "{out}/in.csv", "--name", "X"),
        ("demo", "--no-tui"),
        ("pack", "--out", "{out}/p.pdf"),
    ],
)
def test_write_commands_say_read_only_in_one_sentence(
    read_only_ws: Path, tmp_path: Path, args: tuple[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("ISMS_PASSPHRASE", PASSPHRASE)
    (tmp_path / "in.csv").write_text("kpi,date,value\nINC-01,2020-01-01,1\n")
    before = digest(read_only_ws)
    result = run(*[a.format(out=tmp_path) for a in args], "--db", read_only_ws)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0] == (
        f"Error: {read_only_ws} is read-only (its file system, folder or file cannot be written); nothing was changed."
    )
    assert digest(read_only_ws) == before
    assert not (tmp_path / "p.pdf").exists()


def test_an_automatic_backup_next_to_a_read_only_workspace_says_read_only(read_only_ws: Path) -> None:
    result = run("backup", "--db", read_only_ws)
    assert result.exit_code == 1
    assert "read-only" in result.stderr or "Permission denied" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


async def test_the_tui_opens_a_read_only_workspace_read_only(read_only_ws: Path) -> None:
    before = digest(read_only_ws)
    app = make_app(read_only_ws)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await opened(pilot)
        assert app.read_only and app.workspace_lock is None
        assert "(read-only)" in str(app.format_title(app.title, app.sub_title))
        assert "read-only place" in notifications(app)[0].message
        with app.session() as s:  # reading works
            assert workspace.get_workspace(s) is not None
        with pytest.raises(InputError) as refused, app.session() as s:
            workspace.save_person(s, "Mallory")
        assert str(refused.value) == (
            "The workspace is read-only (its file system, folder or file cannot be written); nothing was saved."
        )
    assert digest(read_only_ws) == before
