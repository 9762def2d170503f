"""The order of work at start-up: the frame first, then the workspace, then the other sections.

What these hold is timed by `benchmarks/run.py --only startup`; here only the order is checked.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable

from isms_tui.app import IsmsApp
from tests.tui_helpers import loaded, opened, wait_for


async def test_the_workspace_opens_only_after_the_shell_is_laid_out(demo_workspace: Path, monkeypatch):
    """The open worker's imports must not compete with the first frame for the interpreter."""
    seen: list[int] = []
    real_open = IsmsApp.open_workspace

    def spy(self: IsmsApp, path: Path):
        seen.append(self.screen.query_one("#opening").region.area)
        return real_open(self, path)

    monkeypatch.setattr(IsmsApp, "open_workspace", spy)
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        assert seen and seen[0] > 0, "the workspace started opening before the first layout"


async def test_the_sections_load_once_the_dashboard_shows_its_data(demo_workspace: Path, monkeypatch):
    """Importing the other screens waits for the dashboard's data, and happens once."""
    rows_then: list[int] = []

    def warm(self: IsmsApp) -> None:
        rows_then.append(self.screen.query_one("#urgent", DataTable).row_count)

    monkeypatch.setattr(IsmsApp, "_warm_sections", warm)
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await loaded(pilot)
        await wait_for(pilot, lambda: bool(rows_then), "the sections warmed")
        await pilot.press("f5")  # a refresh shows the data again: nothing more to import
        await loaded(pilot)
        assert len(rows_then) == 1
        assert rows_then[0] > 0, "the sections were imported before the dashboard's rows were shown"


@pytest.mark.parametrize("attack", ["extra index", "view"])
def test_a_doctored_shape_is_still_refused_at_open(demo_workspace: Path, attack: str):
    """The schema check stays whole on the way to a faster start: a shape the application did
    not make is refused in one sentence before anything is read from the file."""
    import sqlite3

    from isms_tui.models.db import WorkspaceError, open_engine

    sql = {
        "extra index": "CREATE INDEX sneaky ON reading (value)",
        "view": "CREATE VIEW kpi_view AS SELECT * FROM kpi",
    }[attack]
    con = sqlite3.connect(demo_workspace)
    with con:
        con.execute(sql)
    con.close()
    with pytest.raises(WorkspaceError, match="does not have the schema isms makes"):
        open_engine(demo_workspace)


def _figures_facts(fig) -> dict:
    """What the dashboard shows of a `Figures`, as plain values."""
    ov = fig.overview
    return {
        "counts": dict(fig.counts),
        "rows": [
            (r.kpi.id, r.kpi.code, r.state, r.recent, r.collector, r.analyst, r.last_partial, r.entered, r.last_label)
            for r in ov.rows
        ],
        "due": [(row.kpi.code, period) for row, period in ov.due],
        "analyses_due": fig.analyses_due,
        "readings_due": fig.readings_due,
        "readings_overdue": fig.readings_overdue,
    }


def test_the_first_view_shows_the_numbers_of_the_full_load(demo_workspace: Path):
    """The figures read before the data layer loads are the reference path's, row for row."""
    from isms_tui.services import attention, clock, workspace
    from isms_tui.services.first_view import first_view
    from tests.db_helpers import read

    today = clock.today()
    view = first_view(demo_workspace, today)
    assert view is not None
    fig, ws = read(demo_workspace, lambda s: (attention.figures(s, today), workspace.get_workspace(s)))
    assert ws is not None and (view.org, view.scope) == (ws.org_name, ws.scope)
    assert view.figures.overview.rows, "the demo has KPIs"
    assert _figures_facts(view.figures) == _figures_facts(fig)
    for shown, ref in zip(view.figures.overview.rows, fig.overview.rows, strict=True):
        for column in ("frequency", "analysis_frequency", "direction", "started_on", "grace_days", "unit", "name"):
            assert getattr(shown.kpi, column) == getattr(ref.kpi, column), column


def test_the_first_view_reads_without_the_data_layer(demo_workspace: Path):
    """The first view and the dashboard screen that shows it load no SQLAlchemy (a table
    widget cleaning its text once pulled it in through models.sanitize)."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom datetime import date\nfrom pathlib import Path\n"
        "from isms_tui.services.first_view import first_view\n"
        "import isms_tui.app, isms_tui.screens.dashboard  # what shows the first view\n"
        f"assert first_view(Path({str(demo_workspace)!r}), date(2026, 11, 28)) is not None\n"
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'alembic') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "harm",
    ["extra index", "view", "older schema", "newer schema", "not a workspace", "hard link", "empty workspace"],
)
def test_the_first_view_gives_way_to_the_full_open(tmp_path: Path, demo_workspace: Path, harm: str):
    """Anything the full open must judge (and say in one sentence) shows no first view."""
    import os
    import sqlite3

    from isms_tui.services.first_view import first_view

    path = demo_workspace
    statements = {
        "extra index": "CREATE INDEX sneaky ON reading (value)",
        "view": "CREATE VIEW kpi_view AS SELECT * FROM kpi",
        "older schema": "UPDATE alembic_version SET version_num = '0014_x'",
        "newer schema": "UPDATE alembic_version SET version_num = '9999_future'",
        "not a workspace": "DROP TABLE alembic_version",
        "empty workspace": "DELETE FROM workspace",
    }
    if harm == "hard link":
        os.link(path, tmp_path / "other-name.db")
    else:
        con = sqlite3.connect(path)
        with con:
            con.execute("PRAGMA foreign_keys=OFF")
            con.execute(statements[harm])
        con.close()
    assert first_view(path, date(2026, 11, 28)) is None


async def test_the_dashboard_shows_the_first_view_then_the_full_load(demo_workspace: Path):
    """The KPI table appears from the first view with its keys held back until the workspace is
    open; then the full load adds the audits and reviews."""
    from isms_tui.screens.dashboard import DashboardScreen

    seen: dict[str, object] = {}
    real = DashboardScreen.show_first

    def spy(self: DashboardScreen, view, today) -> None:
        real(self, view, today)
        seen["rows"] = self.query_one("#urgent", DataTable).row_count
        seen["keys"] = self.check_action("enter_due", ())

    app = IsmsApp(demo_workspace)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DashboardScreen, "show_first", spy)
        async with app.run_test(size=(120, 40)) as pilot:
            await opened(pilot)
            await loaded(pilot)
            assert seen["rows"], "the first view showed no KPI rows"
            assert seen["keys"] is False, "a key worked before the workspace was open"
            headline = str(app.screen.query_one("#headline").render())
            assert "Audit:" in headline and "loading" not in headline
            assert app.screen.check_action("enter_due", ()) is True


async def test_the_first_view_is_not_held_back_by_the_switch(demo_workspace: Path, monkeypatch):
    """Textual's switch_mode holds every frame for 50 ms; the dashboard made with the first view
    is mounted with its figures before its first layout, so its switch takes no hold (the
    figures' frame was rendered, thrown away, then rendered again). Other switches keep it."""
    from textual.app import App

    from isms_tui.screens.dashboard import DashboardScreen

    holds: list[str] = []
    real_hold = App.delay_update
    real_first = DashboardScreen.show_first

    def hold(self: App, delay: float = 0.05) -> None:
        holds.append(str(self.current_mode))
        real_hold(self, delay)

    def first(self: DashboardScreen, view, today) -> None:
        holds.append("first view")
        real_first(self, view, today)

    monkeypatch.setattr(App, "delay_update", hold)
    monkeypatch.setattr(DashboardScreen, "show_first", first)
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await loaded(pilot)
        assert holds == ["first view"]
        await pilot.press("m")
        await wait_for(pilot, lambda: app.current_mode == "monitoring", "the monitoring section")
        assert holds == ["first view", "dashboard"]


async def test_the_first_view_parses_only_the_dashboards_stylesheet(demo_workspace: Path, monkeypatch):
    """Textual's first switch to a new screen parses every stylesheet of the app from scratch,
    three times; the first view's dashboard adds its own file and parses it alone, and still
    looks as it always did (the snapshots), a theme change included."""
    from textual.css.stylesheet import Stylesheet

    from isms_tui.screens.dashboard import DashboardScreen

    seen: list[str] = []
    real_reparse = Stylesheet.reparse
    real_first = DashboardScreen.show_first

    def reparse(self: Stylesheet) -> None:
        seen.append("reparse")
        real_reparse(self)

    def first(self: DashboardScreen, view, today) -> None:
        seen.append("first view")
        real_first(self, view, today)

    monkeypatch.setattr(Stylesheet, "reparse", reparse)
    monkeypatch.setattr(DashboardScreen, "show_first", first)
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await loaded(pilot)
        assert seen == ["first view"]
        border = app.screen.query_one("#tile-on_target").styles.border_top
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        assert "reparse" in seen
        assert app.screen.query_one("#tile-on_target").styles.border_top != border


@pytest.mark.parametrize("workspace", ["demo", "new file"])
async def test_the_footer_shows_its_keys_once_the_first_view_is_read(
    demo_workspace: Path, tmp_path: Path, monkeypatch, workspace: str
):
    """Filling the footer waits for the first view's read (it would slow it down), then the
    screen in front shows its keys, whether the first view was shown or gave way."""
    from textual.widgets._footer import FooterKey

    import isms_tui.services.first_view as first_view_module

    held: list[bool] = []
    real = first_view_module.first_view

    def spy(path: Path, today: date):
        held.append(app.footer_keys_held)
        return real(path, today)

    monkeypatch.setattr(first_view_module, "first_view", spy)
    path = demo_workspace if workspace == "demo" else tmp_path / "new.db"
    app = IsmsApp(path)
    async with app.run_test(size=(120, 40)) as pilot:
        if workspace == "demo":
            await opened(pilot)
            await loaded(pilot)
        else:  # no first view: the welcome screen
            await wait_for(
                pilot,
                lambda: type(app.screen).__name__ == "WelcomeScreen" and getattr(app.focused, "id", "") == "org-name",
                "the welcome screen",
            )
        assert held == [True]
        assert not app.footer_keys_held
        under = app.screen if workspace == "demo" else app.screen_stack[-2]  # the welcome is a dialog
        await wait_for(pilot, lambda: bool(under.query(FooterKey)), "the footer's keys")


async def test_the_first_view_fills_only_the_rows_a_screen_shows(demo_workspace: Path):
    """With a row limit the tables take only their first rows, in the full load's order, while
    the tiles and the due line count every KPI; the full load then shows every row."""
    from isms_tui.screens.dashboard import DashboardScreen, due_line
    from isms_tui.services import clock
    from isms_tui.services.first_view import first_view

    today = clock.today()
    view = first_view(demo_workspace, today)
    assert view is not None and len(view.figures.overview.rows) > 2
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        table = screen.query_one("#urgent", DataTable)
        full = [key.value for key in table.rows]
        assert len(full) == len(view.figures.overview.rows)
        screen.show_figures(view.figures, today, (), limit=2)
        assert [key.value for key in table.rows] == full[:2]
        assert screen.query_one("#due", DataTable).row_count <= 2
        assert screen.query_one("#analyses-due", DataTable).row_count <= 2
        assert str(screen.query_one("#due-line").render()) == str(due_line(view.figures))
        await pilot.press("f5")
        await loaded(pilot)
        assert [key.value for key in table.rows] == full


async def test_the_collector_is_back_once_the_first_view_is_shown(demo_workspace: Path, monkeypatch):
    """`isms --db FILE` starts with the cyclic collector paused (launch.py); the app turns it
    back on once the dashboard's first view is on screen, before the data layer is loaded."""
    import gc

    from isms_tui.screens.dashboard import DashboardScreen
    from isms_tui.services import collector

    enabled_at_first_view: list[bool] = []
    real = DashboardScreen.show_first

    def first(self: DashboardScreen, view, today) -> None:
        enabled_at_first_view.append(gc.isenabled())
        real(self, view, today)

    monkeypatch.setattr(DashboardScreen, "show_first", first)
    assert gc.isenabled()
    collector.pause_for_start_up()
    try:
        app = IsmsApp(demo_workspace)
        async with app.run_test(size=(120, 40)) as pilot:
            await opened(pilot)
            await loaded(pilot)
            assert enabled_at_first_view == [False]
            assert gc.isenabled()
    finally:
        collector.resume_after_start_up()
        gc.enable()
