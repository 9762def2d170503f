"""Toasts speak about the screen they were raised on, so they do not follow the user away."""

from __future__ import annotations

from time import time
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App
from textual.screen import Screen

if TYPE_CHECKING:
    from textual.notifications import Notification


class ToastsStayWithTheirScreen(App[Any]):
    """For the app: when the user moves to another screen, the toasts raised before their key
    or click go, and what the move itself says ("Saved", "opened read-only") stays. The app
    subscribes `_drop_stale_toasts` to its screen-change signal."""

    _last_input = 0.0  # time() of the user's last key or click

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown) and not event.is_forwarded:
            self._last_input = time()
        await super().on_event(event)

    def _drop_stale_toasts(self, _screen: Screen[Any]) -> None:
        stale = [n for n in notification_list(self) if n.raised_at < self._last_input]
        for notification in stale:
            self._unnotify(notification, refresh=False)
        if stale:
            self._refresh_notifications()


def notification_list(app: App[Any]) -> list[Notification]:
    """The toasts on show. Textual keeps them in a private collection with no public reader."""
    return list(app._notifications)
