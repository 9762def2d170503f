"""Today's date, overridable so tests, snapshots and the demo can pin the clock.

ISMS_TODAY=YYYY-MM-DD fixes the date for a whole process (used by snapshot tests).
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone


def today() -> date:
    fixed = os.environ.get("ISMS_TODAY")
    return date.fromisoformat(fixed) if fixed else date.today()


def now() -> datetime:
    fixed = os.environ.get("ISMS_TODAY")
    if fixed:
        return datetime.fromisoformat(fixed).replace(hour=12, tzinfo=timezone.utc)
    return datetime.now(timezone.utc)
