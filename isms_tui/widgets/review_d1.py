"""Review input d1 on screen: nonconformities of every source, per source and quarter, and
where their corrective actions stand."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from isms_tui.services.nonconformities import d1_sentence
from isms_tui.widgets.bar_chart import Bar, column_chart

GRADING_STYLE = {"major NC": "bold red", "minor NC": "red"}


def _table(*columns: tuple[str, dict[str, Any]]) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold", pad_edge=False, expand=True)
    for title, opts in columns:
        table.add_column(title, **opts)
    return table


def _per_source(trend: list[dict[str, Any]]) -> Table | None:
    """Sources down, quarters across; a source with none in the period is left out."""
    if not trend or "by_source" not in trend[0]:
        return None  # approved before the count per source existed
    sources = [s for s in trend[0]["by_source"] if any(q["by_source"].get(s) for q in trend)]
    if not sources:
        return None
    table = _table(("Source", {"no_wrap": True}), *((q["quarter"], {"justify": "right"}) for q in trend))
    for source in sources:
        table.add_row(
            source,
            *(
                Text(str(q["by_source"].get(source, 0)), style="" if q["by_source"].get(source) else "dim")
                for q in trend
            ),
        )
    return table


def render_d1(data: dict[str, Any]) -> RenderableType:
    """Nonconformities raised and corrective actions: figures, the quarterly trend, the lists."""
    ca = data["corrective_actions"]
    head = Text(d1_sentence(data), style="bold")
    as_of = f" on {ca['as_of']}" if ca.get("as_of") else ""  # approved before the date was recorded
    acts = Text.assemble(
        f"Corrective actions{as_of}: ",
        (f"{ca['open']} open", "bold"),
        ", ",
        (f"{ca['overdue']} overdue", "bold red" if ca["overdue"] else "green"),
        ", ",
        (f"{ca['closed_in_period']} closed in the period", "green"),
        ", ",
        (f"{ca['not_effective_checks']} found not effective", "red" if ca["not_effective_checks"] else ""),
        ".",
    )
    legend = Text.assemble(("██ raised", "red"), "  ", ("██ closed", "green"), ("  per quarter", "dim"))
    chart = column_chart(
        [(q["quarter"], [Bar(q["raised"], "red"), Bar(q["closed"], "green")]) for q in data["trend"]], height=5
    )
    parts: list[RenderableType] = [head, acts, Text(""), legend, chart]
    per_source = _per_source(data["trend"])
    if per_source is not None:
        parts += [Text(""), Text("Raised per source and quarter", style="bold"), per_source]
    if data["findings"]:
        parts += [Text(""), Text("From audit findings", style="bold")]
        table = _table(
            ("Raised", {"no_wrap": True}),
            ("Ref", {"no_wrap": True}),
            ("Grading", {"no_wrap": True}),
            ("Statement", {"ratio": 1}),
        )
        for f in data["findings"]:
            table.add_row(
                f["raised_on"],
                Text(f["ref"]),
                Text(f["grading"], style=GRADING_STYLE.get(f["grading"], "")),
                Text(f["statement"]),
            )
        parts.append(table)
    if data.get("other_sources"):
        parts += [Text(""), Text("From other sources", style="bold")]
        table = _table(
            ("Detected", {"no_wrap": True}),
            ("Source", {"no_wrap": True}),
            ("What happened", {"ratio": 1}),
            ("Action", {"no_wrap": True}),
        )
        for o in data["other_sources"]:
            source = f"{o['source']} {o['ref']}".strip()
            table.add_row(o["detected_on"] or "—", Text(source), Text(o["description"]), f"#{o['id']} {o['status']}")
        parts.append(table)
    return Group(*parts)
