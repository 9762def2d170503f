"""Nonconformities from every source (10.2): raising them, the effectiveness check's rules,
reopening, and review input d1 counting each source per quarter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from isms_tui.models import ActionReopen, ActionStatus, Direction, Effectiveness, Frequency, Grading
from isms_tui.services import (
    action_register,
    actions,
    analysis,
    audits,
    checklists,
    clock,
    kpis,
    nonconformities,
    readings,
    review_inputs,
    workspace,
)
from isms_tui.services.actions import ActionInput
from isms_tui.services.audits import AuditInput
from isms_tui.services.errors import InputError

from .conftest import TODAY


@pytest.fixture
def people(session) -> dict[str, int]:
    return {
        "ann": workspace.save_person(session, "Ann Officer").id,
        "bob": workspace.save_person(session, "Bob Owner").id,
    }


def _incident(session, people, **extra) -> int:
    data = ActionInput(
        title="Stop laptops leaving unencrypted",
        owner_id=people["bob"],
        description="A laptop was lost on a train; its disk was not encrypted.",
        detected_on=TODAY - timedelta(days=20),
        source_ref="INC-2026-014",
        correction="Remote wipe sent; the customer was told.",
        extent="Two other laptops were found unencrypted in the same team.",
        root_cause="New laptops were issued before the build enforced encryption.",
        corrective_action="Enrolment refuses a device until its disk is encrypted.",
        isms_change="Asset procedure now names the encryption check at issue.",
        **extra,
    )
    return nonconformities.raise_nonconformity(session, "incident", data).id


def _implemented(session, action_id: int) -> None:
    actions.set_status(session, action_id, ActionStatus.IN_PROGRESS)
    actions.set_status(session, action_id, ActionStatus.IMPLEMENTED)


def test_an_incident_raises_a_nonconformity_with_its_whole_record(session, people):
    action = actions.get_action(session, _incident(session, people))
    assert action.nonconformity and action.source == "incident" and action.source_id is None
    assert action.extent.startswith("Two other laptops") and action.isms_change.startswith("Asset procedure")
    [row] = action_register.register(session, TODAY)
    assert row.source_label == "incident INC-2026-014"


def test_a_nonconformity_needs_what_happened_and_when(session, people):
    with pytest.raises(InputError) as exc:
        nonconformities.raise_nonconformity(session, "complaint", ActionInput(title="Answer the client"))
    assert set(exc.value.fields) == {"description", "detected_on"}
    with pytest.raises(InputError) as exc:
        nonconformities.raise_nonconformity(
            session, "complaint", ActionInput("x", description="y", detected_on=TODAY + timedelta(days=1))
        )
    assert exc.value.fields == {"detected_on": "It cannot be detected in the future."}
    with pytest.raises(InputError, match="raised here from one of"):
        nonconformities.raise_nonconformity(session, "finding", ActionInput("x", description="y", detected_on=TODAY))


def test_its_action_is_implemented_only_with_root_cause_and_corrective_action(session, people):
    action_id = nonconformities.raise_nonconformity(
        session, "other", ActionInput("Fix it", description="Visitor log missing", detected_on=TODAY)
    ).id
    with pytest.raises(InputError, match="root cause and the corrective action"):
        actions.set_status(session, action_id, ActionStatus.IMPLEMENTED)


def test_the_owner_checks_their_own_action_only_with_a_reason(session, people):
    action_id = _incident(session, people)
    _implemented(session, action_id)
    with pytest.raises(InputError) as exc:
        actions.record_effectiveness(session, action_id, people["bob"], Effectiveness.EFFECTIVE, "Seen at enrolment")
    assert "checker_reason" in exc.value.fields
    done = actions.record_effectiveness(
        session,
        action_id,
        people["bob"],
        Effectiveness.EFFECTIVE,
        "Seen at enrolment",
        checker_reason="Bob is the only administrator of device enrolment.",
    )
    assert done.status == ActionStatus.CLOSED and done.checker_reason.startswith("Bob is the only")


def test_another_checker_needs_no_reason_and_none_is_kept(session, people):
    action_id = _incident(session, people)
    _implemented(session, action_id)
    done = actions.record_effectiveness(
        session, action_id, people["ann"], Effectiveness.EFFECTIVE, "Seen", checker_reason="not needed"
    )
    assert done.checker_reason == ""


def test_the_check_is_refused_before_the_settling_period_has_passed(session, people):
    action_id = _incident(session, people, settling_days=30)
    with clock.pinned(TODAY - timedelta(days=40)):
        _implemented(session, action_id)
    action = actions.get_action(session, action_id)
    assert actions.planned_check_on(action) == TODAY - timedelta(days=10)
    with pytest.raises(InputError, match="planned for 2026-11-18, 30 days after"):
        actions.record_effectiveness(
            session, action_id, people["ann"], Effectiveness.EFFECTIVE, "Seen", checked_on=TODAY - timedelta(days=11)
        )
    done = actions.record_effectiveness(
        session, action_id, people["ann"], Effectiveness.EFFECTIVE, "Seen", checked_on=TODAY - timedelta(days=10)
    )
    assert done.status == ActionStatus.CLOSED


def test_not_effective_restarts_the_settling_period(session, people):
    action_id = _incident(session, people, settling_days=5)
    with clock.pinned(TODAY - timedelta(days=10)):
        _implemented(session, action_id)
    back = actions.record_effectiveness(session, action_id, people["ann"], Effectiveness.NOT_EFFECTIVE, "Still off")
    assert back.status == ActionStatus.IN_PROGRESS and back.implemented_on is None
    actions.set_status(session, action_id, ActionStatus.IMPLEMENTED)
    with pytest.raises(InputError, match="planned for 2026-12-03"):
        actions.record_effectiveness(session, action_id, people["ann"], Effectiveness.EFFECTIVE, "Now fine")


def test_a_closed_action_reopens_with_a_reason_and_closes_again_only_through_a_check(session, people):
    action_id = _incident(session, people)
    _implemented(session, action_id)
    actions.record_effectiveness(session, action_id, people["ann"], Effectiveness.EFFECTIVE, "Enrolment refuses")
    with pytest.raises(InputError, match="Say why"):
        actions.reopen_action(session, action_id, "  ", "Ann Officer")
    reopened = actions.reopen_action(session, action_id, "A third laptop was found unencrypted.", "Ann Officer")
    assert reopened.status == ActionStatus.IN_PROGRESS
    assert reopened.closed_on is None and reopened.effectiveness is None
    [kept] = session.exec(select(ActionReopen)).all()
    assert kept.reason == "A third laptop was found unencrypted." and kept.closed_on == TODAY
    assert kept.effectiveness_notes == "Enrolment refuses" and kept.effectiveness_by_id == people["ann"]
    with pytest.raises(InputError, match="only a closed action is reopened"):
        actions.reopen_action(session, action_id, "again", "Ann Officer")
    with pytest.raises(InputError, match="once the action is implemented"):
        actions.record_effectiveness(session, action_id, people["ann"], Effectiveness.EFFECTIVE, "again")
    actions.set_status(session, action_id, ActionStatus.IMPLEMENTED)
    again = actions.record_effectiveness(session, action_id, people["ann"], Effectiveness.EFFECTIVE, "All encrypted")
    assert again.status == ActionStatus.CLOSED
    [row] = action_register.register(session, TODAY)
    assert [r.reason for r in row.reopens] == ["A third laptop was found unencrypted."]


def _kpi_with_reading(session, people, value: float) -> int:
    kpi = kpis.save_kpi(
        session,
        kpis.KpiInput(
            code="VULN-01",
            name="Mean time to remediate",
            unit="days",
            direction=Direction.LOWER_BETTER,
            target=30,
            frequency=Frequency.MONTHLY,
        ),
    )
    readings.record_reading(session, kpi.id, date(2026, 10, 1), value, "Ann Officer")
    return kpi.id


def test_an_analysis_of_a_breach_raises_a_nonconformity_and_of_a_good_period_a_follow_up(session, people):
    kpi_id = _kpi_with_reading(session, people, 52)
    breach = analysis.record_analysis(session, kpi_id, date(2026, 10, 1), "52 days, off target.", people["ann"])
    action = nonconformities.raise_from_analysis(session, breach.id, ActionInput("Add remediation capacity"))
    assert action.nonconformity and action.source == "analysis" and action.source_id == breach.id
    assert action.description == "52 days, off target." and action.detected_on == breach.analysed_on
    assert action_register.action_row(session, action.id, TODAY).source_label == "KPI breach VULN-01 2026-10"
    reading = readings.find_reading(session, kpi_id, date(2026, 10, 1))
    readings.correct_reading(session, reading.id, 20, "typo in the export", "Ann Officer")
    fine = analysis.record_analysis(session, kpi_id, date(2026, 10, 1), "On target after all.", people["ann"])
    follow = nonconformities.raise_from_analysis(session, fine.id, ActionInput("Keep the new triage rota"))
    assert not follow.nonconformity
    assert action_register.action_row(session, follow.id, TODAY).source_label == "analysis VULN-01 2026-10"


def test_d1_counts_every_source_per_quarter(session, people):
    _incident(session, people)  # detected 2026-11-08, Q4
    for kind, day in (("complaint", date(2026, 8, 3)), ("complaint", date(2026, 11, 2)), ("other", date(2026, 2, 1))):
        nonconformities.raise_nonconformity(session, kind, ActionInput("x", description="y", detected_on=day))
    kpi_id = _kpi_with_reading(session, people, 52)
    breach = analysis.record_analysis(session, kpi_id, date(2026, 10, 1), "Off target.", people["ann"])
    nonconformities.raise_from_analysis(session, breach.id, ActionInput("Add capacity"))
    audit = audits.plan_audit(
        session,
        AuditInput(
            title="Ops audit",
            planned_start=date(2026, 11, 2),
            planned_end=date(2026, 11, 3),
            template=checklists.BUILTIN_ANNEX_A,
            scope_refs=["A.8.13"],
            lead_auditor_id=people["ann"],
        ),
    )
    audits.start_audit(session, audit.id)
    audits.raise_finding(session, audit.id, Grading.MINOR_NC, "No restore test.", "Log", ref="A.8.13")
    audits.raise_finding(session, audit.id, Grading.OFI, "Could automate.", "", ref="A.8.13")
    d1 = review_inputs.nonconformities(session, date(2026, 4, 1), TODAY)
    assert d1["raised"] == 5  # the February one is before the period, the OFI is no nonconformity
    assert d1["by_source"] == {
        "audit finding": 1,
        "KPI breach": 1,
        "incident": 1,
        "complaint": 2,
        "management review": 0,
        "other": 0,
    }
    by_quarter = {q["quarter"]: q["by_source"] for q in d1["trend"]}
    assert by_quarter["2026-Q3"]["complaint"] == 1
    q4 = by_quarter["2026-Q4"]
    assert (q4["complaint"], q4["incident"], q4["KPI breach"], q4["audit finding"]) == (1, 1, 1, 1)
    assert [q["raised"] for q in d1["trend"]] == [0, 1, 4]
    assert [o["source"] for o in d1["other_sources"]] == ["complaint", "complaint", "incident", "KPI breach"]
    assert d1["corrective_actions"]["open"] == 6  # open today, the February one included


def test_open_on_an_earlier_day_counts_only_what_was_raised_and_not_closed_then(session, people) -> None:
    """An evaluation recorded with its own date counts the actions as they stood on that day."""
    with clock.pinned(TODAY - timedelta(days=20)):
        first = _incident(session, people)  # detected 20 days ago
        _implemented(session, first)
    with clock.pinned(TODAY - timedelta(days=10)):
        actions.record_effectiveness(session, first, people["ann"], Effectiveness.EFFECTIVE, "Checked.")
    with clock.pinned(TODAY - timedelta(days=5)):
        actions.reopen_action(session, first, "Another laptop left unencrypted.", "Ann Officer")
    with clock.pinned(TODAY - timedelta(days=2)):
        later = nonconformities.raise_nonconformity(
            session,
            "complaint",
            ActionInput(
                "Answer complaints in a week",
                people["bob"],
                description="Slow reply.",
                detected_on=TODAY - timedelta(days=2),
            ),
        ).id

    def open_ids(day: date) -> set[int]:
        return {a.id for a in nonconformities.open_on(session, day)}

    assert open_ids(TODAY - timedelta(days=21)) == set()  # nothing raised yet
    assert open_ids(TODAY - timedelta(days=15)) == {first}
    assert open_ids(TODAY - timedelta(days=7)) == set()  # closed by its check, not yet reopened
    assert open_ids(TODAY - timedelta(days=5)) == {first}  # reopened that day
    assert open_ids(TODAY - timedelta(days=3)) == {first}
    assert open_ids(TODAY) == {first, later}
    with clock.pinned(TODAY - timedelta(days=7)):
        d1 = review_inputs.nonconformities(session, TODAY - timedelta(days=30), TODAY - timedelta(days=7))
    assert (d1["corrective_actions"]["open"], d1["corrective_actions"]["overdue"]) == (0, 0)
