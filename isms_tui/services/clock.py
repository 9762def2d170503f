"""Today's date, overridable so tests, snapshots and the demo can pin the clock.

ISMS_TODAY=YYYY-MM-DD fixes the date for a whole process (used by snapshot tests).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime

# Set only by `pinned`: a per-thread (per-context) "today" for building backdated history.
_PINNED: ContextVar[date | None] = ContextVar("isms_clock_pinned", default=None)


@contextmanager
def pinned(day: date) -> Iterator[None]:
    """Run the services as on `day` in this thread only (the demo backdates its past reviews:
    what approval freezes must read as it did then). Other threads keep the real clock."""
    token = _PINNED.set(day)
    try:
        yield
    finally:
        _PINNED.reset(token)


def today() -> date:
    if (day := _PINNED.get()) is not None:
        return day
    fixed = os.environ.get("ISMS_TODAY")
    return date.fromisoformat(fixed) if fixed else date.today()


def now() -> datetime:
    if (day := _PINNED.get()) is not None:
        return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    fixed = os.environ.get("ISMS_TODAY")
    if fixed:
        return datetime.fromisoformat(fixed).replace(hour=12, tzinfo=UTC)
    return datetime.now(UTC)
