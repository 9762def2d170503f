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
