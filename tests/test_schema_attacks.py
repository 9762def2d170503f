"""An insider with the sqlite3 shell bends the schema or the values: `journal verify` says so.

Each attack is done as it would be by hand (a plain sqlite3 connection on the closed
workspace, foreign keys off as the shell has them), then the check must fail and name what
was changed. Rows are the journal's business (test_journal_verify.py); here the file's shape
and its values' domains are attacked.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from isms_tui.models.db import WorkspaceError, open_engine, session_scope
from isms_tui.services import journal_verify


def shell(db: Path, script: str) -> None:
    con = sqlite3.connect(db)
    try:
        con.executescript(script)
        con.commit()
    finally:
        con.close()


def check(db: Path) -> journal_verify.JournalReport:
    """What `isms journal verify` finds: it opens the file whatever its schema."""
    engine = open_engine(db, check_schema=False)
    try:
        with session_scope(engine) as session:
            return journal_verify.verify(session)
    finally:
        engine.dispose()


def test_the_kept_reference_is_what_the_migrations_build():
    """A migration changed without regenerating schema_shape.json shows up here."""
    from isms_tui.models import schema_shape

    assert schema_shape.build_reference() == schema_shape.reference_shape(), (
        "regenerate it: python -m isms_tui.models.schema_shape"
    )


def test_the_demo_workspace_is_its_own_schema(demo_workspace):
    report = check(demo_workspace)
    assert report.ok, [p.message for p in report.problems]


SCHEMA_ATTACKS = {
    "a view beside the tables": ("CREATE VIEW summary AS SELECT 1;", "summary"),
    "a trigger that rewrites new readings": (
        "CREATE TRIGGER keep_green AFTER INSERT ON reading "
        "BEGIN UPDATE reading SET value = 100 WHERE id = new.id; END;",
        "keep_green",
    ),
    "an extra table": ("CREATE TABLE notes(x TEXT);", "notes"),
    "an extra index": ("CREATE INDEX ix_reading_value ON reading(value);", "ix_reading_value"),
    "findings shadowed by a view that hides majors": (
        "ALTER TABLE finding RENAME TO finding_all;"
        "CREATE VIEW finding AS SELECT * FROM finding_all WHERE grading != 'MAJOR_NC';",
        "finding",
    ),
    "a dropped table": ("DROP TABLE finding;", "finding"),
    "a renamed column": ("ALTER TABLE reading RENAME COLUMN note TO remark;", "reading"),
    "a dropped index": ("DROP INDEX ix_finding_audit_id;", "ix_finding_audit_id"),
    "a column added": ("ALTER TABLE kpi ADD COLUMN hidden INTEGER;", "kpi"),
    "a table rebuilt with another type": (
        "CREATE TABLE objective_new AS SELECT * FROM objective; DROP TABLE objective;"
        "ALTER TABLE objective_new RENAME TO objective;",
        "objective",
    ),
}


@pytest.mark.parametrize("attack", SCHEMA_ATTACKS, ids=list(SCHEMA_ATTACKS))
def test_a_schema_the_application_did_not_make_fails_the_check(demo_workspace, attack):
    script, named = SCHEMA_ATTACKS[attack]
    shell(demo_workspace, "PRAGMA foreign_keys = OFF;" + script)
    report = check(demo_workspace)
    assert not report.ok
    changed = [p for p in report.problems if p.kind == journal_verify.SCHEMA_CHANGED]
    assert any(p.table == named for p in changed), [p.message for p in report.problems]
    # and nothing reports from (or writes to) it: opening it is refused, naming the check
    with pytest.raises(WorkspaceError, match="isms journal verify"):
        open_engine(demo_workspace)


VALUE_ATTACKS = {
    "a boolean stored as 2": ("UPDATE kpi SET active = 2 WHERE id = 1;", "kpi", "active"),
    "a date stored with a time": (
        "UPDATE reading SET period_start = period_start || ' 10:00:00' WHERE id = 1;",
        "reading",
        "period_start",
    ),
    "an impossible date": ("UPDATE reading SET period_start = '2026-02-30' WHERE id = 1;", "reading", "period_start"),
    "text in a number column": ("UPDATE reading SET value = 'lots' WHERE id = 2;", "reading", "value"),
    "an enum value that does not exist": ("UPDATE finding SET grading = 'TRIVIAL' WHERE id = 1;", "finding", "grading"),
    "a timestamp that is not one": (
        "UPDATE reading SET entered_at = 'yesterday' WHERE id = 3;",
        "reading",
        "entered_at",
    ),
    "bytes in a text column": ("UPDATE kpi SET name = X'00ff' WHERE id = 1;", "kpi", "name"),
    "JSON that is not JSON": ("UPDATE audit SET scope_refs = '[\"A.5.1\"' WHERE id = 1;", "audit", "scope_refs"),
    "an infinite value": ("UPDATE reading SET value = 9e999 WHERE id = 4;", "reading", "value"),
}


@pytest.mark.parametrize("attack", VALUE_ATTACKS, ids=list(VALUE_ATTACKS))
def test_a_value_outside_its_column_s_domain_fails_the_check(demo_workspace, attack):
    script, table, column = VALUE_ATTACKS[attack]
    shell(demo_workspace, script)
    report = check(demo_workspace)
    assert not report.ok
    invalid = [p for p in report.problems if p.kind == journal_verify.VALUE_INVALID]
    assert any(p.table == table and p.columns == (column,) for p in invalid), [p.message for p in report.problems]


def test_damaged_storage_is_reported_not_raised(demo_workspace):
    """Bytes overwritten in the middle of the file: the check ends with a finding, not a traceback."""
    data = bytearray(demo_workspace.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle + 8 : middle + page - 8] = b"\x5a" * (page - 16)  # keep the page header, ruin its cells
    demo_workspace.write_bytes(bytes(data))
    try:
        report = check(demo_workspace)
    except Exception as exc:  # opening may already refuse it, with one sentence
        assert isinstance(exc, WorkspaceError), repr(exc)
        return
    assert not report.ok
    assert report.problems[0].kind in (journal_verify.STORAGE_DAMAGED, journal_verify.SCHEMA_CHANGED)


@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["status", "--json"],
        ["backup", "--out", "{tmp}/b.zip"],
        ["export", "readings", "{tmp}/r.csv"],
        ["export", "oscal", "--audit", "2", "--out", "{tmp}/ar.json"],
    ],
    ids=["status", "status-json", "backup", "export", "export-oscal"],
)
def test_commands_that_report_refuse_a_doctored_file_in_one_sentence(demo_workspace, tmp_path, command):
    from click.testing import CliRunner

    from isms_tui.cli import main

    shell(demo_workspace, "CREATE VIEW open_findings AS SELECT * FROM finding;")
    args = [a.format(tmp=tmp_path) for a in command] + ["--db", str(demo_workspace)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "isms journal verify" in result.stderr and "Traceback" not in result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert not list(tmp_path.glob("*.zip")) and not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob("*.json"))


def test_journal_verify_opens_a_doctored_file_and_names_the_change(demo_workspace):
    from click.testing import CliRunner

    from isms_tui.cli import main

    shell(demo_workspace, "CREATE TRIGGER quiet BEFORE UPDATE ON finding BEGIN SELECT 1; END;")
    result = CliRunner().invoke(main, ["journal", "verify", "--db", str(demo_workspace)])
    assert result.exit_code == 1
    assert "a trigger the application did not create: quiet" in result.stdout
