"""How a management review's attendance and top management's conclusions look (9.3).

Over the JSON-ready record of services/review.py, live or frozen. Reviews approved before
attendance was recorded per person hold a plain list of names in their snapshot; they are shown
as such, never re-read from today's data.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

CONCLUSION_STYLE = {"yes": "green", "partly": "yellow", "no": "bold red"}
ASPECT_TITLES = {
    "suitability": "Continuing suitability",
    "adequacy": "Adequacy",
    "effectiveness": "Effectiveness",
}


def attendee_line(a: dict[str, Any] | str) -> Text:
    """'Tom Okafor · chair · top management' (a name alone for a review recorded before)."""
    if isinstance(a, str):
        return Text(a)
    line = Text(a["name"] or "—", style="bold" if a["top_management"] else "")
    if a["meeting_role"]:
        line.append(f" · {a['meeting_role']}", style="")
    if a["top_management"]:
        line.append(" · top management", style="cyan")
    return line


def render_attendance(attendees: list[Any]) -> Text:
    """Present first, then apologies; one person a line."""
    if not attendees:
        return Text("Not recorded yet: h records who attended.", style="dim")
    if all(isinstance(a, str) for a in attendees):
        return Text.assemble(", ".join(attendees), ("  (recorded by name, before attendance by person)", "dim"))
    present = [a for a in attendees if not isinstance(a, str) and a["attendance"] == "present"]
    apologies = [a for a in attendees if not isinstance(a, str) and a["attendance"] != "present"]
    out = Text()
    for label, group in (("Present", present), ("Apologies", apologies)):
        if not group:
            continue
        if out:
            out.append("\n")
        out.append(f"{label}: ", style="dim")
        for i, a in enumerate(group):
            if i:
                out.append(", ")
            out.append_text(attendee_line(a))
    return out


def render_conclusions(conclusions: list[dict[str, Any]] | None, *, legacy: bool = False) -> Table | Text:
    """Top management's verdict and reason on each aspect of the ISMS."""
    if conclusions is None or (legacy and not conclusions):
        return Text("Approved before conclusions were recorded separately; see the commentary.", style="dim")
    if not conclusions:
        return Text(
            "Not recorded yet: t records top management's conclusions on the suitability, adequacy and "
            "effectiveness of the ISMS.",
            style="yellow",
        )
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    done = {c["aspect"] for c in conclusions}
    for c in conclusions:
        grid.add_row(
            ASPECT_TITLES.get(c["aspect"], c["aspect"]),
            Text(c["verdict"], style=CONCLUSION_STYLE.get(c["verdict"], "")),
            Text(c["rationale"]),
        )
    for aspect, title in ASPECT_TITLES.items():
        if aspect not in done:
            grid.add_row(title, Text("—", style="yellow"), Text("not recorded yet", style="yellow"))
    return grid
