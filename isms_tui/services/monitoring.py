"""Read models for the monitoring screens and the status summary.

Built for large workspaces: only the most recent live readings of each KPI are read (one indexed
query per KPI on the live (kpi_id, period_start) index), never the whole history. A voided
reading counts nowhere.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from isms_tui.models import Kpi, Person, Status, require_id

from . import periods
from .evaluation import KpiState, Targets, kpi_state
from .targets import all_targets, targets_of

RECENT = 24  # readings kept per KPI for the status, the trend and the sparkline

# The newest live readings of a KPI, with whether each is a partial period's value and the day
# it was entered (for the list of analyses due, services/attention.py).
_RECENT_SQL = (
    "SELECT period_start, value, partial, substr(entered_at, 1, 10) FROM reading "
    "WHERE kpi_id = ? AND voided_at IS NULL "
    "ORDER BY period_start DESC LIMIT ?"
)


@dataclass(frozen=True)
class KpiRow:
    """One KPI as the list, the dashboard and `isms status` show it."""

    kpi: Kpi
    state: KpiState
    recent: list[float]  # oldest first
    collector: str
    analyst: str
    last_partial: bool = False  # the last reading was taken before its period closed
    entered: tuple[tuple[date, float, date], ...] = ()  # (period, value, day entered) of `recent`
    targets: Targets | None = None  # the target history: each reading is judged by its period's

    @property
    def history(self) -> Targets:
        return self.targets or Targets.single(self.kpi)

    @property
    def last_label(self) -> str:
        if self.state.last_period is None:
            return "—"
        return periods.period_label(self.state.last_period, self.kpi.frequency)


def recent_readings(session: Session, kpi_id: int, limit: int = RECENT) -> list[tuple[date, float]]:
    """The newest `limit` readings of a KPI as (period start, value), oldest first."""
    return _recent(_cursor(session), kpi_id, limit)[0]


def _cursor(session: Session) -> Any:
    # A plain DBAPI cursor: SQLAlchemy's per-statement overhead was most of the dashboard's
    # time with hundreds of KPIs (one indexed query each).
    dbapi = session.connection().connection.driver_connection
    assert dbapi is not None  # an open connection always has its driver's connection
    return dbapi.cursor()


def _recent(
    cursor: Any, kpi_id: int, limit: int
) -> tuple[list[tuple[date, float]], bool, tuple[tuple[date, float, date], ...]]:
    """(period start, value) oldest first, whether the newest is a partial period's value, and
    the same readings with the day each was entered."""
    raw = cursor.execute(_RECENT_SQL, (kpi_id, limit)).fetchall()
    entered = tuple((date.fromisoformat(p), v, date.fromisoformat(on)) for p, v, _, on in reversed(raw))
    return [(p, v) for p, v, _ in entered], bool(raw and raw[0][2]), entered


def kpi_rows(session: Session, today: date, include_inactive: bool = False) -> list[KpiRow]:
    people = {p.id: p.name for p in session.exec(select(Person))}
    q = select(Kpi).order_by(Kpi.code)
    if not include_inactive:
        q = q.where(Kpi.active == True)  # noqa: E712
    histories = all_targets(session)
    cursor = _cursor(session)
    rows = []
    for kpi in session.exec(q):
        recent, last_partial, entered = _recent(cursor, require_id(kpi), RECENT)
        history = targets_of(histories, kpi)
        rows.append(
            KpiRow(
                kpi=kpi,
                state=kpi_state(kpi, recent, today, history),
                recent=[v for _, v in recent],
                collector=people.get(kpi.collector_id, ""),
                analyst=people.get(kpi.analyst_id, ""),
                last_partial=last_partial,
                entered=entered,
                targets=history,
            )
        )
    cursor.close()
    return rows


@dataclass(frozen=True)
class Overview:
    """The state of 9.1 at a glance."""

    rows: list[KpiRow]
    counts: dict[Status, int]
    due: list[tuple[KpiRow, date]]  # (kpi, period) readings that can be entered now, oldest first

    @property
    def total(self) -> int:
        return len(self.rows)


def overview(session: Session, today: date) -> Overview:
    rows = kpi_rows(session, today)
    counts = Counter(r.state.status for r in rows)
    due = sorted(
        ((r, p) for r in rows for p in r.state.due_periods),
        key=lambda rp: (rp[1], rp[0].kpi.code),
    )
    return Overview(rows, {s: counts.get(s, 0) for s in Status}, due)
