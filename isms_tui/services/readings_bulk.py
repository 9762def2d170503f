"""Writing validated readings in bulk: one executemany and one journal append, not an ORM row each.

Used by the CSV import (`readings_csv`), which validates the whole file first. Values reach
the driver already converted by the columns' own SQLAlchemy types. The new readings are
journaled in `create_many` entries of journal_batch.BATCH_ROWS readings each
(`models/journal_batch.py`); a replaced reading keeps its own `update` entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Column, Connection, Dialect, Table, select
from sqlmodel import Session

from isms_tui.models import Reading, journal_batch
from isms_tui.models.journal import EncodedChange, append_encoded, canonical
from isms_tui.models.sanitize import CLEANED_PARAMETERS

from . import clock


@dataclass(frozen=True)
class ImportResult:
    """What an import did: readings created, and existing ones overwritten (with `replace`)."""

    created: int
    replaced: int

    @property
    def count(self) -> int:
        return self.created + self.replaced


class Row(NamedTuple):
    """One validated data row, ready to write."""

    kpi_id: int
    period_start: date
    value: float
    note: str
    entered_by: str
    replaces: Old | None = None
    partial: bool = False


# Every text of a validated row went through `clean`: the engine's surrogate hook may skip them.
_CLEANED = {CLEANED_PARAMETERS: True}


class Old(NamedTuple):
    id: int
    value: float


class Existing:
    """Readings already stored, loaded per KPI on first use and only as (id, value) by period.

    A large workspace holds years of readings; an import touches a few KPIs, so loading
    everything up front cost most of the import's time and memory.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.by_kpi: dict[int, dict[date, Old]] = {}

    def get(self, key: tuple[int, date]) -> Old | None:
        kpi_id, start = key
        return self.of_kpi(kpi_id).get(start)

    def of_kpi(self, kpi_id: int) -> dict[date, Old]:
        """The KPI's live readings by period start (loaded on first use)."""
        periods_of = self.by_kpi.get(kpi_id)
        if periods_of is None:
            rows = self.conn.exec_driver_sql(
                "SELECT period_start, id, value FROM reading WHERE kpi_id = ? AND voided_at IS NULL", (kpi_id,)
            ).fetchall()
            periods_of = {date.fromisoformat(p): Old(rid, v) for p, rid, v in rows}
            self.by_kpi[kpi_id] = periods_of
        return periods_of

    def full_rows(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """Every column of the given readings, typed as the ORM reads them (for the journal)."""
        table = _readings_table()
        out: dict[int, dict[str, Any]] = {}
        for i in range(0, len(ids), 500):
            for row in self.conn.execute(select(table).where(table.c.id.in_(ids[i : i + 500]))):
                out[row.id] = dict(row._mapping)
        return out


def _readings_table() -> Table:
    """The readings table, for the Core statements that bypass the ORM."""
    return Reading.metadata.tables["reading"]


def _stored_form(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """How the column's type converts a value for the driver (unchanged if it needs no conversion)."""
    convert = column.type.dialect_impl(dialect).bind_processor(dialect)
    return convert if convert is not None else _unchanged


def _unchanged(value: Any) -> Any:
    return value


def write_rows(session: Session, new: list[tuple[Any, ...]], replaced: list[Row], existing: Existing) -> ImportResult:
    """Insert the new readings (`new`: each one's BATCH_COLUMNS values, dates as ISO text),
    overwrite the replaced ones, and journal both, each in file order.

    Values reach the driver already converted by the columns' own SQLAlchemy types, so the
    stored text is exactly what the ORM writes, without SQLAlchemy's per-row overhead. The
    tuples of `new` serve both the executemany and the create_many entries.
    """
    conn = session.connection()
    table = _readings_table()
    date_text = _stored_form(table.c.period_start, conn.dialect)
    time_text = _stored_form(table.c.entered_at, conn.dialect)
    now = clock.now()
    stored_now = time_text(now)
    if any(date_text(date.fromisoformat(iso)) != iso for iso in {v[PERIOD] for v in new}):
        raise RuntimeError("The database stores dates in a form the bulk import does not write.")
    before = existing.full_rows([r.replaces.id for r in replaced if r.replaces is not None])  # before updating
    updates = [
        (r.value, r.entered_by, stored_now, r.note, r.partial, r.replaces.id)
        for r in replaced
        if r.replaces is not None
    ]
    last_id: int = conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table.name}").scalar_one()
    if new:
        conn.exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(BATCH_COLUMNS)}, entered_at) "
            f"VALUES ({', '.join('?' * len(BATCH_COLUMNS))}, {_sql_timestamp(stored_now)})",
            new,
            execution_options=_CLEANED,
        )
        _check_ids(conn, table.name, last_id, len(new))
    if updates:
        conn.exec_driver_sql(
            f"UPDATE {table.name} SET value = ?, entered_by = ?, entered_at = ?, note = ?, partial = ?, "
            f"{_CLEARED_SQL} WHERE id = ?",
            updates,
            execution_options=_CLEANED,
        )

    def changes() -> Iterator[EncodedChange]:
        yield from created_entries(new, last_id + 1, now.isoformat())
        for r in replaced:
            old = r.replaces
            if old is not None:
                values = {"value": r.value, "entered_by": r.entered_by, "entered_at": now, "note": r.note}
                after = canonical({**before[old.id], **values, "partial": r.partial, **REPLACED})
                yield ("reading", old.id, "update", canonical(before[old.id]), after)

    append_encoded(session, changes(), cleaned=True)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Reading):
            session.expire(obj)  # Core writes bypassed the ORM: reload on next access
    return ImportResult(created=len(new), replaced=len(updates))


# A replaced reading is a new measurement: a correction of the value it replaces no longer
# describes it (the journal keeps it). Never voided: only live readings are replaced.
REPLACED: dict[str, Any] = {"corrected_from": None, "corrected_at": None, "corrected_by": "", "correction_reason": ""}
_CLEARED_SQL = "corrected_from = NULL, corrected_at = NULL, corrected_by = '', correction_reason = ''"


# The columns of an imported reading that vary from row to row, sorted (a batch's columns),
# and the values every new reading shares but its entry time: the ORM's defaults.
BATCH_COLUMNS = ("entered_by", "kpi_id", "note", "partial", "period_start", "value")
PERIOD = BATCH_COLUMNS.index("period_start")
NEW_READING: dict[str, Any] = {**REPLACED, "void_reason": "", "voided_at": None, "voided_by": ""}


def created_entries(values: list[tuple[Any, ...]], first_id: int, iso_now: str) -> Iterator[EncodedChange]:
    """The `create_many` entries of new readings with these BATCH_COLUMNS values (ids first_id,
    first_id + 1, ... in order), journal_batch.BATCH_ROWS readings to an entry."""
    same = {**NEW_READING, "entered_at": iso_now}
    size = journal_batch.BATCH_ROWS
    for i in range(0, len(values), size):
        text = journal_batch.batch_text(BATCH_COLUMNS, values[i : i + size], same)
        yield ("reading", first_id + i, journal_batch.CREATE_MANY, None, text)


_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?")


def _sql_timestamp(stored: Any) -> str:
    """The entry time as an SQL literal: the same for every row, so not a parameter of each."""
    if not isinstance(stored, str) or not _TIMESTAMP.fullmatch(stored):
        raise RuntimeError(f"Unexpected stored form of a timestamp: {stored!r}.")
    return f"'{stored}'"


def _check_ids(conn: Connection, table: str, last_id: int, count: int) -> None:
    """Confirm the inserted rows got ids last_id+1 ... last_id+count, in insertion order.

    SQLite gives a new row max(rowid)+1 and this transaction holds the write lock, so that
    is what happens unless the id space is exhausted; checking it costs one index range
    scan instead of reading every new row back to learn its id.
    """
    found = conn.exec_driver_sql(f"SELECT count(*), coalesce(max(id), 0) FROM {table} WHERE id > ?", (last_id,)).one()
    if tuple(found) != (count, last_id + count):
        raise RuntimeError(f"Unexpected ids for {count} new rows in {table} after id {last_id}.")
