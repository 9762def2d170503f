"""Reading the change journal: the history of one record, what each entry changed, the head.

Checking the journal (its hash chain, and the data against it) is `journal_verify`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from isms_tui.models.journal import GENESIS_HASH, canonical
from isms_tui.models.journal_batch import MAX_BATCH_ROWS, BatchError, parse_batch


def head(session: Session) -> tuple[int, str]:
    """(number of entries, hash of the newest entry) without checking anything."""
    conn = session.connection()
    row = conn.exec_driver_sql(
        "SELECT count(*), (SELECT hash FROM journal ORDER BY id DESC LIMIT 1) FROM journal"
    ).one()
    return int(row[0]), row[1] or GENESIS_HASH


@dataclass(frozen=True)
class HistoryEntry:
    """One journal entry of one record, as read: a plain value, never an ORM object.

    A record created in bulk shows its creation as a `create` whose `after` is its own state,
    expanded from the `create_many` entry `id` (`batch_rows` says how many rows that entry
    records; 0 for an ordinary entry).
    """

    id: int
    at: str
    actor: str
    entity: str
    entity_id: int
    operation: str
    before: str | None
    after: str | None
    batch_rows: int = 0


_HISTORY_SQL = (
    "SELECT id, at, actor, entity, entity_id, operation, before, after FROM journal "
    "WHERE entity = ? AND entity_id = ? AND operation != 'create_many' ORDER BY id"
)
# The (entity, entity_id) index finds the batch with the greatest first id at or below the id,
# among the MAX_BATCH_ROWS ids below it (a batch holds no more rows): a bounded index range
# even where every earlier row has its own entries.
_BATCH_SQL = (
    "SELECT id, at, actor, entity_id, after FROM journal "
    "WHERE entity = ? AND entity_id <= ? AND entity_id > ? AND operation = 'create_many' "
    "ORDER BY entity_id DESC, id DESC LIMIT 1"
)


def history(session: Session, entity: str, entity_id: int) -> list[HistoryEntry]:
    """Every journal entry of one record, oldest first, its creation in bulk included.

    A bulk creation is found in the `create_many` entry with the greatest first id at or
    below `entity_id`, if that entry's rows reach it (a later import starts at a higher id).
    """
    conn = session.connection()
    entries = [HistoryEntry(*row) for row in conn.exec_driver_sql(_HISTORY_SQL, (entity, entity_id))]
    found = conn.exec_driver_sql(_BATCH_SQL, (entity, entity_id, entity_id - MAX_BATCH_ROWS)).first()
    if found is not None:
        eid, at, actor, first_id, after = found
        try:
            batch = parse_batch(eid, first_id, after)
        except BatchError:
            return entries  # `journal verify` names it; the history shows what it can read
        state = batch.state(entity_id)
        if state is not None:
            created = HistoryEntry(
                eid, at, actor, entity, entity_id, "create", None, canonical(state), batch_rows=len(batch.rows)
            )
            entries = sorted([*entries, created], key=lambda e: e.id)
    return entries


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
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def field_changes(entry: HistoryEntry) -> list[FieldChange]:
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
