"""`isms import readings` / `isms export readings`: exit codes, messages, all-or-nothing."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from isms_tui.cli import main
from isms_tui.models import Frequency
from isms_tui.services import kpis
from isms_tui.services.kpis import KpiInput

from .db_helpers import workspace_session

GOOD = "kpi,date,value,note\nM1,2026-01-15,90,first\nM1,2026-02-15,-1.5,=2+2\n"


def make_workspace(path: Path) -> Path:
    with workspace_session(path, "setup") as s:
        kpis.save_kpi(
            s,
            KpiInput(code="M1", name="Monthly", target=90.0, frequency=Frequency.MONTHLY, started_on=date(2024, 1, 1)),
        )
    return path


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ISMS_TODAY", "2026-11-28")
    return make_workspace(tmp_path / "w.db")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def reading_count(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM reading").fetchone()[0]
    finally:
        con.close()


def csv_file(tmp_path: Path, text: str, name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_succeeds_with_exit_0(db, tmp_path):
    result = run("import", "readings", csv_file(tmp_path, GOOD), "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Imported 2 readings from {tmp_path / 'r.csv'}.\n"
    assert reading_count(db) == 2


def test_db_option_also_works_before_the_command(db, tmp_path):
    result = run("--db", db, "import", "readings", csv_file(tmp_path, GOOD))
    assert result.exit_code == 0, result.output
    assert reading_count(db) == 2


def test_rejected_file_exits_1_with_every_row_error_and_no_traceback(db, tmp_path):
    text = GOOD + "NOPE,2026-03-01,1,\nM1,2027-01-01,x,\n"
    result = run("import", "readings", csv_file(tmp_path, text), "--db", db)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: 2 rows of {tmp_path / 'r.csv'} were rejected; nothing was imported.",
        "  row 4: unknown KPI code 'NOPE'",
        "  row 5: 'x' is not a finite number (use a dot for decimals); "
        "the period 2027-01 of KPI M1 has not started yet (today is 2026-11-28)",
    ]
    assert "Traceback" not in result.output
    assert reading_count(db) == 0


def test_long_error_lists_are_cut_short(db, tmp_path):
    text = "kpi,date,value\n" + "NOPE,2026-01-01,1\n" * 250
    result = run("import", "readings", csv_file(tmp_path, text), "--db", db)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 202
    assert lines[-1] == "  ... and 50 more"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "{f} is empty; expected a header row: kpi, date, value and optionally note, entered_by, partial."),
        (
            "kpi,date,value\nM1,2026-01-01,\xe9\n".encode("latin-1"),
            "{f} is not UTF-8 text (first bad byte on line 2); save it as CSV UTF-8.",
        ),
    ],
)
def test_unusable_file_is_one_sentence_with_exit_1(db, tmp_path, content, message):
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    result = run("import", "readings", path, "--db", db)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message.format(f=path)}\n"


def test_missing_csv_exits_1(db, tmp_path):
    result = run("import", "readings", tmp_path / "none.csv", "--db", db)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'none.csv'} does not exist.\n"


def test_missing_workspace_exits_1_and_creates_nothing(tmp_path):
    result = run("import", "readings", csv_file(tmp_path, GOOD), "--db", tmp_path / "no.db")
    assert result.exit_code == 1
    assert "No workspace at" in result.stderr
    assert not (tmp_path / "no.db").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("import", "readings"),  # FILE missing
        ("import", "readings", "r.csv", "--bogus"),  # unknown option
        ("import", "readings", "."),  # a directory (click refuses it)
        ("export", "readings"),
    ],
)
def test_usage_errors_exit_2(db, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    csv_file(tmp_path, GOOD)
    result = run(*args, "--db", db)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr
    assert reading_count(db) == 0


def test_replace_flag(db, tmp_path):
    path = csv_file(tmp_path, GOOD)
    assert run("import", "readings", path, "--db", db).exit_code == 0
    again = run("import", "readings", path, "--db", db)
    assert again.exit_code == 1
    assert "already has a reading for 2026-01 (90); import with replace" in again.stderr
    path.write_text(GOOD.replace(",90,", ",91,"), encoding="utf-8")
    replaced = run("import", "readings", path, "--db", db, "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert replaced.stdout == f"Imported 2 readings from {path} (2 replaced).\n"
    con = sqlite3.connect(db)
    values = con.execute("SELECT value FROM reading ORDER BY period_start").fetchall()
    assert values == [(91,), (-1.5,)]
    assert con.execute("SELECT count(*) FROM journal WHERE entity='reading' AND operation='update'").fetchone() == (2,)
    con.close()


def test_export_then_import_into_another_workspace(db, tmp_path):
    assert run("import", "readings", csv_file(tmp_path, GOOD), "--db", db).exit_code == 0
    out = tmp_path / "out.csv"
    exported = run("export", "readings", out, "--db", db)
    assert exported.exit_code == 0, exported.output
    assert exported.stdout == f"Exported 2 readings to {out}.\n"
    assert "'=2+2" in out.read_text(encoding="utf-8-sig")
    other = make_workspace(tmp_path / "other.db")
    result = run("import", "readings", out, "--db", other)
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(other)
    assert con.execute("SELECT value, note FROM reading ORDER BY period_start").fetchall() == [
        (90.0, "first"),
        (-1.5, "=2+2"),
    ]
    con.close()


def test_export_into_missing_folder_exits_1(db, tmp_path):
    result = run("export", "readings", tmp_path / "nope" / "out.csv", "--db", db)
    assert result.exit_code == 1
    assert result.stderr == f"Error: The folder {tmp_path / 'nope'} does not exist.\n"
