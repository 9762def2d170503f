"""`isms status`: the audits and actions keys scripts rely on, in JSON and in text."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from isms_tui.cli import main
from isms_tui.models import ActionStatus, Effectiveness, Grading
from isms_tui.services import actions, audit_reporting, audits, checklists, clock, workspace
from isms_tui.services.actions import ActionInput
from isms_tui.services.audits import AuditInput
from isms_tui.services.status import render_text, summary

from .conftest import TODAY
from .db_helpers import write


def _audit(s, lead: int, title: str) -> int:
    return audits.plan_audit(
        s,
        AuditInput(
            title=title,
            planned_start=date(2026, 10, 5),
            planned_end=date(2026, 10, 6),
            template=checklists.BUILTIN_ANNEX_A,
            scope_refs=["A.8.8", "A.8.13"],
            lead_auditor_id=lead,
        ),
    ).id


def seed(s) -> dict[str, int]:
    """Audits in every state, two NCs and an observation, actions open, overdue and closed."""
    workspace.save_workspace(s, "Acme [Ltd]", "Everything")
    ann = workspace.save_person(s, "Ann Auditor", areas=["Internal audit"]).id
    bob = workspace.save_person(s, "Bob Owner", areas=["IT operations"]).id
    _audit(s, ann, "Planned audit")
    running = _audit(s, ann, "Running audit")
    audits.start_audit(s, running)
    done = _audit(s, ann, "Completed audit")
    audits.start_audit(s, done)
    audits.complete_audit(s, done, "", "Mostly effective.")
    reported = _audit(s, ann, "Reported audit")
    audits.start_audit(s, reported)
    audits.complete_audit(s, reported, "", "Effective.")
    audit_reporting.report_results(s, reported, [ann], clock.today(), "email")

    major = audits.raise_finding(s, running, Grading.MAJOR_NC, "No scans since March.", ref="A.8.8")
    minor = audits.raise_finding(s, running, Grading.MINOR_NC, "Restore tests missing.", ref="A.8.13")
    audits.raise_finding(s, running, Grading.OBSERVATION, "Runbook is old.", ref="A.8.13")
    major_action = audits.action_for_finding(s, major.id)
    actions.update_action(
        s, major_action, ActionInput(title="Fix [scans]", owner_id=bob, due_date=TODAY - timedelta(days=10))
    )
    minor_action = audits.action_for_finding(s, minor.id)
    actions.update_action(
        s,
        minor_action,
        ActionInput(
            title="Schedule restore tests",
            owner_id=bob,
            due_date=TODAY - timedelta(days=40),
            root_cause="Nobody owned it.",
            corrective_action="Quarterly test in the ops calendar.",
        ),
    )
    actions.set_status(s, minor_action.id, ActionStatus.IMPLEMENTED)
    actions.record_effectiveness(s, minor_action.id, ann, Effectiveness.EFFECTIVE, "Two restores seen.")
    due_today = actions.create_action(s, "other", None, ActionInput(title="Due today", due_date=TODAY))
    unowned = actions.create_action(
        s, "review", 1, ActionInput(title="No owner yet", due_date=TODAY - timedelta(days=1))
    )
    return {
        "major": major_action.id,
        "minor": minor_action.id,
        "today": due_today.id,
        "unowned": unowned.id,
        "bob": bob,
        "ann": ann,
    }


def test_summary_counts_audits_and_open_nonconformities(session):
    seed(session)
    data = summary(session, TODAY)
    counts = {k: v for k, v in data["audits"].items() if k != "list"}
    assert counts == {
        "planned": 1,
        "in_progress": 1,
        "completed": 1,
        "reported": 1,
        "open_nonconformities": 1,
    }  # the minor NC's action is closed


def test_summary_lists_overdue_actions_most_overdue_first(session):
    ids = seed(session)
    acts = summary(session, TODAY)["actions"]
    assert acts["open"] == 3  # the major NC's action, the one due today and the unowned one
    assert acts["overdue"] == 2  # due today is not overdue; the closed one never is
    assert acts["overdue_list"] == [
        {
            "id": ids["major"],
            "title": "Fix [scans]",
            "owner": "Bob Owner",
            "due": (TODAY - timedelta(days=10)).isoformat(),
        },
        {"id": ids["unowned"], "title": "No owner yet", "owner": None, "due": (TODAY - timedelta(days=1)).isoformat()},
    ]


def test_closing_the_last_nonconformity_action_clears_the_count(session):
    ids = seed(session)
    actions.update_action(
        session,
        actions.get_action(session, ids["major"]),
        ActionInput(
            title="Fix [scans]",
            owner_id=ids["bob"],
            root_cause="Licence lapsed.",
            corrective_action="Renewal in the contract calendar.",
        ),
    )
    actions.set_status(session, ids["major"], ActionStatus.IMPLEMENTED)
    assert summary(session, TODAY)["audits"]["open_nonconformities"] == 1  # implemented is not closed
    actions.record_effectiveness(session, ids["major"], ids["ann"], Effectiveness.NOT_EFFECTIVE, "Scans stopped again.")
    assert summary(session, TODAY)["audits"]["open_nonconformities"] == 1
    actions.set_status(session, ids["major"], ActionStatus.IMPLEMENTED)
    actions.record_effectiveness(session, ids["major"], ids["ann"], Effectiveness.EFFECTIVE, "Weekly scans seen.")
    data = summary(session, TODAY)
    assert data["audits"]["open_nonconformities"] == 0
    assert [a["id"] for a in data["actions"]["overdue_list"]] == [ids["unowned"]]


def test_next_audit_is_the_running_one_else_the_next_planned(session):
    seed(session)
    running_id = next(a.id for a in audits.list_audits(session) if a.title == "Running audit")
    assert summary(session, TODAY)["next_audit"] == {
        "id": running_id,
        "title": "Running audit",
        "state": "in progress",
        "on": TODAY.isoformat(),
    }
    ann = workspace.person_by_name(session, "Ann Auditor").id
    later = audits.plan_audit(
        session,
        AuditInput(
            title="Next year's audit",
            planned_start=TODAY + timedelta(days=90),
            planned_end=TODAY + timedelta(days=91),
            template=checklists.BUILTIN_ANNEX_A,
            scope_refs=["A.8.8"],
            lead_auditor_id=ann,
        ),
    )
    running = next(a for a in audits.list_audits(session) if a.title == "Running audit")
    audits.complete_audit(session, running.id, "", "Done.")
    late = summary(session, TODAY)["next_audit"]  # due to start on 2026-10-05, never started
    planned = next(a for a in audits.list_audits(session) if a.title == "Planned audit")
    assert late == {"id": planned.id, "title": "Planned audit", "state": "late", "on": "2026-10-05"}
    audits.start_audit(session, planned.id)
    audits.complete_audit(session, planned.id, "", "Done.")
    data = summary(session, TODAY)
    assert data["next_audit"] == {
        "id": later.id,
        "title": later.title,
        "state": "planned",
        "on": (TODAY + timedelta(days=90)).isoformat(),
    }
    assert f"planned: #{later.id} Next year's audit (from {(TODAY + timedelta(days=90)).isoformat()})" in render_text(
        data
    )


def test_empty_workspace_has_every_key_at_zero(session):
    data = summary(session, TODAY)
    assert data["actions"] == {"open": 0, "overdue": 0, "overdue_list": [], "open_list": []}
    assert data["audits"] == {
        "planned": 0,
        "in_progress": 0,
        "completed": 0,
        "reported": 0,
        "open_nonconformities": 0,
        "list": [],
    }
    assert data["next_audit"] is None
    text = render_text(data)
    assert "Actions: 0 open (overdue: 0)" in text
    assert "open nonconformities: 0" in text


def test_render_text_shows_audits_and_overdue_actions(session):
    ids = seed(session)
    text = render_text(summary(session, TODAY))
    assert "Audits: 1 planned, 1 in progress, 1 completed, 1 reported; open nonconformities: 1" in text
    assert "Actions: 3 open (overdue: 2)" in text
    overdue_lines = [line for line in text.splitlines() if line.startswith("  #")]
    assert len(overdue_lines) == 2
    assert f"#{ids['major']}" in overdue_lines[0] and "Bob Owner" in overdue_lines[0]
    assert "Fix [scans]" in overdue_lines[0]
    assert "no owner" in overdue_lines[1]


@pytest.fixture
def seeded_db(tmp_path: Path) -> Path:
    path = tmp_path / "status.db"
    write(path, seed, "seed")
    return path


def test_cli_status_json_has_the_audits_and_actions_keys(seeded_db):
    result = CliRunner().invoke(main, ["status", "--db", str(seeded_db), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["today"] == TODAY.isoformat()
    assert set(data["actions"]) == {"open", "overdue", "overdue_list", "open_list"}
    assert (data["actions"]["open"], data["actions"]["overdue"]) == (3, 2)
    assert all(set(item) == {"id", "title", "owner", "due"} for item in data["actions"]["overdue_list"])
    counts = {k: v for k, v in data["audits"].items() if k != "list"}
    assert counts == {"planned": 1, "in_progress": 1, "completed": 1, "reported": 1, "open_nonconformities": 1}


def test_cli_status_text_mentions_actions(seeded_db):
    result = CliRunner().invoke(main, ["status", "--db", str(seeded_db)])
    assert result.exit_code == 0, result.output
    assert "Actions: 3 open (overdue: 2)" in result.stdout
    assert "Fix [scans]" in result.stdout


def test_reviews_key_on_an_empty_workspace(session):
    data = summary(session, TODAY)
    assert data["reviews"] == {"last": None, "next": None, "open_actions": 0, "list": []}
    assert "Management review: none held yet; none planned; open review actions: 0" in render_text(data)


def test_reviews_key_reports_the_last_held_the_next_planned_and_open_review_actions(session):
    from isms_tui.models import ConclusionAspect, DecisionKind, Verdict
    from isms_tui.services import review
    from isms_tui.services.review import ReviewInput
    from isms_tui.services.review_people import AttendeeInput, ConclusionInput

    ids = seed(session)  # includes one open review action ("No owner yet")
    held = review.save_review(
        session, ReviewInput("Review [2025]", date(2025, 12, 1), date(2024, 12, 1), date(2025, 11, 30), ids["bob"])
    )
    review.hold(session, held.id, date(2025, 12, 3), [AttendeeInput(ids["bob"], "chair", True)])
    review.add_decision(
        session,
        held.id,
        DecisionKind.CHANGE,
        "Extend the scope.",
        [ActionInput("Update the SoA", owner_id=ids["bob"], due_date=date(2026, 3, 31))],
    )
    review.conclude(session, held.id, [ConclusionInput(a, Verdict.YES, "Shown.") for a in ConclusionAspect])
    review.approve(session, held.id, ids["bob"])
    later = review.save_review(session, ReviewInput("Review 2027", date(2027, 1, 20), date(2025, 12, 1), TODAY))
    nxt = review.save_review(session, ReviewInput("Review 2026", date(2026, 12, 15), date(2025, 12, 1), TODAY))
    data = summary(session, TODAY)
    assert data["reviews"] == {
        "last": {"id": held.id, "title": "Review [2025]", "held_on": "2025-12-03", "status": "approved"},
        "next": {"id": nxt.id, "title": "Review 2026", "planned_on": "2026-12-15"},
        "open_actions": 2,
        "list": [
            {
                "id": held.id,
                "title": "Review [2025]",
                "status": "approved",
                "planned_on": "2025-12-01",
                "held_on": "2025-12-03",
            },
            {"id": nxt.id, "title": "Review 2026", "status": "draft", "planned_on": "2026-12-15", "held_on": None},
            {"id": later.id, "title": "Review 2027", "status": "draft", "planned_on": "2027-01-20", "held_on": None},
        ],
    }
    assert (
        f"Management review: last held 2025-12-03 (#{held.id} Review [2025], approved); next planned 2026-12-15 "
        f"(#{nxt.id} Review 2026); open review actions: 2"
    ) in render_text(data)


def test_cli_status_json_has_the_reviews_key(seeded_db):
    result = CliRunner().invoke(main, ["status", "--db", str(seeded_db), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reviews"] == {"last": None, "next": None, "open_actions": 1, "list": []}


def test_cli_status_json_lists_audits_and_open_actions_with_the_ids_commands_take(seeded_db):
    """The numbers in `audits.list` and `actions.open_list` are the ones `isms pack --audit`,
    `isms audit reported` and `isms nc reopen` accept."""
    result = CliRunner().invoke(main, ["status", "--db", str(seeded_db), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    listed = data["audits"]["list"]
    assert [(a["title"], a["status"]) for a in listed] == [
        ("Planned audit", "planned"),
        ("Running audit", "in progress"),
        ("Completed audit", "completed"),
        ("Reported audit", "reported"),
    ]
    assert all(set(a) == {"id", "title", "status", "planned_start", "planned_end"} for a in listed)
    assert len({a["id"] for a in listed}) == 4
    assert data["next_audit"]["id"] == listed[1]["id"]  # the running one
    open_list = data["actions"]["open_list"]
    assert [a["title"] for a in open_list] == ["Fix [scans]", "Due today", "No owner yet"]  # by number
    assert all(set(a) == {"id", "title", "status", "source", "owner", "due", "overdue"} for a in open_list)
    assert [a["overdue"] for a in open_list] == [True, False, True]
    assert {a["id"] for a in data["actions"]["overdue_list"]} <= {a["id"] for a in open_list}
    assert open_list[0]["source"].startswith("NC A.8.8 · audit ")
    # The completed audit's id is the one `isms audit reported` takes.
    completed = listed[2]["id"]
    reported = CliRunner().invoke(
        main,
        [
            "audit",
            "reported",
            str(completed),
            "--db",
            str(seeded_db),
            "--to",
            "Ann Auditor",
            "--on",
            TODAY.isoformat(),
            "--how",
            "email",
        ],
    )
    assert reported.exit_code == 0, reported.output
    again = json.loads(CliRunner().invoke(main, ["status", "--db", str(seeded_db), "--json"]).stdout)
    assert next(a for a in again["audits"]["list"] if a["id"] == completed)["status"] == "reported"
