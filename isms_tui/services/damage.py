"""Telling a value damaged outside the application from a fault of the application.

Why: anyone with the sqlite3 shell can store '2025-13-45' in a date column. Reading such a row
raises deep inside a service (a ValueError from `date.fromisoformat`, a LookupError for an
unknown enum name), far from anything that knows what happened. Instead of guarding every
reader, the front ends hand such an error here: if the workspace really holds a value outside
its column's domain (the same test `isms journal verify` reports as VALUE_INVALID), the error
becomes one sentence that names the value and points to `isms journal verify`; otherwise it is
a fault of the application and stays an error.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

# What reading a damaged value raises: a bad date or number (ValueError, OverflowError), an
# unknown enum name (LookupError), a value of the wrong type (TypeError).
DAMAGE_ERRORS = (ValueError, OverflowError, LookupError, TypeError)


def damaged_value_sentence(db_path: Path, error: BaseException) -> str | None:
    """One sentence naming the first damaged value when `error` can come from one and the
    workspace holds one; None otherwise (the error is then not the data's fault)."""
    if not isinstance(error, DAMAGE_ERRORS):
        return None
    found = first_invalid_value(Path(db_path))
    if found is None:
        return None
    table, column, row = found
    return (
        f"The workspace {Path(db_path).name} holds a value the application cannot have written "
        f"({table}.{column}, row {row}), so it cannot be read; run `isms journal verify --db {db_path}` "
        "to see what was changed outside isms."
    )


def first_invalid_value(db_path: Path) -> tuple[str, str, int] | None:
    """(table, column, row id) of the first stored value outside its column's domain, read-only;
    None when every value is in its domain or the file cannot be read."""
    from .journal_verify.report import VALUE_INVALID, JournalReport
    from .journal_verify.schema import check_values

    if not db_path.is_file():
        return None
    report = JournalReport()
    try:
        real = db_path.resolve()
        # immutable when no WAL file exists, so that a read-only open leaves no -wal/-shm behind
        immutable = "" if real.with_name(real.name + "-wal").exists() else "&immutable=1"
        con = sqlite3.connect(f"file:{quote(str(real))}?mode=ro{immutable}", uri=True, timeout=5)
        try:
            check_values(con, report)
        finally:
            con.close()
    except sqlite3.Error:
        return None
    for problem in report.problems:
        if problem.kind == VALUE_INVALID and problem.table and problem.columns and problem.row_id is not None:
            return problem.table, problem.columns[0], problem.row_id
    return None
