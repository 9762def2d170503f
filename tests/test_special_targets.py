"""Every file the user names as an output is written by one writer (`isms_tui.files`): an
insider who points it at a symbolic link, a FIFO, a socket, a device node or a folder gets one
sentence, and the thing they pointed at is left exactly as it was (same inode, same type, a
link's target unchanged); no temporary file stays behind."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from isms_tui.cli import main
from isms_tui.files import remove_stale, replace_atomically, staged, temp_prefix, write_bytes
from isms_tui.services.errors import InputError

from .db_helpers import fresh_engine

PASSPHRASE = "correct horse battery staple"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _symlink(path: Path) -> None:
    victim = path.with_name("victim.txt")
    victim.write_text("the victim's own content\n")
    path.symlink_to(victim)


def _dangling(path: Path) -> None:
    path.symlink_to(path.with_name("created-through-the-link"))


def _device(path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("creating a device node needs root")
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # a copy of /dev/null


def _socket(path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))  # the socket file stays after closing


SPECIAL: dict[str, Callable[[Path], object]] = {
    "symlink": _symlink,
    "dangling symlink": _dangling,
    "fifo": os.mkfifo,
    "device": _device,
    "directory": Path.mkdir,
    "socket": _socket,
}


def fingerprint(path: Path) -> tuple[object, ...]:
    """Everything that must not change about the special target (and what a link points to)."""
    info = os.lstat(path)
    link = os.readlink(path) if stat.S_ISLNK(info.st_mode) else None
    content = (path.with_name("victim.txt").read_bytes(),) if path.with_name("victim.txt").exists() else ()
    return (stat.S_IFMT(info.st_mode), info.st_ino, info.st_rdev, info.st_size, link, *content)


def assert_refused_untouched(result: Result, target: Path, before: tuple[object, ...]) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.output, result.stderr
    assert str(target) in lines[0]
    assert fingerprint(target) == before
    assert not target.with_name("created-through-the-link").exists()
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "ws" / "w.db"
    path.parent.mkdir()
    with fresh_engine(path):
        pass
    return path


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("kind", [k for k in SPECIAL if k != "directory"])  # click refuses a folder itself
def test_readings_export_never_replaces_a_special_file(ws: Path, out_dir: Path, kind: str) -> None:
    target = out_dir / "readings.csv"
    SPECIAL[kind](target)
    before = fingerprint(target)
    assert_refused_untouched(run("export", "readings", target, "--db", ws), target, before)


@pytest.mark.parametrize("kind", [k for k in SPECIAL if k != "directory"])
def test_xlsx_export_never_replaces_a_special_file(ws: Path, out_dir: Path, kind: str) -> None:
    target = out_dir / "registers.xlsx"
    SPECIAL[kind](target)
    before = fingerprint(target)
    assert_refused_untouched(run("export", "xlsx", target, "--db", ws), target, before)


@pytest.mark.parametrize("kind", ["symlink", "fifo", "device"])
def test_checklist_export_never_replaces_a_special_file(ws: Path, out_dir: Path, kind: str) -> None:
    target = out_dir / "checklist.csv"
    SPECIAL[kind](target)
    before = fingerprint(target)
    result = run("checklist", "export", "annex a controls", "--out", target, "--db", ws)
    assert_refused_untouched(result, target, before)


@pytest.mark.parametrize("kind", ["symlink", "dangling symlink", "fifo", "device", "socket"])
def test_backup_never_replaces_a_special_file(ws: Path, out_dir: Path, kind: str) -> None:
    target = out_dir / "backup.zip"
    SPECIAL[kind](target)
    before = fingerprint(target)
    assert_refused_untouched(run("backup", "--db", ws, "--out", target), target, before)


@pytest.mark.parametrize("kind", ["symlink", "dangling symlink", "fifo", "device"])
def test_pack_never_replaces_a_special_file(
    ws: Path, out_dir: Path, kind: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("ISMS_PASSPHRASE", PASSPHRASE)
    target = out_dir / "pack.pdf"
    SPECIAL[kind](target)
    before = fingerprint(target)
    assert_refused_untouched(run("pack", "--db", ws, "--out", target), target, before)


@pytest.mark.parametrize("kind", ["symlink", "fifo", "device"])
def test_ca_export_never_replaces_a_special_file(
    ws: Path, out_dir: Path, kind: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("ISMS_PASSPHRASE", PASSPHRASE)
    assert run("keys", "init", "--org", "Acme").exit_code == 0
    target = out_dir / "ca.pem"
    SPECIAL[kind](target)
    before = fingerprint(target)
    assert_refused_untouched(run("keys", "export-ca", "--org", "Acme", "--out", target), target, before)


# -- the writer itself ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SPECIAL))
def test_the_writer_refuses_every_special_target(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "out.bin"
    SPECIAL[kind](target)
    before = fingerprint(target)
    with pytest.raises(InputError, match="symbolic link|directory|not a regular file"):
        write_bytes(target, b"new content")
    assert fingerprint(target) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_link_swapped_in_while_writing_is_not_written_through(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    with pytest.raises(InputError, match="symbolic link"), replace_atomically(target) as fh:
        fh.write(b"new content")
        target.symlink_to(victim)  # the insider races the writer
    assert victim.read_text() == "keep me\n"
    assert target.is_symlink()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_an_error_while_writing_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), staged(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_new_files_are_private_and_replaced_files_keep_their_permissions(tmp_path: Path) -> None:
    new, kept = tmp_path / "new.bin", tmp_path / "kept.bin"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    write_bytes(new, b"x")
    write_bytes(kept, b"y")
    write_bytes(tmp_path / "public.pem", b"z", mode=0o644)
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_bytes() == b"y"
    assert stat.S_IMODE((tmp_path / "public.pem").stat().st_mode) == 0o644


def test_stale_cleanup_removes_only_what_a_dead_writer_of_ours_left(tmp_path: Path) -> None:
    dead = _dead_pid()
    mine = tmp_path / f".w.db.backup-{dead}-abc123.tmp"
    mine.write_bytes(b"half an archive")
    my_dir = tmp_path / f".w.db.backup-{dead}-xyz789.tmp"
    (my_dir / "inner").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("never removed")
    link = tmp_path / f".w.db.backup-{dead}-link00.tmp"
    link.symlink_to(outside)  # a link with our name: never followed, never removed
    (my_dir / "inner" / "escape").symlink_to(outside)  # a link inside our folder: removed, not followed
    live = tmp_path / f"{temp_prefix('w.db', 'backup')}live00.tmp"  # this process: still writing
    live.write_bytes(b"in progress")
    other_tag = tmp_path / f".w.db.restore-{dead}-abc123.tmp"
    other_tag.write_bytes(b"not ours")
    fifo = tmp_path / f".w.db.backup-{dead}-fifo00.tmp"
    os.mkfifo(fifo)

    removed = remove_stale(tmp_path, "w.db", "backup", dirs=True)

    assert sorted(removed) == sorted([mine, my_dir])
    assert not mine.exists() and not my_dir.exists()
    assert (outside / "precious").read_text() == "never removed"
    assert link.is_symlink() and live.exists() and other_tag.exists() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def _dead_pid() -> int:
    """The id of a process that has ended."""
    import subprocess

    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_restore_through_a_link_restores_the_file_it_names(tmp_path: Path, demo_workspace: Path) -> None:
    """The link stays a link; the workspace it names is the one restored (and kept)."""
    archive = tmp_path / "b.zip"
    assert run("backup", "--db", demo_workspace, "--out", archive).exit_code == 0
    link = tmp_path / "elsewhere.db"
    link.symlink_to(demo_workspace)
    result = run("restore", archive, "--db", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(demo_workspace)
    assert len(list(demo_workspace.parent.glob(f"{demo_workspace.name}.replaced-*"))) == 1
    assert not list(tmp_path.glob("elsewhere.db.replaced-*"))
