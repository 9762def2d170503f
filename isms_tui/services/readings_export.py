"""Readings to a CSV file: spreadsheet-safe, atomic, and honest about how each was taken.

Columns: `kpi`, `period`, `date`, `value`, `note`, `entered_by`, `entered_at`, then `partial`
("yes" for a value recorded before its period closed) and `late` ("yes" for one recorded after
the period's due date, by `evaluation.is_late`). Voided readings count nowhere and are left
out, so that the file re-imports as the live record; the journal and the pack keep them.
The import accepts every column written here (`readings_csv`).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, col

from isms_tui.files import check_target
from isms_tui.models import Kpi, Reading

from . import periods
from .csv_io import escape_cell, spreadsheet_csv
from .evaluation import is_late

EXPORT_COLUMNS = ("kpi", "period", "date", "value", "note", "entered_by", "entered_at", "partial", "late")


def _number(value: float) -> str:
    """A value as text that parses back to the same float, without a needless '.0'."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def export_readings(session: Session, path: Path | str) -> int:
    """Write every live reading to `path` (sorted by KPI code, then date); returns the count.

    The file is UTF-8 with a BOM (so spreadsheets detect the encoding) and replaces `path`
    atomically: a crash leaves the old file or the new one, never half of one. A replaced
    file keeps its permissions; a new one is readable by its owner only, as it holds ISMS data.
    """
    path = Path(path)
    check_target(path)
    kpis = {k.id: k for k in session.scalars(select(Kpi))}
    query = (
        select(
            col(Reading.kpi_id),
            col(Reading.period_start),
            col(Reading.value),
            col(Reading.note),
            col(Reading.entered_by),
            col(Reading.entered_at),
            col(Reading.partial),
        )
        .join(Kpi, col(Kpi.id) == col(Reading.kpi_id))
        .where(col(Reading.voided_at).is_(None))
        .order_by(col(Kpi.code), col(Reading.period_start))
    )
    count = 0
    with spreadsheet_csv(path) as writer:
        writer.writerow(EXPORT_COLUMNS)
        for kpi_id, start, value, note, by, at, partial in session.execute(query):
            kpi = kpis[kpi_id]
            writer.writerow(
                [
                    escape_cell(kpi.code),
                    periods.period_label(start, kpi.frequency),
                    start.isoformat(),
                    _number(value),
                    escape_cell(note),
                    escape_cell(by),
                    at.isoformat(timespec="seconds"),
                    "yes" if partial else "",
                    "yes" if is_late(kpi, start, at) else "",
                ]
            )
            count += 1
    return count
