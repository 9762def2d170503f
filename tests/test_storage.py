import sqlite3

import pytest
from sqlmodel import select

from isms_tui.models import JournalEntry, Workspace
from isms_tui.models.db import WorkspaceError, open_engine, session_scope
from isms_tui.models.journal import GENESIS_HASH, entry_hash
from isms_tui.models.schema import HEAD, REVISIONS


def test_new_workspace_has_pragmas_and_head_revision(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD


def test_schema_revisions_match_the_migrations():
    from pathlib import Path

    versions = Path(__file__).parents[1] / "isms_tui/models/migrations/versions"
    found = sorted(p.stem for p in versions.glob("*.py"))
    assert tuple(found) == REVISIONS


def test_migrations_build_exactly_the_models_schema(engine):
    """A model change without its migration (or the reverse) shows up here, not in a user's file."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []


def test_reopening_is_idempotent(db_path):
    open_engine(db_path).dispose()
    open_engine(db_path).dispose()
    assert list(db_path.parent.glob("*.bak")) == []


def test_not_a_database(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("hello, this is not SQLite" * 100)
    with pytest.raises(WorkspaceError, match="not a workspace file"):
        open_engine(bad)


def test_foreign_sqlite_database(tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(WorkspaceError, match="not an isms workspace"):
        open_engine(other)


def test_newer_schema_is_refused(db_path):
    open_engine(db_path).dispose()
    con = sqlite3.connect(db_path)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    with pytest.raises(WorkspaceError, match="newer version"):
        open_engine(db_path)


def test_unwritable_location(tmp_path, monkeypatch):
    # Root (as in CI) can write anywhere, so simulate the permission the OS would refuse.
    import os

    folder = tmp_path / "ro"
    folder.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(folder) else real_access(p, mode))
    with pytest.raises(WorkspaceError, match="Cannot write in"):
        open_engine(folder / "w.db")


def test_older_schema_is_backed_up_then_migrated(db_path, monkeypatch):
    open_engine(db_path).dispose()
    import isms_tui.models.db as db

    monkeypatch.setattr(db, "HEAD", "0002_future_but_known")
    monkeypatch.setattr(db, "REVISIONS", (*REVISIONS, "0002_future_but_known"))
    monkeypatch.setattr(db, "migrate", lambda engine: None)
    db.open_engine(db_path).dispose()
    backups = list(db_path.parent.glob("*.bak"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD
    con.close()


def test_journal_chains_every_change(engine):
    with session_scope(engine, "alice") as s:
        s.add(Workspace(org_name="Acme"))
    with session_scope(engine, "bob") as s:
        ws = s.exec(select(Workspace)).one()
        ws.scope = "Everything"
    with session_scope(engine) as s:
        entries = s.exec(select(JournalEntry).order_by(JournalEntry.id)).all()
    assert [(e.operation, e.actor) for e in entries] == [("create", "alice"), ("update", "bob")]
    prev = GENESIS_HASH
    for e in entries:
        assert e.prev_hash == prev
        assert e.hash == entry_hash(prev, e.at, e.actor, e.entity, e.entity_id, e.operation, e.before, e.after)
        prev = e.hash


def test_journal_is_append_only(engine):
    with session_scope(engine, "a") as s:
        s.add(Workspace(org_name="Acme"))
    with pytest.raises(PermissionError), session_scope(engine, "a") as s:
        entry = s.exec(select(JournalEntry)).first()
        entry.actor = "mallory"


def test_failed_action_writes_nothing(engine):
    with pytest.raises(RuntimeError), session_scope(engine, "a") as s:
        s.add(Workspace(org_name="Acme"))
        s.flush()
        raise RuntimeError("boom")
    with session_scope(engine) as s:
        assert s.exec(select(Workspace)).all() == []
        assert s.exec(select(JournalEntry)).all() == []
