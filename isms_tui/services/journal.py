"""Reading the change journal: the history of one record, what each entry changed, the head.

Checking the journal (its hash chain, and the data against it) is `journal_verify`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from isms_tui.models import JournalEntry
from isms_tui.models.journal import GENESIS_HASH


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
        .order_by(col(JournalEntry.id))
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
