"""Readings to and from CSV files: all-or-nothing import, spreadsheet-safe export.

Import columns (header case-insensitive, surrounding whitespace ignored): `kpi` (code),
`date` (ISO 8601 date, or a datetime whose date is taken as written), `value` (by the rule of
`numbers.parse_number`), and optional `note` and `entered_by` (default: the importing user).
The export's own extra columns, `period` and `entered_at`, are accepted so that an exported
file re-imports unchanged: a non-empty `period` must match the period of `date`, and
`entered_at` is ignored (an import is stamped with the time it happens). Any other column is
an error.

The whole file is validated before anything is written and every problem is reported as
"row N: ..." (N is the file's line number, the header being row 1). Valid rows are written
with one driver-level executemany and one bulk journal append, not an ORM object per row, so
100,000 readings import in seconds.

Export escapes text cells against formula injection (`csv_io.escape_cell`) and import undoes
that escape in `note` and `entered_by`. The numeric `value` column is written as a plain
number (a negative value stays a number).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Column, Connection, Dialect, Table, select
from sqlmodel import Session, col

from isms_tui.files import check_target
from isms_tui.models import Frequency, Kpi, Reading
from isms_tui.models.journal import EncodedChange, append_encoded, canonical
from isms_tui.models.sanitize import clean

from . import clock, periods
from .csv_io import (
    ImportRejected,
    MalformedCsv,
    check_header,
    csv_records,
    escape_cell,
    quoted,
    read_text,
    spreadsheet_csv,
    unescape_cell,
)
from .errors import InputError
from .formatting import plural
from .numbers import parse_number

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_NOTE_CHARS = 2000
MAX_ENTERED_BY_CHARS = 200
REQUIRED_COLUMNS = ("kpi", "date", "value")
OPTIONAL_COLUMNS = ("note", "entered_by")
EXPORT_ONLY_COLUMNS = ("period", "entered_at")
KNOWN_COLUMNS = frozenset(REQUIRED_COLUMNS + OPTIONAL_COLUMNS + EXPORT_ONLY_COLUMNS)
EXPORT_COLUMNS = ("kpi", "period", "date", "value", "note", "entered_by", "entered_at")
EXPECTED_HEADER = "kpi, date, value and optionally note, entered_by"


@dataclass(frozen=True)
class ImportResult:
    """What an import did: readings created, and existing ones overwritten (with `replace`)."""

    created: int
    replaced: int

    @property
    def count(self) -> int:
        return self.created + self.replaced


class _Row(NamedTuple):
    """One validated data row, ready to write."""

    kpi_id: int
    period_start: date
    value: float
    note: str
    entered_by: str
    replaces: _Old | None = None


class _KpiInfo(NamedTuple):
    """What validation needs to know about a KPI, loaded once per import."""

    id: int
    frequency: Frequency
    active: bool


def _parse_day(text: str) -> date:
    """An ISO 8601 date, or the date part of an ISO 8601 datetime; raises ValueError."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return datetime.fromisoformat(text).date()


class _Validator:
    """Checks data rows against the workspace as loaded once; keeps the valid ones.

    Dates and periods are cached because a file repeats the same few dates many times.
    """

    def __init__(
        self,
        columns: dict[str, int],
        kpis: dict[str, _KpiInfo],
        existing: _Existing,
        entered_by: str,
        replace: bool,
    ) -> None:
        self.width = len(columns)
        self.i_kpi, self.i_date, self.i_value = (columns[c] for c in REQUIRED_COLUMNS)
        self.i_note = columns.get("note")
        self.i_by = columns.get("entered_by")
        self.i_period = columns.get("period")
        self.kpis = kpis
        self.existing = existing
        self.entered_by = entered_by.strip()
        self.replace = replace
        self.today = clock.today()
        self.seen: dict[tuple[int, date], int] = {}
        self.rows: list[_Row] = []
        self._days: dict[str, date] = {}
        self._starts: dict[tuple[date, Frequency], date] = {}

    @staticmethod
    def _optional(fields: list[str], index: int | None) -> str:
        return "" if index is None else fields[index].strip()

    def check(self, line: int, fields: list[str]) -> list[str]:
        """Problems of one row; a row without problems is kept for writing."""
        if self._accept_plain_row(line, fields):
            return []
        return self._problems(line, fields)

    def _accept_plain_row(self, line: int, fields: list[str]) -> bool:
        """Keep a row that is plainly valid, cheaply; False sends it to `_problems`.

        Almost every row of a real file takes this path, so it does only what such a row
        needs (a 100k-row file spends most of its validation time here); anything unusual
        (an unknown code, a new date text, a label, a clash) is left to the full check, which
        words the message. It leaves no trace when it returns False.
        """
        if len(fields) != self.width:
            return False
        kpi = self.kpis.get(fields[self.i_kpi].strip())
        day = self._days.get(fields[self.i_date].strip())
        if kpi is None or not kpi.active or day is None:
            return False
        try:
            value = parse_number(fields[self.i_value])
        except InputError:
            return False
        note = "" if self.i_note is None else fields[self.i_note].strip()
        by = "" if self.i_by is None else fields[self.i_by].strip()
        if note[:1] == "'" or by[:1] == "'" or len(note) > MAX_NOTE_CHARS or len(by) > MAX_ENTERED_BY_CHARS:
            return False
        if self.i_period is not None and fields[self.i_period].strip():
            return False
        start = self._starts.get((day, kpi.frequency))
        if start is None or start > self.today or (kpi.id, start) in self.seen:
            return False
        key = (kpi.id, start)
        old = self.existing.get(key)
        if old is not None and not self.replace:
            return False
        self.seen[key] = line
        self.rows.append(_Row(kpi.id, start, value, clean(note), clean(by or self.entered_by), old))
        return True

    def _problems(self, line: int, fields: list[str]) -> list[str]:
        """Every problem of a row, worded for the user; a row without any is kept."""
        if len(fields) != self.width:
            return [f"expected {self.width} fields, found {len(fields)}"]
        problems: list[str] = []
        code = fields[self.i_kpi].strip()
        kpi = self.kpis.get(code)
        if not code:
            problems.append("the kpi code is empty")
        elif kpi is None:
            problems.append(f"unknown KPI code {quoted(code)}")
        elif not kpi.active:
            problems.append(f"KPI {code} is inactive")
        day = self._day(fields[self.i_date].strip(), problems)
        value = self._value(fields[self.i_value].strip(), problems)
        note = unescape_cell(self._optional(fields, self.i_note))
        if len(note) > MAX_NOTE_CHARS:
            problems.append(f"the note has {len(note)} characters; the limit is {MAX_NOTE_CHARS}")
        entered_by = unescape_cell(self._optional(fields, self.i_by)) or self.entered_by
        if len(entered_by) > MAX_ENTERED_BY_CHARS:
            problems.append(f"entered_by has {len(entered_by)} characters; the limit is {MAX_ENTERED_BY_CHARS}")
        if kpi is None or not kpi.active or day is None:
            return problems
        start = self._starts.get((day, kpi.frequency))
        if start is None:
            start = self._starts[day, kpi.frequency] = periods.period_start(day, kpi.frequency)
        period_text = self._optional(fields, self.i_period)
        problems.extend(self._period_problems(line, code, kpi, day, start, period_text))
        if not problems:
            old = self.existing.get((kpi.id, start))
            self.rows.append(_Row(kpi.id, start, value, clean(note), clean(entered_by), old))
        return problems

    def _day(self, text: str, problems: list[str]) -> date | None:
        day = self._days.get(text)
        if day is not None:
            return day
        if not text:
            problems.append("the date is empty")
            return None
        try:
            day = self._days[text] = _parse_day(text)
        except ValueError:
            problems.append(f"{quoted(text)} is not an ISO 8601 date (YYYY-MM-DD)")
        return day

    @staticmethod
    def _value(text: str, problems: list[str]) -> float:
        if not text:
            problems.append("the value is empty")
            return math.nan
        try:
            return parse_number(text)
        except InputError:
            problems.append(f"{quoted(text)} is not a finite number (use a dot for decimals)")
            return math.nan

    def _period_problems(
        self, line: int, code: str, kpi: _KpiInfo, day: date, start: date, period_text: str
    ) -> list[str]:
        """Label mismatch, future period, repeated in the file, already recorded."""
        key = (kpi.id, start)
        first = self.seen.setdefault(key, line)
        old = self.existing.get(key)
        clash = old is not None and not self.replace
        if not period_text and start <= self.today and first == line and not clash:
            return []  # the common case, decided without building the period's label
        label = periods.period_label(start, kpi.frequency)
        if period_text and period_text != label:
            return [f"the period {quoted(period_text)} does not match the date {day} ({label})"]
        if start > self.today:
            return [f"the period {label} of KPI {code} has not started yet (today is {self.today})"]
        if first != line:
            return [f"KPI {code} period {label} is already in row {first}"]
        if clash and old is not None:
            return [
                f"KPI {code} already has a reading for {label} ({old.value:g}); import with replace to overwrite it"
            ]
        return []


def import_readings(session: Session, path: Path | str, entered_by: str = "", *, replace: bool = False) -> ImportResult:
    """Import every row of the CSV at `path` or none; raises ImportRejected listing all problems.

    With `replace`, a row for a KPI and period that already has a reading overwrites it and
    the previous values stay in the journal as an 'update' entry; without it the row is
    rejected, so a file imported twice by mistake changes nothing.
    """
    path = Path(path)
    text = read_text(path, max_bytes=MAX_FILE_BYTES)
    session.flush()  # pending ORM changes must be visible to the Core queries below
    conn = session.connection()
    kpis = {
        code: _KpiInfo(kid, freq, active)
        for kid, code, freq, active in conn.execute(
            select(col(Kpi.id), col(Kpi.code), col(Kpi.frequency), col(Kpi.active))
        )
        if kid is not None  # never, for a stored row: it tells the type checker so
    }
    existing = _Existing(conn)
    validator: _Validator | None = None
    errors: list[str] = []
    try:
        for line, fields in csv_records(text):
            if validator is None:
                columns = check_header(fields, REQUIRED_COLUMNS, KNOWN_COLUMNS, EXPECTED_HEADER)
                if isinstance(columns, str):
                    errors.append(f"row {line}: {columns}")
                    break
                validator = _Validator(columns, kpis, existing, entered_by, replace)
                continue
            problems = validator.check(line, fields)
            if problems:
                errors.append(f"row {line}: " + "; ".join(problems))
    except MalformedCsv as exc:
        errors.append(str(exc))
    if errors:
        n = len(errors)
        raise ImportRejected(
            f"{plural(n, 'row')} of {path} {'were' if n != 1 else 'was'} rejected; nothing was imported.",
            errors,
        )
    if validator is None:
        raise ImportRejected(f"{path} is empty; expected a header row: {EXPECTED_HEADER}.")
    if not validator.rows:
        raise ImportRejected(f"{path} has a header but no readings; nothing was imported.")
    return _write(session, validator.rows, existing)


_INSERT_COLUMNS = ("kpi_id", "period_start", "value", "entered_by", "entered_at", "note")


class _Old(NamedTuple):
    id: int
    value: float


class _Existing:
    """Readings already stored, loaded per KPI on first use and only as (id, value) by period.

    A large workspace holds years of readings; an import touches a few KPIs, so loading
    everything up front cost most of the import's time and memory.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.by_kpi: dict[int, dict[date, _Old]] = {}

    def get(self, key: tuple[int, date]) -> _Old | None:
        kpi_id, start = key
        periods_of = self.by_kpi.get(kpi_id)
        if periods_of is None:
            rows = self.conn.exec_driver_sql(
                "SELECT period_start, id, value FROM reading WHERE kpi_id = ?", (kpi_id,)
            ).fetchall()
            periods_of = {date.fromisoformat(p): _Old(rid, v) for p, rid, v in rows}
            self.by_kpi[kpi_id] = periods_of
        return periods_of.get(start)

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


def _write(session: Session, rows: list[_Row], existing: _Existing) -> ImportResult:
    """Insert new readings, overwrite replaced ones, and journal both in file order.

    Values reach the driver already converted by the columns' own SQLAlchemy types, so the
    stored text is exactly what the ORM writes, without SQLAlchemy's per-row overhead.
    """
    conn = session.connection()
    table = _readings_table()
    date_text = _stored_form(table.c.period_start, conn.dialect)
    time_text = _stored_form(table.c.entered_at, conn.dialect)
    now = clock.now()
    stored_now = time_text(now)
    stored_dates = {start: date_text(start) for start in {r.period_start for r in rows}}
    before = existing.full_rows([r.replaces.id for r in rows if r.replaces is not None])  # before updating
    inserts = [
        (r.kpi_id, stored_dates[r.period_start], r.value, r.entered_by, stored_now, r.note)
        for r in rows
        if r.replaces is None
    ]
    updates = [(r.value, r.entered_by, stored_now, r.note, r.replaces.id) for r in rows if r.replaces is not None]
    last_id: int = conn.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table.name}").scalar_one()
    if inserts:
        conn.exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})",
            inserts,
        )
        _check_ids(conn, table.name, last_id, len(inserts))
    if updates:
        conn.exec_driver_sql(
            f"UPDATE {table.name} SET value = ?, entered_by = ?, entered_at = ?, note = ? WHERE id = ?",
            updates,
        )
    iso_now = json_text(now.isoformat())
    iso_dates = {start: json_text(start.isoformat()) for start in stored_dates}

    def changes() -> Iterator[EncodedChange]:
        next_id = last_id + 1
        for r in rows:
            old = r.replaces
            if old is None:
                rid, next_id = next_id, next_id + 1
                yield ("reading", rid, "create", None, _reading_json(rid, r, iso_dates[r.period_start], iso_now))
            else:
                after = _reading_json(old.id, r, iso_dates[r.period_start], iso_now)
                yield ("reading", old.id, "update", canonical(before[old.id]), after)

    append_encoded(session, changes())
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Reading):
            session.expire(obj)  # Core writes bypassed the ORM: reload on next access
    return ImportResult(created=len(inserts), replaced=len(updates))


# What JSONEncoder(ensure_ascii=False) writes for a string: the journal's canonical form.
json_text = json.encoder.encode_basestring


def _reading_json(rid: int, r: _Row, period_json: str, entered_at_json: str) -> str:
    """`canonical()` of an imported reading's stored values, without building a dict.

    A bulk import journals every row; formatting the sorted keys directly takes a fraction
    of the general encoder's time. A test holds this equal to `canonical` of the same values.
    """
    return (
        f'{{"entered_at":{entered_at_json},"entered_by":{json_text(r.entered_by)},"id":{rid},'
        f'"kpi_id":{r.kpi_id},"note":{json_text(r.note)},"period_start":{period_json},'
        f'"value":{float.__repr__(r.value)}}}'
    )


def _check_ids(conn: Connection, table: str, last_id: int, count: int) -> None:
    """Confirm the inserted rows got ids last_id+1 ... last_id+count, in insertion order.

    SQLite gives a new row max(rowid)+1 and this transaction holds the write lock, so that
    is what happens unless the id space is exhausted; checking it costs one index range
    scan instead of reading every new row back to learn its id.
    """
    found = conn.exec_driver_sql(f"SELECT count(*), coalesce(max(id), 0) FROM {table} WHERE id > ?", (last_id,)).one()
    if tuple(found) != (count, last_id + count):
        raise RuntimeError(f"Unexpected ids for {count} new rows in {table} after id {last_id}.")


def _number(value: float) -> str:
    """A value as text that parses back to the same float, without a needless '.0'."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def export_readings(session: Session, path: Path | str) -> int:
    """Write every reading to `path` (sorted by KPI code, then date); returns the count.

    The file is UTF-8 with a BOM (so spreadsheets detect the encoding) and replaces `path`
    atomically: a crash leaves the old file or the new one, never half of one. A replaced
    file keeps its permissions; a new one is readable by its owner only, as it holds ISMS data.
    """
    path = Path(path)
    check_target(path)
    query = (
        select(
            col(Kpi.code),
            col(Kpi.frequency),
            col(Reading.period_start),
            col(Reading.value),
            col(Reading.note),
            col(Reading.entered_by),
            col(Reading.entered_at),
        )
        .join(Kpi, col(Kpi.id) == col(Reading.kpi_id))
        .order_by(col(Kpi.code), col(Reading.period_start))
    )
    count = 0
    with spreadsheet_csv(path) as writer:
        writer.writerow(EXPORT_COLUMNS)
        for code, freq, start, value, note, by, at in session.execute(query):
            writer.writerow(
                [
                    escape_cell(code),
                    periods.period_label(start, freq),
                    start.isoformat(),
                    _number(value),
                    escape_cell(note),
                    escape_cell(by),
                    at.isoformat(timespec="seconds"),
                ]
            )
            count += 1
    return count
