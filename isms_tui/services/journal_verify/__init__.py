"""Checking the change journal: the hash chain itself, and the data against what it records.

`verify` proves three things, in one read transaction (a consistent snapshot even while
another isms writes):

0. The database is exactly the application's own: undamaged storage (SQLite's
   integrity_check), the tables, columns, indexes the application's migrations make and
   nothing else (no view, trigger, extra table or index), and every value in its column's
   domain (schema.py). Without this the rest proves little: a view or a trigger can change
   what is read while every hash still matches.

1. The chain is intact. Every entry's hash matches its own content (an edited entry is
   named), every entry continues from the one before it (a removed or inserted entry is
   named by the ids that bracket it), and the ids run without gaps (deleted entries).
   Entries are streamed through the raw DB-API cursor in chunks, so half a million
   entries take memory for one chunk only.

2. The data agrees with the journal. For every journaled table (every SQLModel table but
   the journal itself and alembic_version, unless a table opts out with
   `__table_args__ = {"info": {"journaled": False}}`), the newest journal state of each
   row must equal the row as stored, every live row must have a 'create' entry (or be one of
   the rows of a 'create_many' entry, expanded one entry at a time: batches.py), and a row
   the journal says exists must exist. So a row edited, inserted or deleted with the
   sqlite3 shell, bypassing the application, is named with its table, id and the columns
   that differ. Tables and journal are merged in id order (SQL does the grouping), again
   without holding a table in memory.

Values are compared as the application reads them, not as text: the journal records what
the ORM had in hand (a timezone-aware timestamp, an enum's value, 3 for 3.0) while SQLite
stores its own forms (a naive UTC timestamp, the enum's name, 3.0). A column absent from a
journal state (added by a later schema migration) is not compared.

3. The chain agrees with every signed checkpoint known (checkpoints.py): the rows kept in
   the workspace and the copies beside the organisation's keys. What the chain alone cannot
   show, a checkpoint does: entries cut off the end, an older copy put back, or a chain whose
   hashes were recomputed after an edit. Entry times never run backwards.
"""

from __future__ import annotations

import sqlite3
from typing import cast

from sqlmodel import Session

from .chain import ChainFacts, check_chain
from .checkpoints import CheckpointSources, KnownCheckpoint, check_checkpoints, from_rows, positions
from .report import (
    CHAIN_BROKEN,
    CHECKPOINT_CONTRADICTED,
    CHECKPOINT_INVALID,
    CHECKPOINT_MISSING,
    ENTRIES_MISSING,
    ENTRY_ALTERED,
    ENTRY_MALFORMED,
    ROW_CHANGED,
    ROW_DELETED,
    ROW_NO_CREATE,
    ROW_RESURRECTED,
    ROW_UNJOURNALED,
    SCHEMA_CHANGED,
    STORAGE_DAMAGED,
    TIME_BACKWARDS,
    VALUE_INVALID,
    JournalReport,
    Problem,
)
from .schema import check_schema, check_storage, check_values
from .tables import check_table, journaled_tables

__all__ = [
    "CHAIN_BROKEN",
    "CHECKPOINT_CONTRADICTED",
    "CHECKPOINT_INVALID",
    "CHECKPOINT_MISSING",
    "ENTRIES_MISSING",
    "ENTRY_ALTERED",
    "ENTRY_MALFORMED",
    "ROW_CHANGED",
    "ROW_DELETED",
    "ROW_NO_CREATE",
    "ROW_RESURRECTED",
    "ROW_UNJOURNALED",
    "SCHEMA_CHANGED",
    "STORAGE_DAMAGED",
    "TIME_BACKWARDS",
    "VALUE_INVALID",
    "CheckpointSources",
    "JournalReport",
    "KnownCheckpoint",
    "Problem",
    "verify",
]


def verify(session: Session, sources: CheckpointSources | None = None, *, checkpoints: bool = True) -> JournalReport:
    """Walk the chain, hold it to every checkpoint and cross-check every journaled table; never
    raises on bad data. `sources` adds the checkpoints kept outside the workspace;
    `checkpoints=False` leaves them out (the benchmark's baseline)."""
    sources = sources or CheckpointSources()
    session.flush()
    conn = session.connection()
    raw = cast(sqlite3.Connection, conn.connection.dbapi_connection)  # a workspace is SQLite
    began = not raw.in_transaction
    if began:
        raw.execute("BEGIN")  # one snapshot for the chain walk and every table
    report = JournalReport()
    try:
        # Rows are only read from a file whose storage and shape are the application's own.
        if check_storage(raw, report) and check_schema(raw, report):
            check_values(raw, report)
            if checkpoints:
                in_workspace = from_rows(_checkpoint_rows(raw))
                facts = ChainFacts(positions(in_workspace + sources.external))
                check_chain(raw, report, facts)
                check_checkpoints(report, facts, in_workspace, sources)
            else:
                check_chain(raw, report)
            for table in journaled_tables(raw):
                report.tables.append(table.name)
                check_table(raw, table, conn.dialect, report)
    except sqlite3.DatabaseError as exc:
        report.add(Problem(STORAGE_DAMAGED, f"The database file could not be read to the end: {exc}."))
    finally:
        if began:
            raw.rollback()
    return report


def _checkpoint_rows(raw: sqlite3.Connection) -> list[tuple[int, str]]:
    return [(int(i), str(t)) for i, t in raw.execute("SELECT id, signed FROM checkpoint ORDER BY id")]
