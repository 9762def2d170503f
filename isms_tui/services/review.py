"""Management review (9.3): prepare the inputs from the workspace, hold, decide, approve.

The inputs are assembled from the data for the review's period (never typed from memory);
where the facts live elsewhere (issues, interested parties, risks) the section takes
structured entries. Approval freezes everything as a canonical JSON snapshot with its
SHA-256, and the next review's input (a) lists every action of the previous ones.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from isms_tui.models import (
    Action,
    Analysis,
    Audit,
    AuditItem,
    AuditStatus,
    DecisionKind,
    EvidenceLink,
    Finding,
    Frequency,
    Grading,
    Kpi,
    ManagementReview,
    Objective,
    Person,
    Reading,
    ReviewDecision,
    ReviewEntry,
    ReviewNote,
    ReviewStatus,
    Status,
    require_id,
)
from isms_tui.models.journal import canonical

from . import actions, clock, evidence, periods
from .errors import InputError, NotFound
from .evaluation import evaluate_value, trend
from .form_values import DATE_HINT

SECTIONS: tuple[tuple[str, str], ...] = (
    ("a", "Status of actions from previous management reviews"),
    ("b", "Changes in external and internal issues"),
    ("c", "Changes in needs and expectations of interested parties"),
    ("d1", "Performance: nonconformities and corrective actions"),
    ("d2", "Performance: monitoring and measurement results"),
    ("d3", "Performance: audit results"),
    ("d4", "Performance: fulfilment of information security objectives"),
    ("e", "Feedback from interested parties"),
    ("f", "Risk assessment results and risk treatment plan status"),
    ("g", "Opportunities for continual improvement"),
)
SECTION_TITLES = dict(SECTIONS)
ENTRY_SECTIONS = ("b", "c", "e", "f", "g")  # data that lives outside the workspace
ENTRY_EVIDENCE = "review_entry"  # the EvidenceLink entity of files attached to an entry
NC = (Grading.MAJOR_NC, Grading.MINOR_NC)


def get_review(session: Session, review_id: int) -> ManagementReview:
    review = session.get(ManagementReview, review_id)
    if review is None:
        raise NotFound(f"No management review with id {review_id}.")
    return review


def _editable(session: Session, review_id: int) -> ManagementReview:
    review = get_review(session, review_id)
    if review.status == ReviewStatus.APPROVED:
        raise InputError("This review is approved and frozen; record changes in the next review.")
    return review


def check_editable(session: Session, review_id: int) -> None:
    """Raise the frozen-review InputError before a front end asks for input it cannot save."""
    _editable(session, review_id)


@dataclass
class ReviewInput:
    title: str
    planned_on: date | None
    period_from: date | None
    period_to: date | None
    chair_id: int | None = None


def save_review(session: Session, data: ReviewInput, review_id: int | None = None) -> ManagementReview:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "Required."
    for key in ("planned_on", "period_from", "period_to"):
        if getattr(data, key) is None:
            errors[key] = DATE_HINT
    if data.period_from and data.period_to and data.period_to < data.period_from:
        errors["period_to"] = "The period cannot end before it starts."
    if data.chair_id is not None and session.get(Person, data.chair_id) is None:
        errors["chair_id"] = "Unknown person."
    if errors:
        raise InputError(f"The review cannot be saved: {next(iter(errors.values()))}", errors)
    # Checked above: every date is given.
    assert data.planned_on is not None and data.period_from is not None and data.period_to is not None
    review = (
        _editable(session, review_id)
        if review_id
        else ManagementReview(
            title=data.title, planned_on=data.planned_on, period_from=data.period_from, period_to=data.period_to
        )
    )
    review.title, review.planned_on, review.chair_id = data.title.strip(), data.planned_on, data.chair_id
    review.period_from, review.period_to = data.period_from, data.period_to
    session.add(review)
    session.flush()
    return review


def list_reviews(session: Session) -> list[ManagementReview]:
    return list(
        session.exec(select(ManagementReview).order_by(col(ManagementReview.planned_on), col(ManagementReview.id)))
    )


def set_commentary(session: Session, review_id: int, section: str, commentary: str) -> ReviewNote:
    _editable(session, review_id)
    if section not in SECTION_TITLES:
        raise InputError(f"Unknown review input '{section}'.")
    note = session.exec(
        select(ReviewNote).where(ReviewNote.review_id == review_id, ReviewNote.section == section)
    ).first()
    note = note or ReviewNote(review_id=review_id, section=section)
    note.commentary = commentary.strip()
    session.add(note)
    session.flush()
    return note


def add_entry(
    session: Session, review_id: int, section: str, title: str, detail: str = "", source: str = ""
) -> ReviewEntry:
    _editable(session, review_id)
    if section not in ENTRY_SECTIONS:
        raise InputError(f"Input '{section}' is assembled from the workspace; it takes commentary, not entries.")
    if not title.strip():
        raise InputError("An entry needs a title.", {"title": "Required."})
    entry = ReviewEntry(
        review_id=review_id, section=section, title=title.strip(), detail=detail.strip(), source=source.strip()
    )
    session.add(entry)
    session.flush()
    return entry


def delete_entry(session: Session, entry_id: int) -> None:
    entry = session.get(ReviewEntry, entry_id)
    if entry is None:
        raise NotFound(f"No review entry with id {entry_id}.")
    _editable(session, entry.review_id)
    for ln in session.exec(
        select(EvidenceLink).where(EvidenceLink.entity == ENTRY_EVIDENCE, EvidenceLink.entity_id == entry_id)
    ):
        session.delete(ln)
    session.delete(entry)
    session.flush()


def hold(session: Session, review_id: int, held_on: date, attendees: list[str]) -> ManagementReview:
    """Record that the review took place and who attended."""
    review = _editable(session, review_id)
    people = [a.strip() for a in attendees if a.strip()]
    errors: dict[str, str] = {}
    if not people:
        errors["attendees"] = "Who attended?"
    if held_on > clock.today():
        errors["held_on"] = "A review cannot be held in the future."
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    review.held_on, review.attendees, review.status = held_on, people, ReviewStatus.HELD
    session.add(review)
    session.flush()
    return review


def add_decision(
    session: Session, review_id: int, kind: DecisionKind, text: str, new_actions: Sequence[actions.ActionInput] = ()
) -> ReviewDecision:
    """Record an output of 9.3.3 with its actions (owner, due date) in the register."""
    review = _editable(session, review_id)
    if review.status != ReviewStatus.HELD:
        raise InputError("Decisions are recorded once the review has been held.")
    if not text.strip():
        raise InputError("State the decision.", {"text": "Required."})
    for data in new_actions:
        if data.owner_id is None or data.due_date is None:
            raise InputError(
                "Every review action needs an owner and a due date.",
                {"owner_id" if data.owner_id is None else "due_date": "Required."},
            )
    decision = ReviewDecision(review_id=review_id, kind=DecisionKind(kind), text=text.strip())
    session.add(decision)
    session.flush()
    for data in new_actions:
        actions.create_action(session, "review", require_id(decision), data)
    return decision


def decisions(session: Session, review_id: int) -> list[tuple[ReviewDecision, list[Action]]]:
    rows = session.exec(
        select(ReviewDecision).where(ReviewDecision.review_id == review_id).order_by(col(ReviewDecision.id))
    ).all()
    return [
        (
            d,
            list(
                session.exec(
                    select(Action).where(Action.source == "review", Action.source_id == d.id).order_by(col(Action.id))
                )
            ),
        )
        for d in rows
    ]


def approve(session: Session, review_id: int, approved_by: str) -> ManagementReview:
    """Freeze the review: snapshot of inputs, commentary, decisions and actions, with its hash."""
    review = _editable(session, review_id)
    if review.status != ReviewStatus.HELD:
        raise InputError("Only a review that has been held can be approved.")
    if not approved_by.strip():
        raise InputError("Who approves the minutes?", {"approved_by": "Required."})
    record = minutes(session, review)
    text = canonical(record)
    review.snapshot = text
    review.snapshot_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    review.approved_by, review.approved_at = approved_by.strip(), clock.now()
    review.status = ReviewStatus.APPROVED
    session.add(review)
    session.flush()
    return review


def frozen_record(review: ManagementReview) -> dict[str, Any] | None:
    """The approved snapshot, checked against its hash (None for a review not yet approved)."""
    if review.snapshot is None:
        return None
    if hashlib.sha256(review.snapshot.encode("utf-8")).hexdigest() != review.snapshot_sha256:
        raise InputError(f"The snapshot of review {review.id} does not match its SHA-256: it was altered.")
    record: dict[str, Any] = json.loads(review.snapshot)
    return record


def minutes(session: Session, review: ManagementReview) -> dict[str, Any]:
    """The whole record: approved reviews from their snapshot, others assembled now."""
    frozen = frozen_record(review)
    if frozen is not None:
        return frozen
    people = _people(session)
    notes = {n.section: n.commentary for n in session.exec(select(ReviewNote).where(ReviewNote.review_id == review.id))}
    entries: dict[str, list[dict[str, Any]]] = {}
    for e in session.exec(select(ReviewEntry).where(ReviewEntry.review_id == review.id).order_by(col(ReviewEntry.id))):
        files = [
            {"name": ev.original_name, "sha256": ev.sha256}
            for ev in evidence.linked(session, ENTRY_EVIDENCE, require_id(e))
        ]
        entries.setdefault(e.section, []).append(
            {"id": e.id, "title": e.title, "detail": e.detail, "source": e.source, "evidence": files}
        )
    data = assemble(session, review)
    return {
        "review": {
            "id": review.id,
            "title": review.title,
            "planned_on": review.planned_on.isoformat(),
            "held_on": review.held_on.isoformat() if review.held_on else None,
            "period": [review.period_from.isoformat(), review.period_to.isoformat()],
            "chair": people.get(review.chair_id, ""),
            "attendees": review.attendees,
        },
        "inputs": [
            {
                "section": key,
                "title": title,
                "data": data.get(key),
                "entries": entries.get(key, []),
                "commentary": notes.get(key, ""),
            }
            for key, title in SECTIONS
        ],
        "decisions": [
            {"id": d.id, "kind": d.kind.value, "text": d.text, "actions": [_action_dict(a, people) for a in acts]}
            for d, acts in decisions(session, require_id(review))
        ],
    }


# -- assembly of the inputs --------------------------------------------------------------


def assemble(session: Session, review: ManagementReview) -> dict[str, Any]:
    """The data-driven inputs (a, d1–d4, g) for the review's period, as JSON-ready values."""
    today = min(clock.today(), review.period_to)
    return {
        "a": previous_actions(session, review),
        "d1": nonconformities(session, review.period_from, review.period_to),
        "d2": monitoring_results(session, review.period_from, review.period_to, today),
        "d3": audit_results(session, review.period_from, review.period_to),
        "d4": objectives_status(session, today),
        "g": improvement_opportunities(session, review.period_from, review.period_to),
    }


def _people(session: Session) -> dict[int | None, str]:
    """Names by id, looked up with optional person references (an unset one finds nothing)."""
    return {p.id: p.name for p in session.exec(select(Person))}


def _action_dict(a: Action, people: dict[int | None, str]) -> dict[str, Any]:
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
    people = _people(session)
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
        row = _action_dict(a, people)
        row.update(
            review=origin.title,
            review_date=(origin.held_on or origin.planned_on).isoformat(),
            carried_over=seen_open.get(require_id(a), 0),
        )
        rows.append(row)
    closed = sum(r["status"] == "closed" for r in rows)
    return {"first_review": False, "actions": rows, "open": len(rows) - closed, "closed": closed}


def nonconformities(session: Session, start: date, end: date) -> dict[str, Any]:
    found = session.exec(select(Finding).where(Finding.raised_on >= start, Finding.raised_on <= end)).all()
    ncs = [f for f in found if f.grading in NC]
    acts = list(session.exec(select(Action).where(Action.source == "finding")))
    quarters = _quarters(start, end)
    per_quarter = Counter(_quarter_label(f.raised_on) for f in ncs)
    closed_q = Counter(_quarter_label(a.closed_on) for a in acts if a.closed_on and start <= a.closed_on <= end)
    today = clock.today()
    return {
        "raised": len(ncs),
        "by_grading": {g.value: sum(f.grading == g for f in ncs) for g in NC},
        "trend": [
            {
                "quarter": periods.period_label(q, Frequency.QUARTERLY),
                "raised": per_quarter.get(periods.period_label(q, Frequency.QUARTERLY), 0),
                "closed": closed_q.get(periods.period_label(q, Frequency.QUARTERLY), 0),
            }
            for q in quarters
        ],
        "corrective_actions": {  # their status on the day the input is assembled, not at period end
            "as_of": today.isoformat(),
            "open": sum(a.status in actions.OPEN_STATES for a in acts),
            "overdue": sum(actions.is_overdue(a, today) for a in acts),
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
    }


def monitoring_results(session: Session, start: date, end: date, today: date) -> dict[str, Any]:
    kpis = list(session.exec(select(Kpi).where(Kpi.active == True).order_by(Kpi.code)))  # noqa: E712
    readings = session.exec(
        select(Reading)
        .where(Reading.period_start >= start, Reading.period_start <= end)
        .order_by(col(Reading.period_start))
    ).all()
    by_kpi: dict[int, list[Reading]] = {}
    for r in readings:
        by_kpi.setdefault(r.kpi_id, []).append(r)
    quarter_hits: dict[str, list[bool]] = {}
    rows = []
    for k in kpis:
        rs = by_kpi.get(require_id(k), [])
        statuses = [evaluate_value(k, r.value) for r in rs]
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
                "trend": trend(k, [r.value for r in rs]),
                "series": [r.value for r in rs][-24:],
                "target": k.target,
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


def objectives_status(session: Session, today: date) -> dict[str, Any]:
    """Each objective's verdict from its KPIs' state on `today` (the period's end for a past
    review): readings of later periods must not decide how a past period went."""
    from .evaluation import KpiState, kpi_state
    from .monitoring import RECENT

    by_objective: dict[int | None, list[tuple[Kpi, KpiState]]] = {}  # keyed by Kpi.objective_id
    kpis = session.exec(
        select(Kpi)
        .where(Kpi.active == True, col(Kpi.objective_id).is_not(None))  # noqa: E712
        .order_by(Kpi.code)
    )
    for k in kpis:
        recent = session.exec(
            select(col(Reading.period_start), col(Reading.value))
            .where(Reading.kpi_id == k.id, Reading.period_start <= today)
            .order_by(col(Reading.period_start).desc())
            .limit(RECENT)
        ).all()
        state = kpi_state(k, [(p, v) for p, v in reversed(recent)], today)
        by_objective.setdefault(k.objective_id, []).append((k, state))
    people = _people(session)
    out = []
    for o in session.exec(select(Objective).where(Objective.active == True).order_by(Objective.code)):  # noqa: E712
        rows = by_objective.get(o.id, [])
        on = sum(state.status == Status.ON_TARGET for _, state in rows)
        verdict = "not measured" if not rows else "met" if on == len(rows) else "not met" if on == 0 else "partly met"
        out.append(
            {
                "code": o.code,
                "statement": o.statement,
                "target": o.target,
                "owner": people.get(o.owner_id, ""),
                "due": o.due_date.isoformat() if o.due_date else None,
                "kpis": [{"code": k.code, "status": state.status.value} for k, state in rows],
                "verdict": verdict,
            }
        )
    return {"objectives": out}


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
