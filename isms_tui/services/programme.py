"""The audit programme (9.2.2): cycle, coverage of every requirement, risk-based priorities."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from isms_tui import catalogues
from isms_tui.models import (
    Action,
    Audit,
    AuditArea,
    AuditItem,
    AuditProgramme,
    AuditResult,
    AuditStatus,
    Finding,
    Person,
    require_id,
)

from . import actions, responsibilities, risks, soa
from .audits import NC_GRADINGS
from .errors import InputError, NotFound
from .form_values import DATE_HINT

RECENT_DAYS = 365
BASE_INTERVAL_MONTHS = {5: 6, 4: 12, 3: 12, 2: 24, 1: 36}


@dataclass
class ProgrammeInput:
    title: str
    cycle_start: date | None
    cycle_years: int = 3
    objectives: str = ""
    methods: str = ""
    responsibilities: str = ""
    owner_id: int | None = None
    planning: str = ""  # how audits are planned: who, how far ahead, on what basis
    reporting: str = ""  # how results are reported, to whom and when


def save_programme(session: Session, data: ProgrammeInput, programme_id: int | None = None) -> AuditProgramme:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "Required."
    if data.cycle_start is None:
        errors["cycle_start"] = DATE_HINT
    if data.cycle_years not in (1, 3):
        errors["cycle_years"] = "A programme runs over 1 or 3 years."
    if data.owner_id is not None and session.get(Person, data.owner_id) is None:
        errors["owner_id"] = "Unknown person."
    if errors:
        raise InputError(f"The programme cannot be saved: {next(iter(errors.values()))}", errors)
    assert data.cycle_start is not None  # checked above
    prog = (
        get_programme(session, programme_id)
        if programme_id
        else AuditProgramme(title=data.title, cycle_start=data.cycle_start)
    )
    prog.title, prog.cycle_start, prog.cycle_years = data.title.strip(), data.cycle_start, data.cycle_years
    prog.objectives, prog.methods = data.objectives.strip(), data.methods.strip()
    prog.responsibilities, prog.owner_id = data.responsibilities.strip(), data.owner_id
    prog.planning, prog.reporting = data.planning.strip(), data.reporting.strip()
    session.add(prog)
    session.flush()
    return prog


def get_programme(session: Session, programme_id: int) -> AuditProgramme:
    prog = session.get(AuditProgramme, programme_id)
    if prog is None:
        raise NotFound(f"No audit programme with id {programme_id}.")
    return prog


def cycle_end(prog: AuditProgramme) -> date:
    start = prog.cycle_start
    try:
        return start.replace(year=start.year + prog.cycle_years) - timedelta(days=1)
    except ValueError:  # 29 February
        return date(start.year + prog.cycle_years, 3, 1) - timedelta(days=1)


def current_programme(session: Session, today: date) -> AuditProgramme | None:
    """The programme whose cycle contains today, else the latest one."""
    progs = list(session.exec(select(AuditProgramme).order_by(col(AuditProgramme.cycle_start))))
    for prog in reversed(progs):
        if prog.cycle_start <= today <= cycle_end(prog):
            return prog
    return progs[-1] if progs else None


# Results that show a requirement was audited. "not applicable" counts only with a
# justification (a note on the line); "not audited" and a plan never count.
AUDITED_RESULTS = frozenset(r for r in AuditResult if r not in (AuditResult.NOT_APPLICABLE, AuditResult.NOT_AUDITED))
UNJUSTIFIED = "not applicable, no justification"


def counts_as_audited(result: AuditResult | None, notes: str) -> bool:
    """Whether an answered line shows its requirement was audited."""
    if result == AuditResult.NOT_APPLICABLE:
        return bool(notes.strip())
    return result in AUDITED_RESULTS


PARTLY = "partly audited"
# When every line of a requirement counts, the matrix shows the most telling result.
_SEVERITY = (
    AuditResult.MAJOR_NC,
    AuditResult.MINOR_NC,
    AuditResult.OBSERVATION,
    AuditResult.OFI,
    AuditResult.CONFORMING,
    AuditResult.NOT_APPLICABLE,
)


@dataclass(frozen=True)
class CoverageRow:
    ref: str
    title: str
    kind: str  # "clause", "control", or "custom" for the organisation's own requirements
    cells: list[str]  # per audit: "" (not in scope), "planned", PARTLY, or the result recorded
    audited: list[bool] = field(default_factory=list)  # per audit: its answered lines show it audited
    partly: list[bool] = field(default_factory=list)  # per audit: some of its lines answered, not all
    excluded: str = ""  # the SoA's justification when the control is not applicable

    @property
    def covered(self) -> bool:
        """Audited through every line of some audit; a plan or 'not audited' covers nothing."""
        return any(self.audited)

    @property
    def partly_audited(self) -> bool:
        """Not covered, but some audit answered part of its lines."""
        return not self.covered and any(self.partly)

    @property
    def planned_only(self) -> bool:
        """In some audit's plan, but not audited yet."""
        return not self.covered and not self.partly_audited and any(cell == "planned" for cell in self.cells)


@dataclass(frozen=True)
class Coverage:
    audits: list[Audit]
    rows: list[CoverageRow]

    @property
    def required(self) -> list[CoverageRow]:
        """Rows an audit must reach: all but controls the SoA excludes with a justification."""
        return [r for r in self.rows if not r.excluded]

    @property
    def excluded(self) -> list[CoverageRow]:
        return [r for r in self.rows if r.excluded]

    @property
    def uncovered(self) -> list[CoverageRow]:
        return [r for r in self.required if not r.covered]

    @property
    def covered(self) -> int:
        return sum(r.covered for r in self.required)

    @property
    def planned_only(self) -> list[CoverageRow]:
        return [r for r in self.required if r.planned_only]

    @property
    def partly(self) -> list[CoverageRow]:
        return [r for r in self.required if r.partly_audited]

    @property
    def percent(self) -> int:
        required = self.required
        return round(100 * self.covered / len(required)) if required else 0


def coverage(session: Session, programme_id: int) -> Coverage:
    """Every requirement of the catalogue, and every ref of the organisation's own checklists
    that the cycle's audits use, against those audits."""
    audits = list(
        session.exec(
            select(Audit).where(Audit.programme_id == programme_id).order_by(col(Audit.planned_start), col(Audit.id))
        )
    )
    results, titles = _line_results(session, [require_id(a) for a in audits])
    scopes = [set(a.scope_refs) for a in audits]
    excluded = soa.excluded_controls(session)
    known = catalogues.by_ref()
    own = {ref for scope in scopes for ref in scope} | set(titles)
    custom = sorted((ref for ref in own if ref not in known), key=catalogues.natural_key)
    wanted: list[tuple[str, str, str]] = [(r.ref, r.title, r.kind) for r in catalogues.requirements()]
    wanted += [(ref, titles.get(ref, ref), "custom") for ref in custom]
    rows = []
    for ref, title, kind in wanted:
        cells, audited, partly = [], [], []
        for audit, scope in zip(audits, scopes, strict=True):
            cell, counted = results.get((require_id(audit), ref), ("", False))
            if not cell and ref in scope:
                # In the plan without a line: planned while the audit may still reach it.
                running = audit.status in (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)
                cell = "planned" if running else AuditResult.NOT_AUDITED.value
            if cell == AuditResult.NOT_AUDITED.value and audit.status == AuditStatus.PLANNED:
                cell = "planned"
            cells.append(cell)
            audited.append(counted)
            partly.append(cell == PARTLY)
        rows.append(CoverageRow(ref, title, kind, cells, audited, partly, excluded.get(ref, "")))
    return Coverage(audits, rows)


def _line_results(
    session: Session, audit_ids: list[int]
) -> tuple[dict[tuple[int, str], tuple[str, bool]], dict[str, str]]:
    """(audit, ref) -> (what the matrix shows, whether it counts as audited), and the first
    title seen per ref. A requirement with several lines (one per question) counts only when
    every line does; when some do, it is PARTLY audited."""
    out: dict[tuple[int, str], tuple[str, bool]] = {}
    titles: dict[str, str] = {}
    if not audit_ids:
        return out, titles
    q = (
        select(AuditItem)
        .where(col(AuditItem.audit_id).in_(audit_ids))
        .order_by(col(AuditItem.audit_id), col(AuditItem.position))
    )
    lines: dict[tuple[int, str], list[tuple[AuditResult | None, bool]]] = {}
    for item in session.exec(q):
        titles.setdefault(item.ref, item.title)
        counted = counts_as_audited(item.result, item.notes)
        lines.setdefault((item.audit_id, item.ref), []).append((item.result, counted))
    for key, found in lines.items():
        answered = [result for result, ok in found if ok and result is not None]
        if len(answered) == len(found):
            out[key] = (min(answered, key=_SEVERITY.index).value, True)
        elif answered:
            out[key] = (PARTLY, False)
        else:
            out[key] = (_unanswered_cell([result for result, _ in found]), False)
    return out, titles


def _unanswered_cell(results: list[AuditResult | None]) -> str:
    """What the matrix shows for a requirement none of whose lines counts."""
    if AuditResult.NOT_APPLICABLE in results:
        return UNJUSTIFIED
    if AuditResult.NOT_AUDITED in results:
        return AuditResult.NOT_AUDITED.value
    return "planned"


@dataclass(frozen=True)
class AreaPriority:
    area: AuditArea
    score: int
    interval_months: int
    last_audited: date | None
    next_due: date | None
    reasons: list[str] = field(default_factory=list)
    overdue: bool = False  # past its interval (or never audited and the cycle is under way)


def priorities(session: Session, today: date) -> list[AreaPriority]:
    """Rank areas by importance, the risks that rely on their controls and previous results, and
    say why (9.2.2: 'importance of the processes concerned and the results of previous audits')."""
    findings = session.exec(select(Finding, Audit).join(Audit, col(Audit.id) == Finding.audit_id)).all()
    open_actions = {
        a.source_id
        for a in session.exec(select(Action).where(Action.source == "finding"))
        if a.status in actions.OPEN_STATES
    }
    audited_on = _audited_on(session, today)
    risk_levels = risks.highest_level_by_ref(session)
    out = []
    for area in session.exec(select(AuditArea).order_by(AuditArea.name)):
        refs = set(area.refs)
        reasons = [f"importance {area.importance} of 5"]
        score = area.importance * 10
        top = max((risk_levels[r] for r in refs if r in risk_levels), default=None)
        if top is not None and top[0] > 4:  # medium or above: the risk register raises the priority
            score += 2 * top[0]
            reasons.append(f"risk {top[1]} at level {top[0]} relies on its controls")
        area_ncs = [(f, a) for f, a in findings if f.ref in refs and f.grading in NC_GRADINGS]
        open_ncs = [f for f, _ in area_ncs if f.id in open_actions]
        recent = [f for f, _ in area_ncs if (today - f.raised_on).days <= RECENT_DAYS]
        interval = BASE_INTERVAL_MONTHS.get(area.importance, 12)
        if open_ncs:
            score += 15 * len(open_ncs)
            reasons.append(f"{len(open_ncs)} nonconformit{'y' if len(open_ncs) == 1 else 'ies'} still open")
            interval = min(interval, 6)
        if recent:
            score += 5 * len(recent)
            reasons.append(f"{len(recent)} nonconformit{'y' if len(recent) == 1 else 'ies'} in the last 12 months")
            interval = max(3, interval // 2)
        # An area counts as audited when every one of its requirements was, as of the oldest.
        last = min(audited_on[r] for r in refs) if refs and refs <= audited_on.keys() else None
        overdue = False
        if last is None:
            score += 10
            reasons.append("never audited in full")
            next_due = today
        else:
            next_due = _add_months(last, interval)
            if next_due < today:
                score += 10
                overdue = True
                reasons.append(f"overdue: last audited {last.isoformat()}, due by {next_due.isoformat()}")
            elif next_due == today:
                score += 10
                reasons.append(f"last audited {last.isoformat()}, due today")
        out.append(AreaPriority(area, score, interval, last, next_due, reasons, overdue))
    return sorted(out, key=lambda p: (-p.score, p.area.name))


def _audited_on(session: Session, today: date) -> dict[str, date]:
    """Each requirement's latest audit date, through audits whose fieldwork is done (completed
    or reported) by `today` and where every line of the requirement counts as audited; an
    audit's planned scope counts for nothing."""
    q = (
        select(AuditItem.ref, col(AuditItem.result), AuditItem.notes, Audit)
        .join(Audit, col(Audit.id) == AuditItem.audit_id)
        .where(col(Audit.status).in_((AuditStatus.COMPLETED, AuditStatus.REPORTED)))
    )
    done: dict[tuple[int, str], tuple[date, bool]] = {}
    for ref, result, notes, audit in session.exec(q):
        when = audit.actual_end or audit.planned_end
        key = (require_id(audit), ref)
        done[key] = (when, done.get(key, (when, True))[1] and counts_as_audited(result, notes))
    out: dict[str, date] = {}
    for (_, ref), (when, counted) in done.items():
        if when <= today and counted:
            out[ref] = max(out.get(ref, when), when)
    return out


def save_area(
    session: Session, name: str, importance: int, refs: list[str], notes: str = "", area_id: int | None = None
) -> AuditArea:
    name = name.strip()
    known = catalogues.by_ref()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Required."
    if importance not in range(1, 6):
        errors["importance"] = "1 (low) to 5 (critical)."
    unknown = [r for r in refs if r.strip() and r.strip() not in known]
    if unknown:
        errors["refs"] = f"Unknown requirement: {', '.join(unknown[:3])}."
    clash = session.exec(select(AuditArea).where(AuditArea.name == name)).first()
    if clash is not None and clash.id != area_id:
        errors["name"] = f"There is already an area called {name}."
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    area = session.get(AuditArea, area_id) if area_id else AuditArea(name=name)
    if area is None:
        raise NotFound(f"No area with id {area_id}.")
    old_name = area.name if area_id else None
    area.name, area.importance, area.notes = name, importance, notes.strip()
    area.refs = sorted({r.strip() for r in refs if r.strip()}, key=catalogues.natural_key)
    session.add(area)
    session.flush()
    responsibilities.area_saved(session, area, old_name)  # people naming it are linked to it
    return area


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")
