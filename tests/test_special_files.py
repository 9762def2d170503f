"""Files that are not what they seem: named pipes, devices, sockets, directories, symbolic
links and huge files handed to isms where a file is expected.

An insider can put any of them where a passphrase file, a key, a CSV or an evidence file is
read. Each must end promptly (a named pipe without a writer must never block: every test
runs under a deadline) in one sentence, with nothing changed.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from isms_tui import config
from isms_tui.cli import main
from isms_tui.reports import keys
from isms_tui.services.errors import InputError
from isms_tui.userfiles import UserFileError, read_user_file

from .test_cli_readings import GOOD, make_workspace

SECONDS = 10


class Hung(Exception):
    """The code under test blocked instead of refusing the file."""


@contextmanager
def deadline(seconds: int = SECONDS) -> Iterator[None]:
    """Fail (instead of hanging the suite) if the block blocks, e.g. opening a FIFO."""

    def expired(_signum: int, _frame: object) -> None:
        raise Hung(f"still blocked after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def fifo(tmp_path: Path, name: str = "pipe") -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


@contextmanager
def unix_socket(tmp_path: Path, name: str = "sock") -> Iterator[Path]:
    path = tmp_path / name
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        yield path
    finally:
        sock.close()


def sparse(path: Path, size: int) -> Path:
    """A file that claims `size` bytes without writing them."""
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def one_sentence(result: Result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


# --- the helper itself -----------------------------------------------------------------------


def test_the_helper_names_what_each_special_file_is(tmp_path):
    regular = tmp_path / "ok.txt"
    regular.write_bytes(b"fine")
    link = tmp_path / "link"
    link.symlink_to(regular)
    with deadline():
        assert read_user_file(regular, max_bytes=10) == b"fine"
        assert read_user_file(link, max_bytes=10) == b"fine", "a link is followed to its target"
        cases = {
            fifo(tmp_path): "is a named pipe, not a file; give a regular file",
            Path("/dev/zero"): "is a character device, not a file; give a regular file",
            tmp_path: "is a directory, not a file; give a regular file",
            tmp_path / "absent": "does not exist",
        }
        with unix_socket(tmp_path) as sock:
            cases[sock] = "is a socket, not a file; give a regular file"
            for path, reason in cases.items():
                with pytest.raises(UserFileError) as err:
                    read_user_file(path, max_bytes=10)
                assert str(err.value) == f"{path} {reason}."
        with pytest.raises(UserFileError, match="is a symbolic link, not a file"):
            read_user_file(link, max_bytes=10, follow=False)


def test_the_helper_reads_no_more_than_its_limit(tmp_path, monkeypatch):
    big = sparse(tmp_path / "big", 11)
    with pytest.raises(UserFileError) as err:
        read_user_file(big, max_bytes=10)
    assert err.value.too_large and str(err.value) == f"{big} is larger than 10 bytes."
    # a file that grows after fstat: the read itself stops one byte past the limit
    growing = tmp_path / "growing"
    growing.write_bytes(b"x" * 100)
    real_fstat = os.fstat

    def claims_five_bytes(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 5, 0, 0, 0))

    monkeypatch.setattr(os, "fstat", claims_five_bytes)
    with pytest.raises(UserFileError, match="larger than"):
        read_user_file(growing, max_bytes=10)


def test_a_fifo_swapped_in_after_the_look_cannot_block_the_open(tmp_path, monkeypatch):
    """The check is on the open descriptor: a race between looking and opening changes nothing."""
    regular = tmp_path / "f"
    regular.write_bytes(b"x")
    pipe = fifo(tmp_path)
    real_stat = os.stat
    # the look sees a regular file, the open gets the FIFO
    monkeypatch.setattr(os, "stat", lambda p, **kw: real_stat(regular) if Path(p) == pipe else real_stat(p, **kw))
    with deadline(), pytest.raises(UserFileError, match="is a named pipe, not a file"):
        read_user_file(pipe, max_bytes=10)


# --- passphrase files, keys, certificates ------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "zero", "dir"])
def test_a_passphrase_file_that_is_not_a_file_is_refused_promptly(tmp_path, kind):
    path = {"fifo": lambda: fifo(tmp_path), "zero": lambda: Path("/dev/zero"), "dir": lambda: tmp_path}[kind]()
    with deadline(), pytest.raises(InputError) as err:
        keys.passphrase_from_env_or_file(path)
    assert str(err.value).startswith(f"Cannot read the passphrase file {path}: it is a ")
    if kind != "dir":  # click itself refuses a directory for --passphrase-file
        with deadline():
            one_sentence(run("keys", "init", "--org", "Acme", "--passphrase-file", path), "passphrase file")
    assert not keys.has_identity(), "no identity was created"


def test_a_huge_passphrase_file_is_refused_without_reading_it(tmp_path):
    path = sparse(tmp_path / "pass.txt", 1 << 30)
    with deadline(), pytest.raises(InputError, match=r"it is larger than 64 KB"):
        keys.passphrase_from_env_or_file(path)


@pytest.mark.parametrize("kind", ["fifo", "zero", "huge"])
def test_a_key_or_certificate_that_is_not_a_file_is_refused_promptly(tmp_path, kind):
    path = {
        "fifo": lambda: fifo(tmp_path, "key.p12"),
        "zero": lambda: Path("/dev/zero"),
        "huge": lambda: sparse(tmp_path / "key.p12", 1 << 30),
    }[kind]()
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text("a long enough passphrase\n")
    with deadline():
        one_sentence(run("keys", "import", path, "--passphrase-file", pass_file), f"Cannot read {path}: it is ")
        assert not keys.has_identity()
        with pytest.raises(InputError, match=f"Cannot read {path}: it is "):
            keys.trust_roots([path])


def test_a_signing_key_replaced_by_a_fifo_is_refused(tmp_path):
    keys.init_identity("Acme", "a long enough passphrase")
    key = keys.identity_dir("Acme") / keys.SIGNER_P12
    key.unlink()
    os.mkfifo(key)
    with deadline(), pytest.raises(InputError, match="is a named pipe, not a file"):
        keys.load_identity("a long enough passphrase", "Acme")


# --- CSV and JSON imports ------------------------------------------------------------------------


def _readings(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM reading").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["fifo", "zero", "socket", "link-to-fifo"])
def test_an_import_that_is_not_a_file_is_refused_promptly(tmp_path, kind):
    db = make_workspace(tmp_path / "w.db")
    before = db.read_bytes()
    with unix_socket(tmp_path) as sock:
        path = {
            "fifo": lambda: fifo(tmp_path, "r.csv"),
            "zero": lambda: Path("/dev/zero"),
            "socket": lambda: sock,
            "link-to-fifo": lambda: _link(tmp_path / "r.csv", fifo(tmp_path)),
        }[kind]()
        with deadline():
            one_sentence(run("import", "readings", path, "--db", db), str(path), ", not a CSV file")
            one_sentence(run("checklist", "import", path, "--db", db), str(path), ", not a ")
    assert _readings(db) == 0 and db.read_bytes() == before, "the workspace is unchanged"


def test_a_link_to_a_good_csv_is_imported(tmp_path):
    db = make_workspace(tmp_path / "w.db")
    real = tmp_path / "real.csv"
    real.write_text(GOOD)
    result = run("import", "readings", _link(tmp_path / "r.csv", real), "--db", db)
    assert result.exit_code == 0, result.output
    assert _readings(db) == 2


def _link(link: Path, target: Path) -> Path:
    link.symlink_to(target)
    return link


# --- the recent-workspaces list ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "huge", "not-a-list"])
def test_a_recent_list_that_is_not_a_small_file_is_ignored_and_replaced(tmp_path, kind):
    recent = config._recent_file()
    recent.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(recent)
    elif kind == "huge":
        sparse(recent, 1 << 30)
    else:
        recent.write_text('{"a": 1}')
    workspace = tmp_path / "w.db"
    workspace.write_bytes(b"")
    with deadline():
        assert config.recent_workspaces() == []
        config.remember_workspace(workspace)
        assert config.recent_workspaces() == [workspace.resolve()]
    assert recent.is_file() and not recent.is_symlink()
