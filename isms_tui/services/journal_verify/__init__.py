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
from collections.abc import Callable
from typing import cast

from sqlalchemy.engine import Dialect
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


Progress = Callable[[float, str], None]


def verify(
    session: Session,
    sources: CheckpointSources | None = None,
    *,
    checkpoints: bool = True,
    progress: Progress | None = None,
) -> JournalReport:
    """Walk the chain, hold it to every checkpoint and cross-check every journaled table; never
    raises on bad data. `sources` adds the checkpoints kept outside the workspace;
    `checkpoints=False` leaves them out (the benchmark's baseline).

    `progress(fraction, step)` is called between the stages (storage, schema, values, chain,
    each table). Whatever it raises ends the check and reaches the caller: the check only
    reads, so there is nothing to undo beyond the read transaction (the TUI's escape)."""
    sources = sources or CheckpointSources()
    step: Progress = progress or (lambda fraction, message: None)
    session.flush()
    conn = session.connection()
    raw = cast(sqlite3.Connection, conn.connection.dbapi_connection)  # a workspace is SQLite
    began = not raw.in_transaction
    if began:
        raw.execute("BEGIN")  # one snapshot for the chain walk and every table
    report = JournalReport()
    try:
        # Rows are only read from a file whose storage and shape are the application's own.
        step(0.0, "Checking the storage")
        if check_storage(raw, report):
            step(0.1, "Checking the schema")
            if check_schema(raw, report):
                _check_rows(raw, conn.dialect, report, sources if checkpoints else None, step)
    except sqlite3.DatabaseError as exc:
        report.add(Problem(STORAGE_DAMAGED, f"The database file could not be read to the end: {exc}."))
    finally:
        if began:
            raw.rollback()
    return report


def _check_rows(
    raw: sqlite3.Connection, dialect: Dialect, report: JournalReport, sources: CheckpointSources | None, step: Progress
) -> None:
    """The values, the chain (held to the checkpoints unless `sources` is None) and every
    journaled table against it; only for a file whose storage and shape are the application's own."""
    step(0.15, "Checking the stored values")
    check_values(raw, report)
    step(0.25, "Walking the hash chain")
    if sources is not None:
        in_workspace = from_rows(_checkpoint_rows(raw))
        facts = ChainFacts(positions(in_workspace + sources.external))
        check_chain(raw, report, facts)
        step(0.45, "Holding the chain to the signed checkpoints")
        check_checkpoints(report, facts, in_workspace, sources)
    else:
        check_chain(raw, report)
    tables = journaled_tables(raw)
    for number, table in enumerate(tables):
        step(0.5 + 0.5 * number / len(tables), f"Comparing the table {table.name} with the journal")
        report.tables.append(table.name)
        check_table(raw, table, dialect, report)
    step(1.0, "Checked")


def _checkpoint_rows(raw: sqlite3.Connection) -> list[tuple[int, str]]:
    return [(int(i), str(t)) for i, t in raw.execute("SELECT id, signed FROM checkpoint ORDER BY id")]
