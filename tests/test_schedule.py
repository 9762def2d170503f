"""Reviews (9.3.1) and audits (9.2.1) at their planned intervals: the warnings of the dashboard
and `isms status`, and the intervals in the workspace's settings."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from isms_tui.cli import main
from isms_tui.models import Audit, AuditStatus, ManagementReview, ReviewStatus
from isms_tui.services import workspace
from isms_tui.services.errors import InputError
from isms_tui.services.schedule import add_months, audit_schedule, review_schedule, schedule

from .conftest import TODAY
from .db_helpers import workspace_session


def _review(session, planned, held=None, status=ReviewStatus.DRAFT):
    session.add(
        ManagementReview(
            title=f"Review {planned}",
            planned_on=planned,
            held_on=held,
            period_from=date(2024, 1, 1),
            period_to=date(2024, 12, 31),
            status=status,
        )
    )
    session.flush()


def _audit(session, start, status=AuditStatus.COMPLETED, actual=None):
    session.add(
        Audit(title=f"Audit {start}", planned_start=start, planned_end=start, actual_start=actual, status=status)
    )
    session.flush()


def test_nothing_held_nor_planned(session):
    workspace.save_workspace(session, "Acme")
    data = schedule(session, TODAY)
    assert data["warnings"] == [
        "No internal audit has taken place or is planned.",
        "No management review has taken place or is planned.",
    ]
    assert data["review"] == {
        "interval_months": 12,
        "last": None,
        "due_by": None,
        "next_planned": None,
        "overdue": False,
        "warnings": ["No management review has taken place or is planned."],
    }


def test_a_review_is_due_an_interval_after_the_last_one_held(session):
    workspace.save_workspace(session, "Acme")
    _review(session, date(2025, 6, 1), date(2025, 6, 3), ReviewStatus.APPROVED)
    _review(session, date(2024, 6, 1), date(2024, 6, 3), ReviewStatus.HELD)
    r = review_schedule(session, TODAY)
    assert (r["last"], r["due_by"], r["overdue"]) == ("2025-06-03", "2026-06-03", True)
    assert r["warnings"] == [
        "The next management review is overdue: it was due by 2026-06-03, 12 months after the one held on 2025-06-03.",
        "No management review is planned.",
    ]
    _review(session, date(2026, 12, 10))  # planned now, still overdue until held
    assert review_schedule(session, TODAY)["warnings"] == [
        "The next management review is overdue: it was due by 2026-06-03, 12 months after the one held on 2025-06-03."
    ]
    workspace.save_workspace(session, "Acme", review_interval_months=18)  # due 2026-12-03: planned after it
    r = review_schedule(session, TODAY)
    assert (r["due_by"], r["overdue"], r["next_planned"]) == ("2026-12-03", False, "2026-12-10")
    assert r["warnings"] == ["The management review planned for 2026-12-10 falls after its due date 2026-12-03."]
    workspace.save_workspace(session, "Acme", review_interval_months=24)
    assert review_schedule(session, TODAY)["warnings"] == []


def test_an_audit_is_due_an_interval_after_the_last_one_started(session):
    workspace.save_workspace(session, "Acme", audit_interval_months=6)
    _audit(session, date(2026, 3, 1), actual=date(2026, 3, 4))
    a = audit_schedule(session, TODAY)
    assert (a["last"], a["due_by"], a["overdue"]) == ("2026-03-04", "2026-09-04", True)
    assert a["warnings"][1] == "No internal audit is planned."
    _audit(session, date(2026, 11, 20), AuditStatus.IN_PROGRESS)  # one under way: nothing to warn about
    a = audit_schedule(session, TODAY)
    assert (a["last"], a["due_by"], a["overdue"], a["warnings"]) == ("2026-11-20", "2027-05-20", False, [])


def test_a_planned_audit_before_its_due_date_is_enough(session):
    workspace.save_workspace(session, "Acme")
    _audit(session, date(2026, 1, 10))
    _audit(session, date(2026, 12, 1), AuditStatus.PLANNED)
    assert audit_schedule(session, TODAY)["warnings"] == []
    workspace.save_workspace(session, "Acme", audit_interval_months=10)  # due 2026-11-10: overdue
    assert audit_schedule(session, TODAY)["overdue"] is True


def test_intervals_are_one_to_thirty_six_months_and_kept_when_not_given(session):
    workspace.save_workspace(session, "Acme", review_interval_months=6, audit_interval_months=9)
    for bad in (0, 37):
        with pytest.raises(InputError, match="1 to 36 months") as err:
            workspace.save_workspace(session, "Acme", review_interval_months=bad)
        assert err.value.fields == {"review_interval_months": "1 to 36 months."}
    ws = workspace.save_workspace(session, "Acme Ltd")
    assert (ws.review_interval_months, ws.audit_interval_months) == (6, 9)


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)


def test_status_json_and_text_warn(db_path):
    with workspace_session(db_path, "t") as s:
        workspace.save_workspace(s, "Acme", review_interval_months=6)
        _review(s, date(2026, 1, 15), date(2026, 1, 15), ReviewStatus.APPROVED)
        _audit(s, date(2026, 2, 1))
        _audit(s, date(2027, 1, 10), AuditStatus.PLANNED)
    result = CliRunner().invoke(main, ["status", "--db", str(db_path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["schedule"]
    assert data["review"]["due_by"] == "2026-07-15" and data["review"]["overdue"] is True
    assert data["audit"] == {
        "interval_months": 12,
        "last": "2026-02-01",
        "due_by": "2027-02-01",
        "next_planned": "2027-01-10",
        "overdue": False,
        "warnings": [],
    }
    assert data["warnings"] == [
        "The next management review is overdue: it was due by 2026-07-15, 6 months after the one held on 2026-01-15.",
        "No management review is planned.",
    ]
    text = CliRunner().invoke(main, ["status", "--db", str(db_path)]).stdout
    assert "Intervals: a management review at least every 6 months (next due by 2026-07-15)" in text
    assert "  Warning: No management review is planned." in text


async def test_the_dashboard_warns_under_the_cycle_line(db_path):
    from .tui_helpers import make_app, opened, wait_for

    with workspace_session(db_path, "t") as s:
        workspace.save_workspace(s, "Acme")
        workspace.save_person(s, "Bea Boss")
        _review(s, date(2025, 6, 1), date(2025, 6, 3), ReviewStatus.APPROVED)
        _audit(s, date(2027, 1, 10), AuditStatus.PLANNED)
    app = make_app(db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)

        def headline() -> str:
            return str(app.screen.query_one("#headline").render())

        await wait_for(pilot, lambda: "Acme" in headline(), "the headline")
        text = headline()
        assert "⚠ The next management review is overdue: it was due by 2026-06-03" in text
        assert "⚠ No management review is planned." in text
        assert "internal audit" not in text  # one is planned and none has been due yet
