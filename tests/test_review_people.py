"""The management review's meeting (9.3): attendance by person, top management's conclusions,
approval by a top-management attendee, the explicit kind of a decision, and the freeze."""

from datetime import date

import pytest
from sqlmodel import select

from isms_tui.models import (
    Attendance,
    ConclusionAspect,
    DecisionKind,
    ReviewAttendee,
    ReviewConclusion,
    ReviewStatus,
    Verdict,
)
from isms_tui.models.db import session_scope
from isms_tui.services import review, review_people, workspace
from isms_tui.services.errors import InputError
from isms_tui.services.review import ReviewInput
from isms_tui.services.review_people import AttendeeInput, ConclusionInput

HELD = date(2026, 11, 20)
ALL_YES = [ConclusionInput(a, Verdict.YES, f"The {a.value} was shown.") for a in ConclusionAspect]


@pytest.fixture
def people(session):
    return {
        name: workspace.save_person(session, name).id
        for name in ("Bea Boss", "Ann Officer", "Olly Ops", "Tim Director")
    }


@pytest.fixture
def rid(session, people):
    return review.save_review(
        session, ReviewInput("Review 2026", HELD, date(2025, 11, 1), date(2026, 10, 31), people["Bea Boss"])
    ).id


def test_attendance_names_people_once_and_needs_somebody_present(session, people, rid):
    with pytest.raises(InputError, match="Nobody is marked present") as err:
        review.hold(session, rid, HELD, [AttendeeInput(people["Bea Boss"], attendance=Attendance.APOLOGIES)])
    assert err.value.fields == {"attendees": "Who attended?"}
    with pytest.raises(InputError, match="unknown person"):
        review.hold(session, rid, HELD, [AttendeeInput(9999)])
    with pytest.raises(InputError, match="Bea Boss is listed twice"):
        review.hold(session, rid, HELD, [AttendeeInput(people["Bea Boss"]), AttendeeInput(people["Bea Boss"])])
    with pytest.raises(InputError, match="future") as err:
        review.hold(session, rid, date(2026, 12, 30), [])
    assert set(err.value.fields) == {"held_on", "attendees"}  # both problems at once
    assert review.get_review(session, rid).status == ReviewStatus.DRAFT
    review.hold(
        session,
        rid,
        HELD,
        [
            AttendeeInput(people["Bea Boss"], " chair ", True),
            AttendeeInput(people["Olly Ops"], "", False, Attendance.APOLOGIES),
        ],
    )
    # held again with a correction: rows are updated and removed, not duplicated
    review.hold(
        session, rid, HELD, [AttendeeInput(people["Bea Boss"], "chair", True), AttendeeInput(people["Ann Officer"])]
    )
    rows = [
        (a.person_id, a.meeting_role, a.top_management, a.attendance) for a in review_people.attendees(session, rid)
    ]
    assert rows == [
        (people["Bea Boss"], "chair", True, Attendance.PRESENT),
        (people["Ann Officer"], "", False, Attendance.PRESENT),
    ]
    record = review.minutes(session, review.get_review(session, rid))["review"]["attendees"]
    assert record[0] == {
        "person_id": people["Bea Boss"],
        "name": "Bea Boss",
        "meeting_role": "chair",
        "top_management": True,
        "attendance": "present",
    }


def test_conclusions_need_a_verdict_and_a_reason_each(session, people, rid):
    with pytest.raises(InputError, match="at the meeting"):
        review.conclude(session, rid, ALL_YES)  # not held yet
    review.hold(session, rid, HELD, [AttendeeInput(people["Bea Boss"], "chair", True)])
    with pytest.raises(InputError) as err:
        review.conclude(
            session,
            rid,
            [
                ConclusionInput(ConclusionAspect.SUITABILITY, None, "Still fits."),
                ConclusionInput(ConclusionAspect.ADEQUACY, Verdict.PARTLY, "  "),
            ],
        )
    assert set(err.value.fields) == {
        "suitability_verdict",
        "adequacy_rationale",
        "effectiveness_verdict",
        "effectiveness_rationale",
    }
    assert str(err.value) == "Each of the three conclusions needs a verdict and a reason: 4 are missing."
    with pytest.raises(InputError, match="^The conclusion on adequacy: Say why, in a sentence or two.$"):
        review.conclude(
            session, rid, [*ALL_YES[:1], ConclusionInput(ConclusionAspect.ADEQUACY, Verdict.NO, ""), ALL_YES[2]]
        )
    assert session.exec(select(ReviewConclusion)).all() == []
    review.conclude(session, rid, ALL_YES)
    review.conclude(
        session, rid, [*ALL_YES[:2], ConclusionInput(ConclusionAspect.EFFECTIVENESS, Verdict.NO, "Missed.")]
    )
    stored = {c.aspect: (c.verdict, c.rationale) for c in session.exec(select(ReviewConclusion))}
    assert len(stored) == 3 and stored[ConclusionAspect.EFFECTIVENESS] == (Verdict.NO, "Missed.")
    assert review.minutes(session, review.get_review(session, rid))["conclusions"][2] == {
        "aspect": "effectiveness",
        "verdict": "no",
        "rationale": "Missed.",
    }


def test_approval_needs_a_top_management_attendee_and_the_three_conclusions(session, people, rid):
    review.hold(
        session,
        rid,
        HELD,
        [
            AttendeeInput(people["Bea Boss"], "chair", False),
            AttendeeInput(people["Tim Director"], "", True, Attendance.APOLOGIES),  # absent: cannot approve
            AttendeeInput(people["Ann Officer"], "secretary"),
        ],
    )
    with pytest.raises(InputError) as err:
        review.approve(session, rid, people["Bea Boss"])
    assert "No attendee present is marked as top management" in str(err.value)
    assert "conclusion on suitability, adequacy, effectiveness" in str(err.value)
    review.conclude(session, rid, ALL_YES)
    with pytest.raises(InputError, match="No attendee present is marked as top management"):
        review.approve(session, rid, people["Tim Director"])
    review.hold(
        session,
        rid,
        HELD,
        [AttendeeInput(people["Bea Boss"], "chair", True), AttendeeInput(people["Ann Officer"], "secretary")],
    )
    assert [p.name for p in review_people.approvers(session, rid)] == ["Bea Boss"]
    for who in (people["Ann Officer"], people["Olly Ops"], None):  # not top management, not there, nobody
        with pytest.raises(InputError) as err:
            review.approve(session, rid, who)
        assert "approved_by" in err.value.fields
    approved = review.approve(session, rid, people["Bea Boss"])
    assert (approved.status, approved.approved_by, approved.approved_by_id) == (
        ReviewStatus.APPROVED,
        "Bea Boss",
        people["Bea Boss"],
    )
    frozen = review.minutes(session, approved)
    assert frozen["review"]["approved_by"] == "Bea Boss" and len(frozen["conclusions"]) == 3


def test_a_decision_kind_is_always_chosen(session, people, rid):
    review.hold(session, rid, HELD, [AttendeeInput(people["Bea Boss"], "chair", True)])
    with pytest.raises(InputError, match="Choose the decision's kind") as err:
        review.add_decision(session, rid, None, "Keep the scope.")
    assert err.value.fields == {"kind": "Required."}
    assert review.add_decision(session, rid, DecisionKind.CHANGE, "Add NIS2.").kind == DecisionKind.CHANGE


def test_attendance_and_conclusions_are_frozen_with_the_review(engine):
    with session_scope(engine, "t") as s:
        boss = workspace.save_person(s, "Bea Boss").id
        other = workspace.save_person(s, "Ann Officer").id
        rid = review.save_review(s, ReviewInput("R", HELD, date(2025, 11, 1), date(2026, 10, 31), boss)).id
        review.hold(s, rid, HELD, [AttendeeInput(boss, "chair", True)])
        review.conclude(s, rid, ALL_YES)
        review.approve(s, rid, boss)
    edits = (
        lambda s: setattr(s.exec(select(ReviewAttendee)).one(), "top_management", False),
        lambda s: s.delete(s.exec(select(ReviewAttendee)).one()),
        lambda s: s.add(ReviewAttendee(review_id=rid, person_id=other)),
        lambda s: setattr(s.exec(select(ReviewConclusion)).first(), "verdict", Verdict.NO),
        lambda s: s.delete(s.exec(select(ReviewConclusion)).first()),
        lambda s: s.add(
            ReviewConclusion(review_id=rid, aspect=ConclusionAspect.SUITABILITY, verdict=Verdict.NO, rationale="late")
        ),
    )
    for edit in edits:
        with pytest.raises(PermissionError, match="frozen"), session_scope(engine, "t") as s:
            edit(s)
            s.flush()
    for service_call in (
        lambda s: review.hold(s, rid, HELD, [AttendeeInput(other)]),
        lambda s: review.conclude(s, rid, ALL_YES),
    ):
        with pytest.raises(InputError, match="frozen"), session_scope(engine, "t") as s:
            service_call(s)
    with session_scope(engine, "t") as s:
        assert [(a.person_id, a.top_management) for a in s.exec(select(ReviewAttendee))] == [(boss, True)]
        assert {c.verdict for c in s.exec(select(ReviewConclusion))} == {Verdict.YES}


def test_the_review_list_names_who_attended_and_the_verdicts(session, people, rid):
    from isms_tui.services import review_views

    review.hold(
        session,
        rid,
        HELD,
        [
            AttendeeInput(people["Bea Boss"], "chair", True),
            AttendeeInput(people["Ann Officer"]),
            AttendeeInput(people["Olly Ops"], attendance=Attendance.APOLOGIES),
        ],
    )
    review.conclude(session, rid, ALL_YES)
    [row] = review_views.review_rows(session, HELD)
    assert row.present == ("Bea Boss (top management)", "Ann Officer")
    assert row.apologies == ("Olly Ops",)
    assert row.verdicts == (("suitability", "yes"), ("adequacy", "yes"), ("effectiveness", "yes"))


def test_a_review_approved_before_attendance_by_person_reads_as_recorded():
    from rich.console import Console

    from isms_tui.widgets.review_people_render import render_attendance, render_conclusions

    console = Console(width=120, color_system=None)
    with console.capture() as out:
        console.print(render_attendance(["Bea Boss", "Ann Officer"]))
        console.print(render_conclusions(None, legacy=True))
    text = out.get()
    assert "Bea Boss, Ann Officer  (recorded by name, before attendance by person)" in text
    assert "Approved before conclusions were recorded separately" in text
