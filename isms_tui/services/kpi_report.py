"""Everything one KPI's detail view (and later its pack section) shows, in one read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from isms_tui.models import Analysis, EvidenceLink, Kpi, Objective, Person, Reading, require_id

from . import analysis as analysis_service
from .evaluation import KpiState, kpi_state
from .kpis import get_kpi


@dataclass(frozen=True)
class KpiReport:
    kpi: Kpi
    state: KpiState
    readings: list[Reading]  # oldest first
    analyses: list[Analysis]  # newest first
    evidence_counts: dict[int, int]  # reading id -> number of evidence files
    people: dict[int, str]
    objective: Objective | None

    def person(self, person_id: int | None) -> str:
        return self.people.get(person_id, "—") if person_id else "—"


def kpi_report(session: Session, kpi_id: int, today: date) -> KpiReport:
    kpi = get_kpi(session, kpi_id)
    rows = list(session.exec(select(Reading).where(Reading.kpi_id == kpi_id).order_by(col(Reading.period_start))))
    counts = dict(
        session.exec(
            select(EvidenceLink.entity_id, func.count())
            .where(EvidenceLink.entity == "reading")
            .where(col(EvidenceLink.entity_id).in_(select(Reading.id).where(Reading.kpi_id == kpi_id)))
            .group_by(col(EvidenceLink.entity_id))
        ).all()
    )
    people = {require_id(p): p.name for p in session.exec(select(Person))}
    objective = session.get(Objective, kpi.objective_id) if kpi.objective_id else None
    state = kpi_state(kpi, [(r.period_start, r.value) for r in rows], today)
    return KpiReport(kpi, state, rows, analysis_service.analyses_for(session, kpi_id), counts, people, objective)
