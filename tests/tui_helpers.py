"""Helpers for Pilot-driven tests of IsmsApp."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from isms_tui.app import IsmsApp


async def wait_for(pilot: Pilot, predicate, timeout: float = 10.0) -> None:
    """Pause until `predicate()` holds (workers post their results asynchronously)."""
    waited = 0.0
    while not predicate():
        if waited >= timeout:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.05)
        waited += 0.05


async def opened(pilot: Pilot, mode: str = "dashboard") -> IsmsApp:
    app = pilot.app
    await wait_for(pilot, lambda: app.engine is not None and app.current_mode == mode)
    await pilot.pause()
    return app


async def type_into(pilot: Pilot, selector: str, text: str) -> None:
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    widget.value = text
    await pilot.pause()


def make_app(path: Path) -> IsmsApp:
    return IsmsApp(path)


async def settle(pilot: Pilot) -> None:
    """Let tables recompute column widths, then repaint every widget from scratch.

    A full repaint makes the recorded segments independent of which partial updates
    happened to run first, so snapshot files are byte-for-byte stable.
    """
    from textual.widgets import DataTable

    def tables_sized() -> bool:
        # DataTable sizes its columns when idle; under load that can take a while.
        return not any(t._require_update_dimensions for t in pilot.app.screen.query(DataTable))

    await wait_for(pilot, tables_sized)
    for widget in pilot.app.screen.query("*"):
        widget.refresh()
    await pilot.pause(0.05)
    await wait_for(pilot, tables_sized)
