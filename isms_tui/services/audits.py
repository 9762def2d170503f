"""Internal audits (9.2): planning, the impartiality check, working papers, findings, closure.

State machine: planned → in progress (only when impartial or declared) → completed (with a
conclusion) → reported. Working-paper results can be recorded only while in progress.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, func, select

from isms_tui.models import (
    Action,
    Audit,
    AuditArea,
    AuditItem,
    AuditMethod,
    AuditRecipient,
    AuditResult,
    AuditStatus,
    Finding,
    Grading,
    Person,
    require_id,
)

from . import actions, checklists, clock, impartiality
from .errors import InputError, NotFound
from .form_values import DATE_HINT
from .impartiality import Conflict

NC_GRADINGS = (Grading.MAJOR_NC, Grading.MINOR_NC)
NC_RESULTS = (AuditResult.MAJOR_NC, AuditResult.MINOR_NC)
RESULT_TO_GRADING = {
    AuditResult.MAJOR_NC: Grading.MAJOR_NC,
    AuditResult.MINOR_NC: Grading.MINOR_NC,
    AuditResult.OBSERVATION: Grading.OBSERVATION,
    AuditResult.OFI: Grading.OFI,
}
MIN_DECLARATION = 20  # characters: a justification, not a tick box


@dataclass
class AuditInput:
    title: str
    planned_start: date | None
    planned_end: date | None
    template: str = checklists.BUILTIN_FULL
    scope_refs: list[str] = field(default_factory=list)  # empty: every question of the template
    scope_areas: list[str] = field(default_factory=list)
    criteria: str = "ISO/IEC 27001:2022 and the organisation's ISMS documentation"
    methods: str = "Interviews, observation, document review and re-performance on samples"
    lead_auditor_id: int | None = None
    team_ids: list[int] = field(default_factory=list)
    auditees: str = ""
    programme_id: int | None = None


def get_audit(session: Session, audit_id: int) -> Audit:
    audit = session.get(Audit, audit_id)
    if audit is None:
        raise NotFound(f"No audit with id {audit_id}.")
    return audit


def plan_problems(session: Session, data: AuditInput) -> dict[str, str]:
    """Per-field problems with the title, dates and auditors of a plan (new or edited)."""
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "Required."
    if data.planned_start is None:
        errors["planned_start"] = DATE_HINT
    if data.planned_end is None:
        errors["planned_end"] = DATE_HINT
    elif data.planned_start and data.planned_end < data.planned_start:
        errors["planned_end"] = "The audit cannot end before it starts."
    if data.lead_auditor_id is None:
        errors["lead_auditor_id"] = "An audit needs a lead auditor."
    for pid in [data.lead_auditor_id, *data.team_ids]:
        if pid is not None and session.get(Person, pid) is None:
            errors["team_ids"] = "Unknown person in the audit team."
    return errors


def plan_audit(session: Session, data: AuditInput) -> Audit:
    """Create an audit and its working paper from a checklist filtered to the scope."""
    errors = plan_problems(session, data)
    try:
        template = checklists.questions(session, data.template)
    except NotFound as exc:
        errors["template"] = str(exc)
        template = []
    scope = [r.strip() for r in data.scope_refs if r.strip()]
    chosen = [q for q in template if not scope or q.ref in scope]
    if template and not chosen:
        errors["scope_refs"] = "No question of the checklist falls in this scope."
    if errors:
        raise InputError(f"The audit cannot be planned: {next(iter(errors.values()))}", errors)
    assert data.planned_start is not None and data.planned_end is not None  # plan_problems requires both
    audit = Audit(
        title=data.title.strip(),
        programme_id=data.programme_id,
        planned_start=data.planned_start,
        planned_end=data.planned_end,
        scope_refs=scope or sorted({q.ref for q in chosen}, key=_natural),
        scope_areas=sorted({a.strip() for a in data.scope_areas if a.strip()}),
        criteria=data.criteria.strip(),
        methods=data.methods.strip(),
        lead_auditor_id=data.lead_auditor_id,
        team_ids=sorted(set(data.team_ids) - {data.lead_auditor_id}),
        auditees=data.auditees.strip(),
    )
    session.add(audit)
    session.flush()
    audit_id = require_id(audit)
    session.add_all(
        AuditItem(
            audit_id=audit_id, position=i, ref=q.ref, title=q.title, question=q.question, evidence_hint=q.evidence_hint
        )
        for i, q in enumerate(chosen, 1)
    )
    session.flush()
    return audit


def areas_in_scope(session: Session, audit: Audit) -> set[str]:
    """Areas named in the scope, plus every area whose requirements the scope covers."""
    refs = set(audit.scope_refs)
    found = set(audit.scope_areas)
    for area in session.exec(select(AuditArea)):
        if refs & set(area.refs):
            found.add(area.name)
    return found


def impartiality_conflicts(session: Session, audit: Audit) -> list[Conflict]:
    """Auditors who would assess lines their own responsibilities cover (checked per line)."""
    return impartiality.conflicts(session, audit)


def declare_independence(session: Session, audit_id: int, justification: str, declared_by: str) -> Audit:
    """Record why the audit stays objective despite a conflict (it appears in the report)."""
    audit = get_audit(session, audit_id)
    text = justification.strip()
    if len(text) < MIN_DECLARATION:
        raise InputError(
            "Explain in a sentence or two why the audit stays objective.",
            {"independence_declaration": f"At least {MIN_DECLARATION} characters."},
        )
    if not declared_by.strip():
        raise InputError("Name the person who makes the declaration.", {"declared_by": "Required."})
    audit.independence_declaration = text
    audit.declared_by = declared_by.strip()
    audit.declared_at = clock.now()
    session.add(audit)
    session.flush()
    return audit


def start_audit(session: Session, audit_id: int) -> Audit:
    audit = get_audit(session, audit_id)
    if audit.status != AuditStatus.PLANNED:
        raise InputError(f"The audit is {audit.status.value}; only a planned audit can start.")
    conflicts = impartiality_conflicts(session, audit)
    if conflicts and not audit.independence_declaration:
        raise InputError(
            f"{conflicts[0].sentence()} Give those lines to another member of the team or record an "
            "independence declaration."
        )
    audit.status = AuditStatus.IN_PROGRESS
    audit.actual_start = clock.today()
    session.add(audit)
    session.flush()
    return audit


def record_result(
    session: Session,
    item_id: int,
    result: AuditResult | None,
    *,
    notes: str | None = None,
    methods: list[AuditMethod] | None = None,
    sample_population: str | None = None,
    sample_size: int | None = None,
    sample_items: str | None = None,
) -> AuditItem:
    """Record what was seen for one working-paper line; fields left None stay as they are."""
    item = session.get(AuditItem, item_id)
    if item is None:
        raise NotFound(f"No audit item with id {item_id}.")
    audit = get_audit(session, item.audit_id)
    if audit.status != AuditStatus.IN_PROGRESS:
        raise InputError(f"The audit is {audit.status.value}; results are recorded while it is in progress.")
    impartiality.check_line(session, audit, item)
    if sample_size is not None and sample_size < 0:
        raise InputError("The sample size cannot be negative.", {"sample_size": "0 or more."})
    item.result = result
    if notes is not None:
        item.notes = notes.strip()
    if methods is not None:
        item.methods = [AuditMethod(m) for m in methods]
    if sample_population is not None:
        item.sample_population = sample_population.strip()
    if sample_size is not None:
        item.sample_size = sample_size
    if sample_items is not None:
        item.sample_items = sample_items.strip()
    item.recorded_at = clock.now()
    session.add(item)
    session.flush()
    return item


def items(session: Session, audit_id: int) -> list[AuditItem]:
    return list(session.exec(select(AuditItem).where(AuditItem.audit_id == audit_id).order_by(col(AuditItem.position))))


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    counts: dict[AuditResult, int]

    @property
    def not_audited(self) -> int:
        return self.counts.get(AuditResult.NOT_AUDITED, 0)

    @property
    def answered(self) -> int:
        """Lines with a result other than 'not audited': what the audit actually examined."""
        return self.done - self.not_audited

    @property
    def percent(self) -> int:
        """Share of the lines answered; a line closed as 'not audited' is not progress."""
        return round(100 * self.answered / self.total) if self.total else 0

    def summary(self) -> str:
        """'answered 46 of 123, not audited 77' (and the lines still open, if any)."""
        text = f"answered {self.answered} of {self.total}"
        if self.not_audited:
            text += f", not audited {self.not_audited}"
        if self.total - self.done:
            text += f", {self.total - self.done} without a result yet"
        return text


def progress(session: Session, audit_id: int) -> Progress:
    rows = session.exec(
        select(AuditItem.result, func.count()).where(AuditItem.audit_id == audit_id).group_by(AuditItem.result)
    ).all()
    counts = Counter(dict(rows))
    total = sum(counts.values())
    return Progress(total, total - counts.get(None, 0), {r: counts.get(r, 0) for r in AuditResult})


def raise_finding(
    session: Session,
    audit_id: int,
    grading: Grading,
    statement: str,
    evidence: str = "",
    *,
    item_id: int | None = None,
    ref: str = "",
) -> Finding:
    """Raise a finding; a nonconformity opens a corrective action in the register."""
    audit = get_audit(session, audit_id)
    item = session.get(AuditItem, item_id) if item_id else None
    if item_id and (item is None or item.audit_id != audit_id):
        raise NotFound(f"No item {item_id} in this audit.")
    errors: dict[str, str] = {}
    if not statement.strip():
        errors["statement"] = "State what requirement is not met and what was seen."
    if audit.status not in (AuditStatus.IN_PROGRESS, AuditStatus.COMPLETED):
        raise InputError(f"The audit is {audit.status.value}; findings are raised during or at the end of it.")
    ref = (item.ref if item else ref).strip()
    if not ref:
        errors["ref"] = "Which requirement?"
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    finding = Finding(
        audit_id=audit_id,
        item_id=item_id,
        ref=ref,
        grading=Grading(grading),
        statement=statement.strip(),
        evidence=evidence.strip(),
        raised_on=clock.today(),
    )
    session.add(finding)
    session.flush()
    if finding.grading in NC_GRADINGS:
        actions.create_action(
            session,
            "finding",
            finding.id,
            actions.ActionInput(title=f"Correct {finding.grading.value} on {finding.ref}: {finding.statement[:80]}"),
        )
    return finding


def findings(session: Session, audit_id: int) -> list[Finding]:
    return list(session.exec(select(Finding).where(Finding.audit_id == audit_id).order_by(col(Finding.id))))


def action_for_finding(session: Session, finding_id: int) -> Action | None:
    return session.exec(select(Action).where(Action.source == "finding", Action.source_id == finding_id)).first()


def check_completable(session: Session, audit_id: int) -> list[AuditItem]:
    """Refuse, in one sentence, to complete an audit that is not in progress or that has a
    nonconformity line without its finding; returns the audit's lines."""
    audit = get_audit(session, audit_id)
    if audit.status != AuditStatus.IN_PROGRESS:
        raise InputError(f"The audit is {audit.status.value}; only an audit in progress can be completed.")
    lines = items(session, audit_id)
    unraised = _nonconformities_without_finding(session, audit_id, lines)
    if unraised:
        refs = ", ".join(unraised[:6]) + (f" and {len(unraised) - 6} more" if len(unraised) > 6 else "")
        raise InputError(
            f"{refs} {'is' if len(unraised) == 1 else 'are'} graded as a nonconformity without a finding; "
            "raise one from each such line (f on the working paper) so that it gets a corrective action, "
            "then complete the audit."
        )
    return lines


def complete_audit(session: Session, audit_id: int, summary: str, conclusion: str) -> Audit:
    """Close fieldwork: every line gets a result (unanswered ones become 'not audited')."""
    lines = check_completable(session, audit_id)
    if not conclusion.strip():
        raise InputError("Write the audit conclusion before completing it.", {"conclusion": "Required."})
    audit = get_audit(session, audit_id)
    for item in lines:
        if item.result is None:
            item.result = AuditResult.NOT_AUDITED
            session.add(item)
    audit.summary, audit.conclusion = summary.strip(), conclusion.strip()
    audit.status = AuditStatus.COMPLETED
    audit.actual_end = clock.today()
    session.add(audit)
    session.flush()
    return audit


def _nonconformities_without_finding(session: Session, audit_id: int, lines: list[AuditItem]) -> list[str]:
    """Refs of lines graded major or minor NC from which no nonconformity finding was raised.

    A nonconformity only reaches the action register (10.2) through its finding, so an audit
    must not close with one that has none.
    """
    found = session.exec(
        select(Finding.item_id, Finding.ref).where(Finding.audit_id == audit_id, col(Finding.grading).in_(NC_GRADINGS))
    ).all()
    by_item = {item_id for item_id, _ in found if item_id is not None}
    by_ref = {ref for item_id, ref in found if item_id is None}  # raised from the audit, naming the requirement
    return [it.ref for it in lines if it.result in NC_RESULTS and it.id not in by_item and it.ref not in by_ref]


def mark_reported(session: Session, audit_id: int) -> Audit:
    """The results were reported (9.2.2 c): only once the reporting record says to whom."""
    audit = get_audit(session, audit_id)
    if audit.status != AuditStatus.COMPLETED:
        raise InputError("Only a completed audit can be marked as reported.")
    if (
        audit.reported_on is None
        or session.exec(select(AuditRecipient).where(AuditRecipient.audit_id == audit_id)).first() is None
    ):
        raise InputError("Record to whom, when and how the results were reported; then the audit is reported.")
    audit.status = AuditStatus.REPORTED
    session.add(audit)
    session.flush()
    return audit


def list_audits(session: Session, programme_id: int | None = None) -> list[Audit]:
    q = select(Audit).order_by(col(Audit.planned_start), col(Audit.id))
    if programme_id is not None:
        q = q.where(Audit.programme_id == programme_id)
    return list(session.exec(q))


def _natural(ref: str) -> tuple[tuple[int, int, str], ...]:
    from isms_tui.catalogues import natural_key

    return natural_key(ref)
