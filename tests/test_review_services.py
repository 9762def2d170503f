from datetime import date

import pytest
from sqlmodel import select

from isms_tui.models import (
    ActionStatus,
    ConclusionAspect,
    DecisionKind,
    Effectiveness,
    Grading,
    ManagementReview,
    ReviewEntry,
    ReviewStatus,
    Verdict,
)
from isms_tui.models.db import session_scope
from isms_tui.services import actions, audits, checklists, clock, kpis, readings, review, review_inputs, workspace
from isms_tui.services.actions import ActionInput
from isms_tui.services.errors import InputError
from isms_tui.services.kpis import KpiInput
from isms_tui.services.review import ReviewInput
from isms_tui.services.review_people import AttendeeInput, ConclusionInput


@pytest.fixture
def boss(session):
    return workspace.save_person(session, "Bea Boss", role="Managing Director").id


def new_review(
    session,
    boss,
    title="Management review 2026",
    planned=date(2026, 11, 20),
    start=date(2025, 11, 1),
    end=date(2026, 10, 31),
):
    return review.save_review(session, ReviewInput(title, planned, start, end, chair_id=boss))


def meet(session, review_id, held_on, boss):
    """Held with the boss present as top management (the chair)."""
    review.hold(session, review_id, held_on, [AttendeeInput(boss, "chair", True)])


def sign_off(session, review_id, boss):
    """Top management's three conclusions, then the boss approves."""
    review.conclude(session, review_id, [ConclusionInput(a, Verdict.YES, f"{a.value} shown") for a in ConclusionAspect])
    return review.approve(session, review_id, boss)


def held_with_action(session, boss, r, held_on, due=date(2027, 1, 31)):
    meet(session, r.id, held_on, boss)
    return review.add_decision(
        session,
        r.id,
        DecisionKind.RESOURCES,
        "Hire a part-time security engineer",
        [ActionInput("Recruit security engineer", owner_id=boss, due_date=due)],
    )


def test_first_review_has_no_previous_actions_and_no_data(session, boss):
    r = new_review(session, boss)
    data = review_inputs.assemble(session, r)
    assert data["a"] == {"first_review": True, "actions": [], "open": 0, "closed": 0}
    assert data["d1"]["raised"] == 0 and data["d3"]["audits"] == []
    assert data["d2"]["kpis"] == [] and data["d4"]["objectives"] == []
    minutes = review.minutes(session, r)
    assert [i["section"] for i in minutes["inputs"]] == ["a", "b", "c", "d1", "d2", "d3", "d4", "e", "f", "g"]


def test_validation(session, boss):
    with pytest.raises(InputError) as err:
        review.save_review(session, ReviewInput("", None, date(2026, 1, 1), date(2025, 1, 1)))
    assert {"title", "planned_on", "period_to"} <= set(err.value.fields)
    r = new_review(session, boss)
    with pytest.raises(InputError, match="held"):
        review.add_decision(session, r.id, DecisionKind.CHANGE, "x")
    with pytest.raises(InputError, match="attended"):
        review.hold(session, r.id, date(2026, 11, 20), [])
    with pytest.raises(InputError, match="assembled"):
        review.add_entry(session, r.id, "d2", "x")
    meet(session, r.id, date(2026, 11, 20), boss)
    with pytest.raises(InputError, match="owner and a due date"):
        review.add_decision(session, r.id, DecisionKind.CHANGE, "Extend scope", [ActionInput("Do it")])


def test_monitoring_and_objectives_inputs(session, boss):
    obj = workspace.save_objective(session, "OBJ-1", "Patch fast", "95 % in SLA", owner_id=boss)
    k = kpis.save_kpi(
        session,
        KpiInput(
            code="PATCH",
            name="Patches in SLA",
            target=95,
            warning=90,
            started_on=date(2025, 11, 1),
            objective_id=obj.id,
        ),
    )
    for m, v in [(1, 96), (4, 91), (7, 80), (10, 97)]:
        readings.record_reading(session, k.id, date(2026, m, 1), v)
    r = new_review(session, boss)
    d2 = review_inputs.assemble(session, r)["d2"]
    [row] = d2["kpis"]
    assert (row["readings"], row["on_target"], row["warning"], row["off_target"]) == (4, 2, 1, 1)
    assert [q["share"] for q in d2["on_target_share_by_quarter"]] == [100, 0, 0, 100]
    d4 = review_inputs.assemble(session, r)["d4"]
    # judged over the period (2 of 4 readings on target), no longer by the last reading alone
    assert d4["objectives"][0]["verdict"] == "partly met"


def test_a_kpi_begun_after_the_period_is_not_among_its_results(session, boss):
    for code, started in (("OLD", date(2025, 6, 1)), ("EDGE", date(2026, 10, 31)), ("NEW", date(2026, 11, 1))):
        kpis.save_kpi(session, KpiInput(code=code, name=code.title(), target=95, warning=90, started_on=started))
    r = new_review(session, boss)  # the period ends on 31 October 2026
    assert [row["code"] for row in review_inputs.assemble(session, r)["d2"]["kpis"]] == ["EDGE", "OLD"]


def test_audit_and_nonconformity_inputs(session, boss):
    lead = workspace.save_person(session, "Ada Auditor").id
    audit = audits.plan_audit(
        session,
        audits.AuditInput(
            "Ops audit",
            date(2026, 9, 1),
            date(2026, 9, 2),
            template=checklists.BUILTIN_ANNEX_A,
            scope_refs=["A.8.13"],
            lead_auditor_id=lead,
        ),
    )
    audits.start_audit(session, audit.id)
    audits.raise_finding(session, audit.id, Grading.MINOR_NC, "Restores untested", ref="A.8.13")
    audits.raise_finding(session, audit.id, Grading.OFI, "Automate restore tests", ref="A.8.13")
    audits.complete_audit(session, audit.id, "", "Backups need attention.")
    r = new_review(session, boss, end=date(2026, 11, 30))  # the audit ran today
    data = review_inputs.assemble(session, r)
    assert data["d1"]["raised"] == 1 and data["d1"]["corrective_actions"]["open"] == 1
    assert data["d1"]["corrective_actions"]["as_of"] == clock.today().isoformat()  # status now, said so
    assert data["d3"]["audits"][0]["findings"] == {"minor NC": 1, "opportunity for improvement": 1}
    assert data["g"]["audit_opportunities"][0]["statement"] == "Automate restore tests"


def test_hold_decide_approve_freezes_everything(session, boss):
    r = new_review(session, boss)
    review.add_entry(session, r.id, "b", "New NIS2 obligations", "Customer contracts now require it", "Legal")
    review.set_commentary(session, r.id, "b", "Agreed to assess NIS2 impact [Q1].")
    held_with_action(session, boss, r, date(2026, 11, 20))
    review.conclude(session, r.id, [ConclusionInput(a, Verdict.YES, "shown") for a in ConclusionAspect])
    with pytest.raises(InputError, match="Who approves"):
        review.approve(session, r.id, None)
    approved = review.approve(session, r.id, boss)
    assert approved.status == ReviewStatus.APPROVED and len(approved.snapshot_sha256) == 64
    record = review.minutes(session, approved)
    assert record["decisions"][0]["actions"][0]["title"] == "Recruit security engineer"
    assert record["inputs"][1]["entries"][0]["title"] == "New NIS2 obligations"
    for attempt in (
        lambda: review.set_commentary(session, r.id, "c", "late"),
        lambda: review.add_entry(session, r.id, "b", "late"),
        lambda: review.save_review(
            session, ReviewInput("x", date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 2)), r.id
        ),
    ):
        with pytest.raises(InputError, match="frozen"):
            attempt()


def test_frozen_even_outside_the_services(engine):
    with session_scope(engine, "t") as s:
        boss = workspace.save_person(s, "Bea Boss").id
        r = new_review(s, boss)
        review.add_entry(s, r.id, "c", "Customer asks for SOC 2")
        held_with_action(s, boss, r, date(2026, 11, 20))
        sign_off(s, r.id, boss)
    with pytest.raises(PermissionError, match="frozen"), session_scope(engine, "t") as s:
        s.exec(select(ReviewEntry)).one().title = "changed"
    with pytest.raises(PermissionError, match="frozen"), session_scope(engine, "t") as s:
        s.exec(select(ManagementReview)).one().title = "changed"


def test_altered_snapshot_is_detected(session, boss):
    r = new_review(session, boss)
    held_with_action(session, boss, r, date(2026, 11, 20))
    sign_off(session, r.id, boss)
    altered = ManagementReview(**r.model_dump())  # as if edited in the database file
    altered.snapshot = r.snapshot.replace("Recruit", "Fire")
    with pytest.raises(InputError, match="altered"):
        review.minutes(session, altered)


def test_next_review_lists_previous_actions_and_carry_over(session, boss):
    first = new_review(session, boss, "Review 2024", date(2024, 11, 20), date(2023, 11, 1), date(2024, 10, 31))
    decision = held_with_action(session, boss, first, date(2024, 11, 20), due=date(2025, 3, 31))
    sign_off(session, first.id, boss)
    second = new_review(session, boss, "Review 2025", date(2025, 11, 20), date(2024, 11, 1), date(2025, 10, 31))
    a2 = review_inputs.assemble(session, second)["a"]
    assert a2["first_review"] is False and a2["open"] == 1
    assert a2["actions"][0]["carried_over"] == 0 and a2["actions"][0]["overdue"] is True
    meet(session, second.id, date(2025, 11, 20), boss)
    sign_off(session, second.id, boss)
    third = new_review(session, boss)
    [row] = review_inputs.assemble(session, third)["a"]["actions"]
    assert row["carried_over"] == 1 and row["review"] == "Review 2024"
    # closing it shows at the next review as closed
    [(_, [action])] = review.decisions(session, first.id)
    actions.set_status(session, action.id, ActionStatus.IMPLEMENTED)
    actions.record_effectiveness(
        session,
        action.id,
        boss,
        Effectiveness.EFFECTIVE,
        "Engineer started in June",
        checker_reason="Bea approved the hire and is the only one who saw the start.",
    )
    a3 = review_inputs.assemble(session, third)["a"]
    assert (a3["open"], a3["closed"]) == (0, 1)
    assert decision.kind == DecisionKind.RESOURCES


def test_objectives_of_a_past_period_ignore_later_readings(session, boss):
    """Bug fixed: d4 judged a past period by the newest readings, even those after the period."""
    obj = workspace.save_objective(session, "OBJ-1", "Patch fast", "95 % in SLA", owner_id=boss)
    k = kpis.save_kpi(
        session,
        KpiInput(
            code="PATCH",
            name="Patches in SLA",
            target=95,
            warning=90,
            frequency="quarterly",
            started_on=date(2025, 1, 1),
            objective_id=obj.id,
        ),
    )
    for m, v in [(1, 96), (4, 97), (7, 98), (10, 99)]:
        readings.record_reading(session, k.id, date(2025, m, 1), v)
    readings.record_reading(session, k.id, date(2026, 1, 1), 50)  # after the review's period
    r = new_review(session, boss, "Review 2025", date(2026, 1, 10), date(2025, 1, 1), date(2025, 12, 31))
    [o] = review_inputs.assemble(session, r)["d4"]["objectives"]
    assert o["verdict"] == "met" and [(k["code"], k["status"], k["readings"]) for k in o["kpis"]] == [
        ("PATCH", "on target", 4)
    ]


def test_entry_evidence_is_in_the_snapshot_and_unlinked_on_delete(session, boss, tmp_path):
    from isms_tui.models import EvidenceLink
    from isms_tui.services import evidence

    r = new_review(session, boss)
    report = tmp_path / "risk-report.txt"
    report.write_text("Top risks [2026]")
    kept = review.add_entry(session, r.id, "f", "Risk report Q3", "Two risks above appetite", "Risk register")
    ev = evidence.add_file(session, report, "tester")
    evidence.link(session, ev, review.ENTRY_EVIDENCE, kept.id)
    dropped = review.add_entry(session, r.id, "f", "Draft to remove")
    evidence.link(session, ev, review.ENTRY_EVIDENCE, dropped.id)
    review.delete_entry(session, dropped.id)
    assert (
        session.exec(
            select(EvidenceLink).where(
                EvidenceLink.entity_id == dropped.id, EvidenceLink.entity == review.ENTRY_EVIDENCE
            )
        ).all()
        == []
    )
    held_with_action(session, boss, r, date(2026, 11, 20))
    sign_off(session, r.id, boss)
    f = next(i for i in review.minutes(session, r)["inputs"] if i["section"] == "f")
    assert [e["title"] for e in f["entries"]] == ["Risk report Q3"]
    assert f["entries"][0]["evidence"] == [{"name": "risk-report.txt", "sha256": ev.sha256}]
    with pytest.raises(InputError, match="frozen"):
        review.check_editable(session, r.id)


def test_actions_carried_over_twice(session, boss):
    """An action still open at two later reviews counts two carry-overs at the third."""

    def review_of(year: int):
        return new_review(
            session, boss, f"Review {year}", date(year, 11, 20), date(year - 1, 11, 1), date(year, 10, 31)
        )

    first = review_of(2023)
    held_with_action(session, boss, first, date(2023, 11, 20), due=date(2024, 3, 31))
    sign_off(session, first.id, boss)
    for year in (2024, 2025):
        r = review_of(year)
        meet(session, r.id, date(year, 11, 20), boss)
        sign_off(session, r.id, boss)
    [row] = review_inputs.assemble(session, review_of(2026))["a"]["actions"]
    assert (row["carried_over"], row["status"], row["overdue"]) == (2, "open", True)
