"""Values damaged outside isms (the sqlite3 shell) and hostile JSON never end in a traceback: a
bad date in any date column, a lone surrogate or deep nesting in an imported checklist or a
backup's manifest each give one sentence, and a damaged value names `isms journal verify`."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Date

from isms_tui.cli import main
from isms_tui.services.journal_verify.schema import domain_columns

from .pack_helpers import copy_workspace, make_demo
from .tui_helpers import make_app, notifications, opened, wait_for

# Every date column the demo fills (it issues no pack, so issuedpack's rows come from test_pack_cli).
DATE_COLUMNS = sorted(
    (t.name, c.name) for t, c in domain_columns() if isinstance(c.type, Date) and t.name != "issuedpack"
)
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("demo") / "demo.db")


@pytest.fixture
def db(demo_template: Path, tmp_path: Path) -> Path:
    return copy_workspace(demo_template, tmp_path / "ws")


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def damage(db: Path, table: str, column: str, value: str = "2025-13-45") -> int:
    """Store `value` in the first row of table.column with plain sqlite3; the row's id."""
    con = sqlite3.connect(db)
    try:
        row = con.execute(f'SELECT id FROM "{table}" ORDER BY id LIMIT 1').fetchone()
        assert row is not None, f"the demo has no {table} row"
        con.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE id = ?', (value, row[0]))
        con.commit()
        return int(row[0])
    finally:
        con.close()


def assert_one_sentence(result: Result) -> str:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1, result.output
    return lines[0]


def test_the_journal_check_reports_an_impossible_date_as_an_invalid_value(db: Path) -> None:
    """date('2025-13-45') is NULL in SQLite: the domain test must count that as failed."""
    damage(db, "reading", "period_start")
    result = run("journal", "verify", "--db", db)
    assert result.exit_code == 1
    assert "reading.period_start holds values the application cannot have written (rows 1)." in result.output


@pytest.mark.parametrize(("table", "column"), DATE_COLUMNS, ids=[f"{t}.{c}" for t, c in DATE_COLUMNS])
@pytest.mark.parametrize("value", ["2025-13-45", "garbage"])
def test_isms_status_on_a_damaged_date_is_one_sentence(db: Path, table: str, column: str, value: str) -> None:
    before = db.read_bytes()
    row = damage(db, table, column, value)
    before = db.read_bytes()
    result = run("status", "--db", db)
    if result.exit_code == 0:  # status does not read this column: nothing to say
        assert "Traceback" not in result.output
        return
    line = assert_one_sentence(result)
    assert line == (
        f"Error: The workspace {db.name} holds a value the application cannot have written ({table}.{column}, "
        f"row {row}), so it cannot be read; run `isms journal verify --db {db}` to see what was changed outside isms."
    ) or line.startswith(f"Error: The workspace {db.name} holds a value the application cannot have written (")
    assert "isms journal verify" in line
    assert db.read_bytes() == before, "reporting changes nothing"


@pytest.mark.parametrize(("table", "column"), [("reading", "period_start"), ("audit", "planned_start")])
def test_isms_pack_on_a_damaged_date_is_one_sentence_and_writes_nothing(db: Path, tmp_path, table, column) -> None:
    damage(db, table, column)
    out = tmp_path / "pack.pdf"
    result = run("pack", "--db", db, "--out", out, env={"ISMS_PASSPHRASE": PASSPHRASE})
    line = assert_one_sentence(result)
    assert f"({table}.{column}, row 1)" in line and "isms journal verify" in line
    assert not out.exists()


async def test_the_dashboard_on_a_damaged_date_says_so(db: Path) -> None:
    damage(db, "reading", "period_start")
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)

        def told() -> bool:
            return any("isms journal verify" in str(n.message) for n in notifications(app))

        await wait_for(pilot, told, "the damage notification")
        note = next(n for n in notifications(app) if "isms journal verify" in str(n.message))
        assert "(reading.period_start, row 1)" in str(note.message) and note.severity == "error"
        assert app.return_code is None, "the app stays open"


def _checklist(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "list.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_checklist_with_lone_surrogates_imports_without_them(db: Path, tmp_path: Path) -> None:
    doc = (
        '{"name": "Lone \\ud800 list", "questions": '
        '[{"ref": "Q1\\udfff", "title": "Access \\ud83d", "question": "Is access reviewed?\\udc00"}]}'
    )
    result = run("checklist", "import", _checklist(tmp_path, doc), "--db", db)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(db)
    try:
        stored = [r[0] for r in con.execute("SELECT name FROM checklisttemplate")]
        texts = [v for r in con.execute("SELECT ref, title, question FROM checklistquestion") for v in r]
    finally:
        con.close()
    assert "Lone  list" in stored and "Is access reviewed?" in texts
    assert all(not any("\ud800" <= ch <= "\udfff" for ch in s) for s in stored + texts)


def test_a_checklist_nested_too_deeply_is_one_sentence(db: Path, tmp_path: Path) -> None:
    before = db.read_bytes()
    result = run("checklist", "import", _checklist(tmp_path, "[" * 200_000 + "]" * 200_000), "--db", db)
    line = assert_one_sentence(result)
    assert "nested too deeply" in line
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    "manifest",
    [b'{"format": "\\ud800", "version": "\\udfff", "files": {"\\ud800": {}}}', b"[" * 200_000 + b"]" * 200_000],
    ids=["lone surrogates", "deep nesting"],
)
def test_a_backup_with_a_hostile_manifest_is_refused_in_one_sentence(db: Path, tmp_path: Path, manifest) -> None:
    archive = tmp_path / "backup.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("manifest.json", manifest)
        zf.writestr("workspace.db", b"not a database")
    archive.write_bytes(buf.getvalue())
    before = db.read_bytes()
    result = run("restore", archive, "--db", db)
    line = assert_one_sentence(result)
    assert line.startswith("Error: ")
    json.dumps(line, ensure_ascii=False).encode("utf-8")  # printable as it is
    assert db.read_bytes() == before
