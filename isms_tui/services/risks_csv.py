"""`isms import risks` and `isms export risks`: the risk register to and from CSV.

Columns: ref, title, owner, likelihood, impact, treatment, status, due, controls (required, in
any order) and optionally description, residual_likelihood, residual_impact, next_review,
kpis. A row whose ref exists updates that risk (the journal keeps the old values); any bad
row rejects the whole file, every problem listed with its row number, like readings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from isms_tui.models import Person, Risk

from .csv_io import (
    CsvTable,
    ImportRejected,
    escape_cell,
    read_text,
    spreadsheet_csv,
    unescape_cell,
)
from .errors import InputError
from .risks import RiskInput, list_risks, save_risk, validate

REQUIRED = ("ref", "title", "owner", "likelihood", "impact", "treatment", "status", "due", "controls")
OPTIONAL = ("description", "residual_likelihood", "residual_impact", "next_review", "kpis")
HEADER = ",".join(REQUIRED)
MAX_FILE_BYTES = 8 * 1024 * 1024
_SPLIT = re.compile(r"[;,\s]+")


@dataclass(frozen=True)
class RiskImport:
    created: int
    updated: int


def _int(text: str, name: str, problems: list[str], *, required: bool) -> int | None:
    text = text.strip()
    if not text:
        if required:
            problems.append(f"{name} is required (1 to 5)")
        return None
    if not text.isdigit():
        problems.append(f"{name} {text[:20]!r} is not a whole number from 1 to 5")
        return None
    return int(text)


def _date(text: str, name: str, problems: list[str]) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.append(f"{name} {text[:20]!r} is not a date like 2026-03-31")
        return None


def _row(fields: list[str], columns: dict[str, int], people: dict[str, int]) -> tuple[RiskInput, list[str]]:
    def cell(name: str) -> str:
        i = columns.get(name)
        return unescape_cell(fields[i]).strip() if i is not None and i < len(fields) else ""

    problems: list[str] = []
    owner = cell("owner")
    owner_id = people.get(owner.casefold()) if owner else None
    if owner and owner_id is None:
        problems.append(f"owner {owner[:40]!r} is not a person of the workspace")
    data = RiskInput(
        ref=cell("ref"),
        title=cell("title"),
        likelihood=_int(cell("likelihood"), "likelihood", problems, required=True),
        impact=_int(cell("impact"), "impact", problems, required=True),
        owner_id=owner_id,
        description=cell("description"),
        treatment=cell("treatment").lower() or "modify",
        status=cell("status").lower() or "open",
        due_date=_date(cell("due"), "due", problems),
        residual_likelihood=_int(cell("residual_likelihood"), "residual_likelihood", problems, required=False),
        residual_impact=_int(cell("residual_impact"), "residual_impact", problems, required=False),
        next_review=_date(cell("next_review"), "next_review", problems),
        controls=[c for c in _SPLIT.split(cell("controls")) if c],
        kpis=[k for k in _SPLIT.split(cell("kpis")) if k],
    )
    return data, problems


def import_risks(session: Session, path: Path | str) -> RiskImport:
    """Create or update every risk of the CSV, or none; ImportRejected lists every problem."""
    path = Path(path)
    text = read_text(path, max_bytes=MAX_FILE_BYTES)
    people = {p.name.casefold(): p.id for p in session.exec(select(Person)) if p.id is not None}
    existing = {r.ref: r.id for r in session.exec(select(Risk))}
    table = CsvTable(text, REQUIRED, (*REQUIRED, *OPTIONAL), HEADER)
    rows: list[tuple[RiskInput, int | None]] = []
    seen: dict[str, int] = {}
    for line, fields, columns in table.rows():
        data, problems = _row(fields, columns, people)
        risk_id = existing.get(data.ref.strip())
        named = {name.removesuffix("_id"): msg for name, msg in validate(session, data, risk_id).items()}
        problems += [f"{name}: {msg}" for name, msg in named.items() if not any(p.startswith(name) for p in problems)]
        if data.ref.strip() in seen:
            problems.append(f"ref {data.ref.strip()!r} is repeated (first on row {seen[data.ref.strip()]})")
        seen.setdefault(data.ref.strip(), line)
        if problems:
            table.reject_row(line, [p.rstrip(".") for p in problems])
        else:
            rows.append((data, risk_id))
    table.refuse_if_bad(path)
    if not rows:
        raise ImportRejected(f"{path} has a header but no risks; nothing was imported.")
    for data, risk_id in rows:
        try:
            save_risk(session, data, risk_id)
        except InputError as exc:  # checked above; a clash inside the file itself lands here
            raise ImportRejected(f"{path} was rejected; nothing was imported.", [f"{data.ref}: {exc}"]) from None
    updated = sum(1 for _, rid in rows if rid is not None)
    return RiskImport(created=len(rows) - updated, updated=updated)


def export_risks(session: Session, path: Path | str) -> int:
    """Write the register to a CSV the import reads back; returns the number of risks."""
    people = {p.id: p.name for p in session.exec(select(Person))}
    risks = list_risks(session)

    def text(value: object) -> str:
        return "" if value is None else escape_cell(str(value))

    with spreadsheet_csv(Path(path)) as writer:
        writer.writerow([*REQUIRED, *OPTIONAL])
        for r in risks:
            writer.writerow(
                [
                    text(r.ref),
                    text(r.title),
                    text(people.get(r.owner_id, "")),
                    r.likelihood,
                    r.impact,
                    r.treatment,
                    r.status,
                    r.due_date.isoformat() if r.due_date else "",
                    text("; ".join(map(str, r.controls))),
                    text(r.description),
                    "" if r.residual_likelihood is None else r.residual_likelihood,
                    "" if r.residual_impact is None else r.residual_impact,
                    r.next_review.isoformat() if r.next_review else "",
                    text("; ".join(map(str, r.kpis))),
                ]
            )
    return len(risks)
