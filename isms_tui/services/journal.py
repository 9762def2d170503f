"""Checking the change journal: the hash chain itself, and the data against what it records.

`verify` proves two things, in one read transaction (a consistent snapshot even while
another isms writes):

1. The chain is intact. Every entry's hash matches its own content (an edited entry is
   named), every entry continues from the one before it (a removed or inserted entry is
   named by the ids that bracket it), and the ids run without gaps (deleted entries).
   Entries are streamed through the raw DB-API cursor in chunks, so half a million
   entries take memory for one chunk only.

2. The data agrees with the journal. For every journaled table (every SQLModel table but
   the journal itself and alembic_version, unless a table opts out with
   `__table_args__ = {"info": {"journaled": False}}`), the newest journal state of each
   row must equal the row as stored, every live row must have a 'create' entry, and a row
   the journal says exists must exist. So a row edited, inserted or deleted with the
   sqlite3 shell, bypassing the application, is named with its table, id and the columns
   that differ. Tables and journal are merged in id order (SQL does the grouping), again
   without holding a table in memory.

Values are compared as the application reads them, not as text: the journal records what
the ORM had in hand (a timezone-aware timestamp, an enum's value, 3 for 3.0) while SQLite
stores its own forms (a naive UTC timestamp, the enum's name, 3.0). A column absent from a
journal state (added by a later schema migration) is not compared.

What the chain alone cannot show: entries cut off at the end (the head hash printed in every
evidence pack pins the length), or an attacker who rewrites the data, the journal and every
later hash consistently. The cross-check catches a truncated journal whenever the rows it
described still exist.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, DateTime, Table, TypeDecorator
from sqlalchemy import Enum as SaEnum
from sqlmodel import Session, SQLModel, select

import isms_tui.models  # noqa: F401  (registers every table on SQLModel.metadata)
from isms_tui.models import JournalEntry
from isms_tui.models.journal import GENESIS_HASH, entry_hash

NOT_JOURNALED = frozenset({"journal", "alembic_version"})
CHUNK = 5000
MAX_PROBLEMS = 10_000  # beyond this only a count is kept: a mass edit must not exhaust memory


@dataclass(frozen=True)
class Problem:
    """One thing wrong, with a one-line message for people and fields for scripts."""

    kind: str
    message: str
    entry_id: int | None = None
    table: str | None = None
    row_id: int | None = None
    last_row_id: int | None = None  # for a run of consecutive rows with the same problem
    columns: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["columns"] = list(self.columns)
        return {k: v for k, v in data.items() if v not in (None, [])}


# Kinds of problem.
ENTRY_ALTERED = "entry-altered"  # an entry's content does not match its hash
ENTRY_MALFORMED = "entry-malformed"  # a field of an entry has an impossible type
CHAIN_BROKEN = "chain-broken"  # an entry does not continue from the previous one
ENTRIES_MISSING = "entries-missing"  # ids skip: entries were deleted
ROW_CHANGED = "row-changed"  # a row differs from its newest journal state
ROW_UNJOURNALED = "row-unjournaled"  # a row the journal has never seen
ROW_NO_CREATE = "row-no-create"  # a row whose 'create' entry is not in the journal
ROW_RESURRECTED = "row-resurrected"  # a row the journal says was deleted
ROW_DELETED = "row-deleted"  # a row the journal says exists is gone


@dataclass
class JournalReport:
    """What `verify` found: the chain's size and head, and every problem."""

    entries: int = 0
    head: str = GENESIS_HASH
    last_id: int | None = None
    tables: list[str] = field(default_factory=list)
    rows_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    omitted: int = 0  # problems found beyond MAX_PROBLEMS

    @property
    def ok(self) -> bool:
        return not self.problems and not self.omitted

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.omitted

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.omitted += 1

    def summary(self) -> str:
        if self.ok:
            return f"Journal intact: {self.entries} entries, head {self.head}"
        n = self.problem_count
        return (
            f"Journal check failed: {n} problem{'s' if n != 1 else ''} "
            f"({self.entries} entries, {self.rows_checked} rows checked)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": self.head,
            "last_id": self.last_id,
            "tables": self.tables,
            "rows_checked": self.rows_checked,
            "problem_count": self.problem_count,
            "problems": [p.to_dict() for p in self.problems],
        }


def _show(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rows(cursor: Any) -> Iterator[tuple]:
    while chunk := cursor.fetchmany(CHUNK):
        yield from chunk


# -- the chain ---------------------------------------------------------------------------------

_CHAIN_SQL = (
    "SELECT id, at, actor, entity, entity_id, operation, before, after, prev_hash, hash FROM journal ORDER BY id"
)


def _check_chain(raw: Any, report: JournalReport) -> None:
    cur = raw.cursor()
    try:
        cur.execute(_CHAIN_SQL)
        prev_id: int | None = None
        prev_hash = GENESIS_HASH
        count = 0
        for eid, at, actor, entity, entity_id, op, before, after, link, stored in _rows(cur):
            count += 1
            try:
                if not isinstance(eid, int) or not isinstance(entity_id, int):
                    raise TypeError
                computed = entry_hash(link, at, actor, entity, entity_id, op, before, after)
            except TypeError:  # a NULL or a number where text belongs: written by hand
                report.add(
                    Problem(
                        ENTRY_MALFORMED,
                        f"journal entry {eid} is malformed: a field has the wrong type (edited outside isms)",
                        entry_id=eid,
                    )
                )
                prev_id, prev_hash = (eid if isinstance(eid, int) else prev_id), str(stored)
                continue
            expected_id = 1 if prev_id is None else prev_id + 1
            gap = eid != expected_id
            if gap:
                where = f"before entry {eid}" if prev_id is None else f"between entries {prev_id} and {eid}"
                missing = f"{expected_id}" if eid - expected_id == 1 else f"{expected_id}–{eid - 1}"
                report.add(
                    Problem(
                        ENTRIES_MISSING,
                        f"journal entries {missing} are missing {where} (deleted)",
                        entry_id=eid,
                    )
                )
            if computed != stored:
                report.add(
                    Problem(
                        ENTRY_ALTERED,
                        f"journal entry {eid} ({entity} {entity_id}, {op}) was altered: "
                        "its content does not match its hash",
                        entry_id=eid,
                        table=entity,
                        row_id=entity_id,
                    )
                )
            elif link != prev_hash and not gap:
                after_what = "the start of the chain" if prev_id is None else f"entry {prev_id}"
                report.add(
                    Problem(
                        CHAIN_BROKEN,
                        f"journal entry {eid} does not continue the chain from {after_what} "
                        "(an entry was inserted or replaced there)",
                        entry_id=eid,
                    )
                )
            prev_id, prev_hash = eid, stored
        report.entries = count
        report.last_id = prev_id
        report.head = prev_hash
    finally:
        cur.close()


# -- the data against the journal -------------------------------------------------------------


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


_LATEST_SQL = (
    "SELECT l.entity_id, j.id, j.operation, j.after, l.created "
    "FROM (SELECT entity_id, max(id) AS last, max(operation = 'create') AS created "
    "      FROM journal WHERE entity = ? GROUP BY entity_id) AS l "
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


def _journaled_tables(raw: Any) -> list[Table]:
    present = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    out = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name in NOT_JOURNALED or table.name not in present:
            continue
        if not table.info.get("journaled", True) or "id" not in table.c:
            continue
        out.append(table)
    return sorted(out, key=lambda t: t.name)


def _check_table(raw: Any, table: Table, dialect: Any, report: JournalReport) -> None:
    stored_columns = [r[1] for r in raw.execute(f'PRAGMA table_info("{table.name}")')]
    names = [n for n in stored_columns if n in table.c]
    columns = [_column(table, n, i, dialect) for i, n in enumerate(names)]
    id_index = names.index("id")
    quoted = ", ".join(f'"{n}"' for n in names)
    rows = raw.cursor()
    latest = raw.cursor()
    runs = _Runs(report, table.name)
    try:
        rows.execute(f'SELECT {quoted} FROM "{table.name}" ORDER BY id')
        latest.execute(_LATEST_SQL, (table.name,))
        row_iter, entry_iter = _rows(rows), _rows(latest)
        row = next(row_iter, None)
        entry = next(entry_iter, None)
        while row is not None or entry is not None:
            row_id = row[id_index] if row is not None else None
            entry_row_id = entry[0] if entry is not None else None
            if entry is None or (row is not None and row_id < entry_row_id):
                report.rows_checked += 1
                runs.add(ROW_UNJOURNALED, row_id)
                row = next(row_iter, None)
            elif row is None or entry_row_id < row_id:
                if entry[2] != "delete":
                    runs.add(ROW_DELETED, entry_row_id)
                entry = next(entry_iter, None)
            else:
                report.rows_checked += 1
                runs.flush()
                _compare(table.name, row, columns, entry, report)
                row = next(row_iter, None)
                entry = next(entry_iter, None)
        runs.flush()
    finally:
        rows.close()
        latest.close()


_ABSENT = object()


def _compare(name: str, row: Sequence[Any], columns: list[_Column], entry: tuple, report: JournalReport) -> None:
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
    try:
        state = json.loads(after) if after is not None else None
    except ValueError:
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


def verify(session: Session) -> JournalReport:
    """Walk the chain and cross-check every journaled table; never raises on bad data."""
    session.flush()
    conn = session.connection()
    raw = conn.connection.dbapi_connection
    began = not raw.in_transaction
    if began:
        raw.execute("BEGIN")  # one snapshot for the chain walk and every table
    report = JournalReport()
    try:
        _check_chain(raw, report)
        for table in _journaled_tables(raw):
            report.tables.append(table.name)
            _check_table(raw, table, conn.dialect, report)
    finally:
        if began:
            raw.rollback()
    return report


def head(session: Session) -> tuple[int, str]:
    """(number of entries, hash of the newest entry) without checking anything."""
    conn = session.connection()
    row = conn.exec_driver_sql(
        "SELECT count(*), (SELECT hash FROM journal ORDER BY id DESC LIMIT 1) FROM journal"
    ).one()
    return int(row[0]), row[1] or GENESIS_HASH


def history(session: Session, entity: str, entity_id: int) -> list[JournalEntry]:
    """Every journal entry of one record, oldest first."""
    q = (
        select(JournalEntry)
        .where(JournalEntry.entity == entity, JournalEntry.entity_id == entity_id)
        .order_by(JournalEntry.id)
    )
    return list(session.exec(q))


@dataclass(frozen=True)
class FieldChange:
    """One field of one journal entry: its value before and after (None when absent)."""

    name: str
    before: Any
    after: Any


def _state(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def field_changes(entry: JournalEntry) -> list[FieldChange]:
    """What an entry changed: differing fields of an update, every field of a create or delete."""
    before, after = _state(entry.before), _state(entry.after)
    out = []
    for name in sorted(set(before) | set(after)):
        if name == "id":
            continue
        b, a = before.get(name), after.get(name)
        if entry.operation == "update" and b == a:
            continue
        out.append(FieldChange(name, b, a))
    return out
