"""Analysis records: who evaluated a KPI's results for a period, and what they concluded."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from isms_tui.models import Analysis, Person

from . import clock, periods
from .errors import InputError
from .kpis import get_kpi


def record_analysis(
    session: Session,
    kpi_id: int | None,
    period: date,
    conclusion: str,
    analyst_id: int | None = None,
    follow_up: str = "",
    analysed_on: date | None = None,
) -> Analysis:
    """Record an analysis of one KPI (or, with kpi_id None, of the ISMS as a whole)."""
    conclusion = conclusion.strip()
    errors: dict[str, str] = {}
    if not conclusion:
        errors["conclusion"] = "An analysis needs a conclusion."
    if analyst_id is not None and session.get(Person, analyst_id) is None:
        errors["analyst_id"] = "Unknown person."
    when = analysed_on or clock.today()
    if when > clock.today():
        errors["analysed_on"] = "The analysis date cannot be in the future."
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    start = period
    if kpi_id is not None:
        start = periods.period_start(period, get_kpi(session, kpi_id).frequency)
    record = Analysis(
        kpi_id=kpi_id,
        period_start=start,
        analyst_id=analyst_id,
        analysed_on=when,
        conclusion=conclusion,
        follow_up=follow_up.strip(),
    )
    session.add(record)
    session.flush()
    return record


def analyses_for(session: Session, kpi_id: int) -> list[Analysis]:
    q = (
        select(Analysis)
        .where(Analysis.kpi_id == kpi_id)
        .order_by(col(Analysis.period_start).desc(), col(Analysis.id).desc())
    )
    return list(session.exec(q))


def analysed_periods(session: Session, kpi_id: int) -> set[date]:
    return set(session.exec(select(col(Analysis.period_start)).where(Analysis.kpi_id == kpi_id)))


def latest_analyses(session: Session, limit: int = 10) -> list[tuple[Analysis, str]]:
    """The most recent analysis records with their KPI code, newest first."""
    from isms_tui.models import Kpi

    q = (
        select(Analysis, Kpi.code)
        .join(Kpi, col(Kpi.id) == Analysis.kpi_id, isouter=True)
        .order_by(col(Analysis.analysed_on).desc(), col(Analysis.id).desc())
        .limit(limit)
    )
    return [(a, code or "ISMS") for a, code in session.exec(q)]
