"""What an audit's OSCAL documents are built from, read in one session: the audit, its lines,
findings, the evidence on its lines, the risks that touch its requirements and the pieces both
the plan and the results share (reviewed controls, parties)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from isms_tui.catalogues import by_ref, natural_key
from isms_tui.models import (
    Action,
    Audit,
    AuditArea,
    AuditItem,
    AuditProgramme,
    AuditRecipient,
    Evidence,
    EvidenceLink,
    Finding,
    Risk,
)

from ..audit_views import EVIDENCE_ENTITY
from ..audits import get_audit
from ..risks import treatment_actions
from .common import Context, Json, context, control_id, numbers, one_line, people_named_in, texts


@dataclass
class AuditData:
    ctx: Context
    audit: Audit
    programme: AuditProgramme | None
    items: list[AuditItem]
    findings: list[Finding]
    actions: dict[int, Action]  # finding id -> its corrective action
    evidence: dict[int, list[Evidence]]  # item id -> files on the line
    risks: list[Risk]  # risks whose controls include a requirement of the audit
    areas: list[AuditArea]  # the audit areas in scope, as recorded
    recipients: list[int]  # the people the results were reported to (9.2.2 c)
    treatments: dict[int, list[Action]] = field(default_factory=dict)  # risk id -> its treatment actions

    @property
    def refs(self) -> list[str]:
        """The audit's requirements: its scope, every line's and every finding's ref."""
        refs = set(texts(self.audit.scope_refs))
        refs |= {i.ref.strip() for i in self.items if i.ref.strip()}
        refs |= {f.ref.strip() for f in self.findings if f.ref.strip()}
        return sorted(refs, key=natural_key)

    def parties(self) -> dict[str, set[int]]:
        """Role id -> person ids, for the document's metadata."""
        audit = self.audit
        lead = {audit.lead_auditor_id} if audit.lead_auditor_id is not None else set()
        assessors = {i.assessed_by_id for i in self.items if i.assessed_by_id is not None}
        return {
            "assessment-lead": lead,
            "assessment-team": set(numbers(audit.team_ids)),
            "assessor": assessors | (lead if any(i.assessed_by_id is None for i in self.items) else set()),
            "auditee": people_named_in(audit.auditees, self.ctx.people.values()),
            "risk-owner": {r.owner_id for r in self.risks if r.owner_id is not None},
            "report-recipient": set(self.recipients),
        }


def load(session: Session, audit_id: int) -> AuditData:
    """Everything one audit's documents need (NotFound for an unknown id)."""
    audit = get_audit(session, audit_id)
    ctx = context(session)
    items = list(
        session.exec(select(AuditItem).where(AuditItem.audit_id == audit_id).order_by(col(AuditItem.position)))
    )
    findings = list(session.exec(select(Finding).where(Finding.audit_id == audit_id).order_by(col(Finding.id))))
    finding_ids = [f.id for f in findings]
    actions = {
        a.source_id: a
        for a in session.exec(select(Action).where(Action.source == "finding", col(Action.source_id).in_(finding_ids)))
        if a.source_id is not None
    }
    evidence: dict[int, list[Evidence]] = {}
    item_ids = [i.id for i in items]
    rows = session.exec(
        select(EvidenceLink.entity_id, Evidence)
        .join(Evidence, col(Evidence.id) == EvidenceLink.evidence_id)
        .where(EvidenceLink.entity == EVIDENCE_ENTITY, col(EvidenceLink.entity_id).in_(item_ids))
        .order_by(col(Evidence.original_name), col(Evidence.id))
    )
    for item_id, ev in rows:
        evidence.setdefault(item_id, []).append(ev)
    programme = session.get(AuditProgramme, audit.programme_id) if audit.programme_id else None
    areas = list(
        session.exec(
            select(AuditArea).where(col(AuditArea.name).in_(texts(audit.scope_areas))).order_by(col(AuditArea.name))
        )
    )
    recipients = list(
        session.exec(
            select(AuditRecipient.person_id).where(AuditRecipient.audit_id == audit_id).order_by(col(AuditRecipient.id))
        )
    )
    data = AuditData(ctx, audit, programme, items, findings, actions, evidence, [], areas, recipients)
    wanted = set(data.refs)
    data.risks = [r for r in session.exec(select(Risk).order_by(col(Risk.ref))) if wanted & set(texts(r.controls))]
    data.treatments = treatment_actions(session, [r.id for r in data.risks if r.id is not None])
    return data


def title_of(ref: str, own_title: str = "") -> str:
    """The catalogue title of a ref, or the ref and the title its own checklist gives it."""
    req = by_ref().get(ref)
    return one_line(f"{ref} {req.title}") if req else (one_line(f"{ref} {own_title}") or "Unnamed requirement")


def reviewed_controls(data: AuditData, description: str) -> Json:
    """The audit's requirements as one control selection (clauses and Annex A controls by id)."""
    unique: list[Json] = []
    for cid in dict.fromkeys(control_id(ref) for ref in data.refs):  # two own refs may share an id
        unique.append({"control-id": cid})
    if not unique:  # OSCAL needs a selection; say plainly that none is recorded
        return {
            "description": "No requirement is recorded for this audit.",
            "control-selections": [{"include-all": {}, "remarks": "Stands for an empty selection."}],
        }
    return {"description": description, "control-selections": [{"include-controls": unique}]}


def plan_file_name(audit_id: int) -> str:
    """The name the results' import-ap points to: what `isms export oscal --plan ID` suggests."""
    return f"assessment-plan-audit-{audit_id}.json"


def local_objectives(data: AuditData) -> list[Json]:
    """The organisation's own requirements (refs of its own checklists, not in the catalogue) as
    locally defined objectives, with the audit's questions on them, so that a finding's target
    `<control id>_obj` resolves inside the document."""
    known = by_ref()
    questions: dict[str, list[AuditItem]] = {}
    for item in data.items:
        if item.ref.strip() and item.ref.strip() not in known:
            questions.setdefault(control_id(item.ref), []).append(item)
    for ref in data.refs:
        if ref not in known:
            questions.setdefault(control_id(ref), [])
    out: list[Json] = []
    for cid, items in questions.items():
        titled = next((one_line(f"{i.ref} {i.title}") for i in items if one_line(i.title)), "")
        asked = [i.question.strip() for i in items if i.question.strip()]
        objective: Json = {"id": f"{cid}_obj", "name": "assessment-objective"}
        if asked:
            objective["parts"] = [
                {"id": f"{cid}_obj.{n}", "name": "assessment-objective", "prose": q} for n, q in enumerate(asked, 1)
            ]
        else:
            objective["prose"] = "The organisation's own requirement; no question is recorded for it."
        out.append(
            {
                "control-id": cid,
                "description": titled or "A requirement of the organisation's own checklist.",
                "parts": [objective],
            }
        )
    return out
