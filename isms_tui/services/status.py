"""The ISMS health summary behind `isms status` and the dashboard's headline."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, and_, col, func, select

from isms_tui.models import Action, ActionStatus, Audit, AuditStatus, Finding, Grading, Status

from . import periods
from .action_register import actions_summary
from .attention import figures
from .monitoring import Overview
from .pack_data import packs_summary
from .review_records import list_reviews
from .review_views import reviews_summary
from .schedule import schedule
from .workspace import get_workspace


def summary(session: Session, today: date, ov: Overview | None = None) -> dict[str, Any]:
    """A JSON-ready summary; keys are stable because scripts rely on them."""
    fig = figures(session, today, ov)
    ov = fig.overview
    ws = get_workspace(session)
    return {
        "organisation": ws.org_name if ws else None,
        "scope": ws.scope if ws else None,
        "today": today.isoformat(),
        "kpis": {
            "total": ov.total,
            "by_status": {s.value: ov.counts[s] for s in Status},
        },
        "readings_due": fig.readings_due,
        "readings_overdue": fig.readings_overdue,
        "analyses_due": [a.as_json() for a in fig.analyses_due],
        "isms_evaluation": fig.evaluation.as_json() if fig.evaluation else None,
        "attention": [
            {
                "kpi": r.kpi.code,
                "name": r.kpi.name,
                "status": r.state.status.value,
                "last_period": r.last_label,
                "last_value": r.state.last_value,
                "overdue_periods": [periods.period_label(p, r.kpi.frequency) for p in r.state.overdue_periods],
            }
            for r in ov.rows
            if r.state.status in (Status.OFF_TARGET, Status.OVERDUE, Status.WARNING)
        ],
        "actions": actions_summary(session, today),
        "audits": {**audits_summary(session), "list": audit_list(session)},
        "next_audit": next_audit(session, today),
        "reviews": {**reviews_summary(session), "list": review_list(session)},
        "schedule": schedule(session, today),
        "packs": packs_summary(session),
    }


def audits_summary(session: Session) -> dict[str, int]:
    """Audits by status and the nonconformities whose corrective action is not closed yet."""
    by_status = dict(session.exec(select(Audit.status, func.count()).group_by(Audit.status)).all())
    open_ncs = session.exec(
        select(func.count(col(Finding.id)))
        .outerjoin(Action, and_(Action.source == "finding", Action.source_id == Finding.id))
        .where(col(Finding.grading).in_((Grading.MAJOR_NC, Grading.MINOR_NC)))
        .where((col(Action.id).is_(None)) | (Action.status != ActionStatus.CLOSED))
    ).one()
    return {
        **{s.name.lower(): by_status.get(s, 0) for s in AuditStatus},
        "open_nonconformities": open_ncs,
    }


def audit_list(session: Session) -> list[dict[str, Any]]:
    """Every audit with the number `isms pack --audit` and `isms audit reported` take."""
    rows = session.exec(select(Audit).order_by(col(Audit.planned_start), col(Audit.id))).all()
    return [
        {
            "id": a.id,
            "title": a.title,
            "status": a.status.value,
            "planned_start": a.planned_start.isoformat(),
            "planned_end": a.planned_end.isoformat(),
        }
        for a in rows
    ]


def review_list(session: Session) -> list[dict[str, Any]]:
    """Every management review with the number `isms pack --review` takes."""
    return [
        {
            "id": r.id,
            "title": r.title,
            "status": r.status.value,
            "planned_on": r.planned_on.isoformat(),
            "held_on": r.held_on.isoformat() if r.held_on else None,
        }
        for r in list_reviews(session)
    ]


def next_audit(session: Session, today: date) -> dict[str, Any] | None:
    """The audit running now, else the earliest planned one ("late" once its start has passed)."""
    running = session.exec(
        select(Audit).where(Audit.status == AuditStatus.IN_PROGRESS).order_by(col(Audit.planned_start), col(Audit.id))
    ).first()
    if running is not None:
        started = running.actual_start or running.planned_start
        return {"id": running.id, "title": running.title, "state": "in progress", "on": started.isoformat()}
    planned = session.exec(
        select(Audit).where(Audit.status == AuditStatus.PLANNED).order_by(col(Audit.planned_start), col(Audit.id))
    ).first()
    if planned is None:
        return None
    state = "late" if planned.planned_start < today else "planned"
    return {"id": planned.id, "title": planned.title, "state": state, "on": planned.planned_start.isoformat()}


def render_text(data: dict[str, Any]) -> str:
    """The human form of `summary`."""
    k = data["kpis"]
    lines = [
        f"{data['organisation'] or 'Unnamed workspace'} — ISMS status on {data['today']}",
        f"KPIs: {k['total']} active; " + ", ".join(f"{n} {s}" for s, n in k["by_status"].items() if n),
        f"Readings due: {data['readings_due']} (overdue: {data['readings_overdue']})",
    ]
    due = data["analyses_due"]
    lines.append(f"Analyses due: {len(due)}")
    for a in due:
        lines.append(f"  {a['kpi']:<10} since {a['since']}  {a['reason']}")
    ev = data.get("isms_evaluation")
    if ev:
        last = f"last made {ev['last_evaluated_on']}" if ev["last_evaluated_on"] else "none made yet"
        state = f"due since {ev['due_on']}" if ev["due"] else f"next due {ev['due_on']}"
        lines.append(f"ISMS evaluation ({ev['frequency']}): {last}; {ev['next_period']} {state}")
    if data["attention"]:
        lines.append("Needs attention:")
        for a in data["attention"]:
            value = "—" if a["last_value"] is None else f"{a['last_value']:g}"
            lines.append(f"  {a['kpi']:<10} {a['status']:<10} last {a['last_period']} = {value}  {a['name']}")
    au, ac = data["audits"], data["actions"]
    lines.append(
        f"Audits: {au['planned']} planned, {au['in_progress']} in progress, {au['completed']} completed, "
        f"{au['reported']} reported; open nonconformities: {au['open_nonconformities']}"
    )
    if data.get("next_audit"):
        na = data["next_audit"]
        since = "since" if na["state"] == "in progress" else "from"
        lines.append(f"  {na['state']}: #{na['id']} {na['title']} ({since} {na['on']})")
    lines.append(f"Actions: {ac['open']} open (overdue: {ac['overdue']})")
    for a in ac["overdue_list"]:
        lines.append(f"  #{a['id']:<5} due {a['due']}  {a['owner'] or 'no owner':<20} {a['title']}")
    rv = data["reviews"]
    last = (
        f"last held {rv['last']['held_on']} (#{rv['last']['id']} {rv['last']['title']}, {rv['last']['status']})"
        if rv["last"]
        else "none held yet"
    )
    nxt = (
        f"next planned {rv['next']['planned_on']} (#{rv['next']['id']} {rv['next']['title']})"
        if rv["next"]
        else "none planned"
    )
    lines.append(f"Management review: {last}; {nxt}; open review actions: {rv['open_actions']}")
    sc = data.get("schedule")
    if sc:
        lines.append(
            f"Intervals: a management review at least every {sc['review']['interval_months']} months "
            f"(next due by {sc['review']['due_by'] or 'now'}), an internal audit at least every "
            f"{sc['audit']['interval_months']} months (next due by {sc['audit']['due_by'] or 'now'})"
        )
        for warning in sc["warnings"]:
            lines.append(f"  Warning: {warning}")
    pk = data.get("packs")
    if pk:
        lines.append(
            f"Evidence packs issued: {pk['count']}"
            + (f"; last {pk['last']['file']} on {pk['last']['issued_at'][:10]}" if pk["last"] else "")
        )
    return "\n".join(lines)
