"""The Portfolio screen: rows fill in from a thread, a damaged file shows its reason, enter
opens a workspace the way ctrl+o does; `isms --dir` starts on it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from isms_tui import config
from isms_tui.app import IsmsApp
from isms_tui.screens.portfolio import PortfolioScreen
from isms_tui.screens.workspaces import WorkspacePicker
from isms_tui.services import workspace

from .db_helpers import workspace_session
from .tui_helpers import wait_for

SIZE = (140, 30)
OPENED = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)


def _workspace(path: Path, org: str) -> Path:
    with workspace_session(path, "test") as session:
        workspace.save_workspace(session, org, "All of it")
    return path.resolve()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    clients = tmp_path / "clients"
    clients.mkdir()
    _workspace(clients / "acme.db", "Acme [Ltd]")
    _workspace(clients / "globex.db", "Globex")
    (clients / "broken.db").write_bytes(b"not a database at all" * 200)
    return clients


def _cell(screen: PortfolioScreen, path: Path, column: str) -> str:
    return str(screen.query_one("#portfolio", DataTable).get_cell(str(path), column))


def _detail(screen: PortfolioScreen) -> str:
    return str(screen.query_one("#portfolio-detail", Static).content)


async def test_started_with_a_folder_rows_reasons_and_enter_opens(folder: Path) -> None:
    app = IsmsApp(folder / "unused.db", portfolio_dir=folder)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PortfolioScreen), "the portfolio")
        screen = app.screen
        assert isinstance(screen, PortfolioScreen)
        acme, broken, globex = folder / "acme.db", folder / "broken.db", folder / "globex.db"
        await wait_for(pilot, lambda: len(screen.rows) == 3, "every row read")
        assert _cell(screen, acme, "Organisation") == "Acme [Ltd]"
        assert _cell(screen, acme, "Off target") == "0" and _cell(screen, acme, "Next audit") == "due now"
        assert _cell(screen, broken, "Organisation") == "damaged or not a workspace"
        table = screen.query_one("#portfolio", DataTable)
        table.move_cursor(row=table.get_row_index(str(broken)))
        await pilot.pause()
        assert "is not a workspace file, or it is corrupt" in _detail(screen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and app.engine is None  # a damaged file is not opened
        table.move_cursor(row=table.get_row_index(str(globex)))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.engine is not None and app.current_mode == "dashboard", "Globex open")
        assert app.db_path == globex and app.workspace_lock is not None
        assert config.recent_entries()[0].path == globex  # remembered as any opening is
    assert not (folder / "unused.db").exists()  # the path the app was given was never created


async def test_from_the_picker_with_ctrl_o_the_current_one_marked(folder: Path) -> None:
    acme = folder / "acme.db"
    config.remember_workspace(folder / "globex.db", OPENED)
    app = IsmsApp(acme)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.engine is not None, "Acme open")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspacePicker), "the picker")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, PortfolioScreen), "the portfolio")
        screen = app.screen
        assert isinstance(screen, PortfolioScreen)
        await wait_for(pilot, lambda: len(screen.rows) == 2, "both rows read")
        assert _cell(screen, acme, "Last opened") == "open now"
        assert _cell(screen, folder / "globex.db", "Organisation") == "Globex"
        assert "broken.db" not in str(screen.rows)  # no folder given: only the known ones
        table = screen.query_one("#portfolio", DataTable)
        table.move_cursor(row=table.get_row_index(str(folder / "globex.db")))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.db_path == folder / "globex.db", "Globex open")


async def test_escape_before_any_workspace_leaves(folder: Path) -> None:
    app = IsmsApp(folder / "unused.db", portfolio_dir=folder)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PortfolioScreen), "the portfolio")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.is_running, "the app to end")


async def test_leaving_while_the_rows_are_read_is_no_crash(folder: Path) -> None:
    for name in ("acme.db", "globex.db", "broken.db"):
        config.remember_workspace(folder / name, OPENED)
    app = IsmsApp(folder / "acme.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.engine is not None, "Acme open")
        app.action_portfolio()
        await pilot.pause()
        await pilot.press("f5", "escape")  # a second reading started, then the screen left
        await pilot.pause(0.3)
        assert app.is_running and not isinstance(app.screen, PortfolioScreen)
