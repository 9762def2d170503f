"""What needs doing in 9.1 now: readings due and analyses due, as one set of figures.

The dashboard's tiles, its due line and its lists, the KPI list's markers and `isms status`
all read one `Figures`, so they cannot disagree.

An analysis is due for a KPI when
- an off-target or warning reading has no analysis made after it: an analysis of that KPI
  for the reading's period or a later one, made on or after the day the reading was entered
  (an analysis looks at the results known when it is made); or
- its analysis frequency has come round: an analysis period has closed since the last
  analysis was made (or since the KPI started, when it has never been analysed) and a
  reading has been entered since that analysis (a missing reading is due as a reading).
One analysis answers both, so there is one entry per KPI.

The evaluation of the ISMS as a whole is due on its own rhythm (`isms_evaluation.evaluation_due`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from isms_tui.models import Status, require_id

from . import periods
from .evaluation import evaluate_value
from .kpi_reads import ANALYSES_SQL, analyses_made
from .monitoring import KpiRow, Overview, overview

if TYPE_CHECKING:
    from sqlmodel import Session

    from .isms_evaluation import EvaluationDue


@dataclass(frozen=True)
class AnalysisDue:
    """One KPI whose results wait for an analysis, why, and since when."""

    kpi_id: int
    code: str
    name: str
    reason: str
    since: date
    readings: tuple[str, ...] = ()  # labels of the off-target or warning readings not analysed
    analysis_period: str | None = None  # the analysis period that has closed without an analysis
    counts: tuple[tuple[str, int], ...] = ()  # ("off target", n), ("warning", n) of those readings

    @property
    def brief(self) -> str:
        """What is not analysed, in a few words for a narrow column: '2 warning · 2026-Q3'."""
        parts = [f"{n} {kind}" for kind, n in self.counts if n]
        if self.analysis_period:
            parts.append(self.analysis_period)
        return " · ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {
            "kpi": self.code,
            "reason": self.reason,
            "since": self.since.isoformat(),
            "readings": list(self.readings),
            "analysis_period": self.analysis_period,
        }


@dataclass(frozen=True)
class Figures:
    """The numbers every view of 9.1's to-do list shows."""

    overview: Overview
    analyses_due: list[AnalysisDue]
    evaluation: EvaluationDue | None = None  # the next evaluation of the ISMS as a whole

    @property
    def counts(self) -> dict[Status, int]:
        return self.overview.counts

    @property
    def readings_due(self) -> int:
        return len(self.overview.due)

    @property
    def readings_overdue(self) -> int:
        return sum(len(r.state.overdue_periods) for r in self.overview.rows)

    @property
    def kpis_overdue(self) -> int:
        """KPIs whose status is overdue: the same number as the overdue tile."""
        return self.counts[Status.OVERDUE]

    @property
    def analysis_kpi_ids(self) -> set[int]:
        return {a.kpi_id for a in self.analyses_due}


def figures(session: Session, today: date, ov: Overview | None = None) -> Figures:
    from .isms_evaluation import evaluation_due

    ov = ov or overview(session, today)
    return Figures(ov, analyses_due(session, today, ov.rows), evaluation_due(session, today))


def analyses_due(session: Session, today: date, rows: Sequence[KpiRow]) -> list[AnalysisDue]:
    """The KPIs among `rows` that wait for an analysis, longest waiting first.

    The readings are the ones the overview read for each KPI (its newest RECENT), so the two
    never disagree about what was measured; the analyses come in one query.
    """
    return analyses_due_from(analyses_made(session.connection().exec_driver_sql(ANALYSES_SQL)), rows, today)


def analyses_due_from(
    made: dict[int, list[tuple[date, date]]], rows: Sequence[KpiRow], today: date
) -> list[AnalysisDue]:
    """`analyses_due` from every KPI's analyses (`kpi_reads.analyses_made`)."""
    out = []
    for row in rows:
        due = _due(row, made.get(require_id(row.kpi), []), today)
        if due is not None:
            out.append(due)
    return sorted(out, key=lambda a: (a.since, a.code))


def _due(row: KpiRow, made: list[tuple[date, date]], today: date) -> AnalysisDue | None:
    kpi = row.kpi
    history = row.history
    kinds: dict[Status, list[str]] = {Status.OFF_TARGET: [], Status.WARNING: []}
    since: list[date] = []
    last = max((on for _, on in made), default=None)
    # latest[i]: the last day an analysis of period starts[i] or later was made, so a reading
    # of period P entered on E is answered when latest[first i with starts[i] >= P] >= E.
    ordered = sorted(made)
    starts = [p for p, _ in ordered]
    latest = [on for _, on in ordered]
    for i in range(len(latest) - 2, -1, -1):
        latest[i] = max(latest[i], latest[i + 1])
    fresh = False  # a reading entered since the last analysis: something new to analyse
    for start, value, entered in row.entered:
        fresh = fresh or last is None or entered >= last
        i = bisect_left(starts, start)
        if i < len(latest) and latest[i] >= entered:
            continue
        verdict = evaluate_value(history.at(start), value)
        if verdict not in kinds:
            continue
        kinds[verdict].append(periods.period_label(start, kpi.frequency))
        since.append(entered)
    reasons = [f"{status.value} in {', '.join(labels)} not analysed" for status, labels in kinds.items() if labels]
    period_label = None
    freq = kpi.analysis_frequency
    first_open = periods.period_start(last or kpi.started_on, freq)
    if fresh and periods.next_period(first_open, freq) <= today:
        period_label = periods.period_label(periods.last_closed_period(today, freq), freq)
        reasons.append(f"{freq.value} analysis of {period_label} not made")
        since.append(periods.next_period(first_open, freq))
    if not reasons:
        return None
    labels = tuple(kinds[Status.OFF_TARGET] + kinds[Status.WARNING])
    counts = tuple((status.value, len(found)) for status, found in kinds.items())
    return AnalysisDue(
        require_id(kpi), kpi.code, kpi.name, "; ".join(reasons), min(since), labels, period_label, counts
    )
