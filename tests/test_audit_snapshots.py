"""Snapshots of the 9.2 screens at 120x40 with the clock and theme pinned, on a workspace seeded
here (tests/audit_seed.py), so they do not move when the demo data changes.

Update deliberately with `pytest tests/test_audit_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from isms_tui.app import IsmsApp

from .audit_seed import seed_audits
from .snapshot_helpers import matches_snapshot, on_dashboard, snapshot_app
from .tui_helpers import settle, wait_for


@pytest.fixture
def audit_app(db_path) -> IsmsApp:
    seed_audits(db_path)
    return snapshot_app(db_path)


async def _audits_loaded(pilot) -> None:
    app = await on_dashboard(pilot)
    await pilot.press("a")
    await wait_for(pilot, lambda: app.current_mode == "audits" and app.screen.data is not None)


async def _coverage_shown(pilot) -> None:
    await _audits_loaded(pilot)
    await pilot.press("2")
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#coverage-table").row_count == 123)
    await settle(pilot)


async def _working_paper_shown(pilot) -> None:
    app = pilot.app
    await _audits_loaded(pilot)
    await pilot.press("down", "enter")  # "Operations and backups", in progress
    await wait_for(pilot, lambda: type(app.screen).__name__ == "AuditDetailScreen" and app.screen.view is not None)
    await pilot.press("w")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "WorkingPaperScreen" and bool(app.screen.items))
    await settle(pilot)


def test_coverage_matrix(snap_compare, audit_app):
    assert matches_snapshot(snap_compare, audit_app, _coverage_shown)


def test_working_paper(snap_compare, audit_app):
    assert matches_snapshot(snap_compare, audit_app, _working_paper_shown)
