"""Pilot flows: voiding a reading in the KPI detail, and recording a partial period's value."""

from __future__ import annotations

from datetime import date

from sqlmodel import select
from textual.widgets import Checkbox, DataTable, Input

from isms_tui.models import Kpi, Reading, Status

from .conftest import TODAY
from .db_helpers import read
from .test_monitoring_flows import SIZE, rows_of, seed, status_of
from .tui_helpers import make_app, opened, type_into, wait_for


async def open_detail(pilot):
    app = await opened(pilot)
    await pilot.press("m")
    await opened(pilot, "monitoring")
    table = app.screen.query_one("#kpis", DataTable)
    await wait_for(pilot, lambda: table.row_count == 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiDetailScreen")
    await wait_for(pilot, lambda: app.screen.report is not None)
    return app


def live_values(db_path) -> list[float]:
    from isms_tui.services import monitoring

    return read(db_path, lambda s: monitoring.kpi_rows(s, TODAY)[0].recent)


async def test_void_a_reading_from_the_kpi_detail(db_path):
    seed(db_path)  # PATCH: 96 for June to September; October missing
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await open_detail(pilot)
        table = app.screen.query_one("#readings", DataTable)
        await wait_for(pilot, lambda: table.row_count == 4)
        table.move_cursor(row=1)  # newest first: 2026-08
        await pilot.press("v")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "VoidReadingForm")
        assert "PATCH 2026-08: 96%" in app.screen.form_title
        await pilot.press("ctrl+s")  # no reason: refused, nothing saved
        await pilot.pause()
        assert type(app.screen).__name__ == "VoidReadingForm"
        assert all(r.voided_at is None for r in rows_of(db_path, Reading))
        await type_into(pilot, "#field-reason Input", "Counted July's patches twice.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiDetailScreen")
        await wait_for(pilot, lambda: app.screen.report is not None and len(app.screen.report.live) == 3)
        row = [cell.plain if hasattr(cell, "plain") else cell for cell in table.get_row_at(1)]
        assert row[0] == "2026-08" and row[2] == "voided"
        assert date(2026, 8, 1) in app.screen.report.state.due_periods  # measurable again
        await pilot.press("v")  # voiding it again is refused before any form opens
        await pilot.pause()
        assert type(app.screen).__name__ == "KpiDetailScreen"
    [voided] = [r for r in rows_of(db_path, Reading) if r.voided_at is not None]
    assert (voided.period_start, voided.value, voided.void_reason) == (
        date(2026, 8, 1),
        96,
        "Counted July's patches twice.",
    )
    assert len(rows_of(db_path, Reading)) == 4  # kept, not deleted
    assert live_values(db_path) == [96, 96, 96]
    assert status_of(db_path, "PATCH") == Status.OVERDUE


async def test_a_running_period_needs_partial_ticked(db_path):
    seed(db_path)
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await open_detail(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReadingForm")
        await type_into(pilot, "#field-period Input", "2026-11")
        await type_into(pilot, "#field-value Input", "97")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReadingForm"
        assert "tick partial" in str(app.screen.query_one("#field-partial .field-error").render())
        assert len(rows_of(db_path, Reading)) == 4  # nothing saved
        app.screen.query_one("#field-partial Checkbox", Checkbox).value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiDetailScreen")
        await wait_for(pilot, lambda: app.screen.report is not None and len(app.screen.report.readings) == 5)
        table = app.screen.query_one("#readings", DataTable)
        await wait_for(pilot, lambda: table.row_count == 5)
        status = table.get_row_at(0)[2].plain
        assert status.endswith("partial")
    [november] = [r for r in rows_of(db_path, Reading) if r.period_start == date(2026, 11, 1)]
    assert november.partial and november.value == 97


async def test_changing_the_period_never_carries_a_note_over(db_path):
    seed(db_path)
    from .db_helpers import workspace_session

    with workspace_session(db_path, "seed") as s:
        r = s.exec(select(Reading).where(Reading.period_start == date(2026, 9, 1))).one()
        r.note = "September only"
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await open_detail(pilot)
        table = app.screen.query_one("#readings", DataTable)
        await wait_for(pilot, lambda: table.row_count == 4)
        table.move_cursor(row=0)
        table.focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReadingForm")
        note = app.screen.query_one("#field-note Input", Input)
        assert note.value == "September only"
        await type_into(pilot, "#field-period Input", "2026-10")
        assert note.value == ""
        await type_into(pilot, "#field-value Input", "97")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiDetailScreen")
    [october] = [r for r in rows_of(db_path, Reading) if r.period_start == date(2026, 10, 1)]
    assert october.note == "" and october.value == 97


async def test_the_kpi_form_takes_an_allowed_range_and_refuses_an_empty_one(db_path):
    seed(db_path, with_kpi=False)
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await opened(pilot)
        await pilot.press("m")
        await opened(pilot, "monitoring")
        await pilot.press("n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiForm")
        await type_into(pilot, "#field-code Input", "TEMP")
        await type_into(pilot, "#field-name Input", "Server room temperature")
        await type_into(pilot, "#field-target Input", "22")
        await type_into(pilot, "#field-min_value Input", "30")
        await type_into(pilot, "#field-max_value Input", "10")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "KpiForm"
        assert "above the lowest" in str(app.screen.query_one("#field-max_value .field-error").render())
        assert rows_of(db_path, Kpi) == []
        await type_into(pilot, "#field-min_value Input", "-10")
        await type_into(pilot, "#field-max_value Input", "60")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ != "KpiForm")
    [kpi] = rows_of(db_path, Kpi)
    assert (kpi.min_value, kpi.max_value) == (-10, 60)


async def test_the_reading_form_refuses_a_value_outside_the_range(db_path):
    seed(db_path)  # PATCH is a percentage: 0 to 100
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await open_detail(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReadingForm")
        await type_into(pilot, "#field-period Input", "2026-10")
        for bad in ("140", "-3", "1e300"):
            await type_into(pilot, "#field-value Input", bad)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert type(app.screen).__name__ == "ReadingForm"
            assert str(app.screen.query_one("#field-value .field-error").render())
        await type_into(pilot, "#field-value Input", "100")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiDetailScreen")
    assert sorted(r.value for r in rows_of(db_path, Reading)) == [96, 96, 96, 96, 100]
