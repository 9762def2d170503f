"""Analyses that are due, and the dashboard's figures: off-target or warning readings nobody
has analysed since they were entered, and KPIs whose analysis frequency has come round; the
tiles, the due line, the KPI list and `isms status --json` all say the same."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session
from textual.widgets import Digits, Static

from isms_tui.app import IsmsApp
from isms_tui.cli import main
from isms_tui.models import Frequency, Status
from isms_tui.screens.dashboard import AnalysesTile, StatusTile
from isms_tui.services import analysis, attention, clock, kpis, readings, workspace
from isms_tui.services.kpis import KpiInput

from .db_helpers import workspace_session
from .tui_helpers import loaded, opened

TODAY = date(2026, 11, 28)


def monthly(session: Session, code: str = "M1", **kw) -> int:
    spec = dict(code=code, name=f"KPI {code}", target=90.0, warning=80.0, frequency=Frequency.MONTHLY)
    spec.update(kw)
    spec.setdefault("started_on", date(2026, 7, 1))
    return kpis.save_kpi(session, KpiInput(**spec)).id


def read_on(session: Session, kpi_id: int, period: date, value: float, entered: date) -> None:
    with clock.pinned(entered):
        readings.record_reading(session, kpi_id, period, value)


def analyse_on(session: Session, kpi_id: int, period: date, made: date) -> None:
    with clock.pinned(TODAY):
        analysis.record_analysis(session, kpi_id, period, "Looked at it.", analysed_on=made)


def due(session: Session) -> dict[str, attention.AnalysisDue]:
    return {a.code: a for a in attention.figures(session, TODAY).analyses_due}


def test_an_off_target_reading_without_an_analysis_is_due_since_it_was_entered(session: Session) -> None:
    kpi = monthly(session, analysis_frequency=Frequency.ANNUAL)  # the year's analysis is not due yet
    read_on(session, kpi, date(2026, 10, 1), 95, date(2026, 11, 3))  # on target
    read_on(session, kpi, date(2026, 9, 1), 70, date(2026, 10, 4))  # off target
    read_on(session, kpi, date(2026, 8, 1), 85, date(2026, 9, 5))  # warning
    analyse_on(session, kpi, date(2026, 7, 1), date(2026, 9, 30))  # made after the warning
    (found,) = due(session).values()
    # The July analysis was made after the August warning was entered but was of an
    # earlier period, so it did not look at August: both readings wait for an analysis.
    assert found.readings == ("2026-09", "2026-08")
    assert found.reason == "off target in 2026-09 not analysed; warning in 2026-08 not analysed"
    assert found.since == date(2026, 9, 5)
    assert found.brief == "1 off target · 1 warning"
    assert found.as_json() == {
        "kpi": "M1",
        "reason": found.reason,
        "since": "2026-09-05",
        "readings": ["2026-09", "2026-08"],
        "analysis_period": None,
    }


def test_an_analysis_made_after_a_reading_of_its_period_or_later_answers_it(session: Session) -> None:
    kpi = monthly(session, analysis_frequency=Frequency.ANNUAL)
    read_on(session, kpi, date(2026, 9, 1), 70, date(2026, 10, 4))
    read_on(session, kpi, date(2026, 10, 1), 75, date(2026, 11, 4))
    analyse_on(session, kpi, date(2026, 10, 1), date(2026, 11, 10))  # October's, made after both
    assert due(session) == {}


def test_an_analysis_dated_before_the_reading_was_entered_does_not_answer_it(session: Session) -> None:
    # Backdating an analysis to before the result existed cannot make the result analysed.
    kpi = monthly(session)
    read_on(session, kpi, date(2026, 10, 1), 70, date(2026, 11, 20))
    analyse_on(session, kpi, date(2026, 10, 1), date(2026, 11, 2))
    assert due(session)["M1"].readings == ("2026-10",)


def test_the_analysis_frequency_comes_round(session: Session) -> None:
    kpi = monthly(session, analysis_frequency=Frequency.QUARTERLY)
    for month in (7, 8, 9, 10):
        read_on(session, kpi, date(2026, month, 1), 95, date(2026, month + 1, 3))
    analyse_on(session, kpi, date(2026, 7, 1), date(2026, 8, 20))  # made during Q3
    found = due(session)["M1"]
    assert (found.analysis_period, found.since, found.readings) == ("2026-Q3", date(2026, 10, 1), ())
    assert found.reason == "quarterly analysis of 2026-Q3 not made"
    analyse_on(session, kpi, date(2026, 9, 1), date(2026, 10, 6))  # Q3 analysed once it closed
    assert due(session) == {}


def test_a_kpi_never_analysed_is_due_from_its_first_closed_analysis_period(session: Session) -> None:
    kpi = monthly(session, started_on=date(2026, 2, 10), analysis_frequency=Frequency.QUARTERLY)
    read_on(session, kpi, date(2026, 3, 1), 95, date(2026, 4, 2))
    assert due(session)["M1"].since == date(2026, 4, 1)


def test_no_new_reading_since_the_last_analysis_means_nothing_to_analyse(session: Session) -> None:
    # The missing readings are due as readings; an analysis of nothing new is not asked for.
    kpi = monthly(session, analysis_frequency=Frequency.MONTHLY)
    read_on(session, kpi, date(2026, 7, 1), 95, date(2026, 8, 2))
    analyse_on(session, kpi, date(2026, 7, 1), date(2026, 8, 3))
    assert due(session) == {}
    assert attention.figures(session, TODAY).readings_due > 0


def test_status_json_lists_analyses_due(demo_workspace: Path) -> None:
    result = CliRunner().invoke(main, ["status", "--db", str(demo_workspace), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    with workspace_session(demo_workspace) as s:
        expected = [a.as_json() for a in attention.figures(s, TODAY).analyses_due]
    assert data["analyses_due"] == expected and expected
    assert {a["kpi"] for a in expected} >= {"LOG-01", "FW-01"}  # measured but never analysed
    for a in expected:
        assert set(a) == {"kpi", "reason", "since", "readings", "analysis_period"}
        date.fromisoformat(a["since"])


def hand_built(path: Path) -> Path:
    with workspace_session(path, "setup") as s:
        workspace.save_workspace(s, "Example Ltd", current_user="Ann")
        a = monthly(s, "A1")
        b = monthly(s, "B1", started_on=date(2026, 1, 1))
        monthly(s, "C1", started_on=date(2026, 11, 1))  # no data yet
        read_on(s, a, date(2026, 10, 1), 70, date(2026, 11, 2))  # off target, not analysed
        read_on(s, b, date(2026, 3, 1), 95, date(2026, 4, 2))  # then nothing: overdue
    return path


@pytest.mark.parametrize("which", ["demo", "hand-built"])
async def test_tiles_due_line_and_status_agree(which: str, demo_workspace: Path, tmp_path: Path) -> None:
    path = demo_workspace if which == "demo" else hand_built(tmp_path / "h.db")
    app = IsmsApp(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await loaded(pilot)
        tiles = {t.status: int(t.query_one(Digits).value) for t in app.screen.query(StatusTile)}
        analyses_tile = int(app.screen.query_one(AnalysesTile).query_one(Digits).value)
        line = str(app.screen.query_one("#due-line", Static).render())
        listed = app.screen.query_one("#analyses-due").row_count
    data = json.loads(CliRunner().invoke(main, ["status", "--db", str(path), "--json"]).stdout)
    assert tiles == {s: data["kpis"]["by_status"][s.value] for s in Status}
    assert analyses_tile == listed == len(data["analyses_due"]) > 0
    numbers = {
        "readings": int(re.search(r"(\d+) readings? due", line)[1]),
        "late": int(m[1]) if (m := re.search(r"(\d+) past their due date", line)) else 0,
        "kpis": int(m[1]) if (m := re.search(r"(\d+) KPIs? overdue", line)) else 0,
        "analyses": int(re.search(r"(\d+) analys[ie]s due", line)[1]),
    }
    assert numbers == {
        "readings": data["readings_due"],
        "late": data["readings_overdue"],
        "kpis": tiles[Status.OVERDUE],
        "analyses": analyses_tile,
    }
    assert tiles[Status.OVERDUE] > 0


async def test_kpi_list_marks_the_kpis_waiting_for_an_analysis(tmp_path: Path) -> None:
    from isms_tui.screens.monitoring import KpiListScreen
    from isms_tui.widgets.status import ANALYSIS_MARK

    path = hand_built(tmp_path / "h.db")
    app = IsmsApp(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await pilot.press("m")
        await opened(pilot, "monitoring")
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, KpiListScreen)
        table = screen.query_one("#kpis")
        marked = {str(table.get_row(key)[0]) for key in table.rows if ANALYSIS_MARK in str(table.get_row(key)[2])}
        summary = str(screen.query_one("#list-summary", Static).render())
    with workspace_session(path) as s:
        expected = {a.code for a in attention.figures(s, TODAY).analyses_due}
    assert marked == expected == {"A1", "B1"}
    assert f"{ANALYSIS_MARK} 2 waiting for an analysis" in summary
