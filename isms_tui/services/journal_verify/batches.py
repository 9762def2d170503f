"""The journal's newest state of each row when some rows were created by `create_many` entries.

A `create_many` entry (models/journal_batch.py) records the creation of many rows. The table
check merges, in row id order, the newest per-row entry of each id (SQL) with the rows every
`create_many` entry claims (expanded here, one entry at a time), and compares each row with
whichever entry is newer. A batch is expanded only when the merge reaches its first id, so
memory holds the batches that overlap the current id: one, unless entries were forged.

Two entries may claim the same id: a bulk import reuses the id of a row deleted before it
(SQLite gives a new row max(id) + 1). As with per-row entries, the newest entry wins.
"""

from __future__ import annotations

import heapq
import sqlite3
from collections.abc import Iterator
from typing import Any

from isms_tui.models.journal_batch import CREATE_MANY, BatchError, parse_batch

from .chain import in_chunks
from .report import ENTRY_MALFORMED, JournalReport, Problem

BATCHES_SQL = (
    "SELECT id, entity_id, after FROM journal WHERE entity = ? AND operation = 'create_many' ORDER BY entity_id, id"
)

Claim = tuple[int, int, dict[str, Any]]
"""(row id, entry id, the row's state) from a `create_many` entry."""

Newest = tuple[Any, int, str, Any, bool]
"""(row id, entry id, operation, state as JSON text or a dict, whether a create is journaled)."""


def batch_claims(cursor: sqlite3.Cursor, table: str, report: JournalReport) -> Iterator[Claim]:
    """Every row every `create_many` entry of `table` holds (the cursor runs BATCHES_SQL), in
    row id order and, for one id, oldest entry first. A malformed entry is reported once and
    holds no rows."""
    heap: list[tuple[int, int, dict[str, Any], Iterator[tuple[int, dict[str, Any]]]]] = []
    pending = in_chunks(cursor)
    upcoming = next(pending, None)
    while heap or upcoming is not None:
        if upcoming is not None and (not heap or not isinstance(upcoming[1], int) or upcoming[1] <= heap[0][0]):
            entry_id, first_id, after = upcoming
            upcoming = next(pending, None)
            try:
                batch = parse_batch(entry_id, first_id, after)
            except BatchError as exc:
                report.add(
                    Problem(
                        ENTRY_MALFORMED,
                        f"{exc} (edited outside isms): the {table} rows it records cannot be checked",
                        entry_id=entry_id if isinstance(entry_id, int) else None,
                        table=table,
                    )
                )
                continue
            states = batch.states()
            row_id, state = next(states)
            heapq.heappush(heap, (row_id, entry_id, state, states))
            continue
        row_id, entry_id, state, states = heapq.heappop(heap)
        yield row_id, entry_id, state
        following = next(states, None)
        if following is not None:
            heapq.heappush(heap, (following[0], entry_id, following[1], states))


def newest(latest: Iterator[tuple[Any, ...]], claims: Iterator[Claim]) -> Iterator[Newest]:
    """Per row id, in id order: the newer of its newest per-row entry (`latest`: row id, entry
    id, operation, after, created) and the entries that created it in bulk (`claims`)."""
    entry = next(latest, None)
    claim = next(claims, None)
    while entry is not None or claim is not None:
        if claim is None or (entry is not None and entry[0] < claim[0]):
            yield entry  # type: ignore[misc]  # the common case: no batch holds this id
            entry = next(latest, None)
            continue
        row_id = claim[0]
        best: Newest | None = None
        created = False
        if entry is not None and entry[0] == row_id:
            best, created = entry, bool(entry[4])
            entry = next(latest, None)
        while claim is not None and claim[0] == row_id:
            if best is None or claim[1] > best[1]:
                best = (row_id, claim[1], CREATE_MANY, claim[2], True)
            created = True
            claim = next(claims, None)
        if best is not None:
            yield (best[0], best[1], best[2], best[3], created)
