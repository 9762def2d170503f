"""Everything one KPI's detail view (and later its pack section) shows, in one read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, func, select

from isms_tui.models import Analysis, EvidenceLink, Kpi, KpiTarget, Objective, Person, Reading, require_id

from . import analysis as analysis_service
from .evaluation import Definition, KpiState, Targets, is_late, kpi_state
from .kpis import get_kpi
from .risk_watch import WatchedRisk, watched_risks
from .targets import targets_for, versions


@dataclass(frozen=True)
class KpiReport:
    kpi: Kpi
    state: KpiState
    readings: list[Reading]  # oldest first, voided ones included (marked), each before its replacement
    analyses: list[Analysis]  # newest first
    evidence_counts: dict[int, int]  # reading id -> number of evidence files
    people: dict[int, str]
    objective: Objective | None
    targets: Targets  # the definition in force for each period
    versions: list[KpiTarget]  # the target history as recorded, oldest first
    risks: list[WatchedRisk] = field(default_factory=list)  # the risks that name this KPI

    def in_force(self, reading: Reading) -> Definition:
        """The definition that judges this reading: the one in force for its period."""
        return self.targets.at(reading.period_start)

    @property
    def live(self) -> list[Reading]:
        """The readings that count: every one not voided, oldest first."""
        return [r for r in self.readings if r.voided_at is None]

    def late(self, reading: Reading) -> bool:
        """Recorded after its period's due date (the rule of `evaluation.is_late`)."""
        return is_late(self.kpi, reading.period_start, reading.entered_at)

    def person(self, person_id: int | None) -> str:
        return self.people.get(person_id, "—") if person_id else "—"


def kpi_report(session: Session, kpi_id: int, today: date) -> KpiReport:
    kpi = get_kpi(session, kpi_id)
    # Two queries, each on its partial index: live readings, then the few voided ones.
    live = list(
        session.exec(
            select(Reading)
            .where(Reading.kpi_id == kpi_id, col(Reading.voided_at).is_(None))
            .order_by(col(Reading.period_start))
        )
    )
    voided = session.exec(select(Reading).where(Reading.kpi_id == kpi_id, col(Reading.voided_at).is_not(None)))
    rows = sorted([*live, *voided], key=lambda r: (r.period_start, r.voided_at is None, r.id or 0))
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
    history = targets_for(session, kpi)
    state = kpi_state(kpi, [(r.period_start, r.value) for r in live], today, history)
    analyses = analysis_service.analyses_for(session, kpi_id)
    watched = watched_risks(session, [kpi.code]).get(kpi.code, [])
    recorded = versions(session, kpi_id)
    return KpiReport(kpi, state, rows, analyses, counts, people, objective, history, recorded, watched)
