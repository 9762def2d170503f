"""`journal_verify.verify` and `isms journal verify`: tampering with the sqlite3 module is detected and named."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from isms_tui.cli import main
from isms_tui.models import Frequency, Reading
from isms_tui.models.db import session_scope
from isms_tui.models.journal import entry_hash
from isms_tui.services import evidence, journal, journal_verify, kpis, readings, readings_csv, workspace
from isms_tui.services.kpis import KpiInput

from .db_helpers import fresh_engine, read, workspace_session


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def demo_db(demo_workspace: Path) -> Path:
    return demo_workspace


def check(db: Path) -> journal_verify.JournalReport:
    return read(db, journal_verify.verify)


def tamper(db: Path, *statements: tuple[str, tuple]) -> None:
    con = sqlite3.connect(db)
    try:
        for sql, params in statements:
            con.execute(sql, params)
        con.commit()
    finally:
        con.close()


def one(db: Path, sql: str, params: tuple = ()) -> tuple:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchone()
    finally:
        con.close()


def kinds(report: journal_verify.JournalReport) -> set[str]:
    return {p.kind for p in report.problems}


# -- an intact workspace -------------------------------------------------------------------------


def test_demo_workspace_verifies(demo_db):
    report = check(demo_db)
    assert report.ok, [p.message for p in report.problems]
    count, head = one(demo_db, "SELECT count(*), (SELECT hash FROM journal ORDER BY id DESC LIMIT 1) FROM journal")
    assert report.entries == count > 500
    assert report.head == head
    assert "reading" in report.tables and "journal" not in report.tables
    assert report.rows_checked > 500


def test_every_write_path_keeps_the_journal_consistent(demo_db, tmp_path):
    """ORM edits, replacements, deactivation, evidence and bulk CSV imports all verify."""
    with fresh_engine(demo_db) as engine:
        with session_scope(engine, "ann") as s:
            k = kpis.save_kpi(
                s,
                KpiInput(
                    code="NEW-1",
                    name="New [bold]one[/]",
                    target=5,
                    frequency=Frequency.MONTHLY,
                    started_on=date(2025, 1, 1),
                ),
            )
            readings.record_reading(s, k.id, date(2026, 3, 1), 4, note="first")
            readings.record_reading(s, k.id, date(2026, 3, 1), 7, note="second", replace=True)
            kpis.set_active(s, k.id, False)
            kpis.set_active(s, k.id, True)
            workspace.save_person(s, "Zed Example", areas=["HR", "IT"])
            attachment = tmp_path / "proof.txt"
            attachment.write_text("evidence", encoding="utf-8")
            readings.record_reading(s, k.id, date(2026, 4, 1), 3, attachments=[str(attachment)])
        with session_scope(engine, "ann") as s:
            csv = tmp_path / "r.csv"
            csv.write_text("kpi,date,value,note\nNEW-1,2026-05-02,1,a\nNEW-1,2026-03-20,9,replaced\n", encoding="utf-8")
            readings_csv.import_readings(s, csv, entered_by="ann", replace=True)
        with session_scope(engine, "ann") as s:
            reading = s.get(Reading, one(demo_db, "SELECT id FROM reading WHERE note = 'a'")[0])
            s.delete(reading)  # deletions are journaled too
    report = check(demo_db)
    assert report.ok, [p.message for p in report.problems]


# -- tampering, one kind at a time ----------------------------------------------------------------


def test_edited_reading_value_is_named_with_its_column(demo_db):
    rid, value = one(demo_db, "SELECT id, value FROM reading ORDER BY id LIMIT 1 OFFSET 7")
    tamper(demo_db, ("UPDATE reading SET value = ? WHERE id = ?", (value + 1000, rid)))
    report = check(demo_db)
    assert not report.ok
    [problem] = report.problems
    assert problem.kind == journal_verify.ROW_CHANGED
    assert (problem.table, problem.row_id, problem.columns) == ("reading", rid, ("value",))
    assert f"reading {rid} was changed outside isms" in problem.message
    assert str(value + 1000) in problem.message


def test_edited_timestamp_and_enum_are_named(demo_db):
    rid = one(demo_db, "SELECT id FROM reading ORDER BY id LIMIT 1")[0]
    tamper(
        demo_db,
        ("UPDATE reading SET entered_at = '2020-01-01 00:00:00.000000' WHERE id = ?", (rid,)),
        (
            "UPDATE kpi SET direction = 'HIGHER_BETTER' WHERE direction = 'LOWER_BETTER' AND id = "
            "(SELECT min(id) FROM kpi WHERE direction = 'LOWER_BETTER')",
            (),
        ),
    )
    report = check(demo_db)
    named = {(p.table, p.columns) for p in report.problems}
    assert ("reading", ("entered_at",)) in named
    assert ("kpi", ("direction",)) in named
    assert len(report.problems) == 2


def test_deleted_journal_row_is_named_by_the_ids_around_it(demo_db):
    # the entry that created the first reading: that row's only journal entry
    (gone,) = one(demo_db, "SELECT min(id) FROM journal WHERE entity = 'reading' AND operation = 'create'")
    tamper(demo_db, ("DELETE FROM journal WHERE id = ?", (gone,)))
    report = check(demo_db)
    missing = [p for p in report.problems if p.kind == journal_verify.ENTRIES_MISSING]
    expected = f"journal entries {gone} are missing between entries {gone - 1} and {gone + 1} (deleted)"
    assert [p.message for p in missing] == [expected]
    # The row that entry created has lost its only journal entry: the cross-check says so too.
    assert journal_verify.ROW_UNJOURNALED in kinds(report)


def test_deleted_range_of_journal_rows(demo_db):
    tamper(demo_db, ("DELETE FROM journal WHERE id BETWEEN 100 AND 104", ()))
    report = check(demo_db)
    messages = [p.message for p in report.problems if p.kind == journal_verify.ENTRIES_MISSING]
    assert messages == ["journal entries 100–104 are missing between entries 99 and 105 (deleted)"]


def test_inserted_reading_row_is_named(demo_db):
    kpi_id = one(demo_db, "SELECT id FROM kpi LIMIT 1")[0]
    tamper(
        demo_db,
        (
            "INSERT INTO reading (kpi_id, period_start, value, entered_by, entered_at, note) "
            "VALUES (?, '1999-01-01', 1.0, 'mallory', '1999-01-02 00:00:00.000000', '')",
            (kpi_id,),
        ),
    )
    new_id = one(demo_db, "SELECT max(id) FROM reading")[0]
    report = check(demo_db)
    [problem] = report.problems
    assert (problem.kind, problem.table, problem.row_id) == (journal_verify.ROW_UNJOURNALED, "reading", new_id)
    assert problem.message == f"reading {new_id} has no journal entry: it was inserted outside isms"


def test_edited_journal_row_is_named(demo_db):
    tamper(demo_db, ("UPDATE journal SET actor = 'mallory' WHERE id = 60", ()))
    report = check(demo_db)
    [problem] = report.problems
    assert (problem.kind, problem.entry_id) == (journal_verify.ENTRY_ALTERED, 60)
    assert "journal entry 60" in problem.message and "does not match its hash" in problem.message


def test_rehashed_journal_edit_breaks_the_link_to_the_next_entry(demo_db):
    """An attacker who recomputes the edited entry's hash is caught one entry later."""
    row = one(
        demo_db,
        "SELECT id, at, actor, entity, entity_id, operation, before, after, prev_hash FROM journal WHERE id = 60",
    )
    forged = entry_hash(row[8], row[1], "mallory", *row[3:8])
    tamper(demo_db, ("UPDATE journal SET actor = 'mallory', hash = ? WHERE id = 60", (forged,)))
    report = check(demo_db)
    [problem] = report.problems
    assert (problem.kind, problem.entry_id) == (journal_verify.CHAIN_BROKEN, 61)
    assert "entry 61 does not continue the chain from entry 60" in problem.message


def test_deleted_reading_row_is_named(demo_db):
    rid = one(
        demo_db,
        "SELECT id FROM reading WHERE id NOT IN (SELECT entity_id FROM evidencelink "
        "WHERE entity = 'reading') ORDER BY id LIMIT 1 OFFSET 3",
    )[0]
    tamper(demo_db, ("DELETE FROM reading WHERE id = ?", (rid,)))
    report = check(demo_db)
    [problem] = report.problems
    assert (problem.kind, problem.table, problem.row_id) == (journal_verify.ROW_DELETED, "reading", rid)
    assert "deleted outside isms" in problem.message


def test_reinserted_deleted_row_is_named(demo_db):
    with fresh_engine(demo_db) as engine:
        with session_scope(engine, "ann") as s:
            k = kpis.save_kpi(s, KpiInput(code="TMP", name="Temp", target=1, started_on=date(2025, 1, 1)))
            r = readings.record_reading(s, k.id, date(2026, 1, 1), 1)
            rid = r.id
        with session_scope(engine, "ann") as s:
            s.delete(s.get(Reading, rid))
    assert check(demo_db).ok
    kpi_id = one(demo_db, "SELECT id FROM kpi WHERE code = 'TMP'")[0]
    tamper(
        demo_db,
        (
            "INSERT INTO reading (id, kpi_id, period_start, value, entered_by, entered_at, note) "
            "VALUES (?, ?, '2026-01-01', 1.0, '', '2026-11-28 12:00:00.000000', '')",
            (rid, kpi_id),
        ),
    )
    [problem] = check(demo_db).problems
    assert (problem.kind, problem.row_id) == (journal_verify.ROW_RESURRECTED, rid)


def test_truncated_journal_end_is_caught_by_the_cross_check(demo_db):
    last = one(demo_db, "SELECT max(id) FROM journal")[0]
    tamper(demo_db, ("DELETE FROM journal WHERE id > ?", (last - 3,)))
    report = check(demo_db)
    assert not report.ok  # the chain alone looks fine; the rows those entries made do not


def test_mass_insert_is_reported_as_one_run(demo_db):
    kpi_id = one(demo_db, "SELECT id FROM kpi LIMIT 1")[0]
    rows = [(kpi_id, f"19{y:02d}-01-01") for y in range(50)]
    con = sqlite3.connect(demo_db)
    con.executemany(
        "INSERT INTO reading (kpi_id, period_start, value, entered_by, entered_at, note) "
        "VALUES (?, ?, 1.0, '', '2000-01-01 00:00:00.000000', '')",
        rows,
    )
    con.commit()
    con.close()
    report = check(demo_db)
    [problem] = report.problems
    assert "(50 rows) have no journal entry" in problem.message
    assert problem.last_row_id - problem.row_id == 49


# -- history ----------------------------------------------------------------------------------------


def test_history_lists_a_records_entries_oldest_first(demo_db):
    with fresh_engine(demo_db) as engine:
        with session_scope(engine, "ann") as s:
            k = kpis.save_kpi(s, KpiInput(code="H1", name="History", target=1, started_on=date(2025, 1, 1)))
            r = readings.record_reading(s, k.id, date(2026, 1, 1), 1, note="one")
        with session_scope(engine, "bob") as s:
            readings.record_reading(s, k.id, date(2026, 1, 1), 2, note="two", replace=True)
        with session_scope(engine) as s:
            entries = journal.history(s, "reading", r.id)
    assert [(e.operation, e.actor) for e in entries] == [("create", "ann"), ("update", "bob")]
    changed = {c.name: (c.before, c.after) for c in journal.field_changes(entries[1])}
    assert changed["value"] == (1.0, 2.0)
    assert changed["note"] == ("one", "two")


def test_evidence_verify_store(demo_db, tmp_path):
    with workspace_session(demo_db) as s:
        assert evidence.verify_store(s).ok
        reading_id = one(demo_db, "SELECT entity_id FROM evidencelink WHERE entity = 'reading' LIMIT 1")[0]
        ev = evidence.linked(s, "reading", reading_id)[0]
        path = evidence.stored_path(s, ev.sha256)
    path.write_bytes(b"changed")
    with workspace_session(demo_db) as s:
        report = evidence.verify_store(s)
    [problem] = report.problems
    assert problem.kind == evidence.ALTERED and problem.original_name == ev.original_name
    assert f"reading {reading_id}" in problem.links


# -- the command line ----------------------------------------------------------------------------------


def test_cli_intact_exit_0(demo_db):
    result = run("journal", "verify", "--db", demo_db)
    assert result.exit_code == 0, result.output
    count, head = one(demo_db, "SELECT count(*), (SELECT hash FROM journal ORDER BY id DESC LIMIT 1) FROM journal")
    assert result.stdout == (
        f"Journal intact: {count} entries, head {head}\n"
        "No signed checkpoints yet: issue a pack, take a backup or run `isms journal seal`.\n"
    )


def test_cli_lists_each_problem_on_one_line_and_exits_1(demo_db):
    rid = one(demo_db, "SELECT id FROM reading ORDER BY id LIMIT 1")[0]
    tamper(
        demo_db,
        ("UPDATE reading SET note = 'x' WHERE id = ?", (rid,)),
        ("UPDATE journal SET actor = 'mallory' WHERE id = 5", ()),
    )
    result = run("journal", "verify", "--db", demo_db)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Journal check failed: 2 problems")
    assert any("journal entry 5 " in line for line in lines[1:])
    assert any(f"reading {rid} was changed outside isms" in line and "note" in line for line in lines[1:])
    assert len(lines) == 4 and lines[3].startswith("No signed checkpoints yet")


def test_cli_json(demo_db):
    tamper(demo_db, ("DELETE FROM journal WHERE id = 7", ()))
    result = run("journal", "verify", "--db", demo_db, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert any(p["kind"] == "entries-missing" and p["entry_id"] == 8 for p in data["problems"])


def test_cli_missing_workspace_is_one_sentence(tmp_path):
    result = run("journal", "verify", "--db", tmp_path / "nope.db")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No workspace at") and "Traceback" not in result.output


def test_cli_evidence_verify(demo_db):
    result = run("evidence", "verify", "--db", demo_db)
    assert result.exit_code == 0, result.output
    files = one(demo_db, "SELECT count(*) FROM evidence")[0]
    assert result.stdout.startswith(f"Evidence intact: {files} files")
    sha = one(demo_db, "SELECT sha256 FROM evidence ORDER BY id LIMIT 1")[0]
    (demo_db.with_name(demo_db.name + ".evidence") / sha[:2] / sha).unlink()
    result = run("evidence", "verify", "--db", demo_db, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [p["kind"] for p in data["problems"]] == ["missing"]
    assert data["problems"][0]["links"]


def test_evidence_size_limit_names_the_setting(session, tmp_path, monkeypatch):
    from isms_tui.services.errors import InputError

    monkeypatch.setenv("ISMS_MAX_EVIDENCE_MB", "0.001")
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(InputError, match=r"larger than the 0\.001 MB evidence limit \(set ISMS_MAX_EVIDENCE_MB"):
        evidence.add_file(session, big)
    monkeypatch.setenv("ISMS_MAX_EVIDENCE_MB", "1")
    assert evidence.add_file(session, big).size == 2000
