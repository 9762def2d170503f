"""The second half of the journal check: every journaled table against the journal's newest states."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, DateTime, Table, TypeDecorator
from sqlalchemy import Enum as SaEnum
from sqlmodel import SQLModel

from isms_tui.models import load_tables

from .batches import BATCHES_SQL, batch_claims, newest
from .chain import in_chunks
from .report import (
    ROW_CHANGED,
    ROW_DELETED,
    ROW_NO_CREATE,
    ROW_RESURRECTED,
    ROW_UNJOURNALED,
    JournalReport,
    Problem,
)

load_tables()  # every table on SQLModel.metadata

NOT_JOURNALED = frozenset({"journal", "alembic_version"})


def _show(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(value: Any) -> Any:
    """A value as the application reads it, in a form both sides can be compared in."""
    if isinstance(value, datetime):
        if value.utcoffset() is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _timestamp(value: Any) -> Any:
    """Stored (naive UTC, 'YYYY-MM-DD HH:MM:SS.ffffff') or journaled (ISO, maybe with an offset)."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        if parsed.utcoffset() is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed
    return value


def _identity(value: Any) -> Any:
    return value


class _Column:
    """How one column's stored and journaled values are compared.

    The quick test is plain equality of the stored value and the journaled one, which
    settles integers, floats (3 == 3.0), text, booleans (1 == True) and dates (both ISO
    text). Only when it fails, or for types whose stored form differs from the journaled
    one (timestamps, enums, JSON), are both sides brought to the compared form.
    """

    __slots__ = ("name", "index", "quick", "stored", "journaled", "guess")

    def __init__(
        self,
        name: str,
        index: int,
        quick: bool,
        stored: Callable[[Any], Any],
        journaled: Callable[[Any], Any],
        guess: Callable[[Any], Any] | None = None,
    ) -> None:
        self.name = name
        self.index = index
        self.quick = quick
        self.stored = stored
        self.journaled = journaled
        self.guess = guess  # the journaled text most likely for a stored value


def _utc_text(value: Any) -> Any:
    """'2024-09-06 10:00:00.000000' as the journal writes an aware UTC timestamp."""
    if not isinstance(value, str) or len(value) != 26:
        return None
    fraction = value[19:]
    return f"{value[:10]}T{value[11:19]}{'' if fraction == '.000000' else fraction}+00:00"


def _column(table: Table, name: str, index: int, dialect: Any) -> _Column:
    kind = table.c[name].type
    while isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, DateTime):
        return _Column(name, index, False, _timestamp, _timestamp, _utc_text)
    quick = not isinstance(kind, (SaEnum, JSON))
    processor = table.c[name].type.dialect_impl(dialect).result_processor(dialect, None)
    if processor is None:
        return _Column(name, index, quick, _identity, _identity)
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return _plain(processor(value))
        except (ValueError, TypeError, LookupError):
            return value  # not what the application could have written: it will differ

    def stored(value: Any) -> Any:
        if value is None or not isinstance(value, (str, int, float)):
            return convert(value) if value is not None else None
        if value in cache:
            return cache[value]
        result = convert(value)
        if len(cache) < 1000 and not isinstance(result, (list, dict)):
            cache[value] = result
        return result

    return _Column(name, index, quick, stored, _identity)


# An entry whose entity_id is not an integer names no row: the value and chain checks report it.
_LATEST_SQL = (
    "SELECT l.entity_id, j.id, j.operation, j.after, l.created "
    "FROM (SELECT entity_id, max(id) AS last, max(operation = 'create') AS created "
    "      FROM journal WHERE entity = ? AND operation != 'create_many' AND typeof(entity_id) = 'integer' "
    "      GROUP BY entity_id) AS l "
    "JOIN journal AS j ON j.id = l.last ORDER BY l.entity_id"
)


class _Runs:
    """Collapses consecutive row ids with the same problem into one line."""

    def __init__(self, report: JournalReport, table: str) -> None:
        self.report = report
        self.table = table
        self.kind: str | None = None
        self.first = self.last = 0

    def add(self, kind: str, row_id: int) -> None:
        if kind == self.kind and row_id == self.last + 1:
            self.last = row_id
            return
        self.flush()
        self.kind, self.first, self.last = kind, row_id, row_id

    def flush(self) -> None:
        if self.kind is None:
            return
        t, first, last = self.table, self.first, self.last
        if self.kind == ROW_UNJOURNALED:
            if first == last:
                message = f"{t} {first} has no journal entry: it was inserted outside isms"
            else:
                message = (
                    f"{t} {first}–{last} ({last - first + 1} rows) have no journal entry: "
                    "they were inserted outside isms"
                )
        else:
            if first == last:
                message = f"{t} {first} is missing but the journal says it exists: it was deleted outside isms"
            else:
                message = (
                    f"{t} {first}–{last} ({last - first + 1} rows) are missing but the journal "
                    "says they exist: they were deleted outside isms"
                )
        self.report.add(Problem(self.kind, message, table=t, row_id=first, last_row_id=last if last != first else None))
        self.kind = None


def journaled_tables(raw: sqlite3.Connection) -> list[Table]:
    present = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    out = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name in NOT_JOURNALED or table.name not in present:
            continue
        if not table.info.get("journaled", True) or "id" not in table.c:
            continue
        out.append(table)
    return sorted(out, key=lambda t: t.name)


def check_table(raw: sqlite3.Connection, table: Table, dialect: Any, report: JournalReport) -> None:
    stored_columns = [r[1] for r in raw.execute(f'PRAGMA table_info("{table.name}")')]
    names = [n for n in stored_columns if n in table.c]
    columns = [_column(table, n, i, dialect) for i, n in enumerate(names)]
    id_index = names.index("id")
    quoted = ", ".join(f'"{n}"' for n in names)
    rows = raw.cursor()
    latest = raw.cursor()
    bulk = raw.cursor()
    runs = _Runs(report, table.name)
    try:
        rows.execute(f'SELECT {quoted} FROM "{table.name}" ORDER BY id')
        latest.execute(_LATEST_SQL, (table.name,))
        bulk.execute(BATCHES_SQL, (table.name,))
        row_iter = in_chunks(rows)
        entry_iter = newest(in_chunks(latest), batch_claims(bulk, table.name, report))
        row = next(row_iter, None)
        entry = next(entry_iter, None)
        while row is not None or entry is not None:
            if row is not None and (entry is None or row[id_index] < entry[0]):
                report.rows_checked += 1
                runs.add(ROW_UNJOURNALED, row[id_index])
                row = next(row_iter, None)
            elif entry is not None and (row is None or entry[0] < row[id_index]):
                if entry[2] != "delete":
                    runs.add(ROW_DELETED, entry[0])
                entry = next(entry_iter, None)
            elif row is not None and entry is not None:  # the same id: the row against its newest state
                report.rows_checked += 1
                runs.flush()
                _compare(table.name, row, columns, entry, report)
                row = next(row_iter, None)
                entry = next(entry_iter, None)
        runs.flush()
    finally:
        rows.close()
        latest.close()
        bulk.close()


_ABSENT = object()


def _compare(
    name: str, row: Sequence[Any], columns: list[_Column], entry: tuple[Any, ...], report: JournalReport
) -> None:
    row_id, entry_id, op, after, created = entry
    if op == "delete":
        report.add(
            Problem(
                ROW_RESURRECTED,
                f"{name} {row_id} exists but the journal (entry {entry_id}) records its deletion: "
                "it was inserted again outside isms",
                entry_id=entry_id,
                table=name,
                row_id=row_id,
            )
        )
        return
    if not created:
        report.add(
            Problem(
                ROW_NO_CREATE,
                f"{name} {row_id} has no 'create' entry in the journal (its last entry is {entry_id}, {op})",
                entry_id=entry_id,
                table=name,
                row_id=row_id,
            )
        )
    if isinstance(after, dict):  # a row of a create_many entry, already expanded
        state: Any = after
    else:
        try:
            state = json.loads(after) if after is not None else None
        except (ValueError, RecursionError):  # not JSON, or nested beyond the parser
            state = None
    if not isinstance(state, dict):
        report.add(
            Problem(
                ROW_CHANGED,
                f"{name} {row_id} cannot be compared: journal entry {entry_id} holds no valid state",
                entry_id=entry_id,
                table=name,
                row_id=row_id,
            )
        )
        return
    diffs = []
    for col in columns:
        then = state.get(col.name, _ABSENT)
        if then is _ABSENT:
            continue  # a column added after this entry was written
        now = row[col.index]
        if col.quick and now == then:
            continue
        if col.guess is not None and col.guess(now) == then:
            continue
        now, then = col.stored(now), col.journaled(then)
        if now != then:
            diffs.append((col.name, _plain(then), _plain(now)))
    if diffs:
        detail = "; ".join(f"{c} is {_show(now)}, the journal says {_show(then)}" for c, then, now in diffs[:4])
        if len(diffs) > 4:
            detail += f"; and {len(diffs) - 4} more columns"
        report.add(
            Problem(
                ROW_CHANGED,
                f"{name} {row_id} was changed outside isms (journal entry {entry_id}): {detail}",
                entry_id=entry_id,
                table=name,
                row_id=row_id,
                columns=tuple(c for c, _, _ in diffs),
            )
        )


# -- public API ----------------------------------------------------------------------------------
