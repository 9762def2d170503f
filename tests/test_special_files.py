"""Files that are not what they seem: named pipes, devices, sockets, directories, symbolic
links and huge files handed to isms where a file is expected.

An insider can put any of them where a passphrase file, a key, a CSV or an evidence file is
read. Each must end promptly (a named pipe without a writer must never block: every test
runs under a deadline) in one sentence, with nothing changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import select

from isms_tui import config
from isms_tui.cli import main
from isms_tui.models import Evidence
from isms_tui.reports import keys
from isms_tui.services import evidence, evidence_store
from isms_tui.services.errors import InputError
from isms_tui.userfiles import UserFileError, read_user_file

from .db_helpers import read, write
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


def needs_root() -> None:
    """Making a device node needs root (the suite runs as root here and in CI)."""
    if os.geteuid() != 0:
        pytest.skip("creating a device node needs root")


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
        loop = tmp_path / "loop"
        loop.symlink_to(loop)
        with pytest.raises(UserFileError, match="is a loop of symbolic links, not a file"):
            read_user_file(loop, max_bytes=10)
        with pytest.raises(UserFileError, match="is not a valid file name"):
            read_user_file("bad\0name", max_bytes=10)


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
        from isms_tui.reports.trust import trust_for

        with pytest.raises(InputError, match=f"Cannot read {path}: it is "):
            trust_for([path], tmp_path / "none.db")


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


# --- evidence: attaching ---------------------------------------------------------------------------


def store_of(session) -> Path:
    return evidence.store_dir(session)


def store_files(root: Path) -> list[str]:
    """Everything in the store, links and special files included, as relative names."""
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def evidence_rows(session) -> int:
    return len(session.exec(select(Evidence)).all())


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        ("fifo", "a named pipe"),
        ("zero", "a character device"),
        ("urandom", "a character device"),
        ("dir", "a directory"),
        ("socket", "a socket"),
        ("link-to-fifo", "a named pipe"),
        ("block", "a block device"),
    ],
)
def test_attach_refuses_what_is_not_a_regular_file_promptly(session, tmp_path, kind, what):
    if kind == "block":
        needs_root()
        os.mknod(tmp_path / "disk", stat.S_IFBLK | 0o600, os.makedev(7, 0))  # a loop device's numbers
    with unix_socket(tmp_path) as sock:
        path = {
            "fifo": lambda: fifo(tmp_path),
            "zero": lambda: Path("/dev/zero"),
            "urandom": lambda: Path("/dev/urandom"),
            "dir": lambda: tmp_path / "folder",
            "socket": lambda: sock,
            "link-to-fifo": lambda: _link(tmp_path / "report.pdf", fifo(tmp_path)),
            "block": lambda: tmp_path / "disk",
        }[kind]()
        if kind == "dir":
            path.mkdir()
        with deadline(), pytest.raises(InputError) as err:
            evidence.add_file(session, path)
    assert str(err.value) == f"{path} is {what}, not a file; attach a regular file."
    assert evidence_rows(session) == 0
    assert not [n for n in store_files(store_of(session)) if not n.startswith(".attach-")], "nothing stored"
    assert not evidence_store.leftovers(store_of(session)), "no temporary file left behind"


def test_a_link_to_a_good_file_stores_the_targets_content(session, tmp_path):
    target = tmp_path / "real.pdf"
    target.write_bytes(b"%PDF- the real content")
    ev = evidence.add_file(session, _link(tmp_path / "scan.pdf", target))
    stored = evidence.stored_path(session, ev.sha256)
    assert stored.read_bytes() == target.read_bytes()
    assert not stored.is_symlink() and stored.is_file(), "a copy, never the link"
    assert ev.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert not evidence_store.leftovers(store_of(session))


def test_an_oversized_file_is_refused_with_its_size_and_the_limit(session, tmp_path, monkeypatch):
    big = sparse(tmp_path / "huge.iso", 300 << 20)  # sparse: nothing is written
    with deadline(), pytest.raises(InputError) as err:
        evidence.add_file(session, big)
    assert str(err.value) == (
        "huge.iso (300 MB) is larger than the 50 MB evidence limit (set ISMS_MAX_EVIDENCE_MB to change it, up to 256)."
    )
    monkeypatch.setenv("ISMS_MAX_EVIDENCE_MB", "100000")  # the store's ceiling still holds
    with deadline(), pytest.raises(InputError, match=r"\(300 MB\) is larger than the 256 MB evidence limit"):
        evidence.add_file(session, big)
    assert evidence_rows(session) == 0 and store_files(store_of(session)) == []


def test_a_file_growing_past_the_limit_while_copied_is_refused(session, tmp_path, monkeypatch):
    monkeypatch.setenv("ISMS_MAX_EVIDENCE_MB", "0.001")  # 1048 bytes
    path = tmp_path / "log.txt"
    path.write_bytes(b"x" * 5000)
    real_fstat = os.fstat

    def claims_ten_bytes(fd: int) -> os.stat_result:  # as if it grew after fstat
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 10, 0, 0, 0))

    monkeypatch.setattr(os, "fstat", claims_ten_bytes)
    with pytest.raises(InputError, match=r"^log.txt is larger than the 0.001 MB evidence limit"):
        evidence.add_file(session, path)
    monkeypatch.undo()
    assert evidence_rows(session) == 0 and not evidence_store.leftovers(store_of(session))


def test_a_copy_that_does_not_match_what_was_read_is_not_stored(session, tmp_path, monkeypatch):
    """The stored copy is re-hashed before it takes its name: a write the disk garbled is refused."""
    path = tmp_path / "a.txt"
    path.write_bytes(b"the evidence")
    real_fill = evidence_store.Staged.fill

    def garbling_fill(self, source, max_bytes):
        result = real_fill(self, source, max_bytes)
        os.pwrite(self.fd, b"X", 0)
        return result

    monkeypatch.setattr(evidence_store.Staged, "fill", garbling_fill)
    with pytest.raises(InputError, match="does not match the file read; nothing was attached"):
        evidence.add_file(session, path)
    assert evidence_rows(session) == 0 and store_files(store_of(session)) == []


# --- evidence: the store under attack -------------------------------------------------------------


def attached(db: Path, tmp_path: Path, content: bytes = b"signed minutes") -> tuple[str, Path]:
    """A workspace with one evidence file linked to a reading: (sha256, stored path)."""
    source = tmp_path / "minutes.pdf"
    source.write_bytes(content)

    def add(s):
        ev = evidence.add_file(s, source, "ann")
        evidence.link(s, ev, "reading", 1)
        return ev.sha256

    sha = write(db, add)
    return sha, db.with_name(db.name + ".evidence") / sha[:2] / sha


def _damage(entry: Path, tmp_path: Path, how: str) -> None:
    good = entry.read_bytes()
    entry.unlink()
    if how == "link-out":  # even a link to a file with the right content is not the store's own
        outside = tmp_path / "outside.pdf"
        outside.write_bytes(good)
        entry.symlink_to(outside)
    elif how == "fifo":
        os.mkfifo(entry)
    elif how == "dir":
        entry.mkdir()
    elif how == "device":  # /dev/zero's numbers: reading it would never end
        os.mknod(entry, stat.S_IFCHR | 0o600, os.makedev(1, 5))
    elif how == "damaged":
        entry.write_bytes(good + b" (edited)")
    elif how == "folder-link":  # the two-letter folder itself swapped for a link out of the store
        outside = tmp_path / "elsewhere"
        outside.mkdir()
        (outside / entry.name).write_bytes(good)
        entry.parent.rmdir()
        entry.parent.symlink_to(outside)


CASES = {
    "link-out": ("not-a-file", "a symbolic link"),
    "fifo": ("not-a-file", "a named pipe"),
    "dir": ("not-a-file", "a directory"),
    "device": ("not-a-file", "a character device"),
    "damaged": ("altered", None),
    "folder-link": ("not-a-file", "a symbolic link"),
}


@pytest.mark.parametrize("how", list(CASES))
def test_verify_names_what_sits_in_the_store_and_backup_refuses_it(db_path, tmp_path, how):
    if how == "device":
        needs_root()
    sha, entry = attached(db_path, tmp_path)
    _damage(entry, tmp_path, how)
    kind, found = CASES[how]
    with deadline():
        report = read(db_path, evidence.verify_store)
        result = run("evidence", "verify", "--db", db_path, "--json")
    assert [(p.kind, p.found, p.sha256) for p in report.problems] == [(kind, found, sha)]
    assert result.exit_code == 1
    assert json.loads(result.stdout)["problems"][0]["kind"] == kind
    archive = tmp_path / "backup.zip"
    with deadline():
        result = run("backup", "--db", db_path, "--out", archive)
    assert result.exit_code == 1
    if kind == "not-a-file":
        where = entry.parent if how == "folder-link" else entry
        one_sentence(result, f"The evidence store entry {where} for 'minutes.pdf' is {found}, not a file")
        assert not archive.exists(), "no backup copies a file from outside the store"
    else:  # an altered file is left out and named, as before
        assert "was altered in the evidence store" in result.stderr
        with zipfile.ZipFile(archive) as zf:
            assert not [n for n in zf.namelist() if n.startswith("evidence/")]
    assert not list(tmp_path.glob(".backup.zip.*")), "no scratch folder left behind"


@pytest.mark.parametrize("how", ["link-out", "fifo", "damaged"])
def test_attaching_the_right_file_again_repairs_the_store(db_path, tmp_path, how):
    sha, entry = attached(db_path, tmp_path)
    outside = tmp_path / "outside.pdf"
    _damage(entry, tmp_path, how)
    with deadline():
        sha_again, _ = attached(db_path, tmp_path)
    assert sha_again == sha
    assert entry.is_file() and not entry.is_symlink()
    assert hashlib.sha256(entry.read_bytes()).hexdigest() == sha
    if how == "link-out":
        assert outside.read_bytes() == b"signed minutes", "the link's target was not written to"
    assert read(db_path, evidence.verify_store).ok
    assert read(db_path, lambda s: evidence_rows(s)) == 1, "the same evidence, not a second row"


def test_a_pack_refuses_evidence_that_is_a_link_in_the_store(db_path, tmp_path):
    from isms_tui.reports.pack.evidence import EvidenceSet

    sha, entry = attached(db_path, tmp_path)
    _damage(entry, tmp_path, "link-out")

    def load(s):
        items = EvidenceSet()
        items.add(s.exec(select(Evidence)).one(), "reading 1")
        return items.load(s)

    with deadline(), pytest.raises(InputError, match="'minutes.pdf' .* is a symbolic link in the store, not a file"):
        read(db_path, load)


# --- evidence: interrupted attaches -----------------------------------------------------------------


def test_a_temporary_file_left_by_a_killed_attach_is_removed_by_the_next(db_path, tmp_path):
    attached(db_path, tmp_path)
    root = db_path.with_name(db_path.name + ".evidence")
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, signal\n"
            "from pathlib import Path\n"
            "from isms_tui.services import evidence_store\n"
            f"attach = evidence_store.staging(Path({str(root)!r}))\n"
            "staged = attach.__enter__()\n"
            "os.write(staged.fd, b'half a file')\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n",
        ],
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    [leftover] = evidence_store.leftovers(root)
    assert leftover.name.startswith(".attach-") and leftover.name.endswith(".tmp")
    report = read(db_path, evidence.verify_store)
    assert report.ok and report.interrupted == 1 and report.unindexed == 0
    assert "1 temporary file of an interrupted attach" in report.summary()
    other = tmp_path / "other.txt"
    other.write_bytes(b"another file")
    write(db_path, lambda s: evidence.add_file(s, other))
    assert not leftover.exists() and evidence_store.leftovers(root) == []


def test_a_running_attachs_temporary_file_is_left_alone(tmp_path):
    root = tmp_path / "w.db.evidence"
    with evidence_store.staging(root) as staged:
        assert evidence_store.remove_leftovers(root) == 0
        assert staged.path.exists()
    assert not staged.path.exists()


def test_the_tui_attach_reports_a_fifo_under_the_evidence_field(session, tmp_path):
    """The forms attach through the same service: the sentence lands on the form's field."""
    from isms_tui.widgets.form_parts import attach_evidence

    errors: dict[str, str] = {}
    pipe = fifo(tmp_path, "photo.jpg")
    with deadline():
        attach_evidence(session, [str(pipe)], "ann", "reading", 1, errors)
    assert errors == {"evidence": f"{pipe} is a named pipe, not a file; attach a regular file."}
    assert evidence_rows(session) == 0


def test_the_reader_loads_neither_the_data_layer_nor_textual():
    """reports/verify.py (`isms verify`, which must not load SQLModel) can use it too."""
    probe = "import isms_tui.userfiles, sys; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert not set(result.stdout.split()) & {"sqlmodel", "sqlalchemy", "textual", "rich", "click"}


def test_export_ca_refuses_a_ca_file_replaced_by_a_fifo(tmp_path):
    keys.init_identity("Acme", "a long enough passphrase")
    ca = keys.identity_dir("Acme") / keys.CA_PEM
    ca.unlink()
    os.mkfifo(ca)
    out = tmp_path / "ca.pem"
    with deadline():
        one_sentence(run("keys", "export-ca", "--org", "Acme", "--out", out), f"{ca}: it is a named pipe, not a file")
    assert not out.exists()


def test_a_folder_in_place_of_an_entry_is_named_not_removed(db_path, tmp_path):
    sha, entry = attached(db_path, tmp_path)
    _damage(entry, tmp_path, "dir")
    (entry / "kept.txt").write_text("someone's files")
    with pytest.raises(InputError) as err:
        attached(db_path, tmp_path)
    assert str(err.value) == f"The evidence store holds a directory at {entry}; remove it and attach again."
    assert (entry / "kept.txt").read_text() == "someone's files"
    assert evidence_store.leftovers(entry.parent.parent) == []


def test_an_evidence_name_edited_to_lead_out_of_the_store_is_not_opened(db_path, tmp_path):
    attached(db_path, tmp_path)
    secret = tmp_path / "secret.txt"  # the store's parent folder is tmp_path
    secret.write_text("not evidence")
    con = sqlite3.connect(db_path)
    with con:
        con.execute("UPDATE evidence SET sha256 = ?", (f"../{tmp_path.name}/secret.txt",))  # ab/.. = tmp_path
    con.close()
    with deadline():
        report = read(db_path, evidence.verify_store)
    assert [(p.kind, p.found_sha256) for p in report.problems] == [("missing", None)], "never opened, never hashed"
