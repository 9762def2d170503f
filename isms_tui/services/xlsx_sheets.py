"""The audit and action sheets of `isms export xlsx` (see `xlsx_export`): audits, their
working-paper lines, findings, the action register, risks and the statement of applicability."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from isms_tui.models import Action, Audit, AuditItem, Finding, Risk, SoaEntry

from . import risks, soa
from .action_register import register
from .workbook import Column, Sheet, Value


def audits(session: Session, people: dict[int | None, str]) -> Sheet:
    columns = [
        Column("#", 6),
        Column("Title", 36),
        Column("Status", 12),
        Column("Planned start", 12),
        Column("Planned end", 12),
        Column("Actual start", 12),
        Column("Actual end", 12),
        Column("Lead auditor", 18),
        Column("Team", 24),
        Column("Auditees", 24),
        Column("Scope", 30),
        Column("Areas", 24),
        Column("Criteria", 30),
        Column("Methods", 24),
        Column("Summary", 40),
        Column("Conclusion", 40),
        Column("Reported on", 12),
        Column("Reported how", 24),
        Column("Independence declaration", 30),
    ]
    audits = session.scalars(select(Audit).order_by(col(Audit.planned_start), col(Audit.id)))
    rows = (
        (
            a.id,
            a.title,
            a.status.value,
            a.planned_start,
            a.planned_end,
            a.actual_start,
            a.actual_end,
            people.get(a.lead_auditor_id, ""),
            ", ".join(people.get(i, "") for i in a.team_ids),
            a.auditees,
            ", ".join(a.scope_refs),
            ", ".join(a.scope_areas),
            a.criteria,
            a.methods,
            a.summary,
            a.conclusion,
            a.reported_on,
            a.reported_how,
            a.independence_declaration,
        )
        for a in list(audits)
    )
    return Sheet("Audits", columns, rows)


def audit_lines(session: Session, people: dict[int | None, str]) -> Sheet:
    columns = [
        Column("Audit #", 8),
        Column("Line", 6),
        Column("Ref", 10),
        Column("Title", 30),
        Column("Question", 50),
        Column("Result", 14),
        Column("Notes", 50),
        Column("Methods", 20),
        Column("Sample population", 20),
        Column("Sample size", 8),
        Column("Sample items", 24),
        Column("Assessed by", 18),
        Column("Recorded at (UTC)", 19),
    ]
    query = select(AuditItem).order_by(col(AuditItem.audit_id), col(AuditItem.position), col(AuditItem.id))

    def rows() -> Iterator[Sequence[Value]]:
        for i in session.scalars(query):
            yield (
                i.audit_id,
                i.position,
                i.ref,
                i.title,
                i.question,
                i.result.value if i.result else "",
                i.notes,
                ", ".join(str(m) for m in i.methods),
                i.sample_population,
                i.sample_size,
                i.sample_items,
                people.get(i.assessed_by_id, ""),
                i.recorded_at,
            )

    return Sheet("Audit lines", columns, rows())


def findings(session: Session) -> Sheet:
    columns = [
        Column("#", 6),
        Column("Audit #", 8),
        Column("Audit", 30),
        Column("Ref", 10),
        Column("Grading", 14),
        Column("Statement", 60),
        Column("Evidence", 40),
        Column("Raised on", 12),
        Column("Action #", 8),
        Column("Action status", 12),
    ]
    titles = dict(session.execute(select(col(Audit.id), col(Audit.title))).all())
    actions = {
        source_id: (action_id, status)
        for action_id, source_id, status in session.execute(
            select(col(Action.id), col(Action.source_id), col(Action.status))
            .where(col(Action.source) == "finding")
            .order_by(col(Action.id))
        )
    }
    found = session.scalars(select(Finding).order_by(col(Finding.audit_id), col(Finding.id)))
    rows = []
    for f in found:
        action_id, status = actions.get(f.id, (None, None))
        rows.append(
            (
                f.id,
                f.audit_id,
                titles.get(f.audit_id, ""),
                f.ref,
                f.grading.value,
                f.statement,
                f.evidence,
                f.raised_on,
                action_id,
                status.value if status else "",
            )
        )
    return Sheet("Findings", columns, rows)


def actions(session: Session, today: date) -> Sheet:
    columns = [
        Column("#", 6),
        Column("Title", 36),
        Column("Source", 24),
        Column("Nonconformity", 8),
        Column("Description", 40),
        Column("Detected on", 12),
        Column("Correction", 30),
        Column("Extent", 30),
        Column("Root cause", 30),
        Column("Corrective action", 30),
        Column("ISMS change", 24),
        Column("Owner", 18),
        Column("Due", 12),
        Column("Status", 12),
        Column("Overdue", 8),
        Column("Implemented on", 12),
        Column("Effectiveness", 12),
        Column("Checked on", 12),
        Column("Checked by", 18),
        Column("Effectiveness notes", 30),
        Column("Closed on", 12),
    ]
    rows = []
    for r in register(session, today):
        a = r.action
        rows.append(
            (
                a.id,
                a.title,
                r.source_label,
                a.nonconformity,
                a.description,
                a.detected_on,
                a.correction,
                a.extent,
                a.root_cause,
                a.corrective_action,
                a.isms_change,
                r.owner,
                a.due_date,
                a.status.value,
                r.overdue,
                a.implemented_on,
                a.effectiveness.value if a.effectiveness else "",
                a.effectiveness_on,
                r.checked_by,
                a.effectiveness_notes,
                a.closed_on,
            )
        )
    rows.sort(key=lambda row: int(row[0] or 0))
    return Sheet("Actions", columns, rows)


def risk_register(session: Session, people: dict[int | None, str]) -> Sheet | None:
    found = list(session.scalars(select(Risk).order_by(col(Risk.ref))))
    if not found:
        return None
    limit = risks.appetite(session)
    columns = [
        Column("Ref", 10),
        Column("Title", 36),
        Column("Owner", 18),
        Column("Likelihood", 8),
        Column("Impact", 8),
        Column("Level", 8),
        Column("Residual likelihood", 8),
        Column("Residual impact", 8),
        Column("Residual level", 8),
        Column("Above appetite", 8),
        Column("Treatment", 10),
        Column("Status", 10),
        Column("Treatment due", 12),
        Column("Next review", 12),
        Column("Controls", 24),
        Column("KPIs", 16),
        Column("Description", 40),
    ]
    rows = [
        (
            r.ref,
            r.title,
            people.get(r.owner_id, ""),
            r.likelihood,
            r.impact,
            risks.risk_level(r),
            r.residual_likelihood,
            r.residual_impact,
            risks.residual_level(r),
            risks.above_appetite(r, limit),
            r.treatment,
            r.status,
            r.due_date,
            r.next_review,
            ", ".join(r.controls),
            ", ".join(r.kpis),
            r.description,
        )
        for r in found
    ]
    return Sheet("Risks", columns, rows)


def statement(session: Session) -> Sheet | None:
    if session.scalars(select(col(SoaEntry.id)).limit(1)).first() is None:
        return None
    columns = [
        Column("Control", 10),
        Column("Title", 40),
        Column("Theme", 14),
        Column("Applicable", 16),
        Column("Justification", 40),
        Column("Implementation", 20),
        Column("Notes", 40),
    ]
    rows = [(r.ref, r.title, r.theme, r.decision, r.justification, r.status, r.notes) for r in soa.statement(session)]
    return Sheet("Statement of applicability", columns, rows)
