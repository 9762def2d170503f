"""The register's read model: where each action comes from, who owns it, what is overdue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from isms_tui.models import ActionStatus, DecisionKind, Grading, ManagementReview, ReviewDecision
from isms_tui.services import action_register, actions, audits, checklists, workspace
from isms_tui.services.actions import ActionInput
from isms_tui.services.audits import AuditInput
from isms_tui.services.errors import InputError

from .conftest import TODAY


@pytest.fixture
def ids(session) -> dict[str, int]:
    ann = workspace.save_person(session, "Ann Auditor", areas=["Internal audit"]).id
    bob = workspace.save_person(session, "Bob Owner").id
    audit = audits.plan_audit(
        session,
        AuditInput(
            title="Ops audit",
            planned_start=date(2026, 11, 2),
            planned_end=date(2026, 11, 3),
            template=checklists.BUILTIN_ANNEX_A,
            scope_refs=["A.8.13"],
            lead_auditor_id=ann,
        ),
    )
    audits.start_audit(session, audit.id)
    nc = audits.raise_finding(session, audit.id, Grading.MAJOR_NC, "No restore tests.", "Backup log", ref="A.8.13")
    review = ManagementReview(
        title="Review 2026",
        planned_on=date(2026, 6, 1),
        held_on=date(2026, 6, 3),
        period_from=date(2025, 6, 1),
        period_to=date(2026, 5, 31),
    )
    session.add(review)
    session.flush()
    decision = ReviewDecision(review_id=review.id, kind=DecisionKind.RESOURCES, text="Hire an analyst.")
    session.add(decision)
    session.flush()
    rev_action = actions.create_action(
        session, "review", decision.id, ActionInput(title="Recruit", owner_id=bob, due_date=TODAY)
    )
    other = actions.create_action(
        session, "other", None, ActionInput(title="Tidy up", due_date=TODAY - timedelta(days=1))
    )
    return {
        "audit": audit.id,
        "nc_action": audits.action_for_finding(session, nc.id).id,
        "review_action": rev_action.id,
        "other": other.id,
        "bob": bob,
    }


def test_rows_carry_their_source_and_context(session, ids):
    rows = {r.id: r for r in action_register.register(session, TODAY)}
    nc = rows[ids["nc_action"]]
    assert nc.source_label == f"NC A.8.13 · audit {ids['audit']}"
    assert (nc.finding.statement, nc.finding.evidence, nc.finding.audit_title) == (
        "No restore tests.",
        "Backup log",
        "Ops audit",
    )
    assert nc.owner == "" and not nc.overdue  # no due date yet
    rev = rows[ids["review_action"]]
    assert rev.source_label == "review 2026-06-03"
    assert (rev.review.decision, rev.review.kind, rev.review.held) == ("Hire an analyst.", DecisionKind.RESOURCES, True)
    assert rev.owner == "Bob Owner" and not rev.overdue  # due today is not overdue yet
    assert rows[ids["other"]].source_label == "other" and rows[ids["other"]].overdue


def test_a_review_action_of_a_missing_decision_still_shows(session):
    orphan = actions.create_action(session, "review", 999, ActionInput(title="Old"))
    [row] = action_register.register(session, TODAY)
    assert (row.id, row.source_label, row.review) == (orphan.id, "review 999", None)


def test_closed_actions_are_never_overdue(session, ids):
    actions.update_action(
        session,
        actions.get_action(session, ids["other"]),
        ActionInput(title="Tidy up", due_date=TODAY - timedelta(days=1), root_cause="x", corrective_action="y"),
    )
    actions.set_status(session, ids["other"], ActionStatus.IMPLEMENTED)
    assert action_register.actions_summary(session, TODAY)["overdue"] == 1  # implemented, not yet checked
    actions.record_effectiveness(session, ids["other"], ids["bob"], "effective", "Checked.")
    summary = action_register.actions_summary(session, TODAY)
    assert (summary["open"], summary["overdue"], summary["overdue_list"]) == (2, 0, [])


def test_parse_date_records_field_errors():
    from isms_tui.services.form_values import parse_date

    errors: dict[str, str] = {}
    assert parse_date(" 2026-02-03 ", "due", errors) == date(2026, 2, 3)
    assert parse_date("", "due", errors) is None and errors == {}
    assert parse_date("", "on", errors, required=True) is None
    assert parse_date("31/12/2026", "due", errors) is None
    assert errors == {"on": "A date as YYYY-MM-DD.", "due": "A date as YYYY-MM-DD."}


def test_effectiveness_check_is_offered_only_for_implemented_actions(session, ids):
    action = actions.get_action(session, ids["nc_action"])
    with pytest.raises(InputError, match="is open: check its effectiveness once it is implemented"):
        action_register.check_effectiveness_allowed(action)
