"""Management review (9.3): prepare the inputs from the workspace, hold, decide, approve.

The inputs are assembled from the data for the review's period (never typed from memory);
where the facts live elsewhere (issues, interested parties, risks) the section takes
structured entries. Approval freezes everything as a canonical JSON snapshot with its
SHA-256, and the next review's input (a) lists every action of the previous ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from isms_tui.models import (
    Action,
    DecisionKind,
    EvidenceLink,
    ManagementReview,
    Person,
    ReviewDecision,
    ReviewEntry,
    ReviewNote,
    ReviewStatus,
    require_id,
)
from isms_tui.models.journal import canonical

from . import actions, clock, evidence, review_people
from .errors import InputError, NotFound
from .form_values import DATE_HINT
from .review_inputs import action_dict, assemble, people_by_id
from .review_people import AttendeeInput, ConclusionInput
from .review_records import frozen_record

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


def hold(session: Session, review_id: int, held_on: date, attendees: Sequence[AttendeeInput]) -> ManagementReview:
    """Record that the review took place and who was there (people of the workspace)."""
    review = _editable(session, review_id)
    errors: dict[str, str] = {}
    message = ""
    if held_on > clock.today():
        errors["held_on"] = "A review cannot be held in the future."
    rows: list[AttendeeInput] = []
    try:
        rows = review_people.check_attendance(session, attendees)
    except InputError as exc:
        errors.update(exc.fields)
        message = str(exc)
    if errors:
        raise InputError(errors.get("held_on") or message, errors)
    review_people.replace_attendance(session, review_id, rows)
    review.held_on, review.status = held_on, ReviewStatus.HELD
    session.add(review)
    session.flush()
    return review


def conclude(session: Session, review_id: int, data: Sequence[ConclusionInput]) -> None:
    """Record top management's conclusions on the ISMS (9.3), once the review has been held."""
    review = _editable(session, review_id)
    if review.status != ReviewStatus.HELD:
        raise InputError("Top management concludes at the meeting: record it (h) first.")
    review_people.save_conclusions(session, review_id, data)


def add_decision(
    session: Session,
    review_id: int,
    kind: DecisionKind | None,
    text: str,
    new_actions: Sequence[actions.ActionInput] = (),
) -> ReviewDecision:
    """Record an output of 9.3.3 with its actions (owner, due date) in the register.

    The kind is always chosen: an improvement, a change to the ISMS and a resource need are
    followed up differently, so none of them is assumed."""
    review = _editable(session, review_id)
    if review.status != ReviewStatus.HELD:
        raise InputError("Decisions are recorded once the review has been held.")
    if kind is None:
        raise InputError(
            "Choose the decision's kind: continual improvement, change to the ISMS or resource needs.",
            {"kind": "Required."},
        )
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


def approve(session: Session, review_id: int, approver_id: int | None) -> ManagementReview:
    """Freeze the review: snapshot of inputs, commentary, decisions and actions, with its hash.

    Approved by a person who attended as top management, once top management's three
    conclusions are recorded."""
    review = _editable(session, review_id)
    if review.status != ReviewStatus.HELD:
        raise InputError("Only a review that has been held can be approved.")
    approver = review_people.check_approver(session, review, approver_id)
    review.approved_by, review.approved_by_id = approver.name, approver.id
    review.approved_at = clock.now()
    record = minutes(session, review)
    text = canonical(record)
    review.snapshot = text
    review.snapshot_sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    review.status = ReviewStatus.APPROVED
    session.add(review)
    session.flush()
    return review


def minutes(session: Session, review: ManagementReview) -> dict[str, Any]:
    """The whole record: approved reviews from their snapshot, others assembled now."""
    frozen = frozen_record(review)
    if frozen is not None:
        return frozen
    people = people_by_id(session)
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
            "attendees": review_people.attendance_record(session, require_id(review), people),
            "approved_by": review.approved_by,
        },
        "conclusions": review_people.conclusions_record(session, require_id(review)),
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
            {"id": d.id, "kind": d.kind.value, "text": d.text, "actions": [action_dict(a, people) for a in acts]}
            for d, acts in decisions(session, require_id(review))
        ],
    }
