"""Snapshots of the 9.1 screens on the demo workspace at 120x40, clock and theme pinned.

Update deliberately with `pytest tests/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from isms_tui.app import IsmsApp

from .snapshot_helpers import matches_snapshot, on_dashboard, snapshot_app
from .tui_helpers import loaded, settle, wait_for


@pytest.fixture
def demo_app(demo_workspace) -> IsmsApp:
    return snapshot_app(demo_workspace)


def _rows(pilot, selector: str) -> int:
    """Rows of a table on the current screen; 0 while the screen is still being composed."""
    found = pilot.app.screen.query(selector)
    return found.first().row_count if found else 0


async def _dashboard_loaded(pilot) -> None:
    await on_dashboard(pilot)
    await loaded(pilot)  # the full load, not only the first view (whose rows come first)
    await wait_for(pilot, lambda: _rows(pilot, "#urgent") > 0)
    await settle(pilot)


async def _list_loaded(pilot) -> None:
    await _dashboard_loaded(pilot)
    await pilot.press("m")
    await wait_for(pilot, lambda: pilot.app.current_mode == "monitoring")
    await wait_for(pilot, lambda: _rows(pilot, "#kpis") > 0)
    await settle(pilot)


async def _detail_loaded(pilot) -> None:
    await _list_loaded(pilot)
    table = pilot.app.screen.query_one("#kpis")
    codes = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
    table.move_cursor(row=codes.index("VULN-01"))  # a monthly KPI off target
    await pilot.press("enter")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "KpiDetailScreen")
    await wait_for(pilot, lambda: pilot.app.screen.report is not None)
    await settle(pilot)


def test_dashboard(snap_compare, demo_app):
    assert matches_snapshot(snap_compare, demo_app, _dashboard_loaded)


def test_kpi_list(snap_compare, demo_app):
    assert matches_snapshot(snap_compare, demo_app, _list_loaded)


def test_kpi_detail(snap_compare, demo_app):
    assert matches_snapshot(snap_compare, demo_app, _detail_loaded)


@pytest.fixture
def put_right_app(demo_workspace) -> IsmsApp:
    """VULN-01's September reading voided and measured again late, its August one corrected."""
    from datetime import date

    from isms_tui.services import kpis, readings

    from .db_helpers import workspace_session

    with workspace_session(demo_workspace, "Ann Officer") as s:
        k = kpis.kpi_by_code(s, "VULN-01")
        september = readings.find_reading(s, k.id, date(2026, 9, 1))
        readings.void_reading(s, september.id, "Counted October's findings.", by="Ann Officer")
        readings.record_reading(s, k.id, date(2026, 9, 1), 31, entered_by="Ann Officer", note="Recounted.")
        august = readings.find_reading(s, k.id, date(2026, 8, 1))
        readings.correct_reading(s, august.id, august.value + 1, "Off by one day.", by="Ann Officer")
    return snapshot_app(demo_workspace)


def test_kpi_detail_with_voided_late_and_corrected_readings(snap_compare, put_right_app):
    assert matches_snapshot(snap_compare, put_right_app, _detail_loaded)


@pytest.fixture
def target_change_app(demo_workspace) -> IsmsApp:
    """VULN-01's target tightened from August 2026 (earlier months keep the old one) and its
    May reading voided."""
    from datetime import date

    from isms_tui.services import kpis, readings
    from isms_tui.services.kpis import KpiInput
    from isms_tui.services.targets import TargetChange

    from .db_helpers import workspace_session

    with workspace_session(demo_workspace, "Ann Officer") as s:
        k = kpis.kpi_by_code(s, "VULN-01")
        data = KpiInput.from_kpi(k)
        data.target, data.warning = 25.0, 40.0
        kpis.save_kpi(s, data, k.id, TargetChange(date(2026, 8, 1), "Board asked for a 25-day SLA [2026-07]"))
        may = readings.find_reading(s, k.id, date(2026, 5, 1))
        readings.void_reading(s, may.id, "Counted April's findings again.", by="Ann Officer")
    return snapshot_app(demo_workspace)


def test_kpi_detail_after_a_target_change(snap_compare, target_change_app):
    assert matches_snapshot(snap_compare, target_change_app, _detail_loaded)
