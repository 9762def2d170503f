"""Readings to and from CSV files: all-or-nothing import, spreadsheet-safe export.

Import columns (header case-insensitive, surrounding whitespace ignored): `kpi` (code),
`date` (ISO 8601 date, or a datetime whose date is taken as written), `value` (by the rule of
`numbers.parse_number`, within the KPI's allowed range: `plausible.allowed_range`), and
optional `note`, `entered_by` (default: the importing user) and `partial` (yes/no: a row for
a period that has not closed yet is refused unless it says yes, and a closed period's row
may not). The export's own extra columns, `period`, `entered_at` and `late`, are accepted so
that an exported file re-imports unchanged: a non-empty `period` must match the period of
`date`, and `entered_at` and `late` are ignored (an import is stamped with the time it
happens, and lateness follows from that). Any other column is an error.

The whole file is validated before anything is written and every problem is reported as
"row N: ..." (N is the file's line number, the header being row 1). Valid rows are written
by `readings_bulk` with one driver-level executemany and one bulk journal append, not an ORM
object per row, so 100,000 readings import in seconds. A voided reading neither clashes with
a row nor is replaced by one: only live readings hold their period.

Export (`readings_export`) escapes text cells against formula injection (`csv_io.escape_cell`) and import undoes
that escape in `note` and `entered_by`. The numeric `value` column is written as a plain
number (a negative value stays a number).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlmodel import Session, col

from isms_tui.models import Frequency, Kpi
from isms_tui.models.sanitize import clean

from . import clock, periods
from .collector import collector_paused
from .csv_io import (
    ImportRejected,
    MalformedCsv,
    check_header,
    csv_records,
    quoted,
    read_text,
    unescape_cell,
)
from .errors import InputError
from .formatting import plural
from .numbers import parse_number
from .plausible import MAX_MAGNITUDE, allowed_range
from .readings_bulk import Existing, ImportResult, Row, write_rows
from .readings_export import EXPORT_COLUMNS, export_readings

__all__ = ["EXPORT_COLUMNS", "ImportResult", "export_readings", "import_readings"]

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_NOTE_CHARS = 2000
MAX_ENTERED_BY_CHARS = 200
REQUIRED_COLUMNS = ("kpi", "date", "value")
OPTIONAL_COLUMNS = ("note", "entered_by", "partial")
EXPORT_ONLY_COLUMNS = ("period", "entered_at", "late")
KNOWN_COLUMNS = frozenset(REQUIRED_COLUMNS + OPTIONAL_COLUMNS + EXPORT_ONLY_COLUMNS)
EXPECTED_HEADER = "kpi, date, value and optionally note, entered_by, partial"
PARTIAL_TEXT = {"": False, "no": False, "false": False, "0": False, "yes": True, "true": True, "1": True}


class _KpiInfo(NamedTuple):
    """What validation needs to know about a KPI, loaded once per import."""

    id: int
    frequency: Frequency
    active: bool
    low: float  # the allowed range of its values
    high: float
    # date text -> (period start, whether closed, the start's ISO text), shared by the KPIs of
    # one frequency and filled as rows are fully checked: the plain path of check_all reads it
    periods: dict[str, tuple[date, bool, str]]


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
        existing: Existing,
        entered_by: str,
        replace: bool,
    ) -> None:
        self.width = len(columns)
        self.i_kpi, self.i_date, self.i_value = (columns[c] for c in REQUIRED_COLUMNS)
        self.i_note = columns.get("note")
        self.i_by = columns.get("entered_by")
        self.i_period = columns.get("period")
        self.i_partial = columns.get("partial")
        self.kpis = kpis
        self.existing = existing
        self.entered_by = entered_by.strip()
        self.replace = replace
        self.today = clock.today()
        self.seen: dict[tuple[int, date], int] = {}
        self.new: list[tuple[Any, ...]] = []  # new readings' readings_bulk.BATCH_COLUMNS, in file order
        self.replaced: list[Row] = []  # readings that overwrite a live one (with `replace`)
        self._days: dict[str, date] = {}
        self._starts: dict[tuple[date, Frequency], date] = {}
        self._closed: dict[tuple[date, Frequency], bool] = {}

    def closed(self, start: date, freq: Frequency) -> bool:
        """Whether the period at `start` has ended before today (the rule of `evaluation.is_closed`)."""
        known = self._closed.get((start, freq))
        if known is None:
            known = self._closed[start, freq] = periods.period_end(start, freq) < self.today
        return known

    @staticmethod
    def _optional(fields: list[str], index: int | None) -> str:
        return "" if index is None else fields[index].strip()

    def check_all(self, records: Iterable[tuple[int, list[str]]], errors: list[str]) -> None:
        """Check every data row: valid ones are kept for writing, problems go to `errors`.

        Almost every row of a real file is plainly valid, so the loop accepts such a row with
        a few dictionary lookups and one float() (a 100k-row file spends most of its
        validation time here); anything unusual (an unknown code, a new date text, a label, a
        clash, a number float() reads but the rule of `numbers.parse_number` does not) goes to
        `_problems`, which decides and words it. The plain path leaves no trace for such a row.
        """
        kpi_of = self.kpis.get
        new_row = tuple.__new__  # Row(...) without its Python-level __new__
        olds, seen, keep, replace, today = (
            self.existing.by_kpi.get,
            self.seen,
            self.new.append,
            self.replace,
            self.today,
        )
        width, i_kpi, i_date, i_value = self.width, self.i_kpi, self.i_date, self.i_value
        i_note, i_by, i_period, i_partial = self.i_note, self.i_by, self.i_period, self.i_partial
        default_by = clean(self.entered_by)
        cleaned: dict[str, str] = {"": ""}  # a file repeats the same few notes and names
        for line, fields in records:
            if len(fields) == width:
                kpi = kpi_of(fields[i_kpi].strip())
                text = fields[i_value]
                try:
                    value = float(text)
                except ValueError:
                    value = math.nan
                note = "" if i_note is None else fields[i_note].strip()
                by = "" if i_by is None else fields[i_by].strip()
                partial = False if i_partial is None else PARTIAL_TEXT.get(fields[i_partial].strip().lower())
                if (
                    kpi is not None
                    and kpi.active
                    and kpi.low <= value <= kpi.high  # False for NaN; the range is finite
                    and "_" not in text
                    and partial is not None
                    and note[:1] != "'"
                    and by[:1] != "'"
                    and len(note) <= MAX_NOTE_CHARS
                    and len(by) <= MAX_ENTERED_BY_CHARS
                    and (i_period is None or not fields[i_period].strip())
                ):
                    period = kpi.periods.get(fields[i_date].strip())
                    if (
                        period is not None
                        and (start := period[0]) <= today
                        and (key := (kpi.id, start)) not in seen
                        and period[1] is not partial
                    ):
                        by_period = olds(kpi.id)
                        old = (by_period if by_period is not None else self.existing.of_kpi(kpi.id)).get(start)
                        if old is None or replace:
                            seen[key] = line
                            note_c = cleaned.get(note)
                            if note_c is None:
                                note_c = cleaned[note] = clean(note)
                            by_c = cleaned.get(by) if by else default_by
                            if by_c is None:
                                by_c = cleaned[by] = clean(by)
                            if old is None:  # BATCH_COLUMNS: what is inserted and journaled
                                keep((by_c, kpi.id, note_c, partial, period[2], value))
                            else:
                                self.replaced.append(new_row(Row, (kpi.id, start, value, note_c, by_c, old, partial)))
                            continue
            problems = self._problems(line, fields)
            if problems:
                errors.append(f"row {line}: " + "; ".join(problems))

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
        partial_text = self._optional(fields, self.i_partial)
        partial = PARTIAL_TEXT.get(partial_text.lower())
        if partial is None:
            problems.append(f"partial must be yes or no, not {quoted(partial_text)}")
        if kpi is not None and kpi.active and not math.isnan(value) and not kpi.low <= value <= kpi.high:
            problems.append(_range_problem(code, value, kpi))
        if kpi is None or not kpi.active or day is None:
            return problems
        start = self._starts.get((day, kpi.frequency))
        if start is None:
            start = self._starts[day, kpi.frequency] = periods.period_start(day, kpi.frequency)
        period_text = self._optional(fields, self.i_period)
        problems.extend(self._period_problems(line, code, kpi, day, start, period_text))
        if partial is not None and not problems:
            problems.extend(self._partial_problems(code, kpi, start, partial))
        if not problems:
            kpi.periods.setdefault(
                fields[self.i_date].strip(), (start, self.closed(start, kpi.frequency), start.isoformat())
            )
            old = self.existing.get((kpi.id, start))
            if old is None:
                self.new.append((clean(entered_by), kpi.id, clean(note), bool(partial), start.isoformat(), value))
            else:
                self.replaced.append(Row(kpi.id, start, value, clean(note), clean(entered_by), old, bool(partial)))
        return problems

    def _partial_problems(self, code: str, kpi: _KpiInfo, start: date, partial: bool) -> list[str]:
        closed = self.closed(start, kpi.frequency)
        if closed != partial:
            return []
        label = periods.period_label(start, kpi.frequency)
        if partial:
            return [f"the period {label} of KPI {code} has closed; partial is only for a period still running"]
        return [f"the period {label} of KPI {code} has not closed yet; import it with partial = yes or wait"]

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


def _range_problem(code: str, value: float, kpi: _KpiInfo) -> str:
    if abs(value) > MAX_MAGNITUDE:
        return f"the value {value:g} is too large to be a measurement (at most {MAX_MAGNITUDE:g} either way)"
    return f"the value {value:g} is outside the allowed range of KPI {code} ({kpi.low:g} to {kpi.high:g})"


def import_readings(
    session: Session,
    path: Path | str,
    entered_by: str = "",
    *,
    replace: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import every row of the CSV at `path` or none; raises ImportRejected listing all problems.

    With `replace`, a row for a KPI and period that already has a reading overwrites it and
    the previous values stay in the journal as an 'update' entry; without it the row is
    rejected, so a file imported twice by mistake changes nothing.

    `progress(line, lines)` is called every PROGRESS_EVERY lines while checking, then with
    (lines, lines) before and after the rows are written; whatever it raises ends the
    import, and the caller's transaction rolls everything back.
    """
    with collector_paused():
        return _import(session, Path(path), entered_by, replace, progress)


def _import(
    session: Session, path: Path, entered_by: str, replace: bool, progress: Callable[[int, int], None] | None
) -> ImportResult:
    text = read_text(path, max_bytes=MAX_FILE_BYTES)
    lines = text.count("\n") + 1
    session.flush()  # pending ORM changes must be visible to the Core queries below
    conn = session.connection()
    by_frequency: dict[Frequency, dict[str, tuple[date, bool, str]]] = {f: {} for f in Frequency}
    kpis = {
        code: _KpiInfo(kid, freq, active, *allowed_range(_Bounds(unit, low, high)), by_frequency[freq])
        for kid, code, freq, active, unit, low, high in conn.execute(
            select(
                col(Kpi.id),
                col(Kpi.code),
                col(Kpi.frequency),
                col(Kpi.active),
                col(Kpi.unit),
                col(Kpi.min_value),
                col(Kpi.max_value),
            )
        )
        if kid is not None  # never, for a stored row: it tells the type checker so
    }
    existing = Existing(conn)
    validator: _Validator | None = None
    errors: list[str] = []
    records = csv_records(text)
    if progress is not None:
        records = _reporting(records, progress, lines)
    try:
        for line, fields in records:  # the header: the first non-blank record
            columns = check_header(fields, REQUIRED_COLUMNS, KNOWN_COLUMNS, EXPECTED_HEADER)
            if isinstance(columns, str):
                errors.append(f"row {line}: {columns}")
            else:
                validator = _Validator(columns, kpis, existing, entered_by, replace)
                validator.check_all(records, errors)
            break
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
    if not validator.new and not validator.replaced:
        raise ImportRejected(f"{path} has a header but no readings; nothing was imported.")
    if progress is not None:
        progress(lines, lines)  # every line checked: writing comes next
    result = write_rows(session, validator.new, validator.replaced, existing)
    if progress is not None:
        progress(lines, lines)  # a cancel now still rolls the written rows back
    return result


PROGRESS_EVERY = 500


def _reporting(
    records: Iterator[tuple[int, list[str]]], progress: Callable[[int, int], None], lines: int
) -> Iterator[tuple[int, list[str]]]:
    """`records`, calling `progress(line, lines)` every PROGRESS_EVERY records."""
    for n, record in enumerate(records, 1):
        if n % PROGRESS_EVERY == 0:
            progress(record[0], lines)
        yield record


class _Bounds(NamedTuple):
    unit: str
    min_value: float | None
    max_value: float | None
