"""An internal audit's plan as an OSCAL assessment-plan document.

The objectives, scope, criteria and methods are the terms and conditions; the requirements in
scope are the reviewed controls; the audit areas in scope are the assessment subjects
(components of the ISMS, defined locally since there is no OSCAL system security plan); the
planned dates are the schedule (tasks). The ISMS scope statement stands where OSCAL expects an
SSP: `import-ssp` points to it in the back matter.
"""

from __future__ import annotations

from sqlmodel import Session

from .audit_data import AuditData, load, local_objectives, reviewed_controls
from .common import NS, Json, iso, metadata, one_line, prop, texts


def assessment_plan(session: Session, audit_id: int) -> Json:
    """The OSCAL assessment-plan document of one audit, as a JSON-shaped dict (unwrapped)."""
    data = load(session, audit_id)
    ctx, audit = data.ctx, data.audit
    scope_uuid = ctx.ids.of("isms-scope")
    parties = data.parties()
    parties.pop("assessor")  # who assesses which line is decided during the audit
    parties.pop("risk-owner")
    parties.pop("report-recipient")
    components = _components(data)
    doc: Json = {
        "uuid": ctx.ids.of("assessment-plan", audit.id),
        "metadata": metadata(ctx, f"Internal audit plan: {audit.title}", parties),
        "import-ssp": {
            "href": f"#{scope_uuid}",
            "remarks": "The ISMS's scope statement (in the back matter) stands for the system assessed.",
        },
        "terms-and-conditions": {"parts": _terms(data)},
        "reviewed-controls": reviewed_controls(data, "The requirements in the audit's scope."),
        "tasks": _tasks(data),
        "back-matter": {
            "resources": [
                {
                    "uuid": scope_uuid,
                    "title": f"ISMS scope of {ctx.org_name}",
                    "description": ctx.scope or "No scope statement is recorded.",
                }
            ]
        },
    }
    local: Json = {}
    if components:
        local["components"] = components
        doc["assessment-subjects"] = [
            {
                "type": "component",
                "description": "The audit areas in scope.",
                "include-subjects": [{"subject-uuid": c["uuid"], "type": "component"} for c in components],
            }
        ]
    objectives = local_objectives(data)
    if objectives:
        local["objectives-and-methods"] = objectives
    if local:
        doc["local-definitions"] = local
    return doc


def _terms(data: AuditData) -> list[Json]:
    audit, programme = data.audit, data.programme
    parts: list[tuple[str, str, str]] = []
    if programme is not None and programme.objectives.strip():
        parts.append(("objectives", "Objectives of the audit programme", programme.objectives.strip()))
    areas = ", ".join(texts(audit.scope_areas))
    scope = f"Audit areas: {areas}." if areas else "The requirements listed as reviewed controls."
    parts.append(("scope", "Scope", scope))
    parts.append(("criteria", "Criteria", audit.criteria.strip() or "ISO/IEC 27001:2022"))
    if audit.methods.strip():
        parts.append(("methods", "Methods", audit.methods.strip()))
    if audit.auditees.strip():
        parts.append(("auditees", "Auditees", audit.auditees.strip()))
    return [{"name": name, "ns": NS, "title": title, "prose": prose} for name, title, prose in parts]


def _components(data: AuditData) -> list[Json]:
    """One component per audit area in scope (areas named in the audit but since renamed or
    removed are kept by their name)."""
    recorded = {a.name: a for a in data.areas}
    out: list[Json] = []
    for name in sorted(set(texts(data.audit.scope_areas))):
        area = recorded.get(name)
        description = (area.notes.strip() if area else "") or f"The {name} area of the ISMS."
        component: Json = {
            "uuid": data.ctx.ids.of("audit-area", area.id if area else name),
            "type": "process-procedure",
            "title": one_line(name) or "Unnamed area",
            "description": description,
            "status": {"state": "operational"},
        }
        if area is not None:
            component["props"] = [prop("importance", area.importance)]
        out.append(component)
    return out


def _tasks(data: AuditData) -> list[Json]:
    ctx, audit = data.ctx, data.audit
    fieldwork: Json = {
        "uuid": ctx.ids.of("task-fieldwork", audit.id),
        "type": "action",
        "title": "Audit fieldwork",
        "description": audit.methods.strip() or "Interviews, observation, document review and re-performance.",
        "timing": {
            "within-date-range": {
                "start": iso(ctx.at_start(audit.planned_start)),
                "end": iso(ctx.at_end(max(audit.planned_end, audit.planned_start))),
            }
        },
    }
    report: Json = {
        "uuid": ctx.ids.of("task-report", audit.id),
        "type": "milestone",
        "title": "Audit report",
        "description": "The audit's results are reported to the relevant management (9.2.2 c).",
        "timing": {"on-date": {"date": iso(ctx.at_end(max(audit.planned_end, audit.planned_start)))}},
    }
    lead = audit.lead_auditor_id
    if lead is not None and lead in ctx.people:
        roles = [{"role-id": "assessment-lead", "party-uuids": [ctx.person_uuid(lead)]}]
        fieldwork["responsible-roles"] = roles
        report["responsible-roles"] = roles
    return [fieldwork, report]
