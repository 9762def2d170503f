"""Pilot flows over the monitoring screens, asserting on the database."""

from __future__ import annotations

from datetime import date

from sqlmodel import select
from textual.widgets import DataTable, Input

from isms_tui.models import Analysis, Kpi, Reading, Status
from isms_tui.services import kpis, monitoring, readings, workspace
from isms_tui.services.kpis import KpiInput

from .conftest import TODAY
from .db_helpers import read, workspace_session
from .tui_helpers import make_app, opened, type_into, wait_for

SIZE = (120, 40)


def seed(db_path, with_kpi: bool = True) -> None:
    with workspace_session(db_path, "seed") as s:
        workspace.save_workspace(s, "Acme Ltd", "All information systems")
        ann = workspace.save_person(s, "Ann Officer", role="CISO")
        if with_kpi:
            k = kpis.save_kpi(
                s,
                KpiInput(
                    code="PATCH",
                    name="Critical patches in SLA",
                    target=95,
                    warning=90,
                    unit="%",
                    started_on=date(2026, 6, 1),
                    collector_id=ann.id,
                    analyst_id=ann.id,
                ),
            )
            for m in range(6, 10):
                readings.record_reading(s, k.id, date(2026, m, 1), 96)


def status_of(db_path, code: str) -> Status:
    return read(db_path, lambda s: {r.kpi.code: r.state.status for r in monitoring.kpi_rows(s, TODAY)})[code]


def rows_of(db_path, model):
    return read(db_path, lambda s: s.exec(select(model)).all())


async def test_define_kpi_through_the_form(db_path):
    seed(db_path, with_kpi=False)
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await opened(pilot)
        await pilot.press("m")
        await opened(pilot, "monitoring")
        await pilot.press("n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiForm")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "correct" in str(app.screen.query_one("#form-message").render())
        await type_into(pilot, "#field-code Input", "BACKUP")
        await type_into(pilot, "#field-name Input", "Successful restore tests")
        await type_into(pilot, "#field-target Input", "100")
        await type_into(pilot, "#field-warning Input", "abc")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "KpiForm"  # the bad warning value keeps the form open
        await type_into(pilot, "#field-warning Input", "90")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiListScreen")
        table = app.screen.query_one("#kpis", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
    [kpi] = rows_of(db_path, Kpi)
    assert (kpi.code, kpi.target, kpi.warning, kpi.started_on) == ("BACKUP", 100.0, 90.0, TODAY)


async def test_reading_changes_status_and_off_target_asks_for_analysis(db_path):
    seed(db_path)
    assert status_of(db_path, "PATCH") == Status.OVERDUE  # October is missing
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await opened(pilot)
        await pilot.press("m")
        await opened(pilot, "monitoring")
        table = app.screen.query_one("#kpis", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("r")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReadingForm")
        assert app.screen.query_one("#field-period Input", Input).value == "2026-10"
        await type_into(pilot, "#field-value Input", "71.5")
        await type_into(pilot, "#field-note Input", "Two servers [db-1, db-2] missed the window")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AnalysisForm")
        assert app.screen.form_title.startswith("71.5% is off target (≥ 95%): record the analysis")
        await type_into(pilot, "#field-conclusion Input", "Maintenance window too short for DB servers.")
        await type_into(pilot, "#field-follow_up Input", "Agree a second window with ops")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiListScreen")
    assert status_of(db_path, "PATCH") == Status.OFF_TARGET
    october = [r for r in rows_of(db_path, Reading) if r.period_start == date(2026, 10, 1)]
    assert october[0].value == 71.5 and october[0].note.startswith("Two servers [db-1")
    [record] = rows_of(db_path, Analysis)
    assert record.period_start == date(2026, 10, 1) and record.analyst_id is not None


async def test_duplicate_period_is_replaced_on_second_save(db_path):
    seed(db_path)
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await opened(pilot)
        await pilot.press("m")
        await opened(pilot, "monitoring")
        await wait_for(pilot, lambda: app.screen.query_one("#kpis", DataTable).row_count == 1)
        await pilot.press("r")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReadingForm")
        await type_into(pilot, "#field-period Input", "2026-09")
        await type_into(pilot, "#field-value Input", "97")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "already has a reading" in str(app.screen.query_one("#form-message").render())
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiListScreen")
    september = [r for r in rows_of(db_path, Reading) if r.period_start == date(2026, 9, 1)]
    assert [r.value for r in september] == [97.0]


async def test_due_readings_flow_walks_every_due_period(db_path):
    seed(db_path)
    with workspace_session(db_path, "seed") as s:
        kpis.save_kpi(
            s,
            KpiInput(
                code="INC",
                name="Incidents",
                target=2,
                warning=4,
                direction=kpis.Direction.LOWER_BETTER,
                started_on=date(2026, 9, 1),
            ),
        )
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await opened(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DueReadingsScreen" and app.screen.loaded)
        assert len(app.screen.items) == 3  # PATCH 2026-10, INC 2026-09 and 2026-10
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("ctrl+n")  # skip one
        await pilot.press("9", "8", "enter")
        await pilot.pause()
        assert "All due readings handled" in str(app.screen.query_one("#due-kpi").render())
    values = {(r.kpi_id, r.period_start): r.value for r in rows_of(db_path, Reading)}
    assert values[(2, date(2026, 9, 1))] == 1.0
    assert (2, date(2026, 10, 1)) not in values
    assert values[(1, date(2026, 10, 1))] == 98.0


async def test_kpi_detail_shows_definition_chart_and_readings(db_path):
    seed(db_path)
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await opened(pilot)
        await pilot.press("m")
        await opened(pilot, "monitoring")
        await wait_for(pilot, lambda: app.screen.query_one("#kpis", DataTable).row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiDetailScreen" and app.screen.report)
        readings_table = app.screen.query_one("#readings", DataTable)
        assert readings_table.row_count == 4
        chart = app.screen.query_one("#trend")
        assert "95┤" in chart.render().plain and "90┤" in chart.render().plain
        await pilot.press("x")  # not bound here: nothing happens
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiListScreen")


async def test_deactivate_keeps_readings(db_path):
    seed(db_path)
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await opened(pilot)
        await pilot.press("m")
        await opened(pilot, "monitoring")
        table = app.screen.query_one("#kpis", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("x")
        await wait_for(pilot, lambda: table.row_count == 0)
        await pilot.press("i")
        await wait_for(pilot, lambda: table.row_count == 1)
    [kpi] = rows_of(db_path, Kpi)
    assert kpi.active is False
    assert len(rows_of(db_path, Reading)) == 4
