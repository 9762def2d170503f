"""Pilot flow: changing a KPI's target in the form asks from which period and why, and the
KPI detail then judges earlier readings by the target they had."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Input

from isms_tui.models import KpiTarget, Status

from .test_monitoring_flows import SIZE, rows_of, seed, status_of
from .test_reading_fix_flows import open_detail
from .tui_helpers import make_app, type_into, wait_for


def field_error(app, key: str) -> str:
    return str(app.screen.query_one(f"#field-{key} .field-error").render())


async def test_a_target_change_through_the_kpi_form(db_path):
    seed(db_path)  # PATCH from 2026-06, target 95 warning 90, 96 for June to September
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await open_detail(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiForm")
        assert app.screen.query_one("#field-from_period Input", Input).value == "2026-11"  # the running period
        await type_into(pilot, "#field-name Input", "Critical patches installed in SLA")
        await pilot.press("ctrl+s")  # another field alone: no period or reason needed
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiDetailScreen")
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiForm")
        await type_into(pilot, "#field-target Input", "97")
        await type_into(pilot, "#field-warning Input", "99")
        await type_into(pilot, "#field-from_period Input", "2026-05")
        await pilot.press("ctrl+s")  # a warning past the target, before the start, no reason: all said
        await pilot.pause()
        assert type(app.screen).__name__ == "KpiForm"
        assert "must not exceed the target" in field_error(app, "warning")
        assert "measured from 2026-06" in field_error(app, "from_period")
        assert "why" in field_error(app, "reason")
        await type_into(pilot, "#field-warning Input", "93")
        await type_into(pilot, "#field-from_period Input", "August")
        await type_into(pilot, "#field-reason Input", "New patch tooling [rolled out]")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "monthly period such as" in field_error(app, "from_period")
        await type_into(pilot, "#field-from_period Input", "2026-08")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiDetailScreen")
        table = app.screen.query_one("#readings", DataTable)
        await wait_for(pilot, lambda: app.screen.report is not None and len(app.screen.report.versions) == 2)
        await wait_for(pilot, lambda: table.row_count == 4)
        status = {table.get_row_at(i)[0].plain: table.get_row_at(i)[2].plain for i in range(4)}
        assert status == {
            "2026-09": "▲ warning",
            "2026-08": "▲ warning",
            "2026-07": "● on target (≥ 95)",
            "2026-06": "● on target (≥ 95)",
        }
    versions = sorted(rows_of(db_path, KpiTarget), key=lambda v: v.from_period)
    assert [(v.from_period, v.target, v.warning) for v in versions] == [
        (date(2026, 6, 1), 95.0, 90.0),
        (date(2026, 8, 1), 97.0, 93.0),
    ]
    assert versions[1].reason == "New patch tooling [rolled out]" and versions[1].recorded_by
    assert status_of(db_path, "PATCH") == Status.OVERDUE  # October still missing
