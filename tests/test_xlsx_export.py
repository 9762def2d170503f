"""`isms export xlsx`: the workbook read back with openpyxl (sheets, types, frozen headers,
numbers equal to the evaluation), formula-looking text kept as text, refused targets."""

from __future__ import annotations

import errno
import os
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from sqlmodel import func, select

from isms_tui.cli import main
from isms_tui.models import Frequency, Reading, Status
from isms_tui.services import kpis, readings
from isms_tui.services.kpis import KpiInput
from isms_tui.services.monitoring import overview

from .conftest import TODAY
from .db_helpers import fresh_engine, read, workspace_session

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\uff1dcmd", "\uff0b1", "#N/A", "=1\n=2"]


def count(path: Path, table: type) -> int:
    return read(path, lambda s: s.exec(select(func.count()).select_from(table)).one())


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One monthly KPI with a reading per hostile note, one voided and one corrected."""
    monkeypatch.setenv("ISMS_TODAY", TODAY.isoformat())
    path = tmp_path / "w.db"
    with workspace_session(path, "setup") as s:
        kpi = kpis.save_kpi(
            s,
            KpiInput(
                code="M1",
                name="=Monthly",
                unit="%",
                target=90.0,
                warning=80.0,
                frequency=Frequency.MONTHLY,
                started_on=date(2026, 1, 1),
            ),
        )
        assert kpi.id is not None
        for month, note in enumerate(HOSTILE, start=1):
            readings.record_reading(s, kpi.id, date(2026, month, 1), 70.0 + 3 * month, entered_by="ann", note=note)
        last = readings.record_reading(s, kpi.id, date(2026, 9, 1), 95.0, entered_by="ann")
        first = s.exec(select(Reading).where(Reading.period_start == date(2026, 1, 1))).one()
        readings.void_reading(s, first.id or 0, "typed into the wrong KPI", by="bob")
        readings.correct_reading(s, last.id or 0, 85.5, "the source was re-counted", by="bob")
    return path


def test_demo_workbook_sheets_types_and_statuses(demo_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "registers.xlsx"
    result = run("export", "xlsx", out, "--db", demo_workspace)
    assert result.exit_code == 0, result.output
    assert f"Readings {count(demo_workspace, Reading)}," in result.output
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "About",
        "KPIs",
        "Readings",
        "Analyses",
        "Audits",
        "Audit lines",
        "Findings",
        "Actions",
        "Risks",
        "Statement of applicability",
    ]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}", ws.title
        assert all(c.font.b for c in ws[1]), ws.title
    sheet = wb["Readings"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == count(demo_workspace, Reading)
    row = rows[0]
    assert isinstance(row["Period start"], datetime) and isinstance(row["Period end"], datetime)
    assert isinstance(row["Value"], int | float) and isinstance(row["Partial"], bool)
    assert sheet.cell(2, header.index("Period start") + 1).number_format == "yyyy-mm-dd"
    # The latest live reading of every judged KPI has the status the dashboard shows for it.
    latest = {(r["KPI"], r["Period start"].date()): r for r in rows if r["Status"] != "voided"}
    rows_ov = read(demo_workspace, lambda s: overview(s, TODAY).rows)
    judged = [r for r in rows_ov if r.state.status in (Status.ON_TARGET, Status.WARNING, Status.OFF_TARGET)]
    assert len(judged) >= 5
    for r in judged:
        assert latest[(r.kpi.code, r.state.last_period)]["Status"] == r.state.status.value, r.kpi.code
        assert latest[(r.kpi.code, r.state.last_period)]["Value"] == r.state.last_value
    findings = wb["Findings"]
    assert findings.max_row - 1 == 9 and isinstance(findings.cell(2, 8).value, datetime)


def test_formula_looking_text_stays_text(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.xlsx"
    assert run("export", "xlsx", out, "--db", small).exit_code == 0
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    ws = load_workbook(out)["Readings"]
    header = [c.value for c in ws[1]]
    note_col = header.index("Note") + 1
    notes = {ws.cell(r, note_col).value: ws.cell(r, note_col) for r in range(2, ws.max_row + 1)}
    for text in HOSTILE:
        cell = notes[text]
        assert cell.data_type == "s" and cell.value == text
        assert cell.quotePrefix is (text != "#N/A"), text
    name = ws.cell(2, 2)
    assert name.value == "=Monthly" and name.data_type == "s" and name.quotePrefix


def test_voided_and_corrected_readings_are_marked(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.xlsx"
    assert run("export", "xlsx", out, "--db", small).exit_code == 0
    ws = load_workbook(out)["Readings"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    voided = rows[0]
    assert voided["Status"] == "voided" and voided["Voided"] is True
    assert voided["Void reason"] == "typed into the wrong KPI"
    assert isinstance(voided["Voided at (UTC)"], datetime) and voided["Voided by"] == "bob"
    corrected = rows[-1]
    assert corrected["Value"] == 85.5 and corrected["Corrected from"] == 95
    assert corrected["Status"] == "warning" and corrected["Target"] == "≥ 90%" and corrected["Target value"] == 90
    assert rows[1]["Status"] == "off target"  # 76 against ≥ 90, warning from 80
    assert corrected["Correction reason"] == "the source was re-counted"
    assert "Risks" not in load_workbook(out).sheetnames  # none in this workspace


def test_refused_targets_and_a_full_disk_change_nothing(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real.xlsx"
    real.write_bytes(b"keep")
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    result = run("export", "xlsx", link, "--db", small)
    assert result.exit_code == 1 and "symbolic link" in result.output and real.read_bytes() == b"keep"
    os.mkfifo(tmp_path / "pipe.xlsx")
    result = run("export", "xlsx", tmp_path / "pipe.xlsx", "--db", small)
    assert result.exit_code == 1 and "not a regular file" in result.output

    import openpyxl.workbook.workbook as wbmod

    def full(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(wbmod.Workbook, "save", full)
    result = run("export", "xlsx", real, "--db", small)
    assert result.exit_code == 1 and "not enough space" in result.output and "Traceback" not in result.output
    assert real.read_bytes() == b"keep"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_the_workbook_reads_one_state(small: Path) -> None:
    """Rows written by another process while the export reads do not show in half the sheets."""
    from isms_tui.models.db import hold_snapshot, session_scope

    with fresh_engine(small) as engine, session_scope(engine) as s:
        hold_snapshot(s)
        before = s.exec(select(func.count()).select_from(Reading)).one()
        with workspace_session(small, "other") as other:
            kpi_id = other.exec(select(Reading)).first().kpi_id  # type: ignore[union-attr]
            readings.record_reading(other, kpi_id, date(2026, 10, 1), 99.0)
        assert s.exec(select(func.count()).select_from(Reading)).one() == before
    assert count(small, Reading) == before + 1


def test_cells_as_written(tmp_path: Path) -> None:
    """The writer on its own: text a spreadsheet would evaluate, characters XML refuses, a
    text too long for a cell, numbers that are not finite, times with a zone."""
    from datetime import UTC

    from isms_tui.services.workbook import MAX_CELL_TEXT, Column, Sheet, write_workbook

    out = tmp_path / "t.xlsx"
    texts = ["\tTAB", "  =1", "\r=2", "\u3000\uff20x", "plain", "bad\x01char", "x" * 40000]
    when = datetime(2026, 5, 1, 12, 30, 15, 999, tzinfo=UTC)
    rows = [(t, float("nan"), when, True) for t in texts]
    counts = write_workbook(out, [Sheet("T", [Column("text"), Column("n"), Column("at"), Column("flag")], rows)])
    assert counts == {"T": len(texts)}
    ws = load_workbook(out)["T"]
    got = [ws.cell(r, 1) for r in range(2, 2 + len(texts))]
    assert [c.quotePrefix for c in got[:5]] == [True, True, True, True, False]
    assert got[5].value == "badchar"
    assert len(got[6].value) == MAX_CELL_TEXT and got[6].value.endswith("[cut: 40000 characters in the workspace]")
    assert ws.cell(2, 2).value == "nan" and ws.cell(2, 3).value == datetime(2026, 5, 1, 12, 30, 15)
    assert ws.cell(2, 4).value is True


async def test_the_palette_command_writes_the_workbook(small: Path, tmp_path: Path) -> None:
    from textual.widgets import Input, Static

    from isms_tui.app import IsmsApp
    from isms_tui.screens.spreadsheet import SpreadsheetExport

    from .tui_helpers import wait_for

    app = IsmsApp(small)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.engine is not None, "the workspace")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Export the registers as a spreadsheet" in titles
        app.action_export_xlsx()
        await wait_for(
            pilot, lambda: isinstance(app.screen, SpreadsheetExport) and app.screen.query("#xlsx-path"), "the dialog"
        )
        box = app.screen.query_one("#xlsx-path", Input)
        assert box.value.endswith(f"w-registers-{TODAY.isoformat()}.xlsx")
        result = app.screen.query_one("#xlsx-result", Static)
        box.value = str(tmp_path)  # a folder: refused in one sentence
        await pilot.press("enter")
        await wait_for(pilot, lambda: "is a directory" in str(result.content), "the refusal")
        box.value = str(tmp_path / "out.xlsx")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Written to" in str(result.content), "the workbook")
        assert "Readings 9" in str(result.content)
    assert load_workbook(tmp_path / "out.xlsx")["Readings"].max_row == 10
