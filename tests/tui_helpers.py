"""Helpers for Pilot-driven tests of IsmsApp."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.widgets import DataTable

from isms_tui.app import IsmsApp


async def wait_for(pilot: Pilot, predicate, what: str = "condition", timeout: float = 10.0) -> None:
    """Pause until `predicate()` holds (workers post their results asynchronously).

    It polls rather than waiting for idle: a thread worker's result arrives while the app idles.
    """
    waited = 0.0
    while not predicate():
        if waited >= timeout:
            raise AssertionError(f"{what} not reached in time")
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


def notifications(app: App) -> list[Notification]:
    """The notifications the app has shown and not yet expired, oldest first.

    Textual keeps them in a private attribute and has no public accessor; this is its one use.
    """
    return list(app._notifications)


def _tables_sized(pilot: Pilot) -> bool:
    """DataTable sizes its columns when idle; under load that can take a while. Textual has no
    public flag for it, so this reads the private one."""
    return not any(t._require_update_dimensions for t in pilot.app.screen.query(DataTable))


async def drawn(pilot: Pilot) -> None:
    """Wait until the current screen shows its data as laid out: every table has sized its
    columns and every queued message (the refreshes among them) has been handled."""
    await wait_for(pilot, lambda: _tables_sized(pilot), "tables sized")
    await pilot.pause()


async def loaded(pilot: Pilot) -> None:
    """Wait until the workers loading the current screen's data have finished, then until it
    is drawn. The workers hand their results over with call_from_thread, so by the time one
    has finished its result is on the screen."""
    await pilot.pause()  # the mount handlers have run, so the workers they start exist
    await wait_for(pilot, lambda: all(w.is_finished for w in pilot.app.workers), "workers finished")
    await drawn(pilot)


async def settle(pilot: Pilot) -> None:
    """Let tables recompute column widths, then repaint every widget from scratch.

    A full repaint makes the recorded segments independent of which partial updates
    happened to run first, so snapshot files are byte-for-byte stable.
    """
    await drawn(pilot)
    for widget in pilot.app.screen.query("*"):
        widget.refresh()
    await drawn(pilot)
