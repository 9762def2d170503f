"""Importing and exporting a register through one entry point, for the TUI's import screen.

The same services and the same sentences as the CLI (`isms import|export readings|risks|soa`,
`isms checklist import|export`): an import checks the whole file and refuses it as a whole
with `ImportRejected` (its `row_errors` list every problem); an export writes through
files.py. The caller runs `run_import` in one transaction; a `progress` callback that raises
(`ImportCancelled`) rolls the whole import back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError
from .formatting import plural

if TYPE_CHECKING:
    from sqlmodel import Session

Progress = Callable[[int, int], None]


class ImportCancelled(Exception):
    """Raised from a progress callback to stop an import; its transaction rolls back."""


@dataclass(frozen=True)
class Register:
    key: str
    label: str
    columns: str  # the CSV columns, for the screen's hint


REGISTERS: dict[str, Register] = {
    r.key: r
    for r in (
        Register("readings", "KPI readings", "kpi, date, value[, note, entered_by, partial]"),
        Register("risks", "Risk register", "ref, title, owner, likelihood, impact, treatment, status, due, controls"),
        Register("soa", "Statement of applicability", "control, applicable, justification, status, notes"),
        Register("checklist", "Audit checklist", "ref, title, question[, evidence_hint] (CSV) or JSON"),
    )
}


def register(key: str) -> Register:
    try:
        return REGISTERS[key]
    except KeyError:
        raise InputError(f"There is no register called {key!r} to import or export.") from None


def run_import(
    session: Session,
    key: str,
    path: Path,
    actor: str,
    *,
    replace: bool = False,
    name: str | None = None,
    progress: Progress | None = None,
) -> str:
    """Import `path` into the register `key`, all or nothing; the sentence saying what was done."""
    register(key)
    if key == "readings":
        from .readings_csv import import_readings

        result = import_readings(session, path, entered_by=actor, replace=replace, progress=progress)
        replaced = f" ({result.replaced} replaced)" if result.replaced else ""
        return f"Imported {result.count} readings from {path}{replaced}."
    if key == "risks":
        from .risks_csv import import_risks

        risks = import_risks(session, path)
        return f"Imported {risks.created + risks.updated} risks from {path} ({risks.updated} updated)."
    if key == "soa":
        from .soa_csv import import_soa

        decided, cleared = import_soa(session, path)
        tail = f"; {cleared} taken back to not yet decided" if cleared else ""
        return f"Recorded the decision on {decided} controls from {path}{tail}."
    from .checklist_io import import_template

    checklist = import_template(session, path, name=name or None, replace=replace)
    verb = "Replaced" if checklist.replaced else "Imported"
    return f"{verb} checklist '{checklist.name}' with {plural(checklist.count, 'question')} from {path}."


def run_export(session: Session, key: str, path: Path, *, name: str | None = None) -> str:
    """Write the register `key` to `path` (atomically; a special target is refused); the sentence."""
    register(key)
    if key == "readings":
        from .readings_csv import export_readings

        return f"Exported {export_readings(session, path)} readings to {path}."
    if key == "risks":
        from .risks_csv import export_risks

        return f"Exported {export_risks(session, path)} risks to {path}."
    if key == "soa":
        from .soa_csv import export_soa

        return f"Exported {export_soa(session, path)} controls to {path}."
    from . import checklist_io

    if not name:
        raise InputError("Choose the checklist to export.")
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in checklist_io.FORMATS:
        raise InputError(f"Name the file .csv or .json to choose the format (got {path.name}).")
    resolved = checklist_io.resolve_name(session, name)
    count = checklist_io.export_template(session, resolved, fmt, path)
    return f"Exported {plural(count, 'question')} of '{resolved}' to {path}."


def checklist_names(session: Session) -> list[str]:
    from .checklists import list_templates

    return [t.name for t in list_templates(session)]
