"""Writing tables to an .xlsx workbook: typed cells, frozen headers, no formula injection.

Numbers stay numbers, dates are dates with a date format, yes/no flags are booleans, and text
is always a text cell: openpyxl would turn a string that starts with "=" into a formula and
one such as "#N/A" into an error value, so every string is written as an inline string, and
one a spreadsheet could take for a formula (starting with = + - @, a tab or a line break, or
their full-width forms, even after spaces) also carries the quote prefix, so that editing the
cell in Excel or LibreOffice keeps it text. Characters XML cannot hold are dropped; a text
longer than a cell can hold is cut and says so.

Sheets are streamed (openpyxl's write-only mode): a large register never sits in memory as
cells. The file is written through `files.staged` (atomic; a link, folder or special file as
the target is refused; a full disk is one sentence and leaves nothing behind).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from isms_tui.files import staged

Value = str | int | float | bool | date | datetime | None

# = + - @ and their full-width forms, tab, carriage return and line feed, after any spaces.
FORMULA_START = re.compile(r"[ \u3000]*[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]")
# What XML 1.0 cannot hold (openpyxl refuses it); tab, line feed and carriage return can stay.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_CELL_TEXT = 32767  # Excel's limit for one cell
_CUT_NOTE = " … [cut: {n} characters in the workspace]"
MAX_SHEET_ROWS = 1_048_575  # Excel's rows per sheet, less the header


@dataclass(frozen=True)
class Column:
    """A column's header and width (in characters)."""

    header: str
    width: float = 14


@dataclass(frozen=True)
class Sheet:
    """One register: its name (at most 31 characters), columns and rows (consumed once)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Value]]


def looks_like_formula(text: str) -> bool:
    return FORMULA_START.match(text) is not None


def clean_text(text: str) -> str:
    """`text` as a cell can hold it: no characters XML refuses, at most MAX_CELL_TEXT long."""
    text = _NOT_XML.sub("", text)
    if len(text) > MAX_CELL_TEXT:
        note = _CUT_NOTE.format(n=len(text))
        text = text[: MAX_CELL_TEXT - len(note)] + note
    return text


def excel_datetime(value: datetime) -> datetime:
    """A time as Excel holds it: without a zone, in UTC (the headers say so)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


class _Writer:
    """Cells for one write-only worksheet, with the formats shared by the workbook."""

    def __init__(self, ws: Any) -> None:
        from openpyxl.cell import WriteOnlyCell

        self.ws = ws
        self.make = WriteOnlyCell

    def cell(self, value: Value) -> Any:
        """What to append for `value`: plain values where openpyxl types them right (the
        common case, and much the fastest), a prepared cell where it would not."""
        if value is None or isinstance(value, bool | int | date):  # date covers datetime
            if isinstance(value, datetime):
                return excel_datetime(value)  # openpyxl formats a date 'yyyy-mm-dd', a time with h:mm:ss
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else self._text(str(value))
        text = clean_text(str(value))
        if not text:
            return None
        if text[0] in "=#" or looks_like_formula(text):
            return self._text(text)
        return text

    def _text(self, text: str) -> Any:
        """A cell that is text whatever the text looks like."""
        text = clean_text(text)
        if not text:
            return None
        c = self.make(self.ws, None)
        # Set past openpyxl's value binding, which would make "=…" a formula and "#N/A" an
        # error value: an inline string, whatever it looks like.
        c._value = text
        c.data_type = "s"
        if looks_like_formula(text):
            c.quotePrefix = True  # editing the cell keeps it text
        return c


def _column_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))


def write_workbook(path: Path, sheets: Iterable[Sheet]) -> dict[str, int]:
    """Write `sheets` to `path` atomically; returns the number of rows written per sheet.

    Raises InputError (one sentence, nothing changed) when the target is refused or the write
    fails; a register longer than a sheet can hold is refused rather than cut.
    """
    from openpyxl import Workbook

    counts: dict[str, int] = {}
    with staged(Path(path), tag="xlsx") as tmp:
        wb = Workbook(write_only=True)
        try:
            for sheet in sheets:
                counts[sheet.title] = _write_sheet(wb, sheet)
            wb.save(tmp)
        except BaseException:
            _discard(wb)
            raise
    return counts


def _discard(wb: Any) -> None:
    """Close and remove the sheets openpyxl streamed to temporary files, after a failure.

    They hold the registers, so they must not wait for the process to end (the TUI runs for
    hours); a stream left open would also complain when collected."""
    for ws in getattr(wb, "_sheets", []):
        writer = getattr(ws, "_writer", None)
        for close in (getattr(ws, "_rows", None), getattr(writer, "xf", None)):
            try:
                if close is not None:
                    close.close()
            except Exception:
                pass
        out = getattr(writer, "out", None)
        if writer is not None and isinstance(out, str):
            try:
                writer.cleanup()
            except (OSError, ValueError):
                Path(out).unlink(missing_ok=True)


def _write_sheet(wb: Any, sheet: Sheet) -> int:
    from openpyxl.styles import Font

    from .errors import InputError

    ws = wb.create_sheet(sheet.title[:31])
    writer = _Writer(ws)
    width = len(sheet.columns)
    for i, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[_column_letter(i)].width = column.width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in sheet.columns:
        c = writer._text(column.header)
        c.font = bold
        header.append(c)
    ws.append(header)
    count = 0
    for row in sheet.rows:
        count += 1
        if count > MAX_SHEET_ROWS:
            raise InputError(
                f"The {sheet.title} register has more rows than a spreadsheet can hold; nothing was written."
            )
        ws.append([writer.cell(v) for v in row])
    ws.auto_filter.ref = f"A1:{_column_letter(width)}{count + 1}"
    return count
