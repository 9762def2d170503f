"""Primary keys as plain ints: a row that is in the database always has one."""

from typing import Protocol


class Stored(Protocol):
    """Any table row: its id is None until the row is flushed."""

    @property
    def id(self) -> int | None: ...


def require_id(row: Stored) -> int:
    """The id of a row that was loaded or flushed; a row never written has none, which is a bug."""
    if row.id is None:
        raise ValueError(f"This {type(row).__name__} has not been written to the database yet.")
    return row.id
