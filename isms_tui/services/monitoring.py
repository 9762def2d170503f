"""Read models for the monitoring screens and the status summary.

Built for large workspaces: only the most recent live readings of each KPI are read (one indexed
query per KPI on the live (kpi_id, period_start) index), never the whole history. A voided
reading counts nowhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from isms_tui.models import Status, require_id

from . import periods
from .evaluation import KpiState, Targets, kpi_state
from .kpi_reads import RECENT, recent

if TYPE_CHECKING:
    from sqlmodel import Session

    from isms_tui.models import Kpi

__all__ = ["RECENT", "KpiRow", "Overview", "build_rows", "kpi_rows", "overview", "overview_of", "recent_readings"]


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
    cursor = _cursor(session)
    try:
        return recent(cursor, kpi_id, limit)[0]
    finally:
        cursor.close()


def _cursor(session: Session) -> Any:
    # A plain DBAPI cursor: SQLAlchemy's per-statement overhead was most of the dashboard's
    # time with hundreds of KPIs (one indexed query each).
    dbapi = session.connection().connection.driver_connection
    assert dbapi is not None  # an open connection always has its driver's connection
    return dbapi.cursor()


def kpi_rows(session: Session, today: date, include_inactive: bool = False) -> list[KpiRow]:
    from sqlmodel import select

    from isms_tui.models import Kpi, Person

    from .targets import all_targets

    people = {require_id(p): p.name for p in session.exec(select(Person))}
    q = select(Kpi).order_by(Kpi.code)
    if not include_inactive:
        q = q.where(Kpi.active == True)  # noqa: E712
    histories = all_targets(session)
    cursor = _cursor(session)
    try:
        return build_rows(session.exec(q), people, histories, cursor, today)
    finally:
        cursor.close()


def build_rows(
    kpis: Iterable[Kpi], people: Mapping[int, str], histories: Mapping[int, Targets], cursor: Any, today: date
) -> list[KpiRow]:
    """One row per KPI, in the order given, from its newest live readings (one indexed read
    each) judged through its target history: the reference path and the first view share it."""
    rows = []
    for kpi in kpis:
        readings, last_partial, entered = recent(cursor, require_id(kpi), RECENT)
        history = histories.get(require_id(kpi)) or Targets.single(kpi)
        rows.append(
            KpiRow(
                kpi=kpi,
                state=kpi_state(kpi, readings, today, history),
                recent=[v for _, v in readings],
                collector=people.get(kpi.collector_id, "") if kpi.collector_id is not None else "",
                analyst=people.get(kpi.analyst_id, "") if kpi.analyst_id is not None else "",
                last_partial=last_partial,
                entered=entered,
                targets=history,
            )
        )
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
    return overview_of(kpi_rows(session, today))


def overview_of(rows: list[KpiRow]) -> Overview:
    """The counts by status and the readings due, from the rows of the active KPIs."""
    counts = Counter(r.state.status for r in rows)
    due = sorted(
        ((r, p) for r in rows for p in r.state.due_periods),
        key=lambda rp: (rp[1], rp[0].kpi.code),
    )
    return Overview(rows, {s: counts.get(s, 0) for s in Status}, due)
