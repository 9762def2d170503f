"""The reads behind the KPI list and the dashboard, through a plain DBAPI cursor.

The monitoring overview (`monitoring.kpi_rows`), the target histories (`targets.all_targets`),
the analyses due (`attention.analyses_due`) and the dashboard's first view (`first_view`, which
runs before SQLAlchemy is imported) all read through these, so the first view and the full
load read the same rows the same way. Each scales with the KPIs, not the readings: the newest
live readings of one KPI come from the partial index on live (kpi_id, period_start).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from isms_tui.models.enums import Direction

from .evaluation import Definition, Targets

RECENT = 24  # readings kept per KPI for the status, the trend and the sparkline

# The newest live readings of a KPI, with whether each is a partial period's value and the day
# it was entered (for the list of analyses due, services/attention.py).
RECENT_SQL = (
    "SELECT period_start, value, partial, substr(entered_at, 1, 10) FROM reading "
    "WHERE kpi_id = ? AND voided_at IS NULL "
    "ORDER BY period_start DESC LIMIT ?"
)

VERSIONS_SQL = (
    "SELECT kpi_id, from_period, direction, target, warning, target_high, warning_high "
    "FROM kpi_target ORDER BY kpi_id, from_period, id"
)

ANALYSES_SQL = "SELECT kpi_id, period_start, analysed_on FROM analysis WHERE kpi_id IS NOT NULL"

Entered = tuple[tuple[date, float, date], ...]


def recent(cursor: Any, kpi_id: int, limit: int = RECENT) -> tuple[list[tuple[date, float]], bool, Entered]:
    """(period start, value) oldest first, whether the newest is a partial period's value, and
    the same readings with the day each was entered."""
    raw = cursor.execute(RECENT_SQL, (kpi_id, limit)).fetchall()
    entered = tuple((date.fromisoformat(p), v, date.fromisoformat(on)) for p, v, _, on in reversed(raw))
    return [(p, v) for p, v, _ in entered], bool(raw and raw[0][2]), entered


def target_histories(rows: Iterable[tuple[Any, ...]]) -> dict[int, Targets]:
    """Every KPI's target history from the rows of VERSIONS_SQL (a KPI without versions is absent)."""
    starts: dict[int, list[date]] = {}
    defs: dict[int, list[Definition]] = {}
    for kpi_id, start, direction, target, warning, high, warning_high in rows:
        starts.setdefault(kpi_id, []).append(date.fromisoformat(start))
        defs.setdefault(kpi_id, []).append(Definition(Direction[direction], target, warning, high, warning_high))
    return {k: Targets(tuple(starts[k]), tuple(defs[k])) for k in starts}


def analyses_made(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[date, date]]]:
    """(period start, day made) of every KPI's analyses, from the rows of ANALYSES_SQL."""
    made: dict[int, list[tuple[date, date]]] = {}
    for kpi_id, start, on in rows:
        made.setdefault(kpi_id, []).append((date.fromisoformat(start), date.fromisoformat(on)))
    return made
