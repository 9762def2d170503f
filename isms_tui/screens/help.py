"""Help for the screen in front of the user: what it is for in the Clause 9 cycle, and its keys.

One declaration per action: a screen's `BINDINGS` (Textual's own) give the key, the footer's
label and, through a Binding's `tooltip`, a longer help text; its `HELP` says what the screen
is for. The help screen (`?`, F1), the command palette (`IsmsApp.get_system_commands`) and the
README's key table (held to them by tests/test_help.py) all read from there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.actions import parse
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.keys import key_to_character
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from .base import blocked_write


@dataclass(frozen=True)
class KeyHelp:
    """One key of a screen (or of the app) as the help screen and the palette show it."""

    key: str  # as displayed: "n", "^s", "?"
    name: str  # as bound: "n", "ctrl+s", "question_mark"
    description: str  # the footer's short label
    help: str  # the longer text: the binding's tooltip, else its description
    action: str
    namespace: DOMNode
    enabled: bool  # False when the key does nothing here now (read-only, no row, another tab)
    passes_on: bool  # off altogether here (check_action False): the key goes to the app's binding
    read_only: bool  # disabled because the workspace cannot be written


ACRONYMS = {"kpi": "KPI", "isms": "ISMS", "soa": "SoA"}


def screen_title(screen: Screen[Any]) -> str:
    """A form's title, else the screen's own, else its class name in words ("Kpi detail")."""
    title = getattr(screen, "form_title", "") or screen.title
    if title:
        return str(title)
    name = type(screen).__name__.removesuffix("Screen").removesuffix("Modal")
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in name).split()
    words = [ACRONYMS.get(word, word) for word in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def purpose(screen: Screen[Any]) -> str:
    """What the screen is for, as its class declares it in `HELP`."""
    return str(getattr(type(screen), "HELP", "") or "")


def declared_bindings(node_class: type[DOMNode]) -> Iterator[Binding]:
    """A node class's bindings, its own before those it inherits: one per key and action (a
    key may do one thing per tab, `check_action` saying which)."""
    seen: set[tuple[str, str]] = set()
    own: set[str] = set()  # keys a subclass binds hide the same keys of the classes it extends
    for klass in node_class.__mro__:
        if not klass.__module__.startswith("isms_tui."):
            continue  # Textual's own keys (focus, copy) are no part of what a screen offers
        keys: set[str] = set()
        for binding in Binding.make_bindings(vars(klass).get("BINDINGS", ())):
            if binding.key in own or (binding.key, binding.action) in seen:
                continue
            seen.add((binding.key, binding.action))
            keys.add(binding.key)
            yield binding
        own |= keys


def _state(node: DOMNode, action: str) -> bool | None:
    """What `check_action` says of an action bound on `node` (True on, None dimmed, False off)."""
    destination, name, parameters = parse(action)
    target: DOMNode = node
    if destination == "app":
        target = node.app
    elif destination == "screen":
        target = node.screen
    if not hasattr(target, f"action_{name}"):
        return False
    return target.check_action(name, parameters)


def screen_keys(screen: Screen[Any]) -> list[KeyHelp]:
    """The keys of `screen`, then the app's (which a modal screen holds back), as they stand."""
    app = screen.app
    namespaces: list[DOMNode] = [screen] if screen.is_modal else [screen, app]
    keys: list[KeyHelp] = []
    for namespace in namespaces:
        # A screen's key hides the app's key of that name, unless it is off and passes it on.
        taken = {key.key for key in keys if not key.passes_on}
        for binding in declared_bindings(type(namespace)):
            if binding.system or app.get_key_display(binding) in taken:
                continue
            if namespace is app and screen.check_consume_key(binding.key, key_to_character(binding.key)):
                continue  # the screen claims the key (a field's letter, the portfolio's sections)
            state = _state(namespace, binding.action)
            read_only = blocked_write(namespace, binding.action)
            keys.append(
                KeyHelp(
                    key=app.get_key_display(binding),
                    name=binding.key,
                    description=binding.description or binding.action,
                    help=binding.tooltip or binding.description or binding.action,
                    action=binding.action,
                    namespace=namespace,
                    enabled=bool(state) and not read_only,
                    passes_on=state is False,
                    read_only=read_only,
                )
            )
    return keys


def key_table(keys: list[KeyHelp]) -> Table:
    """One row per action: keys bound to the same action share it ("f1 ?")."""
    rows: dict[tuple[int, str], list[KeyHelp]] = {}
    for key in keys:
        rows.setdefault((id(key.namespace), key.action), []).append(key)
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold")
    table.add_column(ratio=1)
    for same in rows.values():
        key = replace(same[0], key=" ".join(k.key for k in same))
        text = Text(key.help)
        if key.read_only:
            text.append("  (read-only)", style="italic")
        elif not key.enabled:
            text.append("  (not here now)", style="italic")
        table.add_row(Text(key.key, style="bold" if key.enabled else "dim"), text, style="" if key.enabled else "dim")
    return table


class HelpScreen(ModalScreen[None]):
    """The purpose and the keys of the screen it was opened over."""

    HELP = (
        "Help for the screen below: what it is for in the Clause 9 cycle and what each of its "
        "keys does. Keys shown dim do nothing there at the moment."
    )
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > #help-box {
        width: 96; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    HelpScreen #help-title { text-style: bold; padding-bottom: 1; }
    HelpScreen #help-purpose { padding-bottom: 1; }
    HelpScreen #help-keys-scroll { height: auto; max-height: 30; }
    HelpScreen #help-close { color: $text-muted; padding-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("f1", "close", "Close", show=False),
    ]

    def __init__(self, over: Screen[Any]) -> None:
        super().__init__()
        self.over = over

    def compose(self) -> ComposeResult:
        title = screen_title(self.over)
        with Vertical(id="help-box"):
            yield Static(Text(f"Help · {title}"), id="help-title")
            yield Static(Text(purpose(self.over)), id="help-purpose")
            with VerticalScroll(id="help-keys-scroll"):
                yield Static(key_table(screen_keys(self.over)), id="help-keys")
            yield Static(
                "escape closes · ctrl+p offers the same keys by name",
                id="help-close",
                markup=False,
            )

    def action_close(self) -> None:
        self.dismiss(None)


def toggle_help(app: App[Any]) -> None:
    """Help for the screen in front; on the help itself it closes, over the palette it waits."""
    from textual.command import CommandPalette

    screen = app.screen
    if isinstance(screen, HelpScreen):
        screen.dismiss(None)
    elif not isinstance(screen, CommandPalette):
        app.push_screen(HelpScreen(screen))
