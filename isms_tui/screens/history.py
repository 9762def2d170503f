"""The change history of a record, read from the journal: who changed what, when, from what.

Read-only. Everything shown is user data (names, notes, the journal's JSON), so it is
rendered as rich Text, never parsed as markup; bidirectional-override characters are shown
as escapes so a note cannot reorder the lines around it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from isms_tui.services.formatting import plural
from isms_tui.widgets.footer import IsmsFooter

from .base import workspace_session

MAX_VALUE_CHARS = 160
# Control characters (an ESC would reach the terminal as an escape sequence) and bidi controls.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def printable(text: str) -> str:
    """User text with control and bidi characters shown as \\uXXXX escapes."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True)
class HistorySubject:
    """One record whose journal entries to list: table name, id and a label for people."""

    entity: str
    entity_id: int
    label: str


def show_value(value: Any) -> str:
    """A journaled value as compact, printable text (JSON escapes control characters)."""
    if value is None:
        text = "—"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = printable(text)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "…"
    return text


def _when(at: str) -> str:
    """'2026-11-28T12:00:00.123456+00:00' → '2026-11-28 12:00:00 UTC'."""
    return f"{at[:10]} {at[11:19]} UTC" if len(at) >= 19 else at


_OPERATION_STYLE = {"create": "green", "update": "yellow", "delete": "red"}


def render_history(rows: list[tuple[HistorySubject, list[Any]]]) -> Text:
    """All entries of all subjects, newest first within each subject."""
    from isms_tui.services.journal import field_changes

    out = Text()
    for subject, entries in rows:
        if out:
            out.append("\n")
        out.append(printable(subject.label), style="bold underline")
        out.append(f"  ({plural(len(entries), 'change')})\n", style="dim")
        if not entries:
            out.append("  No journal entries.\n", style="dim")
        for entry in reversed(entries):
            out.append(f"  {_when(entry.at)}  ", style="cyan")
            out.append(printable(entry.actor or "unknown"))
            out.append("  ")
            out.append(entry.operation, style=_OPERATION_STYLE.get(entry.operation, ""))
            out.append(f"  #{entry.id}", style="dim")
            if entry.batch_rows:
                out.append(f" (imported: one entry for {plural(entry.batch_rows, 'row')})", style="dim")
            out.append("\n")
            changes = field_changes(entry)
            if not changes:
                out.append("      (no field changed)\n", style="dim")
            for change in changes:
                out.append(f"      {change.name}: ", style="dim")
                if entry.operation == "update":
                    out.append(show_value(change.before))
                    out.append(" → ", style="dim")
                    out.append(show_value(change.after))
                elif entry.operation == "delete":
                    out.append(show_value(change.before))
                else:
                    out.append(show_value(change.after))
                out.append("\n")
    return out


class HistoryModal(ModalScreen[None]):
    """The journal entries of a KPI and, optionally, one of its readings; escape closes."""

    HELP = (
        "The journal's history of a KPI or a reading: every change, who made it and when, from the hash-"
        "chained journal."
    )

    DEFAULT_CSS = """
    HistoryModal { align: center middle; }
    HistoryModal > #history-box {
        width: 90%; height: 85%; border: round $accent; background: $surface; padding: 0 1;
    }
    HistoryModal #history-title { text-style: bold; width: 1fr; }
    HistoryModal #history-scroll { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, subjects: list[HistorySubject]) -> None:
        super().__init__()
        self.subjects = subjects
        self.loaded: list[tuple[HistorySubject, list[Any]]] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="history-box"):
            yield Label("Change history (from the journal) · escape closes", id="history-title")
            with VerticalScroll(id="history-scroll"):
                yield Static(Text("Loading…", style="dim"), id="history")
        yield IsmsFooter()

    def on_mount(self) -> None:
        self.query_one("#history-scroll").focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="history")
    def load(self) -> None:
        from isms_tui.services.journal import history

        with workspace_session(self) as session:
            rows = [(s, history(session, s.entity, s.entity_id)) for s in self.subjects]
        self.app.call_from_thread(self.show, rows)

    def show(self, rows: list[tuple[HistorySubject, list[Any]]]) -> None:
        self.loaded = rows
        self.query_one("#history", Static).update(render_history(rows))

    def action_close(self) -> None:
        self.dismiss(None)
