"""An internal audit as an OSCAL assessment-results document (one result per audit).

Where each record goes (docs/oscal.md has the whole mapping): the audit's requirements are the
reviewed controls; every answered working-paper line is an observation (its methods, its
result, the files on it as relevant evidence); every finding is a finding whose target is the
requirement, satisfied or not; the risk register entries whose controls the audit touched are
risks, linked from the findings on those controls.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from isms_tui.models import Action, ActionStatus, AuditItem, AuditMethod, AuditResult, Evidence, Finding, Grading, Risk

from ..audits import NC_RESULTS
from ..risks import band, level, residual_level
from .audit_data import AuditData, load, local_objectives, plan_file_name, reviewed_controls, title_of
from .common import NS, Json, control_id, iso, metadata, one_line, prop, texts

METHODS = {
    AuditMethod.INTERVIEW: "INTERVIEW",
    AuditMethod.OBSERVATION: "EXAMINE",
    AuditMethod.DOCUMENT_REVIEW: "EXAMINE",
    AuditMethod.REPERFORMANCE: "TEST",
}
GRADING_TOKENS = {
    Grading.MAJOR_NC: "major-nonconformity",
    Grading.MINOR_NC: "minor-nonconformity",
    Grading.OBSERVATION: "observation",
    Grading.OFI: "opportunity-for-improvement",
}
GRADING_TITLES = {
    Grading.MAJOR_NC: "Major nonconformity",
    Grading.MINOR_NC: "Minor nonconformity",
    Grading.OBSERVATION: "Observation",
    Grading.OFI: "Opportunity for improvement",
}
RESULT_TOKENS = {
    AuditResult.CONFORMING: "conforming",
    AuditResult.MAJOR_NC: "major-nonconformity",
    AuditResult.MINOR_NC: "minor-nonconformity",
    AuditResult.OBSERVATION: "observation",
    AuditResult.OFI: "opportunity-for-improvement",
    AuditResult.NOT_APPLICABLE: "not-applicable",
}
# The risk register's statuses in OSCAL's risk-status values.
RISK_STATUS = {
    "open": "open",
    "in treatment": "remediating",
    "treated": "closed",
    "accepted": "deviation-approved",
    "closed": "closed",
}


def assessment_results(session: Session, audit_id: int) -> Json:
    """The OSCAL assessment-results document of one audit, as a JSON-shaped dict (unwrapped)."""
    data = load(session, audit_id)
    ctx, audit = data.ctx, data.audit
    evidence_uuid = {ev.id: ctx.ids.of("evidence", ev.id) for files in data.evidence.values() for ev in files}
    observations, item_obs = _observations(data, evidence_uuid)
    extra, finding_obs = _finding_observations(data, item_obs)
    observations += extra
    risks = [_risk(data, r, observations) for r in data.risks]
    result: Json = {
        "uuid": ctx.ids.of("result", audit.id),
        "title": one_line(audit.title) or f"Audit {audit.id}",
        "description": audit.summary.strip() or f"Internal audit {audit.id} ({audit.status.value}).",
        "start": iso(ctx.at_start(audit.actual_start or audit.planned_start)),
        "props": [
            prop("audit-id", audit.id),
            prop("audit-status", audit.status.value),
            prop("criteria", audit.criteria or "-"),
        ],
        "reviewed-controls": reviewed_controls(data, "The requirements in the audit's scope and on its working paper."),
    }
    if audit.actual_end is not None:
        result["end"] = iso(ctx.at_end(audit.actual_end))
    if audit.reported_on is not None:
        result["props"].append(prop("reported-on", audit.reported_on))
    if audit.reported_how.strip():
        result["props"].append(prop("reported-how", audit.reported_how))
    if audit.independence_declaration.strip():
        result["props"].append(prop("independence-declaration", audit.independence_declaration))
    if observations:
        result["observations"] = observations
    if risks:
        result["risks"] = risks
    findings = [_finding(data, f, finding_obs[f.id]) for f in data.findings if f.id is not None]
    if findings:
        result["findings"] = findings
    if audit.conclusion.strip():
        result["remarks"] = audit.conclusion.strip()
    doc: Json = {
        "uuid": ctx.ids.of("assessment-results", audit.id),
        "metadata": metadata(ctx, f"Internal audit results: {audit.title}", data.parties()),
        "import-ap": {"href": plan_file_name(audit.id or 0)},
        "results": [result],
    }
    objectives = local_objectives(data)
    if objectives:
        doc["local-definitions"] = {"objectives-and-methods": objectives}
    resources = _evidence_resources(data, evidence_uuid)
    if resources:
        doc["back-matter"] = {"resources": resources}
    return doc


def _methods(item: AuditItem) -> list[str]:
    found = sorted({METHODS[AuditMethod(m)] for m in texts(item.methods) if m in METHODS})
    return found or ["UNKNOWN"]


def _collected(data: AuditData, when: datetime | None) -> str:
    if when is None:
        return iso(data.ctx.at_start(data.audit.actual_start or data.audit.planned_start))
    return iso(when if when.tzinfo else when.replace(tzinfo=UTC))


def _observations(data: AuditData, evidence_uuid: dict[int | None, str]) -> tuple[list[Json], dict[int, str]]:
    """One observation per answered line ('not audited' and unanswered lines are left out)."""
    out: list[Json] = []
    by_item: dict[int, str] = {}
    lead = data.audit.lead_auditor_id
    for item in data.items:
        if item.id is None or item.result is None or item.result == AuditResult.NOT_AUDITED:
            continue
        result = AuditResult(item.result)
        uid = data.ctx.ids.of("observation", item.id)
        by_item[item.id] = uid
        lines = [f"Question: {item.question.strip()}"]
        if item.notes.strip():
            lines.append(f"Seen: {item.notes.strip()}")
        if item.sample_population.strip() or item.sample_items.strip():
            size = f"{item.sample_size} of " if item.sample_size is not None else ""
            lines.append(
                f"Sample: {size}{item.sample_population.strip() or 'items'} {item.sample_items.strip()}".strip()
            )
        obs: Json = {
            "uuid": uid,
            "title": title_of(item.ref, item.title),
            "description": "\n".join(lines),
            "props": [
                prop("result", RESULT_TOKENS[result]),
                prop("requirement", item.ref),
                prop("line", item.position),
            ],
            "methods": _methods(item),
            "types": ["control-objective"] + (["finding"] if result in NC_RESULTS else []),
            "collected": _collected(data, item.recorded_at),
        }
        assessor = item.assessed_by_id if item.assessed_by_id is not None else lead
        if assessor is not None and assessor in data.ctx.people:
            obs["origins"] = [
                {"actors": [{"type": "party", "actor-uuid": data.ctx.person_uuid(assessor), "role-id": "assessor"}]}
            ]
        files = data.evidence.get(item.id, [])
        if files:
            obs["relevant-evidence"] = [_relevant(ev, evidence_uuid[ev.id]) for ev in files]
        out.append(obs)
    return out, by_item


def _finding_observations(data: AuditData, item_obs: dict[int, str]) -> tuple[list[Json], dict[int | None, str]]:
    """The observation behind each finding: its line's, else one of its own from what the
    finding records as seen (a finding raised on the audit as a whole)."""
    extra: list[Json] = []
    out: dict[int | None, str] = {}
    for f in data.findings:
        if f.item_id is not None and f.item_id in item_obs:
            out[f.id] = item_obs[f.item_id]
            continue
        uid = data.ctx.ids.of("finding-observation", f.id)
        out[f.id] = uid
        extra.append(
            {
                "uuid": uid,
                "title": title_of(f.ref, _own_title(data, f)),
                "description": f.evidence.strip() or f.statement.strip(),
                "props": [prop("requirement", f.ref)],
                "methods": ["UNKNOWN"],
                "types": ["finding"],
                "collected": iso(data.ctx.at_start(f.raised_on)),
            }
        )
    return extra, out


def _relevant(ev: Evidence, resource_uuid: str) -> Json:
    return {
        "href": f"#{resource_uuid}",
        "description": one_line(f"{ev.original_name} (SHA-256 {ev.sha256})"),
        "props": [prop("sha256", ev.sha256)],
    }


def _evidence_resources(data: AuditData, evidence_uuid: dict[int | None, str]) -> list[Json]:
    seen: dict[int | None, Evidence] = {}
    for files in data.evidence.values():
        for ev in files:
            seen.setdefault(ev.id, ev)
    return [
        {
            "uuid": evidence_uuid[ev.id],
            "title": one_line(ev.original_name) or ev.sha256,
            "description": f"An evidence file in the workspace's store, {ev.size} bytes, "
            f"added by {ev.added_by or 'unknown'}.",
            "props": [prop("sha256", ev.sha256), prop("media-type", _media_type(ev))],
            "rlinks": [
                {
                    "href": f"evidence/{ev.sha256[:2]}/{ev.sha256}",
                    "media-type": _media_type(ev),
                    "hashes": [{"algorithm": "SHA-256", "value": ev.sha256}],
                }
            ],
        }
        for ev in sorted(seen.values(), key=lambda e: (e.original_name, e.id or 0))
    ]


def _media_type(ev: Evidence) -> str:
    return one_line(ev.media_type) or "application/octet-stream"


def _finding(data: AuditData, f: Finding, observation: str) -> Json:
    grading = Grading(f.grading)
    nc = grading in (Grading.MAJOR_NC, Grading.MINOR_NC)
    cid = control_id(f.ref)
    out: Json = {
        "uuid": data.ctx.ids.of("finding", f.id),
        "title": one_line(f"{GRADING_TITLES[grading]} on {f.ref}"),
        "description": f.statement.strip() or "-",
        "props": [prop("grading", GRADING_TOKENS[grading]), prop("finding-id", f.id), prop("raised-on", f.raised_on)],
        "target": {
            "type": "objective-id",
            "target-id": f"{cid}_obj",
            "title": title_of(f.ref, _own_title(data, f)),
            "status": {"state": "not-satisfied" if nc else "satisfied"},
        },
        "related-observations": [{"observation-uuid": observation}],
    }
    if data.audit.lead_auditor_id in data.ctx.people:
        assert data.audit.lead_auditor_id is not None
        lead = data.ctx.person_uuid(data.audit.lead_auditor_id)
        out["origins"] = [{"actors": [{"type": "party", "actor-uuid": lead, "role-id": "assessment-lead"}]}]
    related = [data.ctx.ids.of("risk", r.id) for r in data.risks if f.ref in texts(r.controls)]
    if related:
        out["related-risks"] = [{"risk-uuid": uid} for uid in related]
    action = data.actions.get(f.id or -1)
    if action is not None:
        out["props"] += [prop("corrective-action-id", action.id), prop("corrective-action-status", action.status.value)]
    if f.evidence.strip():
        out["remarks"] = f.evidence.strip()
    return out


def _risk(data: AuditData, r: Risk, observations: list[Json]) -> Json:
    ctx = data.ctx
    value = level(r.likelihood, r.impact)
    statement = (
        f"Likelihood {r.likelihood} × impact {r.impact} = level {value} ({band(value)}); treatment: {r.treatment}."
    )
    residual = residual_level(r)
    props = [prop("risk-ref", r.ref), prop("level", value), prop("treatment", r.treatment)]
    if residual is not None:
        props.append(prop("residual-level", residual))
    props += [prop("control", control_id(c)) for c in texts(r.controls)]
    owner = ctx.person_uuid(r.owner_id) if r.owner_id in ctx.people and r.owner_id is not None else ctx.org_uuid
    role = "risk-owner" if owner != ctx.org_uuid else "organisation"
    out: Json = {
        "uuid": ctx.ids.of("risk", r.id),
        "title": one_line(f"{r.ref} {r.title}") or f"Risk {r.id}",
        "description": r.description.strip() or r.title.strip() or r.ref,
        "statement": statement,
        "props": props,
        "status": RISK_STATUS.get(r.status, "open"),
        "characterizations": [
            {
                "origin": {"actors": [{"type": "party", "actor-uuid": owner, "role-id": role}]},
                "facets": [
                    {"name": "likelihood", "system": NS, "value": str(r.likelihood)},
                    {"name": "impact", "system": NS, "value": str(r.impact)},
                    {"name": "risk", "system": NS, "value": str(value)},
                ],
            }
        ],
    }
    if r.due_date is not None:
        out["deadline"] = iso(ctx.at_end(r.due_date))
    remediations = [_remediation(data, a) for a in data.treatments.get(r.id or -1, [])]
    if remediations:
        out["remediations"] = remediations
    controls = set(texts(r.controls))
    related = [o["uuid"] for o in observations if _requirement(o) in controls]
    if related:
        out["related-observations"] = [{"observation-uuid": uid} for uid in related]
    return out


def _remediation(data: AuditData, action: Action) -> Json:
    """A risk's treatment action as a planned (or, once implemented or closed, completed) response."""
    done = action.status in (ActionStatus.IMPLEMENTED, ActionStatus.CLOSED)
    props = [prop("action-id", action.id), prop("action-status", action.status.value)]
    if action.due_date is not None:
        props.append(prop("due", action.due_date))
    return {
        "uuid": data.ctx.ids.of("risk-treatment", action.id),
        "lifecycle": "completed" if done else "planned",
        "title": one_line(action.title) or f"Action {action.id}",
        "description": action.corrective_action.strip() or action.description.strip() or action.title.strip(),
        "props": props,
    }


def _own_title(data: AuditData, f: Finding) -> str:
    """The title a line of the audit gives the finding's requirement (for the organisation's own refs)."""
    return next((i.title for i in data.items if i.id == f.item_id or i.ref == f.ref), "")


def _requirement(observation: Json) -> str:
    return next((p["value"] for p in observation.get("props", []) if p["name"] == "requirement"), "")
