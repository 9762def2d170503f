"""The demo's 9.1 history: KPIs with two years of readings, source reports and analyses.

Readings and analyses are backdated history, which the services cannot express (they stamp
entries with the real clock and refuse analysis dates after it), so they are built here with
the dates they would have had and inserted in one flush each; the journal hook records them
like any other change.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from isms_tui.models import (
    Analysis,
    Frequency,
    Kpi,
    Objective,
    Person,
    Reading,
    Status,
    require_id,
)
from isms_tui.services import clock, evidence, periods
from isms_tui.services.evaluation import evaluate_value, goodness
from isms_tui.services.kpis import KpiInput, save_kpi

from .dates import add_months
from .evidence_reports import EvidenceBuilder
from .kpi_specs import KPIS, KpiSpec, with_unit
from .reading_notes import below_range, compose

SEED = 27001
HISTORY_MONTHS = 27  # a little over two years, so year-on-year comparisons have data
RECENT_MONTHS = 6  # off-target readings this recent always have an analysis
GRACE_DAYS = {Frequency.WEEKLY: 3, Frequency.MONTHLY: 10, Frequency.QUARTERLY: 21}


def add_monitoring(
    session: Session, today: date, people: dict[str, int], objectives: dict[str, int]
) -> list[Kpi | Reading]:
    """The KPIs with a history, their readings (a report attached to some), and the analyses of
    their results. KPIs defined this period come later (`add_new_kpis`).

    Returns the KPIs and readings as created: see `create_demo` for why it keeps them.
    """
    rng = random.Random(SEED)
    kpis = [(spec, save_kpi(session, _kpi_input(spec, people, objectives, today))) for spec in KPIS if spec.series]
    history = [(spec, kpi, _readings(rng, spec, kpi, today)) for spec, kpi in kpis]
    reports = {
        spec.code: _attach_report(rng, spec.evidence, spec.collector, rows[-1])
        for spec, _, rows in history
        if spec.evidence and rows
    }
    session.add_all(r for _, _, rows in history for r in rows)
    session.flush()
    for spec, _, rows in history:
        if spec.code in reports:
            name, text = reports[spec.code]
            with clock.pinned(rows[-1].entered_at.date()):  # attached as the reading was entered
                stored = evidence.add_bytes(session, name, text.encode(), added_by=spec.collector)
            evidence.link(session, stored, "reading", require_id(rows[-1]))
    session.add_all(
        a for spec, kpi, rows in history for a in _analyses(rng, spec, kpi, rows, people[spec.analyst], today)
    )
    session.flush()
    created: list[Kpi | Reading] = [kpi for _, kpi in kpis]
    created.extend(reading for _, _, readings in history for reading in readings)
    return created


def add_new_kpis(session: Session, today: date) -> None:
    """The KPIs defined this period, once last year's review is on record: it could not have
    listed them (its approval froze the KPIs that existed then)."""
    people = {p.name: require_id(p) for p in session.exec(select(Person))}
    objectives = {o.code: require_id(o) for o in session.exec(select(Objective))}
    for spec in KPIS:
        if spec.series is None:
            save_kpi(session, _kpi_input(spec, people, objectives, today))


def _kpi_input(spec: KpiSpec, people: dict[str, int], objectives: dict[str, int], today: date) -> KpiInput:
    started = add_months(today, -HISTORY_MONTHS) if spec.series else periods.period_start(today, spec.frequency)
    return KpiInput(
        code=spec.code,
        name=spec.name,
        target=spec.target,
        direction=spec.direction,
        warning=spec.warning,
        target_high=spec.target_high,
        warning_high=spec.warning_high,
        frequency=spec.frequency,
        information_need=spec.information_need,
        kpi_type=spec.kpi_type,
        method=spec.method,
        unit=spec.unit,
        objective_id=objectives[spec.objective],
        requirements=spec.requirements,
        collector_id=people[spec.collector],
        analyst_id=people[spec.analyst],
        data_source=spec.data_source,
        reporting_format=spec.reporting_format,
        grace_days=GRACE_DAYS[spec.frequency] if spec.grace_days is None else spec.grace_days,
        started_on=started,
    )


def _readings(rng: random.Random, spec: KpiSpec, kpi: Kpi, today: date) -> list[Reading]:
    """One reading per closed period, entered within its grace days, oldest first.

    Periods whose entry day is still ahead are left out (due, within their grace); an overdue
    KPI also lacks its newest `missing` periods.
    """
    if spec.series is None:
        return []
    closed: list[date] = []
    p = periods.period_start(kpi.started_on, kpi.frequency)
    while p < periods.period_start(today, kpi.frequency):
        closed.append(p)
        p = periods.next_period(p, kpi.frequency)
    entries: list[tuple[date, datetime]] = []
    for p in closed[: len(closed) - spec.missing]:
        day = periods.period_end(p, kpi.frequency) + timedelta(days=rng.randint(0, min(kpi.grace_days, 7)))
        at = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), UTC)
        if day <= today:
            entries.append((p, at))
    rows = []
    for (p, at), value in zip(entries, spec.series.values(rng, len(entries)), strict=True):
        note = ""
        if evaluate_value(kpi, value) != Status.ON_TARGET and rng.random() < 0.6:
            causes = spec.low_notes if below_range(kpi, value) else spec.notes
            note = compose(spec.tally, value, rng.choice(causes)) if causes else ""
        rows.append(
            Reading(
                kpi_id=require_id(kpi), period_start=p, value=value, entered_by=spec.collector, entered_at=at, note=note
            )
        )
    for days, value, cause, _ in spec.events:
        for r in rows[:-1]:  # the last value is fixed: it gives the KPI its status
            if _holds(r, kpi.frequency, today - timedelta(days=days)):
                r.value, r.note = value, compose(spec.tally, value, cause)
    return rows


def _holds(reading: Reading, frequency: Frequency, day: date) -> bool:
    return reading.period_start <= day < periods.next_period(reading.period_start, frequency)


def _attach_report(rng: random.Random, build: EvidenceBuilder, collector: str, reading: Reading) -> tuple[str, str]:
    """Build the report backing `reading` and mention it in the reading's note."""
    name, text = build(rng, reading.period_start, reading.value, collector)
    reading.note = " ".join(filter(None, (reading.note, f"Source report attached: {name}.")))
    return name, text


def _analyses(
    rng: random.Random, spec: KpiSpec, kpi: Kpi, rows: list[Reading], analyst_id: int, today: date
) -> list[Analysis]:
    """Quarterly analyses (when the KPI has them) and one per recent off-target reading.

    A quarterly analysis attaches to the last period of its quarter, so an off-target reading
    there is already explained by it and gets no second record.
    """
    out: list[Analysis] = []
    if spec.analysed:
        by_quarter: dict[date, list[Reading]] = {}
        for r in rows:
            by_quarter.setdefault(periods.period_start(r.period_start, Frequency.QUARTERLY), []).append(r)
        current = periods.period_start(today, Frequency.QUARTERLY)
        previous: float | None = None
        for quarter, group in by_quarter.items():
            if quarter >= current:
                break  # the quarter is still running
            mean = sum(r.value for r in group) / len(group)
            on = max(r.entered_at.date() for r in group) + timedelta(days=rng.randint(3, 14))
            if on <= today:
                conclusion, follow_up = _quarter_conclusion(rng, spec, kpi, quarter, group, mean, previous)
                for days, _, _, answer in spec.events:  # a story event's quarter says what was done
                    if any(_holds(r, kpi.frequency, today - timedelta(days=days)) for r in group):
                        follow_up = answer
                out.append(
                    Analysis(
                        kpi_id=kpi.id,
                        period_start=group[-1].period_start,
                        analyst_id=analyst_id,
                        analysed_on=on,
                        conclusion=conclusion,
                        follow_up=follow_up,
                    )
                )
            previous = mean
    recent = add_months(today, -RECENT_MONTHS)
    analysed = {a.period_start for a in out}
    for r in rows:
        if (
            r.period_start >= recent
            and r.period_start not in analysed
            and evaluate_value(kpi, r.value) == Status.OFF_TARGET
        ):
            label = periods.period_label(r.period_start, kpi.frequency)
            cause, action = _cause(rng, spec)
            on = min(r.entered_at.date() + timedelta(days=rng.randint(1, 6)), today)
            out.append(
                Analysis(
                    kpi_id=kpi.id,
                    period_start=r.period_start,
                    analyst_id=analyst_id,
                    analysed_on=on,
                    conclusion=f"{label}: {with_unit(r.value, spec.unit)} is off target "
                    f"({spec.target_text()}). {cause}",
                    follow_up=action,
                )
            )
    return out


def _quarter_conclusion(
    rng: random.Random,
    spec: KpiSpec,
    kpi: Kpi,
    quarter: date,
    group: list[Reading],
    mean: float,
    previous: float | None,
) -> tuple[str, str]:
    """The analyst's summary of a quarter: level, misses, comparison; and the follow-up."""
    statuses = [evaluate_value(kpi, r.value) for r in group]
    off, warn = statuses.count(Status.OFF_TARGET), statuses.count(Status.WARNING)
    label = periods.period_label(quarter, Frequency.QUARTERLY)
    count = f"{len(group)} readings, mean" if len(group) > 1 else "1 reading:"
    parts = [f"{label}: {count} {with_unit(mean, spec.unit)} against {spec.target_text()}."]
    misses = [f"{n} {what}" for n, what in ((off, "off target"), (warn, "in warning")) if n]
    parts.append(" and ".join(misses).capitalize() + "." if misses else "All readings on target.")
    if previous is not None:
        delta = goodness(kpi, mean) - goodness(kpi, previous)
        if abs(delta) <= 0.02 * max(abs(kpi.target), 1):
            parts.append("In line with the previous quarter.")
        else:
            better = "Better" if delta > 0 else "Worse"
            parts.append(f"{better} than the previous quarter ({with_unit(previous, spec.unit)}).")
    if off:
        cause, follow_up = _cause(rng, spec)
        parts.append(cause)
    elif warn:
        follow_up = "Watch next quarter's readings; no action yet."
    else:
        follow_up = ""
    return " ".join(parts), follow_up


def _cause(rng: random.Random, spec: KpiSpec) -> tuple[str, str]:
    """One of the analyst's causes and the follow-up that answers that cause."""
    i = rng.randrange(len(spec.causes))
    return spec.causes[i], spec.actions[i]
