"""The first part of the journal check: the database is exactly the application's own.

The rows can only be trusted if the tables holding them are the ones the application made: a
table dropped, renamed or replaced by a view, a column renamed or retyped, a trigger that
rewrites values as they are written, or an extra table or index are all ways to bend what the
screens and packs report while every journal hash still matches. So the shape of the file is
compared with the shape the application's own migrations build (models/schema_shape.py).

Then every stored value must lie in its column's domain (an integer column holds integers, a
boolean 0 or 1, a date 'YYYY-MM-DD', a timestamp a valid date and time, an enum one of its
names, a JSON column valid JSON): SQLite's type affinity would otherwise accept a boolean
stored as 2 or a date with a time, which the application would misread. And SQLite's own
`integrity_check` reports storage-level damage.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, Integer, String, Table, TypeDecorator
from sqlalchemy import Enum as SaEnum
from sqlmodel import SQLModel

from isms_tui.models import load_tables
from isms_tui.models.schema_shape import schema_differences

from .report import SCHEMA_CHANGED, STORAGE_DAMAGED, VALUE_INVALID, JournalReport, Problem

load_tables()  # every table on SQLModel.metadata

MAX_INTEGRITY_MESSAGES = 20


def check_storage(raw: sqlite3.Connection, report: JournalReport) -> bool:
    """SQLite's integrity_check; False (with the damage reported) when the file is damaged."""
    try:
        lines = [r[0] for r in raw.execute(f"PRAGMA integrity_check({MAX_INTEGRITY_MESSAGES})")]
    except sqlite3.DatabaseError as exc:
        lines = [str(exc)]
    if lines == ["ok"]:
        return True
    for line in lines:
        report.add(Problem(STORAGE_DAMAGED, f"The database file is damaged: {line}"))
    return False


def check_schema(raw: sqlite3.Connection, report: JournalReport) -> bool:
    """Compare the file's tables, columns, indexes, views and triggers with the reference."""
    problems = schema_differences(raw)
    for name, message in problems:
        report.add(Problem(SCHEMA_CHANGED, message, table=name))
    return not problems


def check_values(raw: sqlite3.Connection, report: JournalReport) -> None:
    """Every stored value in its column's domain; one problem per column, naming the first rows."""
    for table in SQLModel.metadata.sorted_tables:
        tests = [(c.name, test) for c in table.columns if (test := _domain(c)) is not None]
        if not tests:
            continue
        # IFNULL: a test that yields NULL (date('2025-13-45') is NULL) must count as failed, not unknown
        flags = ", ".join(f"NOT IFNULL(({test}), 0)" for _, test in tests)
        any_bad = " OR ".join(f"NOT IFNULL(({test}), 0)" for _, test in tests)
        sql = f'SELECT rowid, {flags} FROM "{table.name}" WHERE {any_bad}'
        bad_rows: dict[str, list[int]] = {}
        for row in raw.execute(sql):
            for (name, _), bad in zip(tests, row[1:], strict=True):
                if bad:
                    bad_rows.setdefault(name, []).append(row[0])
        for name, rows in bad_rows.items():
            shown = ", ".join(str(r) for r in rows[:5]) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
            report.add(
                Problem(
                    VALUE_INVALID,
                    f"{table.name}.{name} holds values the application cannot have written (rows {shown}).",
                    table=table.name,
                    row_id=rows[0],
                    columns=(name,),
                )
            )


# -- value domains -------------------------------------------------------------------------------


def _domain(column: Column[Any]) -> str | None:
    """An SQL condition that holds for every value the application could have stored."""
    name = '"' + column.name.replace('"', '""') + '"'
    kind = column.type
    if isinstance(kind, TypeDecorator):  # SQLModel's AutoString wraps String
        kind = kind.impl_instance
    if isinstance(kind, SaEnum):
        names = ", ".join("'" + str(n).replace("'", "''") + "'" for n in kind.enums)
        test = f"typeof({name}) = 'text' AND {name} IN ({names})"
    elif isinstance(kind, Boolean):
        test = f"typeof({name}) = 'integer' AND {name} IN (0, 1)"
    elif isinstance(kind, Integer):
        test = f"typeof({name}) = 'integer'"
    elif isinstance(kind, Float):
        test = f"typeof({name}) IN ('real', 'integer') AND abs({name}) <= 1.7976931348623157e308"
    elif isinstance(kind, DateTime):
        test = (
            f"typeof({name}) = 'text' AND {name} GLOB "
            "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]*' "
            f"AND julianday({name}) IS NOT NULL AND date({name}, '+0 days') = substr({name}, 1, 10)"
        )
    elif isinstance(kind, Date):
        # '+0 days' makes SQLite normalise an impossible day (2026-02-30) instead of echoing it
        test = f"typeof({name}) = 'text' AND length({name}) = 10 AND date({name}, '+0 days') = {name}"
    elif isinstance(kind, JSON):
        test = f"typeof({name}) = 'text' AND json_valid({name})"
    elif isinstance(kind, String):
        test = f"typeof({name}) = 'text'"
    else:
        return None
    return f"{name} IS NULL OR ({test})" if column.nullable else test


def domain_columns() -> Iterator[tuple[Table, Column[Any]]]:
    """Every column whose values `check_values` tests (for tests and documentation)."""
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if _domain(column) is not None:
                yield table, column
