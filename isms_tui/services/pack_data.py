"""Read models for the evidence packs: period-bounded, one query per table, never one per row.

A Clause 9 pack of a large workspace covers hundreds of KPIs; reading each KPI's whole history
through the ORM (as the KPI detail view does) would cost seconds, so readings come in one raw
query for the period and the status is evaluated as of the period's end from a bounded read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from isms_tui.models import Analysis, Evidence, EvidenceLink, Frequency, Kpi, Objective, Person

from . import periods
from .errors import InputError
from .evaluation import KpiState, kpi_state
from .monitoring import RECENT
from .targets import targets_for


@dataclass(frozen=True)
class ReadingRow:
    """One reading as the pack lists it, voided ones included: the pack shows what was put right."""

    id: int
    period_start: date
    value: float
    entered_by: str
    entered_at: str  # "YYYY-MM-DD HH:MM" (UTC)
    note: str
    partial: bool = False  # a value taken before its period closed (a partial-period value)
    voided: str = ""  # "by NAME on DATE: reason" when voided
    corrected: str = ""  # "from VALUE by NAME on DATE: reason" when corrected
    corrected_from: float | None = None
    straddles: bool = False  # its measurement period runs past the start or the end of the range

    @property
    def entered_on(self) -> date:
        return date.fromisoformat(self.entered_at[:10])


_READINGS_SQL = (
    "SELECT id, kpi_id, period_start, value, entered_by, entered_at, note, partial, voided_at, voided_by, "
    "void_reason, corrected_from, corrected_at, corrected_by, correction_reason FROM reading "
    "WHERE period_start >= ? AND period_start <= ? ORDER BY kpi_id, period_start, voided_at IS NULL, id"
)
_KPI_FREQUENCY_SQL = "SELECT id, frequency FROM kpi"
_UNTIL_SQL = (
    "SELECT period_start, value FROM reading WHERE kpi_id = ? AND period_start <= ? AND voided_at IS NULL "
    "ORDER BY period_start DESC LIMIT ?"
)


def default_period(today: date) -> tuple[date, date]:
    """The last twelve closed months: on 2026-12-02, 2025-12-01 to 2026-11-30.

    Whole months, so that yearly packs issued a year apart meet without a gap or an overlap
    and no month or quarter falls between two of them.
    """
    end = today.replace(day=1) - timedelta(days=1)
    return year_ending(end), end


def year_ending(end: date) -> date:
    """The first day of the year that ends on `end` (2026-11-30 -> 2025-12-01)."""
    after = end + timedelta(days=1)
    try:
        return after.replace(year=after.year - 1)
    except ValueError:  # 29 February
        return after.replace(year=after.year - 1, day=28)


def check_period(period_from: date, period_to: date, today: date) -> None:
    if period_to < period_from:
        raise InputError("The period cannot end before it starts.")
    if period_to > today:
        raise InputError(f"The period cannot end after today ({today.isoformat()}).")


def pack_kpis(
    session: Session, period_from: date, period_to: date, by_kpi: dict[int, list[ReadingRow]] | None = None
) -> list[Kpi]:
    """Active KPIs, and retired ones that still have readings in the period (their results are evidence)."""
    with_readings = by_kpi if by_kpi is not None else readings_between(session, period_from, period_to)
    return [k for k in session.exec(select(Kpi).order_by(col(Kpi.code))) if k.active or k.id in with_readings]


def readings_between(session: Session, period_from: date, period_to: date) -> dict[int, list[ReadingRow]]:
    """Every reading whose measurement period overlaps the range, by KPI id, oldest first (a
    voided one before the reading that replaced it).

    A period that straddles the start or the end of the range (a quarter begun before it, a
    year still running at its end) is included and marked as such, so a result never falls
    between two packs whose ranges meet.
    """
    conn = session.connection()
    frequency = {kid: Frequency[name] for kid, name in conn.exec_driver_sql(_KPI_FREQUENCY_SQL)}
    earliest = date(period_from.year - 1, period_from.month, 1)  # no period is longer than a year
    out: dict[int, list[ReadingRow]] = {}
    rows = conn.exec_driver_sql(_READINGS_SQL, (earliest.isoformat(), period_to.isoformat()))
    for rid, kpi_id, start_text, value, by, at, note, partial, v_at, v_by, v_why, c_from, c_at, c_by, c_why in rows:
        start = date.fromisoformat(start_text)
        end = periods.period_end(start, frequency[kpi_id])
        if end < period_from:
            continue
        voided = f"by {v_by or 'unknown'} on {str(v_at)[:10]}: {v_why}" if v_at else ""
        corrected = f"from {c_from:g} by {c_by or 'unknown'} on {str(c_at)[:10]}: {c_why}" if c_at else ""
        out.setdefault(kpi_id, []).append(
            ReadingRow(
                rid,
                start,
                value,
                by or "",
                str(at or "")[:16],
                note or "",
                bool(partial),
                voided,
                corrected,
                c_from,
                straddles=start < period_from or end > period_to,
            )
        )
    return out


def state_as_of(session: Session, kpi: Kpi, day: date) -> KpiState:
    """The KPI's status on `day`, from readings up to that day only (later ones must not count)."""
    raw = session.connection().exec_driver_sql(_UNTIL_SQL, (kpi.id, day.isoformat(), RECENT)).fetchall()
    history = targets_for(session, kpi)
    return kpi_state(kpi, [(date.fromisoformat(p), v) for p, v in reversed(raw)], day, history)


@dataclass(frozen=True)
class AnalysisRow:
    analysis: Analysis
    kpi_code: str  # "ISMS" for an evaluation of the ISMS as a whole
    analyst: str


def analyses_between(session: Session, period_from: date, period_to: date) -> list[AnalysisRow]:
    """Analysis records made in the period, oldest first."""
    names = people(session)
    codes = {k.id: k.code for k in session.exec(select(Kpi))}
    q = (
        select(Analysis)
        .where(col(Analysis.analysed_on) >= period_from, col(Analysis.analysed_on) <= period_to)
        .order_by(col(Analysis.analysed_on), col(Analysis.id))
    )
    return [
        AnalysisRow(a, codes.get(a.kpi_id, "ISMS") if a.kpi_id else "ISMS", names.get(a.analyst_id or 0, ""))
        for a in session.exec(q)
    ]


def objective_labels(session: Session) -> dict[int, str]:
    """Each objective's code and statement ('OBJ-1 Keep the service available'), by id."""
    return {o.id: f"{o.code} {o.statement}" for o in session.exec(select(Objective)) if o.id is not None}


def people(session: Session) -> dict[int, str]:
    # .all(): a Result has keys() of its own, so dict() would read it as a mapping and fail
    return {pid: name for pid, name in session.exec(select(Person.id, Person.name)).all() if pid is not None}


def evidence_links(session: Session, records: dict[str, list[int]]) -> list[tuple[Evidence, str, int]]:
    """(evidence, entity, entity id) for every file linked to one of `records` (entity -> ids)."""
    out: list[tuple[Evidence, str, int]] = []
    for entity, ids in records.items():
        unique = sorted(set(ids))
        for i in range(0, len(unique), 500):  # stay under SQLite's variable limit
            chunk = unique[i : i + 500]
            q = (
                select(Evidence, EvidenceLink.entity_id)
                .join(EvidenceLink, col(EvidenceLink.evidence_id) == col(Evidence.id))
                .where(col(EvidenceLink.entity) == entity, col(EvidenceLink.entity_id).in_(chunk))
                .order_by(col(EvidenceLink.entity_id), col(Evidence.original_name))
            )
            out.extend((ev, entity, eid) for ev, eid in session.exec(q))
    return out


def evidence_by_sha(session: Session, shas: list[str]) -> dict[str, Evidence]:
    if not shas:
        return {}
    return {e.sha256: e for e in session.exec(select(Evidence).where(col(Evidence.sha256).in_(sorted(set(shas)))))}


def packs_summary(session: Session) -> dict[str, object]:
    """`isms status` keys: the last pack issued (file, when, SHA-256) and how many were issued."""
    from sqlmodel import func

    from isms_tui.models import IssuedPack

    count = session.exec(select(func.count(col(IssuedPack.id)))).one()
    last = session.exec(
        select(IssuedPack).order_by(col(IssuedPack.issued_at).desc(), col(IssuedPack.id).desc())
    ).first()
    return {
        "last": {"file": last.file_name, "issued_at": last.issued_at.isoformat(), "sha256": last.sha256}
        if last
        else None,
        "count": int(count),
    }
