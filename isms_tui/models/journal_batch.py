"""The journal's bulk entry: one `create_many` entry records the creation of many rows at once.

A bulk import journals each new row's full state, exactly as a `create` entry would, but
thousands of rows to an entry: per-row entries cost SQLite several times the rows' own bytes.
The entry is an ordinary link of the chain (its hash is `entry_hash` over its fields); only its
`after` text is shaped differently:

    entity     the table ("reading")
    entity_id  the id of the first row; row i of the entry has id entity_id + i
    operation  "create_many"
    before     NULL
    after      canonical JSON of {"columns": [...], "rows": [[...], ...], "same": {...}}

Row i's state is `{**same, **dict(zip(columns, rows[i])), "id": entity_id + i}`: the same keys
and value forms as a `create` entry of that row (tests hold the two equal). Columns whose value
is the same in every row of the entry are stored once, in `same`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .journal import canonical

CREATE_MANY = "create_many"
BATCH_ROWS = 5000  # rows per entry: bounded memory, and a history lookup parses a small entry
# What a reader accepts; a larger entry was not written by isms. It also bounds how far below
# a row's id a history lookup searches the (entity, entity_id) index for the entry holding it.
MAX_BATCH_ROWS = 10_000


class BatchError(ValueError):
    """A `create_many` entry whose content is not a batch of rows (one sentence, for people)."""


def batch_text(columns: Sequence[str], rows: Sequence[Sequence[Any]], same: dict[str, Any]) -> str:
    """The `after` text of a `create_many` entry; a column equal in every row moves to `same`.

    `columns` must be sorted (so the text is canonical however the caller ordered them)
    and every value already in its journaled form (ISO text for dates and timestamps).
    """
    if list(columns) != sorted(columns) or len(set(columns)) != len(columns):
        raise ValueError("batch columns must be sorted and distinct")
    if not rows:
        raise ValueError("a batch holds at least one row")
    by_column = list(zip(*rows, strict=True))
    varying: list[str] = []
    kept: list[tuple[Any, ...]] = []
    same = dict(same)
    for name, values in zip(columns, by_column, strict=True):
        # types too: True == 1 == 1.0, but the journal keeps their forms apart
        first = values[0]
        if (
            values.count(first) == len(values)
            and len(set(map(type, values))) == 1
            and (type(first) is not float or len(set(map(float.__repr__, values))) == 1)  # 0.0 == -0.0
        ):
            same[name] = first
        else:
            varying.append(name)
            kept.append(values)
    table: list[Any] = list(zip(*kept, strict=True)) if kept else [[]] * len(rows)
    text: str = canonical({"columns": varying, "rows": table, "same": same})
    return text


@dataclass(frozen=True)
class Batch:
    """A parsed `create_many` entry: row ids first_id, first_id + 1, ... and their states."""

    entry_id: int
    first_id: int
    columns: tuple[str, ...]
    rows: list[list[Any]]
    same: dict[str, Any]

    @property
    def last_id(self) -> int:
        return self.first_id + len(self.rows) - 1

    def state(self, row_id: int) -> dict[str, Any] | None:
        """The full state of row `row_id`, or None if the entry does not hold it."""
        i = row_id - self.first_id
        if not 0 <= i < len(self.rows):
            return None
        return {**self.same, **dict(zip(self.columns, self.rows[i], strict=True)), "id": row_id}

    def states(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row id, full state) of every row, in id order."""
        same, columns, row_id = self.same, self.columns, self.first_id
        for values in self.rows:
            yield row_id, {**same, **dict(zip(columns, values, strict=True)), "id": row_id}
            row_id += 1


def parse_batch(entry_id: int, first_id: Any, after: Any) -> Batch:
    """The batch in a `create_many` entry's `after` text; raises BatchError saying what is wrong."""
    where = f"journal entry {entry_id} (create_many)"
    if not isinstance(first_id, int) or isinstance(first_id, bool):
        raise BatchError(f"{where} names no first row id")
    if not isinstance(after, str):
        raise BatchError(f"{where} holds no batch of rows")
    try:
        data = json.loads(after)
    except (ValueError, RecursionError):  # not JSON, or nested beyond the parser
        raise BatchError(f"{where} is not valid JSON") from None
    if not isinstance(data, dict) or set(data) != {"columns", "rows", "same"}:
        raise BatchError(f"{where} is not a batch: expected the keys columns, rows and same")
    columns, rows, same = data["columns"], data["rows"], data["same"]
    if (
        not isinstance(columns, list)
        or not all(isinstance(c, str) for c in columns)
        or len(set(columns)) != len(columns)
        or "id" in columns
    ):
        raise BatchError(f"{where} has no valid list of column names")
    if not isinstance(same, dict) or "id" in same or set(same) & set(columns):
        raise BatchError(f"{where} has no valid common values")
    if not isinstance(rows, list) or not rows or len(rows) > MAX_BATCH_ROWS:
        raise BatchError(f"{where} holds no rows, or more than {MAX_BATCH_ROWS}")
    width = len(columns)
    if not all(isinstance(r, list) and len(r) == width for r in rows):
        raise BatchError(f"{where} has a row whose values do not match its {width} columns")
    return Batch(entry_id, first_id, tuple(columns), rows, same)


def entry_states(entry_id: int, entity_id: int, operation: str, after: str | None) -> Iterator[tuple[int, Any]]:
    """(row id, state after the entry) of each row an entry records: one for an ordinary entry
    (the state parsed from `after`, or None when there is none or it is not JSON), every row
    of a `create_many` entry (none when it is malformed)."""
    if operation == CREATE_MANY:
        try:
            yield from parse_batch(entry_id, entity_id, after).states()
        except BatchError:
            return
        return
    try:
        yield entity_id, json.loads(after) if after else None
    except (ValueError, RecursionError):
        yield entity_id, None
