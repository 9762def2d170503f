"""`isms readings void|correct`: one sentence, one transaction, refused without a reason."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from isms_tui.models.lock import acquire

from .test_cli_readings import GOOD, csv_file, make_workspace, run


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ISMS_TODAY", "2026-11-28")
    path = make_workspace(tmp_path / "w.db")
    assert run("import", "readings", csv_file(tmp_path, GOOD), "--db", path).exit_code == 0
    return path


def rows(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "SELECT period_start, value, voided_at IS NOT NULL, void_reason, corrected_from, correction_reason "
            "FROM reading ORDER BY id"
        ).fetchall()
    finally:
        con.close()


def test_void_marks_the_reading_and_keeps_it(db):
    result = run("readings", "void", "M1", "2026-01", "--reason", "Counted the wrong month.", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Voided the reading of M1 for 2026-01 (90); it no longer counts.\n"
    assert rows(db)[0] == ("2026-01-01", 90.0, 1, "Counted the wrong month.", None, "")
    again = run("readings", "void", "M1", "2026-01-15", "--reason", "again", "--db", db)
    assert again.exit_code == 1 and again.stderr == "Error: M1 has no live reading for 2026-01.\n"


def test_correct_keeps_the_old_value_and_the_reason(db):
    result = run("readings", "correct", "M1", "2026-02-15", "1.5", "--reason", "Sign typed by mistake.", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Corrected the reading of M1 for 2026-02-15 from -1.5 to 1.5.\n"
    assert rows(db)[1] == ("2026-02-01", 1.5, 0, "", -1.5, "Sign typed by mistake.")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("void", "M1", "2026-01", "--reason", " "), "Error: Give the reason for voiding the reading.\n"),
        (("correct", "M1", "2026-01", "95", "--reason", ""), "Error: Give the reason for the correction.\n"),
        (("correct", "M1", "2026-01", "inf", "--reason", "x"), None),
        (("correct", "M1", "2026-01", "1e300", "--reason", "x"), None),
        (("correct", "NOPE", "2026-01", "1", "--reason", "x"), "Error: There is no KPI with the code 'NOPE'.\n"),
        (("void", "M1", "2026-07", "--reason", "x"), "Error: M1 has no live reading for 2026-07.\n"),
        (("void", "M1", "July", "--reason", "x"), None),
    ],
)
def test_refusals_change_nothing(db, args, message):
    before, stored = db.read_bytes(), rows(db)
    result = run("readings", *args, "--db", db)
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1
    if message:
        assert result.stderr == message
    assert db.read_bytes() == before and rows(db) == stored


def test_refused_while_the_workspace_is_open_elsewhere(db):
    before = rows(db)
    with acquire(db):
        result = run("readings", "void", "M1", "2026-01", "--reason", "x", "--db", db)
    assert result.exit_code == 1 and "close it before voiding a reading" in result.stderr
    assert rows(db) == before
