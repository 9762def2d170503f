"""Where typed text goes: the widgets a user types into, keys kept in order, pastes across fields.

A letter typed into a text field, a drop-down or a tab bar belongs to that widget: it never
runs a section key ('d' for the dashboard) or another app-wide letter. Textual already keeps
printable keys in an Input or a TextArea; a closed Select and a tab bar do not consume them,
so `SectionScreen.check_consume_key` claims letters for them too (which also drops those keys
from the footer while such a widget has focus).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.widget import Widget

# The widget classes are imported where they are used: the app imports this module before
# its first paint, and Select, Tabs and TextArea are not otherwise needed by then.


def takes_typing(widget: Widget | None) -> bool:
    """True for a widget a user types into or picks from by typing: a text field, an editable
    text area, a drop-down (open or closed) or a tab bar."""
    from textual.widgets import Input, Select, Tabs, TextArea

    if widget is None:
        return False
    if isinstance(widget, TextArea):
        return not widget.read_only
    if isinstance(widget, Input | Tabs):
        return True
    # a Select, or its open drop-down, which lives inside it
    return any(isinstance(node, Select) for node in widget.ancestors_with_self)


def claims_letter(focused: Widget | None, character: str | None) -> bool:
    """True when a typed letter belongs to the focused widget rather than to a key binding."""
    return character is not None and len(character) == 1 and character.isalpha() and takes_typing(focused)


def paste_field_by_field(screen: Widget, focused: Widget, text: str) -> bool:
    """Paste text holding tabs one field at a time, as typing it would: each tab moves on.

    Returns False (leaving the paste to the focused widget) for text without a tab, a focused
    widget that takes no text, or lines pasted into a text area (a table pasted into notes
    stays a table). A part meeting a drop-down or a tick box, or beyond the last field (never
    wrapped round into the first), is left out, and the app says so.
    """
    from textual.widgets import Button, Input, TextArea

    if "\t" not in text or not isinstance(focused, Input | TextArea):
        return False
    if isinstance(focused, TextArea) and "\n" in text.strip("\n"):
        return False
    chain = [w for w in screen.screen.focus_chain if not isinstance(w, Button)]
    position = chain.index(focused) if focused in chain else 0
    parts = text.split("\t")
    left_out = 0
    for index, part in enumerate(parts):
        if index:
            position += 1
            if position >= len(chain):  # never round again into the first field
                left_out += sum(1 for rest in parts[index:] if rest)
                break
            chain[position].focus()
        target = chain[position] if chain else focused
        if isinstance(target, Input | TextArea):
            if part:
                target.post_message(events.Paste(part))
        elif part:
            left_out += 1
    if left_out:
        screen.app.notify(
            f"{left_out} of the {len(parts)} parts pasted had no text field to go to and were left out.",
            severity="warning",
            markup=False,
        )
    return True


class TypedInOrder(App[Any]):
    """An app that hands keys on one at a time and pastes text with tabs field by field.

    Textual forwards a key to the focused widget and runs a binding only once the key has
    bubbled back up, so in a burst (auto-typed or pasted text, fast typing after `n`) the next
    keys reached the old screen before the form the first one opened (on the review's
    preparation `x` asked to delete an entry and `y` confirmed), or a form before it had a
    focused field (the letters and the Tab were dropped). A key arriving while the one before
    is still on its way now waits for it, and for the screen it put up to take its focus.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keys_in_flight: asyncio.Task[None] | None = None  # the last key on its way, and those after it
        self._typed_ahead: deque[events.Key] = deque()  # keys typed while one was on its way
        # Characters handed to a text field and not yet taken in by it: a key that does
        # something else (Tab, ctrl+s) waits for them, or it would save the form without them.
        self._typing_into: Widget | None = None
        self._characters_on_their_way = 0

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self._type(event)
            return
        pasted = isinstance(event, events.Paste) and not event.is_forwarded and self.focused is not None
        if pasted and paste_field_by_field(self.screen, self.focused, event.text):  # type: ignore[arg-type, attr-defined]
            return
        await super().on_event(event)

    async def _type(self, event: events.Key) -> None:
        if self._keys_in_flight is not None and not self._keys_in_flight.done():
            self._typed_ahead.append(events.Key(event.key, event.character))
            return
        if self._taken_by_field(event):
            await self._hand_to_field(event)
        elif self._characters_on_their_way:
            self._typed_ahead.append(events.Key(event.key, event.character))
            self._keys_in_flight = asyncio.create_task(self._after_key([]))
        else:
            path = self._key_path()
            await super().on_event(event)
            self._keys_in_flight = asyncio.create_task(self._after_key(path))

    def _taken_by_field(self, event: events.Key) -> bool:
        """A character for the focused text field: it stays there, in its order, and needs no wait."""
        focused = self.focused
        return focused is not None and focused.check_consume_key(event.key, event.character)

    async def _hand_to_field(self, event: events.Key) -> None:
        field = self.focused
        assert field is not None  # _taken_by_field
        await super().on_event(event)
        self._typing_into = field
        self._characters_on_their_way += 1
        if not field.call_later(self._character_taken):
            self._character_taken()

    def _character_taken(self) -> None:
        self._characters_on_their_way = max(0, self._characters_on_their_way - 1)

    def _key_path(self) -> list[MessagePump]:
        """The nodes a key visits: the focused widget (or the screen) up to the app."""
        return [*(self.focused or self.screen).ancestors_with_self]

    async def _after_key(self, path: list[MessagePump]) -> None:
        try:
            await self._key_passed(path)
            while self._typed_ahead:
                event = self._typed_ahead.popleft()
                if self._taken_by_field(event):
                    await self._hand_to_field(event)
                    continue
                if self._characters_on_their_way and self._typing_into is not None:
                    await handled_so_far(self._typing_into)
                path = self._key_path()
                await super().on_event(event)
                await self._key_passed(path)
        except Exception as error:  # as if raised in the app's own handler
            self._typed_ahead.clear()
            self._handle_exception(error)

    async def _key_passed(self, path: list[MessagePump]) -> None:
        """Wait until every node on the key's way has handled what was queued for it (the key,
        as it bubbled), then until the screen now on top has been put up and has its focus."""
        if not path:
            return
        for node in path:
            await handled_so_far(node)
        await handled_so_far(self.screen)


async def handled_so_far(node: MessagePump, patience: float = 5.0) -> None:
    """Return once `node` has handled every message queued for it before this call, or once
    it has left the screen (a form a key closed handles nothing more)."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def handled() -> None:
        if not done.done():
            done.set_result(None)

    if not node.call_later(handled):
        return
    step = 0.05
    for _ in range(int(patience / step)):
        try:
            await asyncio.wait_for(asyncio.shield(done), timeout=step)
            return
        except TimeoutError:
            if not node.is_dom_root and not node.is_attached:
                return
