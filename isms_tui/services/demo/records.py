"""The id of a row the demo has just saved, as the int the services take."""

from __future__ import annotations

from typing import Protocol


class _Saved(Protocol):
    id: int | None


def saved_id(record: _Saved) -> int:
    """`record.id`, which the session set when it flushed the row; None would be a bug here."""
    if record.id is None:
        raise RuntimeError(f"{type(record).__name__} has no id: it was not flushed")
    return record.id
