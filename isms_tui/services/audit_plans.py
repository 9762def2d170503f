"""Changing the plan of an audit that has not started (9.2.2: criteria, scope, auditors).

The usual reason is impartiality: the lead auditor turns out to be responsible for an area in
scope, and another auditor is chosen instead of recording an independence declaration. The
working paper (checklist and requirements) is fixed once planned; plan a new audit to change it.
"""

from __future__ import annotations

from sqlmodel import Session, select

from isms_tui.models import Audit, AuditArea, AuditItem, AuditStatus

from .audits import AuditInput, get_audit, plan_problems
from .errors import InputError


def update_plan(session: Session, audit_id: int, data: AuditInput) -> Audit:
    """Save the editable parts of a planned audit's plan (everything but the working paper).

    A new lead auditor, team or set of areas invalidates an independence declaration: it
    justified the conflicts of the people named before, so it is cleared and must be redone.
    """
    audit = get_audit(session, audit_id)
    if audit.status != AuditStatus.PLANNED:
        raise InputError(f"The audit is {audit.status.value}; only a planned audit's plan can change.")
    errors = plan_problems(session, data)
    if errors:
        raise InputError(f"The plan cannot be saved: {next(iter(errors.values()))}", errors)
    team = sorted(set(data.team_ids) - {data.lead_auditor_id})
    areas = sorted({a.strip() for a in data.scope_areas if a.strip()})
    if (data.lead_auditor_id, team, areas) != (
        audit.lead_auditor_id,
        sorted(audit.team_ids),
        sorted(audit.scope_areas),
    ):
        audit.independence_declaration, audit.declared_by, audit.declared_at = "", "", None
    audit.title = data.title.strip()
    assert data.planned_start is not None and data.planned_end is not None  # plan_problems requires both
    audit.planned_start, audit.planned_end = data.planned_start, data.planned_end
    audit.criteria, audit.methods = data.criteria.strip(), data.methods.strip()
    audit.lead_auditor_id, audit.team_ids, audit.scope_areas = data.lead_auditor_id, team, areas
    audit.auditees = data.auditees.strip()
    session.add(audit)
    for item in session.exec(select(AuditItem).where(AuditItem.audit_id == audit_id)):
        if item.assessed_by_id is not None and item.assessed_by_id not in team:
            item.assessed_by_id = None  # left the team: the line goes back to the lead auditor
            session.add(item)
    session.flush()
    return audit


def area_names(session: Session) -> list[str]:
    """The names of the audit areas, alphabetical: the plan form lists them as the known areas."""
    return [area.name for area in session.exec(select(AuditArea).order_by(AuditArea.name))]


def area_ids(session: Session) -> dict[str, int]:
    """Area name -> id, for forms that link people to areas."""
    return {area.name: area.id for area in session.exec(select(AuditArea)) if area.id is not None}
