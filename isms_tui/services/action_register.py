"""Read models over the action register for the Actions screen, the dashboard and `isms status`.

The screens need more than an Action row: the owner's name, where the action comes from (which
finding of which audit) and whether it is overdue. Building that here, in one pass with a few
queries, keeps the screens free of SQL and gives the dashboard and `isms status` the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from isms_tui.models import (
    Action,
    ActionReopen,
    ActionStatus,
    Analysis,
    Audit,
    DecisionKind,
    Finding,
    Grading,
    ManagementReview,
    Person,
    ReviewDecision,
    require_id,
)

from .actions import OPEN_STATES, get_action, is_overdue, list_actions, planned_check_on, reopen_history
from .errors import InputError

NC_GRADINGS = (Grading.MAJOR_NC, Grading.MINOR_NC)


@dataclass(frozen=True)
class FindingInfo:
    """The finding an action corrects, as the detail pane shows it."""

    id: int
    ref: str
    grading: Grading
    statement: str
    evidence: str
    raised_on: date
    audit_id: int
    audit_title: str


@dataclass(frozen=True)
class ReviewInfo:
    """The management review decision (9.3.3) an action carries out."""

    review_id: int
    review_title: str
    review_date: date  # held on, or planned on while it has not been held
    held: bool
    kind: DecisionKind
    decision: str


@dataclass(frozen=True)
class ActionRow:
    """One action with the names and context the register shows next to it."""

    action: Action
    owner: str  # "" when nobody owns it yet
    checked_by: str  # who did the effectiveness check, "" when not checked
    source_label: str
    overdue: bool
    finding: FindingInfo | None = None
    review: ReviewInfo | None = None
    reopens: tuple[ActionReopen, ...] = ()
    people: dict[int, str] | None = None  # names for the reopen history's earlier checkers

    @property
    def check_planned(self) -> date | None:
        return planned_check_on(self.action)

    def name(self, person_id: int | None) -> str:
        return (self.people or {}).get(person_id, "unknown") if person_id is not None else "unknown"

    @property
    def id(self) -> int:
        return int(self.action.id or 0)

    @property
    def is_open(self) -> bool:
        return self.action.status in OPEN_STATES


def source_label(
    action: Action, finding: FindingInfo | None, review: ReviewInfo | None = None, analysis: str = ""
) -> str:
    """'NC A.8.13 · audit 3' for a finding's nonconformity, 'review 2026-06-24' for a review
    decision, 'KPI breach VULN-01 2026-10', 'incident INC-2026-014'."""
    if action.source == "analysis" and analysis:
        return f"{'KPI breach' if action.nonconformity else 'analysis'} {analysis}"
    if action.source in ("incident", "complaint", "review", "other") and action.nonconformity:
        kind = "NC (review)" if action.source == "review" else action.source
        return f"{kind} {action.source_ref}".strip()
    if action.source == "finding":
        if finding is None:
            return "finding (removed)"
        kind = "NC" if finding.grading in NC_GRADINGS else finding.grading.value
        return f"{kind} {finding.ref} · audit {finding.audit_id}"
    if review is not None:
        return f"review {review.review_date.isoformat()}"
    if action.source in ("review", "analysis", "risk", "evaluation") and action.source_id is not None:
        return f"{action.source} {action.source_id}"
    return action.source


def register(session: Session, today: date, *, open_only: bool = False) -> list[ActionRow]:
    """Every action (or the open ones), due date first, with names and finding context."""
    return _rows(session, list_actions(session, open_only=open_only), today)


def action_row(session: Session, action_id: int, today: date) -> ActionRow:
    """One action as the register shows it (for a form's title and context)."""
    return _rows(session, [get_action(session, action_id)], today)[0]


def _rows(session: Session, actions: list[Action], today: date) -> list[ActionRow]:
    people = {p.id: p.name for p in session.exec(select(Person))}
    finding_ids = {a.source_id for a in actions if a.source == "finding" and a.source_id is not None}
    findings: dict[int, FindingInfo] = {}
    if finding_ids:
        rows = session.exec(
            select(Finding, Audit.title)
            .join(Audit, col(Audit.id) == Finding.audit_id)
            .where(col(Finding.id).in_(finding_ids))
        ).all()
        for f, audit_title in rows:
            finding_id = require_id(f)
            findings[finding_id] = FindingInfo(
                finding_id, f.ref, f.grading, f.statement, f.evidence, f.raised_on, f.audit_id, audit_title
            )
    reviews = _reviews(session, {a.source_id for a in actions if a.source == "review" and a.source_id is not None})
    analyses = _analyses(session, {a.source_id for a in actions if a.source == "analysis" and a.source_id is not None})
    reopens = reopen_history(session, {a.id for a in actions if a.id is not None})
    names = {pid: name for pid, name in people.items() if pid is not None}
    out = []
    for a in actions:
        finding = findings.get(a.source_id) if a.source == "finding" and a.source_id is not None else None
        review = reviews.get(a.source_id) if a.source == "review" and a.source_id is not None else None
        out.append(
            ActionRow(
                action=a,
                owner=people.get(a.owner_id, "") if a.owner_id is not None else "",
                checked_by=people.get(a.effectiveness_by_id, "") if a.effectiveness_by_id is not None else "",
                source_label=source_label(a, finding, review, analyses.get(a.source_id or 0, "")),
                overdue=is_overdue(a, today),
                finding=finding,
                review=review,
                reopens=tuple(reopens.get(a.id or 0, ())),
                people=names,
            )
        )
    return out


def _analyses(session: Session, analysis_ids: set[int]) -> dict[int, str]:
    """Follow-ups point at an analysis: its KPI and period name it."""
    from .nonconformities import analysis_label

    if not analysis_ids:
        return {}
    rows = session.exec(select(Analysis).where(col(Analysis.id).in_(analysis_ids)))
    return {require_id(a): analysis_label(session, a) for a in rows}


def _reviews(session: Session, decision_ids: set[int]) -> dict[int, ReviewInfo]:
    """Review actions point at a decision (source_id); the review gives them a date and a title."""
    if not decision_ids:
        return {}
    rows = session.exec(
        select(ReviewDecision, ManagementReview)
        .join(ManagementReview, col(ManagementReview.id) == ReviewDecision.review_id)
        .where(col(ReviewDecision.id).in_(decision_ids))
    ).all()
    return {
        require_id(d): ReviewInfo(
            require_id(r), r.title, r.held_on or r.planned_on, r.held_on is not None, d.kind, d.text
        )
        for d, r in rows
    }


def actions_summary(session: Session, today: date) -> dict[str, Any]:
    """Open and overdue actions for the dashboard and `isms status` (stable, JSON-ready keys)."""
    rows = register(session, today, open_only=True)
    overdue = sorted((r for r in rows if r.overdue), key=lambda r: (r.action.due_date, r.id))
    return {
        "open": len(rows),
        "overdue": len(overdue),
        "overdue_list": [
            {
                "id": r.id,
                "title": r.action.title,
                "owner": r.owner or None,
                "due": r.action.due_date.isoformat() if r.action.due_date else None,
            }
            for r in overdue
        ],
        # Every open action with the number `isms nc reopen` and `isms nc check` take.
        "open_list": [
            {
                "id": r.id,
                "title": r.action.title,
                "status": r.action.status.value,
                "source": r.source_label,
                "owner": r.owner or None,
                "due": r.action.due_date.isoformat() if r.action.due_date else None,
                "overdue": r.overdue,
            }
            for r in sorted(rows, key=lambda r: r.id)
        ],
    }


def check_effectiveness_allowed(action: Action) -> None:
    """Refuse, with a sentence, to open an effectiveness check the service would refuse anyway."""
    if action.status == ActionStatus.CLOSED:
        when = f" on {action.closed_on.isoformat()}" if action.closed_on else ""
        raise InputError(f"Action #{action.id} was closed{when} after an effective check.")
    if action.status != ActionStatus.IMPLEMENTED:
        raise InputError(
            f"Action #{action.id} is {action.status.value}: check its effectiveness once it is implemented."
        )
