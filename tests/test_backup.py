"""Backups (one .zip with the database, the evidence and a manifest) and checked restores."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from isms_tui.cli import main
from isms_tui.models.db import WorkspaceError, session_scope
from isms_tui.models.lock import WorkspaceLocked, acquire
from isms_tui.services import backup, evidence, journal_verify, kpis, readings, restore
from isms_tui.services.errors import InputError

from .db_helpers import fresh_engine, read, workspace_session


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def ws(demo_workspace: Path) -> Path:
    return demo_workspace


def store(db: Path) -> Path:
    return db.with_name(db.name + ".evidence")


def count(db: Path, table: str) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def verify(db: Path) -> journal_verify.JournalReport:
    return read(db, journal_verify.verify)


def add_reading(db: Path, note: str) -> None:
    with workspace_session(db, "ann") as s:
        k = kpis.kpi_by_code(s, "INC-01")
        readings.record_reading(s, k.id, date(2026, 11, 1), 1, note=note, replace=True, partial=True)  # running month


def rewrite(archive: Path, out: Path, change) -> Path:
    """Copy an archive, letting `change(members)` edit {name: bytes} (manifest included)."""
    with zipfile.ZipFile(archive) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    change(members)
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out


def manifest_of(members: dict[str, bytes]) -> dict:
    return json.loads(members["manifest.json"])


def set_manifest(members: dict[str, bytes], manifest: dict) -> None:
    members["manifest.json"] = json.dumps(manifest).encode()


def reseal(members: dict[str, bytes], name: str) -> None:
    """Make the manifest agree with an edited member, as a careful forger would."""
    m = manifest_of(members)
    m["files"][name] = {"sha256": hashlib.sha256(members[name]).hexdigest(), "size": len(members[name])}
    set_manifest(members, m)


# -- round trip ------------------------------------------------------------------------------------------


def test_round_trip_with_evidence_keeps_the_replaced_file(ws, tmp_path):
    archive = tmp_path / "b.zip"
    made = backup.backup(ws, archive)
    files = count(ws, "evidence")
    assert files >= 5
    assert made.path == archive and made.evidence_files == files and not made.evidence_problems
    assert made.journal_head == verify(ws).head
    assert archive.stat().st_mode & 0o777 == 0o600
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
    assert "workspace.db" in names and "manifest.json" in names
    assert sum(n.startswith("evidence/") for n in names) == files

    add_reading(ws, "after the backup")
    before_restore = ws.read_bytes()
    readings_after = count(ws, "reading")
    done = restore.restore(archive, ws)

    assert done.replaced is not None and done.replaced.name.startswith(f"{ws.name}.replaced-")
    assert done.replaced.read_bytes() == before_restore
    assert count(done.replaced, "reading") == readings_after
    assert verify(ws).ok and verify(ws).head == made.journal_head
    con = sqlite3.connect(ws)
    assert con.execute("SELECT count(*) FROM reading WHERE note = 'after the backup'").fetchone()[0] == 0
    con.close()
    with workspace_session(ws) as s:
        assert evidence.verify_store(s).ok


def test_restore_to_a_new_place_brings_the_evidence(ws, tmp_path):
    archive = backup.backup(ws, tmp_path / "b.zip").path
    target = tmp_path / "elsewhere" / "copy.db"
    done = restore.restore(archive, target)
    assert done.replaced is None
    assert len(list(store(target).glob("??/*"))) == count(ws, "evidence")
    assert verify(target).ok
    result = run("evidence", "verify", "--db", target)
    assert result.exit_code == 0, result.output


def test_restore_repairs_an_altered_evidence_file(ws, tmp_path):
    archive = backup.backup(ws, tmp_path / "b.zip").path
    victim = next(store(ws).glob("??/*"))
    victim.write_bytes(b"tampered")
    restore.restore(archive, ws)
    assert hashlib.sha256(victim.read_bytes()).hexdigest() == victim.name


def test_backup_is_a_consistent_snapshot_while_someone_writes(ws, tmp_path):
    writer = sqlite3.connect(ws)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE reading SET note = 'uncommitted' WHERE id = 1")
    try:
        archive = backup.backup(ws, tmp_path / "b.zip").path
    finally:
        writer.rollback()
        writer.close()
    target = tmp_path / "r.db"
    restore.restore(archive, target)
    assert verify(target).ok
    con = sqlite3.connect(target)
    assert con.execute("SELECT note FROM reading WHERE id = 1").fetchone()[0] != "uncommitted"
    con.close()


def test_missing_evidence_is_reported_and_left_out(ws, tmp_path):
    victim = next(store(ws).glob("??/*"))
    victim.unlink()
    result = run("backup", "--db", ws, "--out", tmp_path / "b.zip")
    assert result.exit_code == 1
    assert "1 evidence file could not be included" in result.stderr
    assert "missing from the evidence store" in result.stderr
    assert (tmp_path / "b.zip").exists()  # everything else is safe
    manifest = json.loads(zipfile.ZipFile(tmp_path / "b.zip").read("manifest.json"))
    assert len(manifest["evidence_problems"]) == 1
    restore.restore(tmp_path / "b.zip", tmp_path / "r.db")  # declared gaps do not block a restore


def test_automatic_backups_are_named_next_to_the_workspace_and_rotated(ws, monkeypatch):
    monkeypatch.setenv("ISMS_BACKUPS_KEPT", "2")
    made = [backup.backup(ws).path for _ in range(4)]
    assert all(p.parent == ws.parent and p.name.startswith(f"{ws.name}.backup-") for p in made)
    left = sorted(ws.parent.glob(f"{ws.name}.backup-*.zip"))
    assert set(left) == set(made[-2:])
    explicit = backup.backup(ws, ws.parent / "keep-me.zip").path
    backup.backup(ws)
    assert explicit.exists()  # only automatic ones are rotated


def test_pre_migration_backups_follow_the_same_setting(monkeypatch, tmp_path):
    from isms_tui.models import db as dbmod

    monkeypatch.setenv("ISMS_BACKUPS_KEPT", "3")
    path = tmp_path / "w.db"
    path.write_bytes(b"")
    for _ in range(5):
        sqlite3.connect(path).close()
        dbmod.backup_file(path, "pre-test")
    assert len(list(tmp_path.glob("w.db.pre-test-*.bak"))) == 3
    monkeypatch.setenv("ISMS_BACKUPS_KEPT", "nonsense")
    assert dbmod.backups_kept() == dbmod.BACKUPS_KEPT


# -- refusals: nothing is touched --------------------------------------------------------------------------


def refused(archive: Path, ws: Path, match: str) -> None:
    before = ws.read_bytes()
    with pytest.raises(InputError, match=match):
        restore.restore(archive, ws)
    assert ws.read_bytes() == before
    assert not list(ws.parent.glob(f"{ws.name}.replaced-*"))
    assert not list(ws.parent.glob(f".{ws.name}.restore-*"))  # scratch folder cleaned up


def test_backup_into_a_folder_that_refuses_writes_is_one_sentence(ws, tmp_path, monkeypatch):
    def refuse(**_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkdtemp", refuse)
    result = run("backup", "--out", tmp_path / "b.zip", "--db", ws)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: Cannot write {tmp_path / 'b.zip'}: Permission denied; nothing was changed."
    assert not (tmp_path / "b.zip").exists() and not list(tmp_path.glob(".*.tmp"))


def test_corrupt_archives_are_refused(ws, tmp_path):
    good = backup.backup(ws, tmp_path / "good.zip").path

    def flip_db(members):
        data = bytearray(members["workspace.db"])
        data[5000] ^= 0xFF
        members["workspace.db"] = bytes(data)

    refused(rewrite(good, tmp_path / "flipped.zip", flip_db), ws, "does not match its SHA-256")

    not_zip = tmp_path / "not.zip"
    not_zip.write_bytes(b"hello, not a zip")
    refused(not_zip, ws, "not a zip archive")

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    refused(truncated, ws, "cannot be restored")

    def traversal(members):
        members["../../evil"] = b"x"
        m = manifest_of(members)
        m["files"]["../../evil"] = {"sha256": hashlib.sha256(b"x").hexdigest(), "size": 1}
        set_manifest(members, m)

    refused(rewrite(good, tmp_path / "trav.zip", traversal), ws, "unexpected file")

    def extra(members):
        members["evidence/00/" + "0" * 64] = b"x"

    refused(rewrite(good, tmp_path / "extra.zip", extra), ws, "does not list")

    def no_manifest(members):
        del members["manifest.json"]

    refused(rewrite(good, tmp_path / "noman.zip", no_manifest), ws, "no manifest")

    def bomb(members):
        members["workspace.db"] += b"\0" * 100_000  # larger than declared

    refused(rewrite(good, tmp_path / "bomb.zip", bomb), ws, "larger than its manifest says")


def edit_database(members: dict[str, bytes], scratch: Path, sql: str) -> None:
    """Run `sql` on the archive's database (through `scratch`) and reseal the manifest, as a forger would."""
    scratch.write_bytes(members["workspace.db"])
    con = sqlite3.connect(scratch)
    con.execute(sql)
    con.commit()
    con.close()
    members["workspace.db"] = scratch.read_bytes()
    reseal(members, "workspace.db")


def test_resealed_database_with_tampered_data_fails_the_journal_check(ws, tmp_path):
    good = backup.backup(ws, tmp_path / "good.zip").path
    scratch = tmp_path / "scratch.db"

    def tamper(members):
        edit_database(members, scratch, "UPDATE reading SET value = value + 1 WHERE id = 3")

    refused(rewrite(good, tmp_path / "forged.zip", tamper), ws, "its journal does not verify.*reading 3")


def test_newer_schema_and_non_workspace_are_refused(ws, tmp_path):
    good = backup.backup(ws, tmp_path / "good.zip").path
    scratch = tmp_path / "scratch.db"

    def newer(members):
        edit_database(members, scratch, "UPDATE alembic_version SET version_num = '9999_future'")

    refused(rewrite(good, tmp_path / "newer.zip", newer), ws, "newer version")

    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()

    def foreign(members):
        members["workspace.db"] = other.read_bytes()
        reseal(members, "workspace.db")

    refused(rewrite(good, tmp_path / "foreign.zip", foreign), ws, "not an isms workspace")


def test_restore_is_refused_while_an_isms_has_the_workspace(ws, tmp_path):
    archive = backup.backup(ws, tmp_path / "b.zip").path
    before = ws.read_bytes()
    with acquire(ws), pytest.raises(WorkspaceLocked, match="close it before restoring"):
        restore.restore(archive, ws)
    assert ws.read_bytes() == before
    assert not list(ws.parent.glob(f"{ws.name}.replaced-*"))


def test_restore_is_refused_while_another_program_has_the_file_open(ws, tmp_path):
    archive = backup.backup(ws, tmp_path / "b.zip").path
    with fresh_engine(ws) as engine:
        with session_scope(engine) as s:  # a connection stays open in the pool
            s.connection().exec_driver_sql("SELECT 1")
        with pytest.raises(WorkspaceError, match="in use by another program"):
            restore.restore(archive, ws)


# -- command line -------------------------------------------------------------------------------------------


def test_cli_backup_and_restore(ws, tmp_path):
    result = run("backup", "--db", ws)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Backup written: {ws.parent / ws.name}.backup-")
    archive = next(ws.parent.glob(f"{ws.name}.backup-*.zip"))
    result = run("restore", archive, "--db", ws)
    assert result.exit_code == 0, result.output
    assert f"Restored {ws} from {archive}" in result.stdout
    assert f"The previous workspace was kept as {ws}.replaced-" in result.stdout
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"nope")
    result = run("restore", bad, "--db", ws)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad} cannot be restored: it is not a zip archive")
    result = run("backup", "--db", tmp_path / "missing.db")
    assert result.exit_code == 1 and result.stderr.startswith("Error: No workspace at")
