"""Import and export inside the TUI: the same all-or-nothing rule and sentences as the CLI."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Button, DataTable, Input, Static

from isms_tui.models import Frequency
from isms_tui.models.lock import acquire
from isms_tui.screens.file_picker import FilePicker, check_pick
from isms_tui.screens.transfer import RegisterExportScreen, RegisterImportScreen
from isms_tui.services import kpis
from isms_tui.services.errors import InputError
from isms_tui.services.kpis import KpiInput

from .db_helpers import workspace_session
from .tui_helpers import make_app, opened, wait_for

GOOD = "kpi,date,value,note\nM1,2026-01-15,90,first\nM1,2026-02-15,85,second\n"
BAD = "kpi,date,value\nM1,2026-01-15,90\nNOPE,2026-02-15,5\nM1,someday,5\n"


def make_kpi(db_path: Path) -> Path:
    with workspace_session(db_path, "setup") as s:
        kpis.save_kpi(
            s,
            KpiInput(code="M1", name="Monthly", target=90.0, frequency=Frequency.MONTHLY, started_on=date(2024, 1, 1)),
        )
    return db_path


@pytest.fixture
def ws(db_path: Path) -> Path:
    return make_kpi(db_path)


def readings(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT period_start, value, entered_by FROM reading ORDER BY period_start").fetchall()
    finally:
        con.close()


def journaled_readings(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM journal WHERE entity = 'reading'").fetchone()[0]
    finally:
        con.close()


async def run_import(pilot, path: Path) -> RegisterImportScreen:
    app = pilot.app
    app.push_screen(RegisterImportScreen("readings"))  # `I` in Monitoring: see the read-only test
    await wait_for(pilot, lambda: isinstance(app.screen, RegisterImportScreen) and app.screen.query("#transfer-path"))
    screen = app.screen
    screen.query_one("#transfer-path", Input).value = str(path)
    await pilot.press("ctrl+s")
    return screen


def result_text(screen) -> str:
    return str(screen.query_one("#transfer-result", Static).render())


async def test_import_of_a_valid_file_records_every_row_as_the_acting_person(ws, tmp_path):
    csv = tmp_path / "good.csv"
    csv.write_text(GOOD, encoding="utf-8")
    app = make_app(ws)
    app.actor_override = "Ann Officer"
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        palette = [c.title for c in app.get_system_commands(app.screen)]
        assert "Import a file" in palette and "Export to a file" in palette
        screen = await run_import(pilot, csv)
        await wait_for(pilot, lambda: not screen.busy and result_text(screen))
        assert result_text(screen) == f"Imported 2 readings from {csv}."
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, RegisterImportScreen))
    assert readings(ws) == [("2026-01-01", 90.0, "Ann Officer"), ("2026-02-01", 85.0, "Ann Officer")]


async def test_a_file_with_row_errors_imports_nothing_and_lists_each_row(ws, tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text(BAD, encoding="utf-8")
    app = make_app(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        screen = await run_import(pilot, csv)
        await wait_for(pilot, lambda: not screen.busy and result_text(screen))
        assert result_text(screen) == f"2 rows of {csv} were rejected; nothing was imported."
        table = screen.query_one("#transfer-errors", DataTable)
        assert table.display and table.row_count == 2
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(2)]
        assert rows[0] == ["3", "unknown KPI code 'NOPE'"]
        assert rows[1][0] == "4" and "someday" in rows[1][1]
    assert readings(ws) == []


async def test_cancel_during_an_import_rolls_everything_back(ws, tmp_path, monkeypatch):
    """escape while the rows are being written: the transaction rolls back, nothing is half-written."""
    import isms_tui.services.readings_csv as readings_csv

    lines = [f"M1,{year}-{month:02d}-15,{month}" for year in (2024, 2025) for month in range(1, 13)]
    csv = tmp_path / "many.csv"
    csv.write_text("kpi,date,value\n" + "\n".join(lines) + "\n", encoding="utf-8")
    written, go_on = threading.Event(), threading.Event()
    real_write = readings_csv.write_rows

    def slow_write(*args, **kwargs):
        result = real_write(*args, **kwargs)  # the rows are in the transaction...
        written.set()
        assert go_on.wait(10)  # ...while the user presses escape
        return result

    monkeypatch.setattr(readings_csv, "write_rows", slow_write)
    app = make_app(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        screen = await run_import(pilot, csv)
        await wait_for(pilot, written.is_set, "rows written")
        assert screen.busy
        screen.query_one("#transfer-run", Button).focus()
        await pilot.press("q")  # waits for the import rather than leaving mid-way
        await pilot.pause()
        assert app.is_running and app.screen is screen
        await pilot.press("escape")  # cancels, does not close
        assert isinstance(app.screen, RegisterImportScreen)
        go_on.set()
        await wait_for(pilot, lambda: not screen.busy)
        assert result_text(screen) == "Cancelled; nothing was imported."
    assert readings(ws) == [] and journaled_readings(ws) == 0


def test_a_special_file_is_refused_in_one_sentence(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as refused:
        check_pick(fifo, for_writing=False)
    assert str(refused.value) == f"{fifo} is a named pipe, not a regular file; choose a regular file."
    with pytest.raises(InputError, match="not a regular file"):
        check_pick(fifo, for_writing=True)
    with pytest.raises(InputError, match="There is no file"):
        check_pick(tmp_path / "missing.csv", for_writing=False)
    check_pick(tmp_path / "new.csv", for_writing=True)  # a new name in a folder is fine


async def test_the_picker_hides_special_files_and_refuses_a_typed_one(ws, tmp_path):
    tmp_path = tmp_path / "files"
    tmp_path.mkdir()
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    app = make_app(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        chosen: list[Path | None] = []
        app.push_screen(FilePicker("Choose", tmp_path, for_writing=False), chosen.append)
        await wait_for(pilot, lambda: isinstance(app.screen, FilePicker) and app.screen.query("#picker-tree"))
        picker = app.screen
        tree = picker.query_one("#picker-tree")
        await wait_for(pilot, lambda: tree.root.children, "tree loaded")
        assert [str(n.label) for n in tree.root.children] == ["good.csv"]
        picker.query_one("#picker-path", Input).value = str(tmp_path / "pipe.csv")
        picker.query_one("#picker-path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        message = str(picker.query_one("#picker-message", Static).render())
        assert message == f"{tmp_path / 'pipe.csv'} is a named pipe, not a regular file; choose a regular file."
        assert app.screen is picker and chosen == []
        picker.query_one("#picker-path", Input).value = str(tmp_path / "good.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: chosen)
    assert chosen == [tmp_path / "good.csv"]


async def test_export_writes_the_register_to_a_file(ws, tmp_path):
    out = tmp_path / "risks.csv"
    app = make_app(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await pilot.press("g")
        await wait_for(pilot, lambda: app.current_mode == "risks")
        await pilot.press("X")
        await wait_for(pilot, lambda: isinstance(app.screen, RegisterExportScreen))
        screen = app.screen
        assert screen.register_key == "risks"
        screen.query_one("#transfer-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.busy and result_text(screen))
        assert result_text(screen) == f"Exported 0 risks to {out}."
    assert out.read_text(encoding="utf-8-sig").startswith("ref,title,owner")


async def test_a_read_only_workspace_offers_export_but_not_import(ws, tmp_path):
    with acquire(ws):
        app = make_app(ws)
        async with app.run_test(size=(120, 40)) as pilot:
            await opened(pilot)
            palette = [c.title for c in app.get_system_commands(app.screen)]
            assert "Export to a file" in palette and "Import a file" not in palette
            await pilot.press("m")
            await wait_for(pilot, lambda: app.current_mode == "monitoring")
            assert not app.screen.active_bindings["I"].enabled
            await pilot.press("I")
            await pilot.pause()
            assert not isinstance(app.screen, RegisterImportScreen)
            await pilot.press("X")
            await wait_for(pilot, lambda: isinstance(app.screen, RegisterExportScreen))
            screen = app.screen
            screen.query_one("#transfer-path", Input).value = str(tmp_path / "r.csv")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: not screen.busy and result_text(screen))
            assert result_text(screen) == f"Exported 0 readings to {tmp_path / 'r.csv'}."
            assert not screen.query_one("#transfer-run", Button).disabled


async def test_audits_import_a_checklist_under_the_name_given(ws, tmp_path):
    csv = tmp_path / "ours.csv"
    csv.write_text("ref,title,question\nA.5.1,Policies,Who approved the policy?\n", encoding="utf-8")
    app = make_app(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: app.current_mode == "audits")
        await pilot.press("I")
        await wait_for(pilot, lambda: isinstance(app.screen, RegisterImportScreen) and app.screen.is_mounted)
        screen = app.screen
        assert screen.register_key == "checklist"
        screen.query_one("#transfer-name", Input).value = "Our policies"
        screen.query_one("#transfer-path", Input).value = str(csv)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.busy and result_text(screen))
        assert result_text(screen) == f"Imported checklist 'Our policies' with 1 question from {csv}."
