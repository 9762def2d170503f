"""The demo's management reviews: last year's approved review with its actions followed up
since, and this year's draft; deterministic and independent of the real clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from isms_tui.models import (
    Action,
    ActionStatus,
    DecisionKind,
    EvidenceLink,
    ManagementReview,
    ReviewDecision,
    ReviewEntry,
    ReviewNote,
    ReviewStatus,
)
from isms_tui.models.db import session_scope
from isms_tui.services import actions, review, review_inputs, review_records
from isms_tui.services.demo import create_demo
from isms_tui.services.review_views import reviews_summary
from isms_tui.services.status import summary

from .conftest import TODAY
from .db_helpers import fresh_engine


def _reviews(s: Session) -> tuple[ManagementReview, ManagementReview]:
    past, draft = review_records.list_reviews(s)
    return past, draft


def test_one_approved_review_held_about_eleven_months_ago(demo: Session) -> None:
    past, _ = _reviews(demo)
    assert past.status == ReviewStatus.APPROVED
    assert timedelta(days=320) <= TODAY - past.held_on <= timedelta(days=345)
    assert past.held_on.weekday() < 5 and past.planned_on == past.held_on
    assert past.period_to < past.held_on and (past.period_to - past.period_from).days in (364, 365)
    assert past.approved_at.date() == past.held_on + timedelta(days=7) and past.approved_by == "Tom Okafor"
    record = review_records.frozen_record(past)  # the snapshot matches its SHA-256
    assert record["review"]["held_on"] == past.held_on.isoformat()
    attendees = record["review"]["attendees"]
    assert len(attendees) >= 4 and attendees[0]["name"] == "Tom Okafor" and attendees[0]["top_management"]
    assert any(a["attendance"] == "apologies" for a in attendees)
    assert [(c["aspect"], c["verdict"]) for c in record["conclusions"]] == [
        ("suitability", "partly"),
        ("adequacy", "partly"),
        ("effectiveness", "yes"),
    ]


def test_the_approved_review_has_entries_commentary_and_decisions_of_each_kind(demo: Session) -> None:
    past, _ = _reviews(demo)
    entries = demo.exec(select(ReviewEntry).where(ReviewEntry.review_id == past.id)).all()
    assert {"b", "c", "e", "f"} <= {e.section for e in entries}
    notes = demo.exec(select(ReviewNote).where(ReviewNote.review_id == past.id)).all()
    assert {"a", "b", "f"} <= {n.section for n in notes} and all(n.commentary for n in notes)
    kinds = {d.kind for d in demo.exec(select(ReviewDecision).where(ReviewDecision.review_id == past.id))}
    assert kinds == set(DecisionKind)
    [link] = demo.exec(select(EvidenceLink).where(EvidenceLink.entity == review.ENTRY_EVIDENCE)).all()
    assert demo.get(ReviewEntry, link.entity_id).section == "f"
    f = next(i for i in review.minutes(demo, past)["inputs"] if i["section"] == "f")
    assert [ev["name"] for e in f["entries"] for ev in e["evidence"]] == ["risk-report-v7.txt"]


def test_the_snapshot_reads_as_on_the_day_of_approval(demo: Session) -> None:
    past, _ = _reviews(demo)
    record = review_records.frozen_record(past)
    assert record["inputs"][0]["data"]["first_review"] is True
    frozen = [a for d in record["decisions"] for a in d["actions"]]
    assert len(frozen) == 4 and all(a["status"] == "open" and not a["overdue"] for a in frozen)
    assert record["inputs"][3]["data"]["trend"][-1]["quarter"] <= f"{past.period_to.year}-Q4"


def test_its_actions_were_followed_up_since(demo: Session) -> None:
    past, _ = _reviews(demo)
    acts = [a for _, group in review.decisions(demo, past.id) for a in group]
    closed = [a for a in acts if a.status == ActionStatus.CLOSED]
    overdue = [a for a in acts if actions.is_overdue(a, TODAY)]
    assert len(closed) == 2 and all(a.closed_on and a.closed_on <= TODAY for a in closed)
    assert len(overdue) == 1 and overdue[0].status == ActionStatus.IN_PROGRESS
    assert all(a.owner_id and a.due_date for a in acts)


def test_this_years_review_is_in_preparation(demo: Session) -> None:
    past, draft = _reviews(demo)
    assert draft.status == ReviewStatus.DRAFT and draft.held_on is None
    assert timedelta(days=21) <= draft.planned_on - TODAY <= timedelta(days=23)
    assert draft.period_to == TODAY and draft.period_from == past.period_to + timedelta(days=1)
    assert len(demo.exec(select(ReviewEntry).where(ReviewEntry.review_id == draft.id)).all()) >= 2
    a = review_inputs.assemble(demo, draft)["a"]
    assert (a["first_review"], a["open"], a["closed"]) == (False, 2, 2)
    assert sum(r["overdue"] for r in a["actions"]) == 1


def test_status_reports_the_last_and_next_review(demo: Session) -> None:
    past, draft = _reviews(demo)
    data = summary(demo, TODAY)["reviews"]
    assert [r["id"] for r in data.pop("list")] == [past.id, draft.id]
    assert data == reviews_summary(demo)
    assert data == {
        "last": {"id": past.id, "title": past.title, "held_on": past.held_on.isoformat(), "status": "approved"},
        "next": {"id": draft.id, "title": draft.title, "planned_on": draft.planned_on.isoformat()},
        "open_actions": 2,
    }
    assert data["open_actions"] == len(
        demo.exec(select(Action).where(Action.source == "review", Action.status != ActionStatus.CLOSED)).all()
    )


def test_the_reviews_do_not_depend_on_the_real_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo: Session
) -> None:
    """Same `today`, same snapshot, whatever the machine's date (the demo pins its own clock)."""
    past, _ = _reviews(demo)
    monkeypatch.setenv("ISMS_TODAY", (TODAY + timedelta(days=40)).isoformat())
    with fresh_engine(tmp_path / "other.db") as engine:
        with session_scope(engine, "demo") as s:
            create_demo(s, TODAY)
        with session_scope(engine) as s:
            again, _ = _reviews(s)
            assert again.snapshot_sha256 == past.snapshot_sha256
            assert [
                (a.title, a.status, a.closed_on) for a in s.exec(select(Action).where(Action.source == "review"))
            ] == [(a.title, a.status, a.closed_on) for a in demo.exec(select(Action).where(Action.source == "review"))]
