"""What every snapshot test shares, so all SVGs are taken alike: one terminal size, one theme
(the clock is pinned for every test in conftest.py), and the app opened on the dashboard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from isms_tui.app import IsmsApp

from .tui_helpers import wait_for

SIZE = (120, 40)
THEME = "textual-dark"


def snapshot_app(path: Path) -> IsmsApp:
    """The app on the workspace at `path`, in the theme the snapshots were taken in."""
    app = IsmsApp(path)
    app.theme = THEME
    return app


async def on_dashboard(pilot: Pilot) -> IsmsApp:
    """Wait until the workspace is open and the app shows its first mode, the dashboard."""
    app = pilot.app
    await wait_for(pilot, lambda: app.engine is not None and app.current_mode == "dashboard", "the dashboard")
    return app


def matches_snapshot(snap_compare, app: IsmsApp, run_before: Callable[[Pilot], Awaitable[None]]) -> bool:
    """Whether the app, driven by `run_before`, looks as the stored SVG of the calling test."""
    return snap_compare(app, terminal_size=SIZE, run_before=run_before)
