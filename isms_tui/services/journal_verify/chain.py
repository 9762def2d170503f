"""The first half of the journal check: every entry's hash, the links between entries, no gaps."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from isms_tui.models.journal import GENESIS_HASH, entry_hash

from .report import (
    CHAIN_BROKEN,
    ENTRIES_MISSING,
    ENTRY_ALTERED,
    ENTRY_MALFORMED,
    TIME_BACKWARDS,
    JournalReport,
    Problem,
)

CHUNK = 5000


def in_chunks(cursor: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
    while chunk := cursor.fetchmany(CHUNK):
        yield from chunk


_CHAIN_SQL = (
    "SELECT id, at, actor, entity, entity_id, operation, before, after, prev_hash, hash FROM journal ORDER BY id"
)


class ChainFacts:
    """What the checkpoint check needs from the walk: every stored hash, in order, and the time
    of the entries at the positions the checkpoints name."""

    def __init__(self, positions: set[int]) -> None:
        self.hashes: list[bytes] = []
        self.times: dict[int, str] = {}
        self.positions = positions


def _as_bytes(value: Any) -> bytes:
    try:
        return bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        return b""


def check_chain(raw: sqlite3.Connection, report: JournalReport, facts: ChainFacts | None = None) -> None:
    cur = raw.cursor()
    try:
        cur.execute(_CHAIN_SQL)
        prev_id: int | None = None
        prev_hash = GENESIS_HASH
        prev_at = ""
        count = 0
        for eid, at, actor, entity, entity_id, op, before, after, link, stored in in_chunks(cur):
            count += 1
            if facts is not None:
                facts.hashes.append(_as_bytes(stored))
                if count in facts.positions:
                    facts.times[count] = str(at)
            if isinstance(at, str):
                if at < prev_at:
                    report.add(
                        Problem(
                            TIME_BACKWARDS,
                            f"journal entry {eid} is dated {at[:19]}, before the entry preceding it ({prev_at[:19]})",
                            entry_id=eid if isinstance(eid, int) else None,
                        )
                    )
                prev_at = at
            try:
                if not isinstance(eid, int) or not isinstance(entity_id, int):
                    raise TypeError
                computed = entry_hash(link, at, actor, entity, entity_id, op, before, after)
            except TypeError:  # a NULL or a number where text belongs: written by hand
                report.add(
                    Problem(
                        ENTRY_MALFORMED,
                        f"journal entry {eid} is malformed: a field has the wrong type (edited outside isms)",
                        entry_id=eid,
                    )
                )
                prev_id, prev_hash = (eid if isinstance(eid, int) else prev_id), str(stored)
                continue
            expected_id = 1 if prev_id is None else prev_id + 1
            gap = eid != expected_id
            if gap:
                where = f"before entry {eid}" if prev_id is None else f"between entries {prev_id} and {eid}"
                missing = f"{expected_id}" if eid - expected_id == 1 else f"{expected_id}–{eid - 1}"
                report.add(
                    Problem(
                        ENTRIES_MISSING,
                        f"journal entries {missing} are missing {where} (deleted)",
                        entry_id=eid,
                    )
                )
            if computed != stored:
                report.add(
                    Problem(
                        ENTRY_ALTERED,
                        f"journal entry {eid} ({entity} {entity_id}, {op}) was altered: "
                        "its content does not match its hash",
                        entry_id=eid,
                        table=entity,
                        row_id=entity_id,
                    )
                )
            elif link != prev_hash and not gap:
                after_what = "the start of the chain" if prev_id is None else f"entry {prev_id}"
                report.add(
                    Problem(
                        CHAIN_BROKEN,
                        f"journal entry {eid} does not continue the chain from {after_what} "
                        "(an entry was inserted or replaced there)",
                        entry_id=eid,
                    )
                )
            prev_id, prev_hash = eid, stored
        report.entries = count
        report.last_id = prev_id
        report.head = prev_hash
    finally:
        cur.close()


# -- the data against the journal -------------------------------------------------------------
