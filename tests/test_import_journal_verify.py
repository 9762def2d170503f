"""`journal verify` on readings created by `create_many` entries: every tampering is still found.

A few hundred readings are imported three entries' worth (BATCH_ROWS is lowered), then the
database or the journal is changed with the sqlite3 module. A forged entry is re-chained
(every later hash recomputed, as an insider would) so that the finding shown is the one
about the rows, not only the broken chain.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from isms_tui.cli import main
from isms_tui.models import Frequency, journal_batch
from isms_tui.models.db import session_scope
from isms_tui.models.journal import GENESIS_HASH, entry_hash
from isms_tui.services import journal_verify, kpis, readings
from isms_tui.services.kpis import KpiInput
from isms_tui.services.readings_csv import import_readings

from .db_helpers import fresh_engine, read, write

KPIS, WEEKS, BATCH = 2, 130, 100  # 260 readings in three entries (100, 100, 60)
TODAY = "2026-11-28"


def build(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISMS_TODAY", TODAY)
    monkeypatch.setattr(journal_batch, "BATCH_ROWS", BATCH)
    last_monday = date(2026, 11, 16)
    lines = ["kpi,date,value,note"]
    for k in range(KPIS):
        lines += [f"W{k},{last_monday - timedelta(weeks=w)},{(k * 7 + w) % 100}.5,n{w % 3}" for w in range(WEEKS)]
    csv_path = path.with_suffix(".csv")
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with fresh_engine(path) as engine:
        with session_scope(engine, "setup") as s:
            for k in range(KPIS):
                kpis.save_kpi(
                    s,
                    KpiInput(
                        code=f"W{k}",
                        name=f"KPI {k}",
                        target=50.0,
                        frequency=Frequency.WEEKLY,
                        started_on=date(2020, 1, 6),
                    ),
                )
        with session_scope(engine, "importer") as s:
            assert import_readings(s, csv_path, entered_by="importer").created == KPIS * WEEKS


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("imported") / "template.db"
    with pytest.MonkeyPatch.context() as mp:
        build(path, mp)
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "w.db"
    shutil.copyfile(template, path)
    return path


def sql(db: Path, statement: str, params: tuple = ()) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute(statement, params).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def batches(db: Path) -> list[tuple[int, int, str]]:
    return sql(db, "SELECT id, entity_id, after FROM journal WHERE operation = 'create_many' ORDER BY id")


def reforge(db: Path, entry_id: int, **fields: object) -> None:
    """Change an entry's fields and recompute its hash and every later one (a re-forged chain)."""
    con = sqlite3.connect(db)
    try:
        for name, value in fields.items():
            con.execute(f"UPDATE journal SET {name} = ? WHERE id = ?", (value, entry_id))
        prev = con.execute("SELECT hash FROM journal WHERE id < ? ORDER BY id DESC LIMIT 1", (entry_id,)).fetchone()
        prev = prev[0] if prev else GENESIS_HASH
        cols = "id, at, actor, entity, entity_id, operation, before, after"
        for eid, at, actor, entity, ent_id, op, before, after in con.execute(
            f"SELECT {cols} FROM journal WHERE id >= ? ORDER BY id", (entry_id,)
        ).fetchall():
            h = entry_hash(prev, at, actor, entity, ent_id, op, before, after)
            con.execute("UPDATE journal SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, eid))
            prev = h
        con.commit()
    finally:
        con.close()


def check(db: Path) -> journal_verify.JournalReport:
    return read(db, lambda s: journal_verify.verify(s, checkpoints=False))


def found(report: journal_verify.JournalReport) -> list[tuple[str, int | None]]:
    return [(p.kind, p.row_id) for p in report.problems]


def test_the_import_writes_bounded_batches_and_verifies(db: Path):
    entries = batches(db)
    first = sql(db, "SELECT min(id) FROM reading")[0][0]
    assert [(e[1], len(json.loads(e[2])["rows"])) for e in entries] == [
        (first, 100),
        (first + 100, 100),
        (first + 200, 60),
    ]
    assert sql(db, "SELECT count(*) FROM journal WHERE entity = 'reading' AND operation != 'create_many'") == [(0,)]
    report = check(db)
    assert report.ok, [p.message for p in report.problems]
    assert report.rows_checked >= KPIS * WEEKS


def test_a_reading_changed_with_the_shell_is_named(db: Path):
    rid = sql(db, "SELECT min(id) + 150 FROM reading")[0][0]
    sql(db, "UPDATE reading SET value = 1234, note = 'x' WHERE id = ?", (rid,))
    report = check(db)
    assert found(report) == [(journal_verify.ROW_CHANGED, rid)]
    assert set(report.problems[0].columns) == {"value", "note"}
    assert f"entry {batches(db)[1][0]}" in report.problems[0].message


def test_deleted_readings_are_named_as_a_run(db: Path):
    first = sql(db, "SELECT min(id) FROM reading")[0][0]
    sql(db, "DELETE FROM reading WHERE id BETWEEN ? AND ?", (first + 98, first + 101))
    report = check(db)
    assert found(report) == [(journal_verify.ROW_DELETED, first + 98)]
    assert report.problems[0].last_row_id == first + 101


def test_a_row_inserted_inside_a_batch_is_compared_with_it_and_outside_is_unjournaled(db: Path):
    first, last = sql(db, "SELECT min(id), max(id) FROM reading")[0]
    cols = "kpi_id, period_start, value, entered_by, entered_at, note, partial"
    row = sql(db, f"SELECT {cols} FROM reading WHERE id = ?", (first + 10,))[0]
    sql(db, "DELETE FROM reading WHERE id = ?", (first + 10,))
    sql(
        db,
        f"INSERT INTO reading (id, {cols}) VALUES (?, ?, '2019-01-07', ?, ?, ?, ?, ?)",
        (first + 10, *row[:1], *row[2:]),
    )
    sql(
        db,
        f"INSERT INTO reading (id, {cols}) VALUES (?, ?, '2018-01-01', ?, ?, ?, ?, ?)",
        (last + 5, *row[:1], *row[2:]),
    )
    report = check(db)
    assert found(report) == [(journal_verify.ROW_CHANGED, first + 10), (journal_verify.ROW_UNJOURNALED, last + 5)]
    assert report.problems[0].columns == ("period_start",)


def test_a_reading_back_after_its_journaled_delete_is_resurrected(db: Path):
    rid = sql(db, "SELECT min(id) + 5 FROM reading")[0][0]
    saved = sql(db, "SELECT * FROM reading WHERE id = ?", (rid,))[0]
    write(db, lambda s: s.delete(s.get(readings.Reading, rid)))
    assert check(db).ok
    sql(db, f"INSERT INTO reading VALUES ({', '.join('?' * len(saved))})", saved)
    assert found(check(db)) == [(journal_verify.ROW_RESURRECTED, rid)]


def test_an_imported_then_voided_reading_verifies_and_its_void_is_compared(db: Path):
    rid = sql(db, "SELECT min(id) + 120 FROM reading")[0][0]
    write(db, lambda s: readings.void_reading(s, rid, "typed twice", by="ann"))
    report = check(db)
    assert report.ok, [p.message for p in report.problems]
    sql(db, "UPDATE reading SET voided_at = NULL WHERE id = ?", (rid,))
    report = check(db)
    assert found(report) == [(journal_verify.ROW_CHANGED, rid)]
    assert report.problems[0].columns == ("voided_at",)


def test_an_altered_batch_entry_breaks_the_chain(db: Path):
    eid, _first, after = batches(db)[0]
    sql(db, "UPDATE journal SET after = ? WHERE id = ?", (after.replace("50.5", "51.5", 1), eid))
    report = check(db)
    assert journal_verify.ENTRY_ALTERED in {p.kind for p in report.problems}
    assert any(p.kind == journal_verify.ROW_CHANGED for p in report.problems)  # the row no longer matches


@pytest.mark.parametrize(
    "after",
    [
        "{not json",
        '{"columns":[],"rows":[]}',
        '{"columns":["value"],"rows":[[1,2]],"same":{}}',
        '{"columns":["id"],"rows":[[1]],"same":{}}',
        "[1, 2, 3]",
        None,
        "[" * 100_000 + "]" * 100_000,
    ],
    ids=["not-json", "keys", "width", "id-column", "list", "null", "nested-too-deep"],
)
def test_a_malformed_batch_is_one_problem_and_its_rows_are_unjournaled(db: Path, after: str | None):
    eid, first, _after = batches(db)[1]
    reforge(db, eid, after=after)
    report = check(db)
    assert found(report) == [
        (journal_verify.ENTRY_MALFORMED, None),
        (journal_verify.ROW_UNJOURNALED, first),
    ]
    assert report.problems[0].entry_id == eid
    assert f"journal entry {eid} (create_many)" in report.problems[0].message
    assert report.problems[1].last_row_id == first + BATCH - 1


def test_a_batch_claiming_ids_of_another_is_compared_as_the_newer(db: Path):
    (e1, first, after1), (e2, _second, _a2), _rest = batches(db)
    # the second entry re-forged to claim the first entry's ids: the newer entry wins, so the
    # first entry's rows are compared with the second's values and the second's own are unjournaled
    reforge(db, e2, entity_id=first)
    report = check(db)
    kinds = {p.kind for p in report.problems}
    assert kinds == {journal_verify.ROW_CHANGED, journal_verify.ROW_UNJOURNALED}
    assert all(f"entry {e2}" in p.message for p in report.problems if p.kind == journal_verify.ROW_CHANGED)
    assert e1 < e2


def test_an_id_reused_after_a_delete_is_checked_against_the_newer_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The last imported reading deleted, a second import: SQLite gives its first row the same id."""
    path = tmp_path / "w.db"
    build(path, monkeypatch)
    last = sql(path, "SELECT max(id) FROM reading")[0][0]
    write(path, lambda s: s.delete(s.get(readings.Reading, last)))
    csv_path = tmp_path / "more.csv"
    csv_path.write_text("kpi,date,value\nW0,2015-01-05,7\nW0,2015-01-12,8\n", encoding="utf-8")
    write(path, lambda s: import_readings(s, csv_path))
    assert batches(path)[-1][1] == last
    report = check(path)
    assert report.ok, [p.message for p in report.problems]


def test_cli_exit_codes_on_an_intact_and_a_tampered_batch(db: Path):
    runner = CliRunner()
    assert runner.invoke(main, ["journal", "verify", "--db", str(db)]).exit_code == 0
    eid, _first, _after = batches(db)[2]
    reforge(db, eid, after='{"columns":"x","rows":[],"same":{}}')
    result = runner.invoke(main, ["journal", "verify", "--db", str(db)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"journal entry {eid} (create_many) has no valid list of column names" in result.stdout
    data = json.loads(runner.invoke(main, ["journal", "verify", "--db", str(db), "--json"]).stdout)
    assert {p["kind"] for p in data["problems"]} == {"entry-malformed", "row-unjournaled"}


def test_an_entry_whose_entity_id_is_text_is_named_without_stopping_the_check(db: Path):
    rid = sql(db, "SELECT min(id) + 7 FROM reading")[0][0]
    write(db, lambda s: readings.void_reading(s, rid, "typed twice", by="ann"))
    void_id = sql(db, "SELECT max(id) FROM journal")[0][0]
    batch_id = batches(db)[2][0]
    sql(db, "UPDATE journal SET entity_id = 'abc' WHERE id IN (?, ?)", (void_id, batch_id))
    report = check(db)
    kinds = [p.kind for p in report.problems]
    assert journal_verify.VALUE_INVALID in kinds and journal_verify.ENTRY_MALFORMED in kinds
    assert (journal_verify.ROW_CHANGED, rid) in found(report)  # compared with its batch state again
    assert (journal_verify.ROW_UNJOURNALED, batches(db)[1][1] + BATCH) in found(report)  # the third batch's rows
