"""The portfolio fits 120x40 and 80x24 without scrolling sideways: short headers, the dates
folded under the table on a narrow terminal, a long name cut with an ellipsis and shown in
full on the line under the table."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from isms_tui.app import IsmsApp
from isms_tui.screens.portfolio import PortfolioScreen, shown_columns
from isms_tui.services import workspace

from .db_helpers import workspace_session
from .tui_helpers import wait_for

LONG = "Acme Holdings International Group of Companies and Subsidiaries plc"


def test_the_columns_fit_every_width_from_80() -> None:
    for width in (80, 99, 100, 120, 129, 130, 160):
        columns = shown_columns(width)
        assert sum(w + 2 for _, _, w in columns) + 2 <= width, width
        keys = [key for key, _, _ in columns]
        assert keys[:4] == ["Organisation", "File", "Off target", "Readings due"] and "Open NCs" in keys
        assert ("Next audit" in keys) == (width >= 100) and ("Last opened" in keys) == (width >= 130)


async def test_a_long_name_is_cut_in_the_table_and_whole_below_it(tmp_path: Path) -> None:
    folder = tmp_path / "clients"
    folder.mkdir()
    path = folder / "acme-holdings-international.db"
    with workspace_session(path, "test") as session:
        workspace.save_workspace(session, LONG, "All of it")
    app = IsmsApp(tmp_path / "unused.db", portfolio_dir=folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PortfolioScreen), "the portfolio")
        screen = app.screen
        assert isinstance(screen, PortfolioScreen)
        await wait_for(pilot, lambda: len(screen.rows) == 1, "the row read")
        table = screen.query_one("#portfolio", DataTable)
        for size in ((120, 40), (80, 24)):
            await pilot.resize_terminal(*size)
            await wait_for(pilot, lambda size=size: screen.columns == shown_columns(size[0]), "the columns")
            await pilot.pause()
            assert table.virtual_size.width <= table.size.width, f"scrolls sideways at {size}"
            assert table.get_cell(str(path.resolve()), "Open NCs") == "0"
            cell = table.get_cell(str(path.resolve()), "Organisation")
            assert cell.plain == LONG and cell.overflow == "ellipsis" and cell.no_wrap
            assert screen.columns[0][2] < len(LONG)  # so it is cut, with an ellipsis
            detail = str(screen.query_one("#portfolio-detail", Static).render())
            assert LONG in detail and str(path.resolve()) in detail.replace("\n", "")
            assert "next audit due now" in detail
            assert ("Next audit" in [key for key, _, _ in screen.columns]) == (size[0] >= 100)


async def test_section_keys_are_not_offered_over_the_portfolio(demo_workspace: Path) -> None:
    """Switching section from the portfolio would leave it behind on that section's stack."""
    from isms_tui.screens.help import screen_keys

    app = IsmsApp(demo_workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.engine is not None and app.current_mode == "dashboard", "the dashboard")
        app.action_portfolio()
        await wait_for(pilot, lambda: isinstance(app.screen, PortfolioScreen), "the portfolio")
        screen = app.screen
        await pilot.press("m")
        await pilot.pause()
        assert app.screen is screen and app.current_mode == "dashboard"
        assert not [k for k in screen_keys(screen) if k.action.startswith("section(")]
        assert "Go to Monitoring" not in {c.title for c in app.get_system_commands(screen)}
        assert "Workspaces" in {k.description for k in screen_keys(screen)}
