"""CSV import/export of readings: all-or-nothing import, row-numbered errors, safe export."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from isms_tui.models import Frequency, JournalEntry, Reading, journal_batch
from isms_tui.models.db import session_scope
from isms_tui.models.journal import GENESIS_HASH, canonical, entry_hash
from isms_tui.models.journal_batch import entry_states
from isms_tui.services import clock, kpis, readings, readings_bulk, readings_csv, readings_export
from isms_tui.services.csv_io import ImportRejected, escape_cell, unescape_cell
from isms_tui.services.errors import InputError
from isms_tui.services.kpis import KpiInput
from isms_tui.services.readings_csv import export_readings, import_readings

from .db_helpers import fresh_engine

HEADER = "kpi,date,value,note,entered_by\n"
EMPTY = "{f} is empty; expected a header row: kpi, date, value and optionally note, entered_by, partial."


def _make_workspace(engine: Engine) -> Engine:
    """KPIs of every kind the importer must tell apart: M1 monthly, Q1 quarterly, W1 weekly,
    OLD inactive (set up in the new workspace behind `engine`)."""
    with session_scope(engine, "setup") as s:
        for code, freq in (
            ("M1", Frequency.MONTHLY),
            ("Q1", Frequency.QUARTERLY),
            ("W1", Frequency.WEEKLY),
            ("OLD", Frequency.MONTHLY),
        ):
            kpi = kpis.save_kpi(
                s, KpiInput(code=code, name=f"KPI {code}", target=90.0, frequency=freq, started_on=date(2024, 1, 1))
            )
        kpis.set_active(s, kpi.id, False)
    return engine


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ISMS_TODAY", "2026-11-28")
    with fresh_engine(tmp_path / "w.db") as eng:
        yield _make_workspace(eng)


def write(tmp_path: Path, content: str | bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def counts(engine: Engine) -> tuple[int, int]:
    with Session(engine) as s:
        return (
            s.exec(select(func.count()).select_from(Reading)).one(),
            s.exec(select(func.count()).select_from(JournalEntry)).one(),
        )


def do_import(engine: Engine, path: Path, **kw) -> readings_csv.ImportResult:
    with session_scope(engine, "tester") as s:
        return import_readings(s, path, entered_by=kw.pop("entered_by", "importer"), **kw)


def rejected(engine: Engine, path: Path, **kw) -> ImportRejected:
    """Import expecting a rejection, and check that nothing at all was written."""
    before = counts(engine)
    with pytest.raises(ImportRejected) as exc:
        do_import(engine, path, **kw)
    assert counts(engine) == before
    return exc.value


def all_readings(engine: Engine) -> list[tuple]:
    with Session(engine) as s:
        q = select(Reading.kpi_id, Reading.period_start, Reading.value, Reading.note, Reading.entered_by).order_by(
            Reading.kpi_id, Reading.period_start
        )
        return [tuple(r) for r in s.exec(q)]


def kpi_ids(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        return {k.code: k.id for k in kpis.list_kpis(s, include_inactive=True)}


# --- valid imports ---------------------------------------------------------------------------


def test_valid_import_maps_dates_to_periods_and_journals_each_row(engine, tmp_path):
    path = write(
        tmp_path,
        "\ufeff KPI ,Date,VALUE , note,Entered_By\n"
        "M1,2026-03-15,97.5,patched,alice\n"
        "Q1,2026-05-20T10:30:00+02:00,-3,,\n"
        "\n"
        'W1,2026-11-19,12,"multi\nline, ""quoted""",bob\n',
    )
    result = do_import(engine, path)
    assert (result.count, result.created, result.replaced) == (3, 3, 0)
    ids = kpi_ids(engine)
    assert all_readings(engine) == [
        (ids["M1"], date(2026, 3, 1), 97.5, "patched", "alice"),
        (ids["Q1"], date(2026, 4, 1), -3.0, "", "importer"),
        (ids["W1"], date(2026, 11, 16), 12.0, 'multi\nline, "quoted"', "bob"),
    ]
    with Session(engine) as s:
        stored = {r.id: r for r in s.exec(select(Reading))}
        entries = s.exec(select(JournalEntry).where(JournalEntry.entity == "reading")).all()
    assert all(r.entered_at == clock.now() for r in stored.values())
    assert [e.operation for e in entries] == ["create_many"]
    assert {e.actor for e in entries} == {"tester"}
    states = dict(entry_states(entries[0].id, entries[0].entity_id, entries[0].operation, entries[0].after))
    assert set(states) == set(stored)
    for rid, after in states.items():
        r = stored[rid]
        assert after == {
            "id": r.id,
            "kpi_id": r.kpi_id,
            "period_start": r.period_start.isoformat(),
            "value": r.value,
            "entered_by": r.entered_by,
            "note": r.note,
            "entered_at": clock.now().isoformat(),
            "partial": False,
            "voided_at": None,
            "voided_by": "",
            "void_reason": "",
            "corrected_from": None,
            "corrected_at": None,
            "corrected_by": "",
            "correction_reason": "",
        }


def test_header_with_only_required_columns(engine, tmp_path):
    assert do_import(engine, write(tmp_path, "value,kpi,date\r\n5,M1,2026-01-31\r\n")).count == 1


def test_stored_values_are_exactly_what_the_orm_writes(engine, tmp_path):
    ids = kpi_ids(engine)
    with session_scope(engine, "tester") as s:
        readings.record_reading(s, ids["M1"], date(2026, 1, 10), 1.5, entered_by="orm", note="n")
    do_import(engine, write(tmp_path, HEADER + "M1,2026-02-10,1.5,n,orm\n"))
    con = sqlite3.connect(engine.url.database)
    cols = "kpi_id, value, entered_by, entered_at, note, typeof(period_start), typeof(entered_at)"
    orm_row, csv_row = con.execute(f"SELECT {cols} FROM reading ORDER BY period_start").fetchall()
    assert orm_row == csv_row
    dates = [r[0] for r in con.execute("SELECT period_start FROM reading ORDER BY id")]
    assert dates == ["2026-01-01", "2026-02-01"]
    journal = con.execute("SELECT id, entity_id, operation, after FROM journal WHERE entity='reading' ORDER BY id")
    orm_entry, csv_entry = journal.fetchall()
    orm_after = json.loads(orm_entry[3])
    ((_id, csv_after),) = entry_states(*csv_entry)
    assert orm_after.keys() == csv_after.keys()
    assert orm_after["entered_at"] == csv_after["entered_at"]
    con.close()


_ROW = st.tuples(
    st.integers(1, 2**31),  # kpi_id
    st.floats(allow_nan=False, allow_infinity=False),  # value
    st.text(),  # note
    st.text(),  # entered_by
    st.dates(),  # period start
    st.booleans(),  # partial
)


@given(rid=st.integers(1, 2**62), rows=st.lists(_ROW, min_size=1, max_size=4), at=st.datetimes(timezones=st.just(UTC)))
def test_each_row_of_a_bulk_journal_entry_is_exactly_the_canonical_create_state(rid, rows, at):
    """Expanded, each row of a create_many entry is the state a per-row `create` entry holds,
    in the same canonical text, whatever the values (a column the same in every row is kept
    once, in `same`)."""
    values = [(by, kpi_id, note, partial, day.isoformat(), value) for kpi_id, value, note, by, day, partial in rows]
    ((_entity, first, op, _before, after),) = readings_bulk.created_entries(values, rid, at.isoformat())
    assert after == canonical(json.loads(after))
    states = list(entry_states(1, first, op, after))
    assert [i for i, _ in states] == list(range(rid, rid + len(rows)))
    for (row_id, state), (kpi_id, value, note, by, day, partial) in zip(states, rows, strict=True):
        assert canonical(state) == canonical(
            {
                "id": row_id,
                "kpi_id": kpi_id,
                "period_start": day,
                "value": value,
                "entered_by": by,
                "entered_at": at,
                "note": note,
                "partial": partial,
                "voided_at": None,
                "voided_by": "",
                "void_reason": "",
                "corrected_from": None,
                "corrected_at": None,
                "corrected_by": "",
                "correction_reason": "",
            }
        )


def test_journal_chain_stays_intact_across_bulk_writes(engine, tmp_path):
    do_import(engine, write(tmp_path, HEADER + "M1,2026-01-01,1,,\nM1,2026-02-01,2,,\n"))
    do_import(engine, write(tmp_path, HEADER + "M1,2026-02-01,3,,\n"), replace=True)
    with Session(engine) as s:
        entries = s.exec(select(JournalEntry).order_by(JournalEntry.id)).all()
    prev = GENESIS_HASH
    for e in entries:
        assert e.prev_hash == prev
        assert e.hash == entry_hash(prev, e.at, e.actor, e.entity, e.entity_id, e.operation, e.before, e.after)
        prev = e.hash


def test_existing_reading_is_rejected_unless_replace(engine, tmp_path):
    ids = kpi_ids(engine)
    with session_scope(engine, "tester") as s:
        readings.record_reading(s, ids["M1"], date(2026, 10, 1), 80, entered_by="first", note="old")
    path = write(tmp_path, HEADER + "M1,2026-10-15,95,new,second\nM1,2026-09-01,70,,\n")
    err = rejected(engine, path)
    assert err.row_errors == [
        "row 2: KPI M1 already has a reading for 2026-10 (80); import with replace to overwrite it"
    ]
    result = do_import(engine, path, replace=True)
    assert (result.created, result.replaced) == (1, 1)
    assert all_readings(engine) == [
        (ids["M1"], date(2026, 9, 1), 70.0, "", "importer"),
        (ids["M1"], date(2026, 10, 1), 95.0, "new", "second"),
    ]
    with Session(engine) as s:
        update = s.exec(
            select(JournalEntry).where(JournalEntry.operation == "update", JournalEntry.entity == "reading")
        ).one()
    before, after = json.loads(update.before), json.loads(update.after)
    assert (before["value"], before["note"], before["entered_by"]) == (80, "old", "first")
    assert (after["value"], after["note"], after["entered_by"]) == (95, "new", "second")
    assert before["id"] == after["id"] == update.entity_id


def test_replace_refreshes_readings_already_loaded_in_the_session(engine, tmp_path):
    ids = kpi_ids(engine)
    path = write(tmp_path, HEADER + "M1,2026-10-15,95,,\n")
    with session_scope(engine, "tester") as s:
        loaded = readings.record_reading(s, ids["M1"], date(2026, 10, 1), 80)
        import_readings(s, path, replace=True)
        assert loaded.value == 95


def test_replace_does_not_allow_duplicates_within_the_file(engine, tmp_path):
    path = write(tmp_path, HEADER + "M1,2026-10-01,1,,\nM1,2026-10-31,2,,\n")
    err = rejected(engine, path, replace=True)
    assert err.row_errors == ["row 3: KPI M1 period 2026-10 is already in row 2"]


# --- rejected files --------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_its_line_number(engine, tmp_path):
    lines = [
        "kpi,date,value,note",  # 1
        "M1,2026-01-05,1,ok",  # 2 valid
        "NOPE,2026-01-05,1,",  # 3 unknown KPI
        "OLD,2026-01-05,1,",  # 4 inactive
        "M1,05/01/2026,1,",  # 5 bad date
        "M1,,1,",  # 6 empty date
        "M1,2026-12-01,1,",  # 7 future period
        "M1,2026-02-01,abc,",  # 8 not a number
        "M1,2026-03-01,NaN,",  # 9 NaN
        "M1,2026-04-01,inf,",  # 10 infinite
        'M1,2026-05-01,"1,5",',  # 11 decimal comma
        "M1,2026-01-31,2,",  # 12 same period as row 2
        "M1,2026-06-01,1",  # 13 field missing
        "M1,2026-07-01,1,x,extra",  # 14 field too many
        "M1,2026-08-01,1," + "n" * 2001,  # 15 note too long
        "M1,2026-09-01,,",  # 16 empty value
        ",2026-09-01,1,",  # 17 empty kpi
        "NOPE,bad,x,",  # 18 three problems at once
        "Q1,2026-11-30,1,",  # 19 Q4 has started but not closed, and the row does not say partial
    ]
    err = rejected(engine, write(tmp_path, "\n".join(lines) + "\n"))
    assert str(err) == f"17 rows of {tmp_path / 'in.csv'} were rejected; nothing was imported."
    assert err.row_errors == [
        "row 3: unknown KPI code 'NOPE'",
        "row 4: KPI OLD is inactive",
        "row 5: '05/01/2026' is not an ISO 8601 date (YYYY-MM-DD)",
        "row 6: the date is empty",
        "row 7: the period 2026-12 of KPI M1 has not started yet (today is 2026-11-28)",
        "row 8: 'abc' is not a finite number (use a dot for decimals)",
        "row 9: 'NaN' is not a finite number (use a dot for decimals)",
        "row 10: 'inf' is not a finite number (use a dot for decimals)",
        "row 11: '1,5' is not a finite number (use a dot for decimals)",
        "row 12: KPI M1 period 2026-01 is already in row 2",
        "row 13: expected 4 fields, found 3",
        "row 14: expected 4 fields, found 5",
        "row 15: the note has 2001 characters; the limit is 2000",
        "row 16: the value is empty",
        "row 17: the kpi code is empty",
        "row 18: unknown KPI code 'NOPE'; 'bad' is not an ISO 8601 date (YYYY-MM-DD); "
        "'x' is not a finite number (use a dot for decimals)",
        "row 19: the period 2026-Q4 of KPI Q1 has not closed yet; import it with partial = yes or wait",
    ]


def test_line_numbers_count_multiline_cells_and_blank_lines(engine, tmp_path):
    text = HEADER + 'M1,2026-01-01,1,"three\nline\nnote",\n\n\nM1,2026-02-01,oops,,\n'
    assert rejected(engine, write(tmp_path, text)).row_errors == [
        "row 7: 'oops' is not a finite number (use a dot for decimals)"
    ]


def test_overlong_entered_by_and_huge_cells_stay_readable(engine, tmp_path):
    text = HEADER + f"M1,2026-01-01,{'9' * 500}x,,{'a' * 201}\n"
    (error,) = rejected(engine, write(tmp_path, text)).row_errors
    assert error == (
        "row 2: '" + "9" * 39 + "…' is not a finite number (use a dot for decimals);"
        " "
        "entered_by has 201 characters; the limit is 200"
    )


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("kpi,date,note", "missing column value"),
        ("kpi,date,value,comment,Owner", "unknown column 'comment', 'Owner'"),
        ("kpi,date,value,KPI", "repeated column kpi"),
        ("kpi,date,value,", "unknown column ''"),
        ("value;kpi;date", "missing column kpi, date, value; unknown column 'value;kpi;date'"),
    ],
)
def test_wrong_header_is_one_clear_error(engine, tmp_path, header, problem):
    err = rejected(engine, write(tmp_path, header + "\nM1,2026-01-01,1,x\n"))
    assert str(err) == f"1 row of {tmp_path / 'in.csv'} was rejected; nothing was imported."
    assert err.row_errors == [
        "row 1: the header must be kpi, date, value and optionally note, entered_by, partial: " + problem
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", EMPTY),
        ("\n \n,,\n", EMPTY),
        (HEADER, "{f} has a header but no readings; nothing was imported."),
        (HEADER + "\n,,,,\n", "{f} has a header but no readings; nothing was imported."),
        (
            "kpi,date,value\nM1,2026-01-01,caf\xe9\n".encode("latin-1"),
            "{f} is not UTF-8 text (first bad byte on line 2); save it as CSV UTF-8.",
        ),
        (
            "kpi,date,value\n".encode("utf-16"),
            "{f} is not UTF-8 text (first bad byte on line 1); save it as CSV UTF-8.",
        ),
        (b"kpi\x00,date,value\n", "{f} contains NUL bytes; it is not a UTF-8 CSV text file."),
    ],
)
def test_unusable_files_are_refused_in_one_sentence(engine, tmp_path, content, message):
    path = write(tmp_path, content)
    err = rejected(engine, path)
    assert str(err) == message.format(f=path)
    assert err.row_errors == []


def test_malformed_quoting_is_a_row_error(engine, tmp_path):
    text = HEADER + 'NOPE,2026-01-01,1,,\nM1,2026-02-01,1,"unterminated,\n'
    assert rejected(engine, write(tmp_path, text)).row_errors == [
        "row 2: unknown KPI code 'NOPE'",
        "row 3: cannot be read as CSV (unexpected end of data); check its quotes",
    ]


def test_missing_file_and_directory(engine, tmp_path):
    missing = tmp_path / "nope.csv"
    assert str(rejected(engine, missing)) == f"{missing} does not exist."
    assert str(rejected(engine, tmp_path)) == f"{tmp_path} is a directory, not a CSV file."


def test_too_large_file_is_refused_before_reading(engine, tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:  # sparse: no 50 MB actually written
        fh.truncate(50 * 1024 * 1024 + 1)

    def no_reading(*_a, **_k):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    err = rejected(engine, path)
    assert str(err) == f"{path} is larger than 50 MB; split it into smaller files."


def test_a_file_growing_past_the_limit_after_stat_is_still_refused(engine, tmp_path, monkeypatch):
    path = write(tmp_path, HEADER + "M1,2026-01-01,1,,\n" * 20)
    monkeypatch.setattr(readings_csv, "MAX_FILE_BYTES", 100)
    small_regular_file = type("Stat", (), {"st_size": 0, "st_mode": 0o100644})()
    monkeypatch.setattr(Path, "stat", lambda self, **_: small_regular_file)
    assert "is larger than" in str(rejected(engine, path))


# --- export ----------------------------------------------------------------------------------


def export_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_export_is_sorted_labelled_and_formula_safe(engine, tmp_path):
    ids = kpi_ids(engine)
    with session_scope(engine, "tester") as s:
        readings.record_reading(s, ids["W1"], date(2026, 11, 26), -5, "=cmd|' /C calc'!A0", partial=True)
        readings.record_reading(s, ids["M1"], date(2026, 2, 1), 0.1, note="@SUM(A1:A9)")
        readings.record_reading(s, ids["M1"], date(2026, 1, 1), 1e12, note="-2+3")
        readings.record_reading(s, ids["Q1"], date(2026, 1, 1), 2.5, note="+1 and 'quoted'")
        readings.record_reading(s, ids["Q1"], date(2026, 4, 1), 3, note="'=already")
    out = tmp_path / "out.csv"
    with session_scope(engine) as s:
        assert export_readings(s, out) == 5
    rows = export_rows(out)
    assert rows[0] == ["kpi", "period", "date", "value", "note", "entered_by", "entered_at", "partial", "late"]
    at = clock.now().isoformat(timespec="seconds")
    assert rows[1:] == [  # all but the running week's were typed in long after their due date
        ["M1", "2026-01", "2026-01-01", "1000000000000", "'-2+3", "", at, "", "yes"],
        ["M1", "2026-02", "2026-02-01", "0.1", "'@SUM(A1:A9)", "", at, "", "yes"],
        ["Q1", "2026-Q1", "2026-01-01", "2.5", "'+1 and 'quoted'", "", at, "", "yes"],
        ["Q1", "2026-Q2", "2026-04-01", "3", "''=already", "", at, "", "yes"],
        ["W1", "2026-W48", "2026-11-23", "-5", "", "'=cmd|' /C calc'!A0", at, "yes", ""],
    ]


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("''-x", "'''-x"),
        ("'plain", "'plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_escape_cell(text, escaped):
    assert escape_cell(text) == escaped
    assert unescape_cell(escaped) == text


@given(st.text())
def test_escaping_is_reversible_and_never_leaves_a_formula(text):
    escaped = escape_cell(text)
    assert unescape_cell(escaped) == text
    assert escaped[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_export_round_trips_into_another_workspace(engine, tmp_path, open_workspace):
    notes = [
        '=HYPERLINK("http://x")',
        "'=kept apostrophe",
        "'plain",
        "- bullet",
        'line1\nline2, "quoted"',
        "naïve café ✓",
        "",
    ]
    values = ["-1.5", "0", "1e-07", "123456789.125", "-0.0", "42", "3.3333333333333335"]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["kpi", "date", "value", "note", "entered_by"])
    for month, (value, note) in enumerate(zip(values, notes, strict=True), start=1):
        writer.writerow(["M1", f"2026-{month:02d}-07", value, note, "@ops" if month % 2 else "al"])
    do_import(engine, write(tmp_path, buf.getvalue()))
    with session_scope(engine, "tester") as s:  # a note that really starts with an apostrophe
        readings.record_reading(s, kpi_ids(engine)["Q1"], date(2026, 1, 1), 1, "carol", "'=stored")
    out = tmp_path / "out.csv"
    with session_scope(engine) as s:
        export_readings(s, out)
    other = _make_workspace(open_workspace(tmp_path / "other.db"))
    assert do_import(other, out).count == 8
    assert all_readings(other) == all_readings(engine)
    notes[1] = "=kept apostrophe"  # the first import already read "'=" as an escaped "="
    assert [r[3] for r in all_readings(other)] == notes + ["'=stored"]
    assert {r[4] for r in all_readings(other)} == {"@ops", "al", "carol"}
    rejected(engine, out)  # same workspace: every row already exists
    assert do_import(engine, out, replace=True).replaced == 8


def test_export_period_column_must_match_the_date_when_edited(engine, tmp_path):
    text = "kpi,period,date,value,note,entered_by,entered_at\nM1,2026-02,2026-01-05,1,,,whatever\n"
    assert rejected(engine, write(tmp_path, text)).row_errors == [
        "row 2: the period '2026-02' does not match the date 2026-01-05 (2026-01)"
    ]


def test_export_replaces_the_file_atomically(engine, tmp_path, monkeypatch):
    ids = kpi_ids(engine)
    with session_scope(engine, "tester") as s:
        readings.record_reading(s, ids["M1"], date(2026, 1, 1), 1)
        readings.record_reading(s, ids["M1"], date(2026, 2, 1), 2)
    out = write(tmp_path, "previous export\n", "out.csv")
    out.chmod(0o640)
    calls = []

    def failing_number(value: float) -> str:
        calls.append(value)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return str(value)

    original = readings_export._number
    monkeypatch.setattr(readings_export, "_number", failing_number)
    with session_scope(engine) as s, pytest.raises(InputError, match="^There is not enough space on the disk"):
        export_readings(s, out)
    assert out.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []
    monkeypatch.setattr(readings_export, "_number", original)
    with session_scope(engine) as s:
        assert export_readings(s, out) == 2
    assert len(export_rows(out)) == 3
    assert out.stat().st_mode & 0o777 == 0o640


def test_export_to_a_directory_or_missing_folder(engine, tmp_path):
    with session_scope(engine) as s:
        with pytest.raises(InputError, match="is a directory"):
            export_readings(s, tmp_path)
        with pytest.raises(InputError, match="does not exist"):
            export_readings(s, tmp_path / "nope" / "out.csv")


# --- property: arbitrary input -------------------------------------------------------------

_CELLS = {
    "kpi": ["M1", "Q1", "W1", "OLD", "nope", "", " M1 "],
    "date": ["2026-03-15", "2026-11-28T23:59:00Z", "2026-13-01", "", "2027-01-01", "20260704"],
    "value": ["1", "-2.5", "1e3", "abc", "nan", "1e400", "", "1_0"],
    "note": ["", "=x", "'=y", "a\nb", '"', "x" * 2001],
    "entered_by": ["", "bob", "+z"],
}
_VALID_DATES = [date(2025, 1, 6) + timedelta(weeks=w) for w in range(60)]


@st.composite
def csv_like(draw: st.DrawFn) -> bytes:
    """Mostly CSV rows, valid or not, sometimes with a bad header; sometimes plain garbage."""
    kind = draw(st.sampled_from(["rows", "rows", "rows", "text", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "text":
        return draw(st.text(max_size=300)).encode("utf-8", "surrogatepass")
    columns = draw(st.permutations(["kpi", "date", "value"]))
    columns += draw(st.lists(st.sampled_from(["note", "entered_by"]), unique=True))
    if draw(st.integers(0, 9)) == 0:
        columns.append(draw(st.sampled_from(["extra", "KPI", "note"])))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(draw(st.sampled_from([c, c.upper(), f" {c} "])) for c in columns)
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 3)) == 0:
            row = [draw(st.sampled_from(_CELLS.get(c.lower(), ["?"]))) for c in columns]
        else:
            valid = {
                "kpi": draw(st.sampled_from(["M1", "Q1", "W1"])),
                "date": draw(st.sampled_from(_VALID_DATES)).isoformat(),
                "value": str(draw(st.floats(allow_nan=False, allow_infinity=False))),
            }
            row = [valid.get(c, draw(st.text(max_size=5))) for c in columns]
        if draw(st.integers(0, 9)) == 0:
            row.append("surplus")
        writer.writerow(row)
    return buf.getvalue().encode("utf-8")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(content=csv_like())
def test_any_input_is_imported_whole_or_rejected_without_writing(engine, tmp_path, content):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(content)
    with Session(engine) as s:

        def count(model) -> int:
            return s.exec(select(func.count()).select_from(model)).one()

        before = count(Reading), count(JournalEntry)
        try:
            result = import_readings(s, path, entered_by="fuzz")
        except InputError as exc:
            event("rejected")
            assert isinstance(exc, ImportRejected)
            assert str(exc)
            assert (count(Reading), count(JournalEntry)) == before
        else:
            event("imported")
            assert result.count > 0
            batches = -(-result.created // journal_batch.BATCH_ROWS)  # create_many entries
            assert (count(Reading), count(JournalEntry)) == (
                before[0] + result.created,
                before[1] + batches + result.replaced,
            )
        finally:
            s.rollback()
