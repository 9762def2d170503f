"""The footer every screen shows: its keys, and "read-only" first when nothing can be saved.

A workspace opened read-only (another isms holds it, or it sits where it cannot be written)
disables its write keys; the footer dims them and says why, on every screen, so the user
never has to guess whether a key is broken or refused.

Textual's footer lists the keys in one row and cuts what does not fit: at 80 columns about
five keys, most of them section keys, and never the help. This footer shows the screen's own
keys first, in the order the screen declares them (most used first), folds the section keys
into one group ("d m a c g v s sections"), and keeps the help key and the command palette
pinned to the right, so that whatever is cut can always be found: `?` (F1 where a field takes
`?`) lists every key, ctrl+p offers each by name. Below `NARROW_WIDTH` columns it is compact
(Textual's `Footer.compact`: less space around each key). No key is declared twice: the
footer reads the same bindings as the help and the palette.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.actions import parse
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Label
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

if TYPE_CHECKING:
    from textual.binding import ActiveBinding

NARROW_WIDTH = 100  # columns; the app's -narrow breakpoint (IsmsApp.HORIZONTAL_BREAKPOINTS) too
HELP_KEYS = ("question_mark", "f1")  # the app's help keys: ? where no field takes it, else F1


class IsmsFooter(Footer):
    """Textual's footer with a "read-only" badge in front of the keys of a read-only workspace,
    the screen's keys first, help always in sight, and compact on narrow terminals."""

    DEFAULT_CSS = """
    IsmsFooter > .read-only-badge {
        width: auto; height: 1; padding: 0 1; margin-right: 1;
        background: $warning; color: $text; text-style: bold;
    }
    IsmsFooter > .footer-pinned {
        dock: right; width: auto; height: 1;
        background: $footer-background;
        border-left: vkey $foreground 20%;
    }
    IsmsFooter.-compact > FooterLabel { margin: 0 1 0 0; }
    IsmsFooter > .footer-pinned > FooterKey { margin: 0 0 0 1; }
    IsmsFooter > .footer-pinned > FooterKey.-help { margin: 0; }
    """

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Textual fills the footer with the screen's keys after the first frame; not while the
        app holds them back (`footer_keys_held`: while the dashboard's first view is read, which
        that work would otherwise slow down). The keys work all the same meanwhile."""
        if not getattr(self.app, "footer_keys_held", False):
            super().bindings_changed(screen)

    def __init__(self) -> None:
        super().__init__()
        self._narrow = False

    def _is_narrow(self) -> bool:
        return self.app.size.width < NARROW_WIDTH

    def on_resize(self, _event: Resize) -> None:
        narrow = self._is_narrow()
        if narrow != self._narrow:
            self.call_after_refresh(self.recompose)

    def compose(self) -> ComposeResult:
        self._narrow = narrow = self._is_narrow()
        self.set_reactive(Footer.compact, narrow)
        self.set_class(narrow, "-compact")
        if getattr(self.app, "read_only", False):
            yield Label("read-only", classes="read-only-badge")
        if self._bindings_ready:
            yield from self._keys()

    def _keys(self) -> ComposeResult:
        """The screen's keys first, then the sections as one group and the app's other keys,
        with help and the palette pinned on the right."""
        active = self.screen.active_bindings
        first: dict[str, ActiveBinding] = {}  # one key per action, as Textual's footer shows
        for item in active.values():
            if item.binding.show:
                first.setdefault(item.binding.action, item)
        own = [item for item in first.values() if item.node is not self.app]
        app_keys = [item for item in first.values() if item.node is self.app]
        sections = [item for item in app_keys if parse(item.binding.action)[1] == "section"]
        for item in own:
            yield self._key(item.binding, item.enabled, item.tooltip)
        if sections:
            with KeyGroup():
                for item in sections:
                    yield self._key(item.binding, item.enabled, item.tooltip or item.binding.description, grouped=True)
            yield FooterLabel("sections")
        for item in app_keys:
            if item not in sections:
                yield self._key(item.binding, item.enabled, item.tooltip)
        with HorizontalGroup(classes="footer-pinned"):
            help_key = self._help_binding(active)
            if help_key is not None:
                yield FooterKey(
                    help_key.key,
                    self.app.get_key_display(help_key),
                    "help",
                    help_key.action,
                    tooltip=help_key.tooltip,
                    classes="-help",
                ).data_bind(compact=Footer.compact)
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
            if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette is not None:
                yield FooterKey(
                    palette.binding.key,
                    self.app.get_key_display(palette.binding),
                    palette.binding.description,
                    palette.binding.action,
                    disabled=not palette.enabled,
                    tooltip=palette.binding.tooltip or palette.binding.description,
                ).data_bind(compact=Footer.compact)

    def _key(self, binding: Binding, enabled: bool, tooltip: str, grouped: bool = False) -> FooterKey:
        return FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            "" if grouped else binding.description,
            binding.action,
            disabled=not enabled,
            tooltip=tooltip,
            classes="-grouped" if grouped else "",
        ).data_bind(compact=Footer.compact)

    def _help_binding(self, active: dict[str, ActiveBinding]) -> Binding | None:
        """`?` where it reaches the app; else F1, which the app binds with priority and so
        works in every form and modal (where `?` is typed into a field)."""
        for key in HELP_KEYS:
            item = active.get(key)
            if item is not None and parse(item.binding.action)[1] == "help":
                return item.binding
        for binding in type(self.app).BINDINGS:
            if isinstance(binding, Binding) and binding.key == "f1" and binding.action == "help":
                return binding
        return None
