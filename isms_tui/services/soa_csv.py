"""`isms import soa` and `isms export soa`: the statement of applicability to and from CSV.

Columns: control, applicable, justification, status, notes (control and applicable required,
in any order; title is accepted and ignored, so an export reads back). `applicable` is yes or
no; left empty it takes the control back to "not yet decided". Any bad row rejects the whole
file, every problem listed with its row number, like readings and risks.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from isms_tui.models import SoaEntry

from .csv_io import (
    CsvTable,
    ImportRejected,
    escape_cell,
    quoted,
    read_text,
    spreadsheet_csv,
    unescape_cell,
)
from .soa import APPLICABLE, NOT_APPLICABLE, SoaInput, control_ref, save_entry, statement, validate

REQUIRED = ("control", "applicable")
OPTIONAL = ("justification", "status", "notes", "title")
COLUMNS = ("control", "applicable", "justification", "status", "notes")
HEADER = ",".join(COLUMNS)
MAX_FILE_BYTES = 2 * 1024 * 1024
YES = frozenset({"yes", "y", "true", "1", APPLICABLE})
NO = frozenset({"no", "n", "false", "0", NOT_APPLICABLE})


def _row(fields: list[str], columns: dict[str, int]) -> tuple[SoaInput, list[str]]:
    def cell(name: str) -> str:
        i = columns.get(name)
        return unescape_cell(fields[i]).strip() if i is not None and i < len(fields) else ""

    problems: list[str] = []
    answer = cell("applicable").lower()
    applicable: bool | None = True if answer in YES else False if answer in NO else None
    if answer and applicable is None:
        problems.append(f"applicable {quoted(cell('applicable'), 20)} must be yes or no")
    data = SoaInput(cell("control"), applicable, cell("justification"), cell("status"), cell("notes"))
    return data, problems


def import_soa(session: Session, path: Path | str) -> tuple[int, int]:
    """Apply every row of the CSV, or none; returns (decided, cleared). ImportRejected lists
    every problem with its row number."""
    path = Path(path)
    text = read_text(path, max_bytes=MAX_FILE_BYTES)
    table = CsvTable(text, REQUIRED, (*REQUIRED, *OPTIONAL), HEADER)
    decided: list[SoaInput] = []
    cleared: list[str] = []
    seen: dict[str, int] = {}
    for line, fields, columns in table.rows():
        data, problems = _row(fields, columns)
        ref = control_ref(data.control)
        if data.applicable is None and not problems:
            if ref is None:
                problems.append(f"control {quoted(data.control, 20)} is not an Annex A control")
            elif data.justification or data.status or data.notes:
                problems.append("applicable is empty (not yet decided) but the row gives a decision's details")
        elif not problems:
            problems += [msg.rstrip(".") for msg in validate(data).values()]
        if ref is not None and ref in seen:
            problems.append(f"control {ref} is repeated (first on row {seen[ref]})")
        if ref is not None:
            seen.setdefault(ref, line)
        if problems:
            table.reject_row(line, problems)
        elif data.applicable is None:
            cleared.append(str(ref))
        else:
            decided.append(data)
    table.refuse_if_bad(path)
    if not decided and not cleared:
        raise ImportRejected(f"{path} has a header but no controls; nothing was imported.")
    for data in decided:
        save_entry(session, data)
    stored = {e.control: e for e in session.exec(select(SoaEntry))}
    removed = [stored[ref] for ref in cleared if ref in stored]
    for entry in removed:
        session.delete(entry)
    session.flush()
    return len(decided), len(removed)


def export_soa(session: Session, path: Path | str) -> int:
    """Write all 93 controls (undecided ones with applicable empty); returns how many."""
    rows = statement(session)
    with spreadsheet_csv(Path(path)) as writer:
        writer.writerow([*COLUMNS, "title"])
        for r in rows:
            applicable = {APPLICABLE: "yes", NOT_APPLICABLE: "no"}.get(r.decision, "")
            writer.writerow(
                [
                    r.ref,
                    applicable,
                    escape_cell(r.justification),
                    r.status,
                    escape_cell(r.notes),
                    escape_cell(r.title),
                ]
            )
    return len(rows)
