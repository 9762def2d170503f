"""Read models for the audit screens and reports: one query per table, never one per row.

The audit list of a workspace with sixty audits and the working paper of a 123-line audit are
both built from a handful of grouped queries, so screens stay quick on large workspaces.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, func, select

from isms_tui.models import (
    Action,
    Audit,
    AuditItem,
    AuditProgramme,
    AuditResult,
    Evidence,
    EvidenceLink,
    Finding,
    Person,
    require_id,
)

from .audit_reporting import ReportingRecord, reporting
from .audits import Progress, get_audit, impartiality_conflicts
from .competence import as_of as competence_day
from .competence import team_summaries
from .impartiality import Conflict, KeptOff, assessors, kept_off

EVIDENCE_ENTITY = "audit_item"
# Results that say something is wrong or could be better: they are listed by line in reports.
NOTABLE_RESULTS = (AuditResult.MAJOR_NC, AuditResult.MINOR_NC, AuditResult.OBSERVATION, AuditResult.OFI)


def people_names(session: Session) -> dict[int, str]:
    # Rows first: a Result has keys(), so dict() would take it for a mapping. Stored ids are never None.
    rows = session.exec(select(col(Person.id), col(Person.name))).all()
    return {pid: name for pid, name in rows if pid is not None}


@dataclass(frozen=True)
class AuditRow:
    """One line of the audit list."""

    audit: Audit
    lead: str
    progress: Progress
    findings: int
    open_actions: int


def audit_rows(session: Session) -> list[AuditRow]:
    """Every audit with its lead auditor, progress and findings, in planned order."""
    from .actions import OPEN_STATES
    from .audits import list_audits

    names = people_names(session)
    counts: dict[int, Counter[AuditResult | None]] = defaultdict(Counter)
    for audit_id, result, n in session.exec(
        select(AuditItem.audit_id, col(AuditItem.result), func.count()).group_by(
            col(AuditItem.audit_id), col(AuditItem.result)
        )
    ):
        counts[audit_id][result] = n
    found: Counter[int] = Counter()
    open_actions: Counter[int] = Counter()
    for audit_id, status in session.exec(
        select(Finding.audit_id, Action.status).join(
            Action, (col(Action.source) == "finding") & (col(Action.source_id) == Finding.id), isouter=True
        )
    ):
        found[audit_id] += 1
        if status in OPEN_STATES:
            open_actions[audit_id] += 1
    rows = []
    for audit in list_audits(session):
        audit_id = require_id(audit)
        c = counts.get(audit_id, Counter())
        total = sum(c.values())
        prog = Progress(total, total - c.get(None, 0), {r: c.get(r, 0) for r in AuditResult})
        rows.append(
            AuditRow(audit, names.get(audit.lead_auditor_id or 0, ""), prog, found[audit_id], open_actions[audit_id])
        )
    return rows


@dataclass(frozen=True)
class FindingView:
    """A finding with the corrective action it opened (none for observations and OFIs)."""

    finding: Finding
    action: Action | None
    owner: str = ""


@dataclass(frozen=True)
class AuditView:
    """Everything the audit screen and the report view show about one audit."""

    audit: Audit
    programme: AuditProgramme | None
    lead: str
    team: list[str]
    conflicts: list[Conflict]
    progress: Progress
    findings: list[FindingView]
    notable: list[AuditItem] = field(default_factory=list)  # lines with an NC, observation or OFI
    kept_off: list[KeptOff] = field(default_factory=list)  # who did not assess which lines, and why
    reporting: ReportingRecord | None = None  # 9.2.2 c: to whom, when and how
    assessed_by: dict[int, str] = field(default_factory=dict)  # line id -> who assessed it
    competence: list[tuple[str, str]] = field(default_factory=list)  # (auditor, summary of records)

    def assessor_counts(self) -> list[tuple[str, int]]:
        """How many lines each auditor assessed, most first."""
        return Counter(self.assessed_by.values()).most_common()

    @property
    def blocked(self) -> bool:
        """Impartiality stops the start: a conflict and no declaration."""
        return bool(self.conflicts) and not self.audit.independence_declaration


def audit_view(session: Session, audit_id: int) -> AuditView:
    from .audits import progress

    audit = get_audit(session, audit_id)
    names = people_names(session)
    prog = session.get(AuditProgramme, audit.programme_id) if audit.programme_id else None
    found = list(session.exec(select(Finding).where(Finding.audit_id == audit_id).order_by(col(Finding.id))))
    acts = {
        a.source_id: a
        for a in session.exec(
            select(Action).where(Action.source == "finding", col(Action.source_id).in_([f.id for f in found]))
        )
    }
    views = []
    for f in found:
        act = acts.get(f.id)
        views.append(FindingView(f, act, names.get(act.owner_id or 0, "") if act else ""))
    notable = list(
        session.exec(
            select(AuditItem)
            .where(AuditItem.audit_id == audit_id, col(AuditItem.result).in_(NOTABLE_RESULTS))
            .order_by(col(AuditItem.position))
        )
    )
    return AuditView(
        audit=audit,
        programme=prog,
        lead=names.get(audit.lead_auditor_id or 0, ""),
        team=[names.get(pid, f"#{pid}") for pid in audit.team_ids],
        conflicts=impartiality_conflicts(session, audit),
        progress=progress(session, audit_id),
        findings=views,
        notable=notable,
        kept_off=kept_off(session, audit),
        reporting=reporting(session, audit_id),
        assessed_by=assessors(session, audit),
        competence=[(c.person, c.text(competence_day(audit))) for c in team_summaries(session, audit)],
    )


@dataclass(frozen=True)
class WorkingPaper:
    """The lines of one audit, the evidence files and findings attached to each line."""

    audit: Audit
    items: list[AuditItem]
    evidence: dict[int, list[str]]  # item id -> original file names
    findings: dict[int, int]  # item id -> number of findings raised from it
    names: dict[int, str] = field(default_factory=dict)  # person id -> name, for who assesses a line

    def first_unanswered(self) -> int:
        """Where to resume: the first line without a result (the first line when all are done)."""
        return next((i for i, item in enumerate(self.items) if item.result is None), 0)


def working_paper(session: Session, audit_id: int) -> WorkingPaper:
    from .audits import items

    audit = get_audit(session, audit_id)
    lines = items(session, audit_id)
    ids = [i.id for i in lines]
    evidence: dict[int, list[str]] = defaultdict(list)
    for item_id, name in session.exec(
        select(EvidenceLink.entity_id, Evidence.original_name)
        .join(Evidence, col(Evidence.id) == EvidenceLink.evidence_id)
        .where(EvidenceLink.entity == EVIDENCE_ENTITY, col(EvidenceLink.entity_id).in_(ids))
        .order_by(col(Evidence.original_name))
    ):
        evidence[item_id].append(name)
    item_ids = session.exec(select(Finding.item_id).where(Finding.audit_id == audit_id)).all()
    findings = Counter(item_id for item_id in item_ids if item_id is not None)
    return WorkingPaper(audit, lines, dict(evidence), dict(findings), people_names(session))


def item_evidence(session: Session, item_id: int) -> list[str]:
    """File names attached to one working-paper line."""
    from .evidence import linked

    return [e.original_name for e in linked(session, EVIDENCE_ENTITY, item_id)]


def ref_ranges(refs: list[str]) -> str:
    """A scope in few words: runs of three or more catalogue-adjacent refs become 'A.5.1–A.5.37'."""
    from isms_tui.catalogues import natural_key, requirements

    order = {r.ref: i for i, r in enumerate(requirements())}
    kind = {r.ref: r.kind for r in requirements()}
    known = sorted((r for r in set(refs) if r in order), key=order.__getitem__)
    unknown = sorted((r for r in set(refs) if r not in order), key=natural_key)
    parts: list[str] = []
    run: list[str] = []
    for ref in known:
        if run and (order[ref] != order[run[-1]] + 1 or kind[ref] != kind[run[-1]]):
            parts.extend(_run_label(run))
            run = []
        run.append(ref)
    parts.extend(_run_label(run))
    return ", ".join(parts + unknown)


def _run_label(run: list[str]) -> list[str]:
    if len(run) >= 3:
        return [f"{run[0]}–{run[-1]}"]
    return list(run)
