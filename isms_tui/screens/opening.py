"""The screen shown while a workspace is being opened (the app's first frame), and the app's
part that replaces it with the dashboard's first view."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Header, Static

from isms_tui.widgets.footer import IsmsFooter

if TYPE_CHECKING:
    from datetime import date

    from isms_tui.services.first_view import FirstView


class OpeningScreen(Screen[None]):
    """Shown while a workspace is being opened."""

    HELP = "The workspace is being opened: its KPI figures appear first, then the rest of the dashboard."

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Opening workspace…", id="opening")
        yield IsmsFooter()


class OpensOnTheFirstView(App[Any]):
    """For the app: the dashboard's KPI figures, read before the data layer is loaded
    (`services/first_view.py`), shown as soon as they are read; the open worker calls
    `_first_view` before its data-layer imports."""

    engine: object  # the workspace's engine once the full open is done, else None
    _switch_at_once = False  # see delay_update
    # The footers show no keys until the first view is read and shown (or gives way): filling
    # them is Textual's first work after the first frame (about 25 ms of the interpreter on the
    # large workspace), which slowed the first view's read down, for a screen it replaces.
    footer_keys_held = False

    def _first_view(self, path: Path) -> None:
        """On the worker's thread, before the data layer is imported: show the dashboard's KPI
        figures read with the standard library, when the file is plainly an up-to-date
        workspace of the application's own shape; else nothing, and the full open decides and
        says what is wrong. Then the footer of the screen in front shows its keys."""
        from isms_tui.services import clock
        from isms_tui.services.collector import resume_after_start_up
        from isms_tui.services.first_view import first_view

        try:
            today = clock.today()
            view = first_view(Path(path), today)
            if view is not None:
                self.call_from_thread(self._show_first_view, view, today)  # type: ignore[arg-type]
        finally:
            resume_after_start_up()  # the collector, paused by launch.py
            self.call_from_thread(self._show_footer_keys)

    def _show_footer_keys(self) -> None:
        if self.footer_keys_held:
            self.footer_keys_held = False
            self.screen.refresh_bindings()

    async def _show_first_view(self, view: FirstView, today: date) -> None:
        from isms_tui.screens.dashboard import DashboardScreen

        if self.engine is not None:  # the full open was quicker
            return
        if self.current_mode == "dashboard" and isinstance(self.screen, DashboardScreen):
            self.screen.show_first(view, today)
        else:  # a dashboard made with the view shows it as it mounts: no empty frame first
            await self.remove_mode("dashboard")
            screen = self._styled_in_advance(DashboardScreen(first=(view, today)))
            self.add_mode("dashboard", lambda: screen)
            self._switch_at_once = True
            try:
                mounted = self.switch_mode("dashboard")
            finally:
                self._switch_at_once = False
            await mounted
        # The worker waits (call_from_thread awaits this) until the view is painted: its
        # next step, importing the data layer, would hold the GIL against the paint.
        painted = asyncio.Event()
        self.call_after_refresh(painted.set)
        await painted.wait()

    def _styled_in_advance(self, screen: Screen[Any]) -> Screen[Any]:
        """`screen` with its stylesheet added to the app's and parsed alone (the rules of the
        others are cached), and marked as styled with the app's CSS as it is now, which it is
        as it mounts. Without this Textual's first switch to a new screen parses every
        stylesheet of the app from scratch three times: once for the screen's file, and twice
        because a screen not yet mounted has not "seen" the app's CSS (about 25 ms)."""
        sheet = self.stylesheet
        for path in screen.css_path:
            if not sheet.has_source(str(path), ""):
                sheet.read(path)
        sheet.parse()
        screen._css_update_count = self._css_update_count  # Textual's own mark, private
        return screen

    def delay_update(self, delay: float = 0.05) -> None:
        """Textual's hold on frames, which `switch_mode` takes for 50 ms to hide a screen being
        built; not for the first view's switch: that dashboard is composed and mounted, figures
        included, before its first layout, so there is nothing to hide, and the hold cost the
        figures a frame rendered and thrown away and a second one after it."""
        if not self._switch_at_once:
            super().delay_update(delay)
