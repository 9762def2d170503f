"""Widgets that show their state: ticks in characters, toasts that stay with their screen,
and a welcome screen that can be left without leaving a half-made workspace behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.pilot import Pilot

from isms_tui.app import IsmsApp
from isms_tui.screens.actions import ActionsScreen
from isms_tui.screens.welcome import WelcomeScreen
from isms_tui.services import workspace
from isms_tui.widgets.tickbox import TickBox

from .db_helpers import workspace_session
from .tui_helpers import notifications, wait_for

SIZE = (120, 40)
SCREENS = Path(__file__).parent.parent / "isms_tui" / "screens"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISMS_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("ISMS_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "w.db"
    with workspace_session(path, "test") as session:
        workspace.save_workspace(session, "Example Ltd", "All of it")
    return path


async def on_dashboard(pilot: Pilot) -> None:
    app = pilot.app
    await wait_for(
        pilot,
        lambda: app.engine is not None and app.current_mode == "dashboard" and bool(app.screen.query("HeaderTitle")),
    )
    await pilot.pause()


async def on_welcome(pilot: Pilot) -> WelcomeScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen) and bool(app.screen.query("#org-name")))
    return app.screen  # type: ignore[return-value]


# -- checkboxes ---------------------------------------------------------------------------------


def test_every_checkbox_in_the_screens_is_a_tickbox():
    bare = [p.name for p in SCREENS.glob("*.py") if re.search(r"\bCheckbox\(", p.read_text(encoding="utf-8"))]
    assert bare == []


async def test_a_tickbox_shows_ticked_and_unticked_in_characters(ws):
    app = IsmsApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await on_dashboard(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionsScreen))
        await pilot.pause()
        box = app.screen.query_one("#filter-overdue", TickBox)
        assert str(box.render()).startswith("▐ ▌")
        box.focus()
        await pilot.press("space")
        await pilot.pause()
        assert box.value and str(box.render()).startswith("▐✓▌")


# -- toasts ---------------------------------------------------------------------------------------


async def test_a_toast_does_not_follow_the_user_to_the_next_screen(ws):
    app = IsmsApp(ws)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_dashboard(pilot)
        app.notify("Something about the dashboard")
        await pilot.pause()
        assert [n.message for n in notifications(app)] == ["Something about the dashboard"]
        await pilot.press("m")
        await wait_for(pilot, lambda: app.current_mode == "monitoring")
        await pilot.pause()
        assert notifications(app) == []


async def test_what_the_move_itself_says_stays(ws):
    """A toast raised by the key that changes screen (a save, then back) is shown there."""
    app = IsmsApp(ws)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await on_dashboard(pilot)
        app.notify("Old news")
        await pilot.pause()
        await pilot.press("m")  # the user's move: "Old news" is now stale
        await wait_for(pilot, lambda: app.current_mode == "monitoring")
        app.notify("Said by the move")  # raised after the key, as a save's "Saved" is
        app.switch_mode("dashboard")
        await wait_for(pilot, lambda: app.current_mode == "dashboard")
        await pilot.pause()
        assert [n.message for n in notifications(app)] == ["Said by the move"]


# -- the welcome screen ---------------------------------------------------------------------------


async def test_escape_on_the_welcome_screen_leaves_no_new_file_behind(tmp_path):
    path = tmp_path / "new.db"
    app = IsmsApp(path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_welcome(pilot)
        assert path.exists()
        assert "escape leaves without creating anything" in str(screen.query_one("#welcome-leave").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.is_running, "the app to end")
    assert app.return_code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("new.db")) == []


async def test_escape_on_the_welcome_screen_keeps_a_file_that_was_there(tmp_path):
    """An empty workspace this run did not create (an earlier run left it) is not deleted."""
    path = tmp_path / "empty.db"
    with workspace_session(path, "test"):
        pass
    app = IsmsApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await on_welcome(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.is_running, "the app to end")
    assert path.exists()


async def test_escape_on_a_new_workspace_goes_back_to_the_one_open_before(ws, tmp_path):
    new = tmp_path / "other.db"
    app = IsmsApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await on_dashboard(pilot)
        app.open_workspace(new)  # as ctrl+o "create a new one" does
        await on_welcome(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.db_path == ws and app.current_mode == "dashboard", "the old workspace")
        await pilot.pause()
        assert not new.exists()
        assert app.workspace_lock is not None and not app.read_only
        with app.session() as session:
            assert workspace.get_workspace(session).org_name == "Example Ltd"
