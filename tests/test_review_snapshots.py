"""Snapshots of the 9.3 screens at 120x40 with the clock and theme pinned, on a workspace seeded
here (tests/review_seed.py), so they do not move when the demo data changes.

Update deliberately with `pytest tests/test_review_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from isms_tui.app import IsmsApp

from .review_seed import seed_reviews
from .snapshot_helpers import matches_snapshot, on_dashboard, snapshot_app
from .tui_helpers import settle, wait_for


@pytest.fixture
def review_app(db_path) -> IsmsApp:
    seed_reviews(db_path)
    return snapshot_app(db_path)


async def _reviews_loaded(pilot) -> None:
    app = await on_dashboard(pilot)
    await pilot.press("v")
    await wait_for(pilot, lambda: app.current_mode == "review" and app.screen.rows != [])
    await pilot.pause()


async def _preparation_on_d2(pilot) -> None:
    """This year's draft on input d2: the on-target share per quarter as a chart, KPI series."""
    app = pilot.app
    await _reviews_loaded(pilot)
    await pilot.press("enter")  # newest first: the draft of 2026
    await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewPrepareScreen" and app.screen.data is not None)
    await pilot.press("down", "down", "down", "down")  # a, b, c, d1 → d2
    await wait_for(pilot, lambda: app.screen.section == "d2")
    await settle(pilot)


async def _minutes_of_last_year(pilot) -> None:
    app = pilot.app
    await _reviews_loaded(pilot)
    await pilot.press("down", "M")  # last year's approved review
    await wait_for(pilot, lambda: type(app.screen).__name__ == "ReviewMinutesScreen" and app.screen.record is not None)
    await settle(pilot)


def test_preparation_d2(snap_compare, review_app):
    assert matches_snapshot(snap_compare, review_app, _preparation_on_d2)


def test_minutes(snap_compare, review_app):
    assert matches_snapshot(snap_compare, review_app, _minutes_of_last_year)
