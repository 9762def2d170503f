"""Generate a large workspace for the benchmarks in seconds: 300 KPIs, ten years of readings.

    python benchmarks/make_large.py OUT.db [--kpis 300] [--years 10] [--seed N]

The file is opened with `isms_tui.models.db.open_engine`, so the schema is the real one
(Alembic migrations), and every table is written with Core executemany inside one transaction:
the ORM would take minutes for ~150,000 readings.

No journal entries are written. The journal hook runs on ORM flush only and this is generated
data, so `isms journal verify` sees an empty (trivially intact) chain. Fine for timing; do not
use these files to test integrity.

Deterministic: one seeded generator and every date computed from a fixed "today" (TODAY), so
run the app on these files with ISMS_TODAY=2026-11-28.

Shape of the data (the default sizes): 20 people, 6 objectives, 300 KPIs — mostly weekly, one
in ten monthly, one in forty quarterly; higher-better, lower-better and within-range targets —
about 140,000 readings with 1% random gaps, a few KPIs missing their latest periods (overdue),
and eight quarters of analysis records per KPI. BM-001 is always off target in its latest
period, so it is the first row of the dashboard's "KPIs by urgency" table.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, select

from isms_tui.models import (
    Analysis,
    Direction,
    Frequency,
    Kpi,
    KpiTarget,
    KpiType,
    Objective,
    Person,
    Reading,
    Workspace,
)
from isms_tui.models.db import open_engine
from isms_tui.services import periods

TODAY = date(2026, 11, 28)
SEED = 270012
ORG_NAME = "Benchmark Holdings Ltd"
FIRST_URGENT_CODE = "BM-001"  # forced off target: the dashboard's first row
GAP_RATE = 0.01
ANALYSED_QUARTERS = 8
GRACE_DAYS = {Frequency.WEEKLY: 3, Frequency.MONTHLY: 10, Frequency.QUARTERLY: 21}

FIRST_NAMES = ("Ada", "Bram", "Chloe", "Dev", "Esme", "Farid", "Greta", "Hugo", "Ines", "Jonas")
LAST_NAMES = ("Archer", "Brandt")
AREAS = (
    "IT operations",
    "Development",
    "HR",
    "Suppliers",
    "Incident management",
    "Privacy",
    "Physical security",
    "Cloud infrastructure",
    "Risk management",
    "Compliance",
)
CONCLUSIONS = (
    "Within target; no action needed.",
    "Slight deterioration; watch next period.",
    "Off target after a process change; corrective action opened.",
    "Improving since the new tooling went live.",
)


@dataclass(frozen=True)
class Profile:
    """A kind of measure: its target semantics and how its simulated values behave."""

    direction: Direction
    unit: str
    target: float
    warning: float | None
    target_high: float | None
    warning_high: float | None
    mean: float
    spread: float
    low: float
    high: float
    off_value: float  # a value that is off target, for the forced-urgent KPI

    def value(self, rng: random.Random, drift: float) -> float:
        return round(min(self.high, max(self.low, rng.gauss(self.mean + drift, self.spread))), 2)


PROFILES: tuple[Profile, ...] = (
    Profile(Direction.HIGHER_BETTER, "%", 95, 90, None, None, 95.5, 2.5, 0, 100, 70),
    Profile(Direction.LOWER_BETTER, "incidents", 5, 8, None, None, 4, 2, 0, 1e6, 25),
    Profile(Direction.LOWER_BETTER, "days", 14, 30, None, None, 10, 4, 0, 1e6, 60),
    Profile(Direction.WITHIN_RANGE, "changes", 10, 5, 20, 25, 15, 3, 0, 1e6, 40),
)


@dataclass(frozen=True)
class KpiPlan:
    """One generated KPI and how its history is simulated."""

    id: int
    code: str
    frequency: Frequency
    profile: Profile
    drift_per_year: float
    misses_latest: int  # latest closed periods left without a reading
    force_off_target: bool


def frequency_for(index: int) -> Frequency:
    """Mostly weekly (the bulk of the readings), one in ten monthly, one in forty quarterly."""
    if index % 40 == 0:
        return Frequency.QUARTERLY
    if index % 10 == 5:
        return Frequency.MONTHLY
    return Frequency.WEEKLY


def plan_kpis(rng: random.Random, count: int, prefix: str = "BM", first_id: int = 1) -> list[KpiPlan]:
    plans = []
    for i in range(1, count + 1):
        code = f"{prefix}-{i:03d}"
        plans.append(
            KpiPlan(
                id=first_id + i - 1,
                code=code,
                frequency=frequency_for(i),
                profile=PROFILES[0] if code == FIRST_URGENT_CODE else rng.choice(PROFILES),
                drift_per_year=rng.uniform(-0.05, 0.05),
                misses_latest=2 if i % 17 == 3 else 0,
                force_off_target=code == FIRST_URGENT_CODE,
            )
        )
    return plans


def history_start(years: int) -> date:
    return date(TODAY.year - years, TODAY.month, 1)


def kpi_row(plan: KpiPlan, started_on: date, people: int, objectives: int) -> dict[str, Any]:
    p = plan.profile
    return dict(
        id=plan.id,
        code=plan.code,
        name=f"Benchmark measure {plan.code} ({p.unit})",
        information_need="Is the control operating as intended across the ISMS scope?",
        objective_id=plan.id % objectives + 1 if objectives else None,
        requirements="9.1, A.5.24",
        kpi_type=KpiType.EFFECTIVENESS,
        method="Count from the source system at period end.",
        unit=p.unit,
        direction=p.direction,
        target=p.target,
        warning=p.warning,
        target_high=p.target_high,
        warning_high=p.warning_high,
        frequency=plan.frequency,
        grace_days=GRACE_DAYS[plan.frequency],
        collector_id=plan.id % people + 1,
        analyst_id=(plan.id + 7) % people + 1,
        analysis_frequency=Frequency.QUARTERLY,
        data_source="Ticketing system export",
        reporting_format="Dashboard and quarterly report",
        started_on=started_on,
        active=True,
    )


def target_rows(plans: Sequence[KpiPlan], started_on: date) -> list[dict]:
    """Each KPI's target history: its first version from its first period (as the upgrade writes
    it), and for every third KPI a version from two years before TODAY, so that judging the
    readings bisects real histories. The newest version is the KPI row's own definition."""
    at = datetime.combine(TODAY, dtime(12), tzinfo=UTC)
    changed_from = date(TODAY.year - 2, TODAY.month, 1)
    rows = []
    for plan in plans:
        p = plan.profile
        first = periods.period_start(started_on, plan.frequency)
        current = dict(direction=p.direction, target=p.target, warning=p.warning)
        current.update(target_high=p.target_high, warning_high=p.warning_high)
        if plan.id % 3 == 0 and p.direction != Direction.WITHIN_RANGE:
            looser = p.target * (0.95 if p.direction == Direction.HIGHER_BETTER else 1.05)
            initial = dict(current, target=looser, warning=None)
            start = periods.period_start(changed_from, plan.frequency)
            rows.append(dict(kpi_id=plan.id, from_period=first, reason="initial definition", **initial))
            rows.append(dict(kpi_id=plan.id, from_period=start, reason="Tightened after a year on target.", **current))
        else:
            rows.append(dict(kpi_id=plan.id, from_period=first, reason="initial definition", **current))
    return [dict(row, recorded_by="bench", recorded_at=at) for row in rows]


def closed_periods(started_on: date, freq: Frequency) -> list[date]:
    """Every period from `started_on` to the last one closed before TODAY, oldest first."""
    last = periods.last_closed_period(TODAY, freq)
    out, p = [], periods.period_start(started_on, freq)
    while p <= last:
        out.append(p)
        p = periods.next_period(p, freq)
    return out


def reading_rows(rng: random.Random, plan: KpiPlan, started_on: date, people: Sequence[str]) -> list[dict]:
    starts = closed_periods(started_on, plan.frequency)
    kept = starts[: len(starts) - plan.misses_latest]
    rows = []
    for n, start in enumerate(kept):
        recent = n >= len(kept) - 4  # never leave a random gap in the latest periods
        if not recent and rng.random() < GAP_RATE:
            continue
        years = (start - started_on).days / 365.25
        value = plan.profile.value(rng, plan.drift_per_year * years * plan.profile.spread)
        end = periods.period_end(start, plan.frequency)
        entered = datetime.combine(end + timedelta(days=rng.randint(1, 3)), dtime(9), UTC)
        rows.append(
            dict(
                kpi_id=plan.id,
                period_start=start,
                value=value,
                entered_by=people[plan.id % len(people)],
                entered_at=entered,
                note="",
            )
        )
    if plan.force_off_target and rows:
        rows[-1]["value"] = plan.profile.off_value
    return rows


def analysis_rows(rng: random.Random, plan: KpiPlan, people: int) -> list[dict]:
    """One analysis per quarter for the last ANALYSED_QUARTERS closed quarters."""
    rows, q = [], periods.last_closed_period(TODAY, Frequency.QUARTERLY)
    for _ in range(ANALYSED_QUARTERS):
        rows.append(
            dict(
                kpi_id=plan.id,
                period_start=periods.period_start(q, plan.frequency),
                analyst_id=(plan.id + 7) % people + 1,
                analysed_on=periods.period_end(q, Frequency.QUARTERLY) + timedelta(days=10),
                conclusion=rng.choice(CONCLUSIONS),
                follow_up="",
            )
        )
        q = periods.previous_period(q, Frequency.QUARTERLY)
    return rows


def people_rows(count: int) -> list[dict]:
    names = [f"{first} {last}" for last in LAST_NAMES for first in FIRST_NAMES][:count]
    return [
        dict(
            id=i + 1,
            name=n,
            role="Staff",
            email=f"{n.lower().replace(' ', '.')}@bench.example",
            areas=[AREAS[i % len(AREAS)]],
            active=True,
        )
        for i, n in enumerate(names)
    ]


def objective_rows(count: int, people: int) -> list[dict]:
    return [
        dict(
            id=i,
            code=f"OBJ-{i}",
            statement=f"Benchmark objective {i}",
            target="Keep the linked KPIs on target",
            owner_id=i % people + 1,
            due_date=date(TODAY.year + 1, 3, 31),
            active=True,
        )
        for i in range(1, count + 1)
    ]


def _insert(conn: Connection, table: Table, rows: list[dict]) -> None:
    if rows:
        conn.execute(table.insert(), rows)


def generate(path: Path, kpis: int = 300, years: int = 10, seed: int = SEED) -> dict[str, int]:
    """Create `path` afresh with the whole data set; returns the row count of each table."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    rng = random.Random(seed)
    engine = open_engine(path)
    people = people_rows(20)
    names = [p["name"] for p in people]
    objectives = objective_rows(6, len(people))
    plans = plan_kpis(rng, kpis)
    started = history_start(years)
    readings = [row for plan in plans for row in reading_rows(rng, plan, started, names)]
    analyses = [row for plan in plans for row in analysis_rows(rng, plan, len(people))]
    try:
        with engine.begin() as conn:
            _insert(
                conn,
                Workspace.__table__,
                [
                    dict(
                        org_name=ORG_NAME,
                        scope="Generated data for benchmarks",
                        audit_cycle_years=3,
                        timezone="UTC",
                        current_user="bench",
                    )
                ],
            )
            _insert(conn, Person.__table__, people)
            _insert(conn, Objective.__table__, objectives)
            _insert(conn, Kpi.__table__, [kpi_row(p, started, len(people), len(objectives)) for p in plans])
            _insert(conn, KpiTarget.__table__, target_rows(plans, started))
            _insert(conn, Reading.__table__, readings)
            _insert(conn, Analysis.__table__, analyses)
    finally:
        engine.dispose()
    return {
        "people": len(people),
        "objectives": len(objectives),
        "kpis": len(plans),
        "readings": len(readings),
        "analyses": len(analyses),
    }


def add_empty_weekly_kpis(path: Path, count: int, years: int, prefix: str) -> list[str]:
    """Add `count` weekly KPIs without readings (targets for an import); returns their codes."""
    engine = open_engine(path)
    try:
        with engine.begin() as conn:
            first_id = conn.execute(select(func.coalesce(func.max(Kpi.id), 0))).scalar_one() + 1
            people = conn.execute(select(func.count()).select_from(Person)).scalar_one()
            plans = [
                KpiPlan(
                    id=first_id + i,
                    code=f"{prefix}-{i + 1:03d}",
                    frequency=Frequency.WEEKLY,
                    profile=PROFILES[i % len(PROFILES)],
                    drift_per_year=0.0,
                    misses_latest=0,
                    force_off_target=False,
                )
                for i in range(count)
            ]
            _insert(conn, Kpi.__table__, [kpi_row(p, history_start(years), people, 0) for p in plans])
    finally:
        engine.dispose()
    return [p.code for p in plans]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="workspace file to (re)create")
    parser.add_argument("--kpis", type=int, default=300)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    counts = generate(args.out, args.kpis, args.years, args.seed)
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    print(f"{args.out}: {summary} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
