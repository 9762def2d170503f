"""Management review inputs (9.3.2): the data-driven sections a, d1–d4, f and g, assembled from
the workspace for the review's period as JSON-ready values.

Kept apart from the review's lifecycle (review.py) because each input is a read model over a
different area (actions, nonconformities, readings, audits, objectives); approval freezes
what these functions return.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from isms_tui.models import (
    Action,
    Analysis,
    Audit,
    AuditItem,
    AuditStatus,
    Finding,
    Frequency,
    Grading,
    Kpi,
    ManagementReview,
    Person,
    Reading,
    ReviewDecision,
    Status,
    require_id,
)

from . import actions, clock, isms_evaluation, objective_fulfilment, periods
from .evaluation import evaluate_value, trend
from .review_records import frozen_record, list_reviews
from .review_risks import risk_input
from .targets import all_targets, targets_of

NC = (Grading.MAJOR_NC, Grading.MINOR_NC)


def assemble(session: Session, review: ManagementReview) -> dict[str, Any]:
    """The data-driven inputs (a, d1–d4, f, g) for the review's period, as JSON-ready values."""
    today = min(clock.today(), review.period_to)
    return {
        "a": previous_actions(session, review),
        "d1": nonconformities(session, review.period_from, review.period_to),
        "d2": monitoring_results(session, review.period_from, review.period_to, today),
        "d3": audit_results(session, review.period_from, review.period_to),
        "d4": objectives_status(session, review.period_from, review.period_to),
        "f": risk_input(session, review.period_from, review.period_to, today),
        "g": improvement_opportunities(session, review.period_from, review.period_to),
    }


def people_by_id(session: Session) -> dict[int | None, str]:
    """Names by id, looked up with optional person references (an unset one finds nothing)."""
    return {p.id: p.name for p in session.exec(select(Person))}


def action_dict(a: Action, people: dict[int | None, str]) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "owner": people.get(a.owner_id, ""),
        "due": a.due_date.isoformat() if a.due_date else None,
        "status": a.status.value,
        "overdue": actions.is_overdue(a, clock.today()),
    }


def _quarters(start: date, end: date) -> list[date]:
    out, q = [], periods.period_start(start, Frequency.QUARTERLY)
    while q <= end:
        out.append(q)
        q = periods.next_period(q, Frequency.QUARTERLY)
    return out


def _quarter_label(day: date) -> str:
    return periods.period_label(periods.period_start(day, Frequency.QUARTERLY), Frequency.QUARTERLY)


def previous_actions(session: Session, review: ManagementReview) -> dict[str, Any]:
    """Every action decided at an earlier review, its current status, and how many reviews
    since then have already seen it still open (carried over)."""
    earlier = [
        r
        for r in list_reviews(session)
        if r.id != review.id and (r.held_on or r.planned_on) < (review.held_on or review.planned_on)
    ]
    if not earlier:
        return {"first_review": True, "actions": [], "open": 0, "closed": 0}
    by_decision = {
        d.id: r for r in earlier for d in session.exec(select(ReviewDecision).where(ReviewDecision.review_id == r.id))
    }
    people = people_by_id(session)
    seen_open: Counter[int] = Counter()
    for r in earlier:
        frozen = frozen_record(r)
        if frozen is None:
            continue
        section_a = next(i for i in frozen["inputs"] if i["section"] == "a")
        for item in (section_a["data"] or {}).get("actions", []):
            if item["status"] != "closed":
                seen_open[item["id"]] += 1
    rows = []
    for a in session.exec(select(Action).where(Action.source == "review").order_by(col(Action.id))):
        origin = by_decision.get(a.source_id)
        if origin is None:
            continue
        row = action_dict(a, people)
        row.update(
            review=origin.title,
            review_date=(origin.held_on or origin.planned_on).isoformat(),
            carried_over=seen_open.get(require_id(a), 0),
        )
        rows.append(row)
    closed = sum(r["status"] == "closed" for r in rows)
    return {"first_review": False, "actions": rows, "open": len(rows) - closed, "closed": closed}


def nonconformities(session: Session, start: date, end: date) -> dict[str, Any]:
    """Input d1: nonconformities of every source raised in the period, per source and quarter,
    and where their corrective actions stand."""
    from .nonconformities import SOURCES, nonconformity_actions, open_on, raised_between, source_reference

    found = session.exec(select(Finding).where(Finding.raised_on >= start, Finding.raised_on <= end)).all()
    ncs = [f for f in found if f.grading in NC]
    others = raised_between(session, start, end)
    dated = [(f.raised_on, "finding") for f in ncs] + [(a.detected_on, a.source) for a in others if a.detected_on]
    acts = nonconformity_actions(session)
    quarters = _quarters(start, end)
    per_quarter = Counter((_quarter_label(day), kind) for day, kind in dated)
    closed_q = Counter(_quarter_label(a.closed_on) for a in acts if a.closed_on and start <= a.closed_on <= end)
    today = clock.today()
    still_open = open_on(session, today)
    trend = []
    for q in quarters:
        label = periods.period_label(q, Frequency.QUARTERLY)
        by_source = {name: per_quarter.get((label, kind), 0) for kind, name in SOURCES.items()}
        trend.append(
            {
                "quarter": label,
                "raised": sum(by_source.values()),
                "closed": closed_q.get(label, 0),
                "by_source": by_source,
            }
        )
    return {
        "raised": len(dated),
        "by_source": {name: sum(k == kind for _, k in dated) for kind, name in SOURCES.items()},
        "by_grading": {g.value: sum(f.grading == g for f in ncs) for g in NC},
        "trend": trend,
        "corrective_actions": {  # their status on the day the input is assembled, not at period end
            "as_of": today.isoformat(),
            "open": len(still_open),
            "overdue": sum(1 for a in still_open if a.due_date is not None and a.due_date < today),
            "closed_in_period": sum(1 for a in acts if a.closed_on and start <= a.closed_on <= end),
            "not_effective_checks": sum(
                1
                for a in acts
                if a.effectiveness
                and a.effectiveness.value == "not effective"
                and a.effectiveness_on
                and start <= a.effectiveness_on <= end
            ),
        },
        "findings": [
            {"ref": f.ref, "grading": f.grading.value, "statement": f.statement, "raised_on": f.raised_on.isoformat()}
            for f in sorted(ncs, key=lambda f: f.raised_on)
        ],
        "other_sources": [
            {
                "id": a.id,
                "source": SOURCES.get(a.source, a.source),
                "ref": source_reference(session, a),
                "description": a.description,
                "detected_on": a.detected_on.isoformat() if a.detected_on else None,
                "status": a.status.value,
            }
            for a in others
        ],
    }


def monitoring_results(session: Session, start: date, end: date, today: date) -> dict[str, Any]:
    # A KPI begun after the period ended measured nothing in it: it is not among its results.
    kpis = list(
        session.exec(
            select(Kpi).where(Kpi.active == True, Kpi.started_on <= end).order_by(Kpi.code)  # noqa: E712
        )
    )
    readings = session.exec(
        select(Reading)
        .where(Reading.period_start >= start, Reading.period_start <= end, col(Reading.voided_at).is_(None))
        .order_by(col(Reading.period_start))
    ).all()
    by_kpi: dict[int, list[Reading]] = {}
    for r in readings:
        by_kpi.setdefault(r.kpi_id, []).append(r)
    quarter_hits: dict[str, list[bool]] = {}
    histories = all_targets(session)
    rows = []
    for k in kpis:
        rs = by_kpi.get(require_id(k), [])
        history = targets_of(histories, k)
        # Each reading is judged by the target in force for its period, never by today's.
        statuses = [evaluate_value(history.at(r.period_start), r.value) for r in rs]
        in_force = history.at(rs[-1].period_start) if rs else history.at(end)
        for r, s in zip(rs, statuses, strict=True):
            quarter_hits.setdefault(_quarter_label(r.period_start), []).append(s == Status.ON_TARGET)
        rows.append(
            {
                "code": k.code,
                "name": k.name,
                "unit": k.unit,
                "readings": len(rs),
                "on_target": statuses.count(Status.ON_TARGET),
                "warning": statuses.count(Status.WARNING),
                "off_target": statuses.count(Status.OFF_TARGET),
                "last": rs[-1].value if rs else None,
                "last_status": statuses[-1].value if statuses else Status.NO_DATA.value,
                "trend": trend(in_force, [r.value for r in rs]),
                "series": [r.value for r in rs][-24:],
                "target": in_force.target,
            }
        )
    analysed = session.exec(select(Analysis).where(Analysis.analysed_on >= start, Analysis.analysed_on <= end)).all()
    return {
        "kpis": rows,
        "on_target_share_by_quarter": [
            {"quarter": q, "share": round(100 * sum(hits) / len(hits)) if hits else None}
            for q, hits in sorted(quarter_hits.items())
        ],
        "analyses_recorded": len(analysed),
        "isms_evaluations": [
            isms_evaluation.as_json(e, people_by_id(session))
            for e in isms_evaluation.evaluations_between(session, start, end)
        ],
    }


def audit_results(session: Session, start: date, end: date) -> dict[str, Any]:
    done = session.exec(select(Audit).where(col(Audit.status).in_((AuditStatus.COMPLETED, AuditStatus.REPORTED)))).all()
    in_period = [(a.actual_end, a) for a in done if a.actual_end and start <= a.actual_end <= end]
    rows = []
    for ended, a in sorted(in_period, key=lambda pair: pair[0]):
        results = Counter(
            r.value for r in session.exec(select(col(AuditItem.result)).where(AuditItem.audit_id == a.id)) if r
        )
        grading = Counter(f.grading.value for f in session.exec(select(Finding).where(Finding.audit_id == a.id)))
        rows.append(
            {
                "id": a.id,
                "title": a.title,
                "ended": ended.isoformat(),
                "status": a.status.value,
                "results": dict(sorted(results.items())),
                "findings": dict(sorted(grading.items())),
                "conclusion": a.conclusion,
            }
        )
    planned = session.exec(
        select(Audit).where(col(Audit.status).in_((AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)))
    ).all()
    return {"audits": rows, "planned_or_running": len(planned)}


def objectives_status(session: Session, start: date, end: date) -> dict[str, Any]:
    """Each objective judged over the review's period from all its KPIs' readings in it
    (`objective_fulfilment`, the rule the Clause 9 pack uses too)."""
    return objective_fulfilment.fulfilment_json(session, start, end)


def improvement_opportunities(session: Session, start: date, end: date) -> dict[str, Any]:
    ofis = session.exec(
        select(Finding).where(Finding.grading == Grading.OFI, Finding.raised_on >= start, Finding.raised_on <= end)
    ).all()
    follow_ups = session.exec(
        select(Analysis).where(Analysis.analysed_on >= start, Analysis.analysed_on <= end, Analysis.follow_up != "")
    ).all()
    codes = {k.id: k.code for k in session.exec(select(Kpi))}
    return {
        "audit_opportunities": [{"ref": f.ref, "statement": f.statement} for f in ofis],
        "analysis_follow_ups": [
            {"kpi": codes.get(a.kpi_id, "ISMS"), "follow_up": a.follow_up, "analysed_on": a.analysed_on.isoformat()}
            for a in follow_ups
        ],
    }
