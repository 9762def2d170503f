"""CSV files a user brings or opens in a spreadsheet, whatever their content.

Shared by the importers and exporters (readings, checklists, risks, the SoA):

- Reading: `read_text` refuses what cannot be a UTF-8 text file (too large, binary, NUL
  bytes) with one sentence, and drops a BOM; `csv_records` yields the non-blank records with
  the line each starts on; `check_header` maps column names, case and spaces ignored;
  `CsvTable` walks the data rows after the header and collects every problem.
- Row errors: an import checks every row and refuses the file as a whole with
  `ImportRejected`, whose `row_errors` lists every problem as "row N: ...", because a
  half-imported file is worse than a rejected one. `quoted` shows a user's cell in a message.
- Formula injection: a spreadsheet runs a cell starting with =, +, -, @, tab or carriage
  return as a formula, so `escape_cell` prefixes such text with an apostrophe. Text that
  already starts with apostrophes followed by one of those characters gets one more, which
  makes the escape reversible: `unescape_cell` removes one leading apostrophe exactly when the
  apostrophes are followed by one of those characters.
- Writing: `spreadsheet_csv` writes UTF-8 with a BOM (so spreadsheets detect the encoding),
  replacing the file atomically.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from isms_tui.files import replace_atomically
from isms_tui.userfiles import UserFileError, read_user_file

from .errors import InputError
from .formatting import plural

if TYPE_CHECKING:
    from _csv import Writer

_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED_FORMULA = re.compile(r"'+[=+\-@\t\r]")


class ImportRejected(InputError):
    """The file was refused as a whole; `row_errors` lists every problem as "row N: ..."."""

    def __init__(self, message: str, row_errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.row_errors = list(row_errors or [])


def escape_cell(text: str) -> str:
    """Neutralise a text cell a spreadsheet would evaluate as a formula."""
    return "'" + text if _FORMULA_START.match(text) else text


def unescape_cell(text: str) -> str:
    """Undo `escape_cell`: drop one apostrophe only where export added one."""
    return text[1:] if _ESCAPED_FORMULA.match(text) else text


def quoted(text: str, limit: int = 40) -> str:
    """User text quoted for an error message, shortened so a huge cell cannot flood it."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(text)


def read_text(path: Path, *, max_bytes: int, kind: str = "CSV") -> str:
    """The file's text, refusing what cannot be a `kind` text file with one sentence.

    Shared by the importers (readings, checklists): a regular file only (never blocking on a
    named pipe or reading a device; see isms_tui.userfiles), at most `max_bytes`, UTF-8 with
    or without a BOM, no NUL bytes; every refusal is an ImportRejected.
    """
    try:
        data = read_user_file(path, max_bytes=max_bytes, what=f"{kind} file", advice="")
    except UserFileError as exc:
        if exc.too_large:
            raise ImportRejected(f"{path} is larger than {max_bytes >> 20} MB; split it into smaller files.") from None
        raise ImportRejected(str(exc)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        save_as = "CSV UTF-8" if kind == "CSV" else "UTF-8"
        raise ImportRejected(
            f"{path} is not UTF-8 text (first bad byte on line {line}); save it as {save_as}."
        ) from None
    if "\x00" in text:
        raise ImportRejected(f"{path} contains NUL bytes; it is not a UTF-8 {kind} text file.")
    return text


class MalformedCsv(Exception):
    """The CSV cannot be parsed past this point."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"row {line}: cannot be read as CSV ({reason}); check its quotes")


def csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, fields) for each non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        for fields in reader:
            if fields and (fields[0].strip() or "".join(fields).strip()):  # the first field decides most
                yield line, fields
            line = reader.line_num + 1
    except csv.Error as exc:
        raise MalformedCsv(line, str(exc)) from None


def check_header(
    header: list[str], required: Sequence[str], known: Collection[str], expected: str
) -> dict[str, int] | str:
    """Column name → index (case and spaces ignored), or the header's problems as one message."""
    names = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in names]
    unknown = [repr(header[i].strip()) for i, n in enumerate(names) if n not in known]
    repeated = sorted({n for n in names if n in known and names.count(n) > 1})
    problems = []
    if missing:
        problems.append("missing column " + ", ".join(missing))
    if unknown:
        problems.append("unknown column " + ", ".join(unknown))
    if repeated:
        problems.append("repeated column " + ", ".join(repeated))
    if problems:
        return f"the header must be {expected}: " + "; ".join(problems)
    return {n: i for i, n in enumerate(names)}


class CsvTable:
    """The data rows of an imported CSV after its header, and every problem found on the way.

    An importer checks each row it is given, adds the row's problems with `reject_row`, and
    calls `refuse_if_bad` before saving anything, so a file is imported whole or not at all.
    """

    def __init__(self, text: str, required: Sequence[str], known: Collection[str], expected: str) -> None:
        self._text = text
        self._required = required
        self._known = known
        self.expected = expected
        self.columns: dict[str, int] | None = None
        self.errors: list[str] = []

    def rows(self) -> Iterator[tuple[int, list[str], dict[str, int]]]:
        """(line, fields, columns) of each data row; a bad header or unreadable CSV ends the rows
        as an error."""
        try:
            for line, fields in csv_records(self._text):
                if self.columns is not None:
                    yield line, fields, self.columns
                    continue
                checked = check_header(fields, self._required, self._known, self.expected)
                if isinstance(checked, str):
                    self.errors.append(f"row {line}: {checked}")
                    return
                self.columns = checked
        except MalformedCsv as exc:
            self.errors.append(str(exc))

    def reject_row(self, line: int, problems: list[str]) -> None:
        self.errors.append(f"row {line}: " + "; ".join(problems))

    def refuse_if_bad(self, path: Path) -> None:
        """ImportRejected listing every row's problem, or saying the file is empty."""
        if self.errors:
            n = len(self.errors)
            raise ImportRejected(
                f"{plural(n, 'row')} of {path} {'were' if n != 1 else 'was'} rejected; nothing was imported.",
                self.errors,
            )
        if self.columns is None:
            raise ImportRejected(f"{path} is empty; expected a header row: {self.expected}.")


@contextmanager
def spreadsheet_csv(path: Path) -> Iterator[Writer]:
    """A csv writer onto `path` as UTF-8 with a BOM, replacing it atomically when done.

    A crash leaves the old file or the new one, never half of one; see `replace_atomically`
    for the permissions a new or replaced file gets. Cells are written as given: escape
    text cells with `escape_cell`.
    """
    with replace_atomically(path, encoding="utf-8-sig", newline="") as fh:
        yield csv.writer(fh)
