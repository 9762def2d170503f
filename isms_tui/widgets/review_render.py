"""How the inputs of a management review look: figures first, then charts and tables.

One renderer per input of 9.3.2, over the JSON-ready dicts of services/review.py (live or from
an approved review's snapshot), shared by the preparation screen and the minutes. Every piece
of user or workspace text goes into a `Text`, never through the markup parser.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from isms_tui.models.enums import Status
from isms_tui.services.formatting import grading_count, number, plural
from isms_tui.widgets.actions_panel import short_name
from isms_tui.widgets.bar_chart import Bar, column_chart, hbar
from isms_tui.widgets.review_d1 import render_d1
from isms_tui.widgets.review_evaluations import render_evaluations
from isms_tui.widgets.status import STATUS_STYLE, spark

SHORT_TITLES: dict[str, str] = {
    "a": "Previous review actions",
    "b": "External/internal issues",
    "c": "Interested parties' needs",
    "d1": "Nonconformities and CA",
    "d2": "Monitoring results",
    "d3": "Audit results",
    "d4": "Objectives",
    "e": "Interested-party feedback",
    "f": "Risks and treatment plan",
    "g": "Improvement opportunities",
}
ACTION_STYLE = {"open": "bold", "in progress": "cyan", "implemented": "yellow", "closed": "green"}
VERDICT_STYLE = {"met": "green", "partly met": "yellow", "not met": "bold red", "not measured": "dim"}
GRADING_STYLE = {
    "major NC": "bold red",
    "minor NC": "red",
    "observation": "yellow",
    "opportunity for improvement": "cyan",
}
REVIEW_STATUS_STYLE = {"draft": "yellow", "held": "cyan", "approved": "green"}
TREND_ARROW = {"improving": ("↗", "green"), "worsening": ("↘", "red"), "stable": ("→", "dim")}


def _grid(*widths: int | None) -> Table:
    grid = Table.grid(padding=(0, 1))
    for w in widths:
        grid.add_column(style="dim" if w == 0 else None, no_wrap=w == 0, overflow="fold")
    return grid


def _table(*columns: tuple[str, dict[str, Any]]) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold", pad_edge=False, expand=True)
    for title, opts in columns:
        table.add_column(title, **opts)
    return table


def action_status(status: str, overdue: bool = False) -> Text:
    text = Text(status, style=ACTION_STYLE.get(status, ""))
    if overdue:
        text.append(" · overdue", style="bold red")
    return text


# -- the data-driven inputs ------------------------------------------------------------------


def render_a(data: dict[str, Any]) -> RenderableType:
    """Previous reviews' actions: counts first (first on the agenda), then every action,
    grouped by the review that decided it."""
    if data.get("first_review"):
        return Text(
            "This is the first management review recorded here: there are no actions of previous reviews to follow up.",
            style="dim",
        )
    rows = data["actions"]
    overdue = sum(1 for r in rows if r["overdue"])
    carried = sum(1 for r in rows if r["carried_over"])
    head = Text.assemble(
        (plural(len(rows), "action"), "bold"),
        " decided at previous reviews: ",
        (f"{data['closed']} closed", "green"),
        ", ",
        (f"{data['open']} open", "bold"),
    )
    head.append(f" ({overdue} overdue)" if overdue else " (none overdue)", style="bold red" if overdue else "green")
    head.append("; ")
    head.append(
        f"{plural(carried, 'action')} carried over from an earlier review"
        if carried
        else "none carried over from an earlier review",
        style="yellow" if carried else "",
    )
    head.append(".")
    total = max(len(rows), 1)
    bars = Text.assemble(
        hbar(data["closed"], total, 30, "green"), hbar(data["open"], total, 30, "red" if overdue else "cyan")
    )
    bars.append(f"  {data['closed']} closed · {data['open']} open", style="dim")
    parts: list[RenderableType] = [head, bars]
    origins: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        origins.setdefault(f"{r['review']} ({r['review_date']})", []).append(r)
    for origin, group in origins.items():
        table = _table(
            ("#", {"justify": "right", "no_wrap": True}),
            ("Action", {"ratio": 1}),
            ("Owner", {"no_wrap": True}),
            ("Due", {"no_wrap": True}),
            ("Status", {"no_wrap": True}),
            ("Carried", {"justify": "right", "no_wrap": True}),
        )
        for r in group:
            table.add_row(
                str(r["id"]),
                Text(r["title"]),
                Text(short_name(r["owner"])),
                Text((r["due"] or "—") + (" !" if r["overdue"] else ""), style="bold red" if r["overdue"] else ""),
                action_status(r["status"]),
                Text(
                    f"×{r['carried_over']}" if r["carried_over"] else "—",
                    style="yellow" if r["carried_over"] else "dim",
                ),
            )
        parts += [Text(""), Text.assemble(("Decided at ", "dim"), (origin, "bold")), table]
    return Group(*parts)


def _share_style(share: float) -> str:
    return "green" if share >= 80 else "yellow" if share >= 60 else "red"


def render_d2(data: dict[str, Any]) -> RenderableType:
    """Monitoring results: on-target share per quarter as a chart, then each KPI's figures."""
    kpis = data["kpis"]
    measured = [k for k in kpis if k["readings"]]
    total = sum(k["readings"] for k in kpis)
    on = sum(k["on_target"] for k in kpis)
    head = Text.assemble(
        (plural(len(kpis), "KPI"), "bold"),
        f", {plural(total, 'reading')} in the period",
        f" ({len(measured)} of them measured); ",
    )
    if total:
        head.append(f"{round(100 * on / total)}% of readings on target", style=_share_style(100 * on / total))
    else:
        head.append("no readings", style="dim")
    head.append(f"; {plural(data['analyses_recorded'], 'analysis record')}.")
    shares = data["on_target_share_by_quarter"]
    parts: list[RenderableType] = [head]
    if shares:
        parts += [
            Text(""),
            Text("Readings on target, per quarter", style="bold"),
            column_chart(
                [(q["quarter"], [Bar(q["share"], _share_style(q["share"] or 0))]) for q in shares],
                height=5,
                max_value=100,
                bar_width=4,
                label=lambda v: f"{v:g}%",
            ),
        ]
    table = _table(
        ("KPI", {"no_wrap": True}),
        ("Name", {"ratio": 1, "no_wrap": True, "overflow": "ellipsis"}),
        *(
            (STATUS_STYLE[s][0], {"justify": "right", "no_wrap": True})
            for s in (Status.ON_TARGET, Status.WARNING, Status.OFF_TARGET)
        ),
        ("Last", {"no_wrap": True}),
        ("", {"no_wrap": True}),
        ("Recent", {"no_wrap": True}),
    )
    for k in kpis:
        mark, style = STATUS_STYLE[Status(k["last_status"])]
        last = Text.assemble((mark, style), " ", number(k["last"], k["unit"], strip=True))
        table.add_row(
            Text(k["code"]),
            Text(k["name"]),
            Text(str(k["on_target"]), style="green" if k["on_target"] else "dim"),
            Text(str(k["warning"]), style="yellow" if k["warning"] else "dim"),
            Text(str(k["off_target"]), style="red" if k["off_target"] else "dim"),
            last,
            Text(*TREND_ARROW.get(k["trend"], ("", ""))),
            Text(spark(k["series"], 12), style="cyan"),
        )
    if kpis:
        legend = Text.assemble(
            ("● on target ", "green"),
            ("▲ warning ", "yellow"),
            ("✖ off target", "red"),
            ("  ·  ", "dim"),
            ("↗ improving ", "green"),
            ("↘ worsening ", "red"),
            ("→ stable", "dim"),
        )
        parts += [Text(""), legend, table]
    parts += render_evaluations(data.get("isms_evaluations"))
    return Group(*parts)


def render_d3(data: dict[str, Any]) -> RenderableType:
    """Audit results: audits completed in the period, findings by grading, conclusions."""
    audits = data["audits"]
    totals: dict[str, int] = {}
    for a in audits:
        for grading, n in a["findings"].items():
            totals[grading] = totals.get(grading, 0) + n
    head = Text.assemble(
        (plural(len(audits), "audit"), "bold"),
        " completed in the period; ",
        f"{data['planned_or_running']} planned or running.",
    )
    parts: list[RenderableType] = [head]
    if totals:
        top = max(totals.values())
        bars = _grid(0, None)
        for grading in GRADING_STYLE:
            n = totals.get(grading, 0)
            bars.add_row(grading, Text.assemble(hbar(n, top, 24, GRADING_STYLE[grading]), f" {n}"))
        parts += [Text(""), Text("Findings by grading", style="bold"), bars]
    for a in audits:
        results = ", ".join(f"{n} {r}" for r, n in a["results"].items()) or "no results recorded"
        findings = ", ".join(grading_count(n, g) for g, n in a["findings"].items()) or "no findings"
        grid = _grid(0, None)
        grid.add_row("Audit", Text(a["title"], style="bold"))
        grid.add_row("Ended", Text(f"{a['ended']} · {a['status']}"))
        grid.add_row("Results", Text(results))
        grid.add_row("Findings", Text(findings))
        if a["conclusion"]:
            grid.add_row("Conclusion", Text(a["conclusion"]))
        parts += [Text(""), grid]
    return Group(*parts)


def render_d4(data: dict[str, Any]) -> RenderableType:
    """Fulfilment of objectives: verdicts counted, then each objective with its KPIs."""
    objectives = data["objectives"]
    counts: dict[str, int] = {}
    for o in objectives:
        counts[o["verdict"]] = counts.get(o["verdict"], 0) + 1
    head = Text.assemble((plural(len(objectives), "objective"), "bold"), ": ")
    if data.get("period_from"):
        head = Text.assemble(
            (plural(len(objectives), "objective"), "bold"),
            (" judged on every reading from ", "dim"),
            (f"{data['period_from']} to {data['period_to']}", "dim"),
            ": ",
        )
    for i, verdict in enumerate(v for v in VERDICT_STYLE if v in counts):
        head.append(", " if i else "")
        head.append(f"{counts[verdict]} {verdict}", style=VERDICT_STYLE[verdict])
    if not objectives:
        head.append("none recorded", style="dim")
    table = _table(
        ("Code", {"no_wrap": True}),
        ("Objective · owner · due", {"ratio": 1}),
        ("KPIs", {"no_wrap": True}),
        ("Verdict", {"no_wrap": True}),
    )
    for o in objectives:
        marks = Text()
        for i, k in enumerate(o["kpis"]):
            mark, style = STATUS_STYLE[Status(k["status"])]
            marks.append("\n" if i else "")
            marks.append(f"{mark} {k['code']}", style=style)
            if k.get("readings") is not None:  # judged over the period (reviews before that: last status only)
                marks.append(f" {over_period(k)}", style="dim")
        statement = Text.assemble(o["statement"], "\n", (f"{o['owner'] or 'no owner'} · due {o['due'] or '—'}", "dim"))
        table.add_row(
            Text(o["code"]),
            statement,
            marks if o["kpis"] else Text("no KPI", style="dim"),
            Text(o["verdict"], style=VERDICT_STYLE.get(o["verdict"], "")),
        )
    return Group(head, Text(""), table) if objectives else head


def over_period(kpi: dict[str, Any]) -> str:
    """'9 of 12 on target, improving': how a KPI did over the whole period."""
    if not kpi["readings"]:
        return "no readings" + ("" if kpi.get("active", True) else " (retired)")
    text = f"{kpi['on_target']} of {kpi['readings']} on target"
    return text + (f", {kpi['trend']}" if kpi.get("trend") else "") + ("" if kpi.get("active", True) else " (retired)")


def render_g(data: dict[str, Any]) -> RenderableType:
    """Opportunities from audits and follow-ups proposed by KPI analyses in the period."""
    ofis, follow = data["audit_opportunities"], data["analysis_follow_ups"]
    head = Text.assemble(
        (plural(len(ofis), "opportunity", "opportunities"), "bold"),
        " for improvement from audits; ",
        (plural(len(follow), "follow-up"), "bold"),
        " proposed by KPI analyses.",
    )
    parts: list[RenderableType] = [head]
    if ofis:
        table = _table(("Ref", {"no_wrap": True}), ("Opportunity raised by an audit", {"ratio": 1}))
        for o in ofis:
            table.add_row(Text(o["ref"]), Text(o["statement"]))
        parts += [Text(""), table]
    if follow:
        table = _table(
            ("KPI", {"no_wrap": True}), ("Analysed", {"no_wrap": True}), ("Follow-up proposed", {"ratio": 1})
        )
        for f in follow:
            table.add_row(Text(f["kpi"]), f["analysed_on"], Text(f["follow_up"]))
        parts += [Text(""), table]
    return Group(*parts)


BAND_STYLE = {"low": "green", "medium": "yellow", "high": "red", "critical": "bold red"}


def render_f(data: dict[str, Any]) -> RenderableType:
    """The risk register for the period: levels then and now, appetite, the treatment plan."""
    risks, plan = data.get("risks", []), data.get("actions", {})
    head = Text.assemble(
        (plural(data.get("open", 0), "open risk"), "bold"),
        f"; appetite: level {data.get('appetite')}; ",
        (f"{len(data.get('above_appetite', []))} above it", "bold red" if data.get("above_appetite") else "green"),
        "; ",
        (plural(len(data.get("treatment_overdue", [])), "treatment") + " overdue", "red"),
        f". Treatment actions: {plan.get('open', 0)} open, {plan.get('done', 0)} done, "
        f"{plan.get('overdue', 0)} overdue.",
    )
    if data.get("soa"):
        head.append(f"\nStatement of applicability: {data['soa']}", style="dim")
    if not risks:
        return Group(head, Text("The risk register is empty.", style="dim"))
    table = _table(
        ("Ref", {"no_wrap": True}),
        ("Risk · owner", {"ratio": 1}),
        ("Level", {"no_wrap": True}),
        ("Start→end", {"no_wrap": True}),
        ("Treatment", {"no_wrap": True}),
    )
    for r in risks:
        then = "—" if r.get("level_at_start") is None else str(r["level_at_start"])
        now = "—" if r.get("level_at_end") is None else str(r["level_at_end"])
        mark = " !" if r.get("above_appetite") else ""
        table.add_row(
            Text(r["ref"]),
            Text.assemble(r["title"], "\n", (r.get("owner") or "no owner", "dim")),
            Text(f"{r['level']} {r['band']}{mark}", style=BAND_STYLE.get(r["band"], "")),
            Text(f"{then}→{now}"),
            Text(f"{r['treatment']} · {r['status']}" + (" · overdue" if r.get("treatment_overdue") else "")),
        )
    return Group(head, Text(""), table)


RENDERERS: dict[str, Callable[[dict[str, Any]], RenderableType]] = {
    "a": render_a,
    "d1": render_d1,
    "d2": render_d2,
    "d3": render_d3,
    "d4": render_d4,
    "f": render_f,
    "g": render_g,
}


def render_data(section: str, data: dict[str, Any] | None) -> RenderableType | None:
    """The assembled data of one input, or None for inputs made only of entries."""
    if data is None or section not in RENDERERS:
        return None
    return RENDERERS[section](data)


# -- entries, commentary, decisions ----------------------------------------------------------


def render_entries(entries: Sequence[dict[str, Any]], *, numbered: bool = True) -> RenderableType:
    """Structured entries with their source and attached files."""
    if not entries:
        return Text("No entries.", style="dim")
    parts: list[RenderableType] = []
    for i, e in enumerate(entries, 1):
        line = Text.assemble((f"{i}. " if numbered else "", "bold"), (e["title"], "bold"))
        if e.get("source"):
            line.append(f"  — {e['source']}", style="dim")
        parts.append(line)
        indent = 3 if numbered else 0
        if e.get("detail"):
            parts.append(Padding(Text(e["detail"]), (0, 0, 0, indent)))
        for f in e.get("evidence", []):
            parts.append(
                Padding(
                    Text.assemble(("file ", "dim"), f["name"], (f"  sha256 {f['sha256']}", "dim")), (0, 0, 0, indent)
                )
            )
    return Group(*parts)


def render_commentary(text: str) -> Text:
    if not text:
        return Text("No commentary recorded.", style="dim")
    return Text(text)


def render_decisions(
    decisions: Sequence[dict[str, Any]], live: dict[int, dict[str, Any]] | None = None
) -> RenderableType:
    """Each decision of 9.3.3 with its actions; `live` adds each action's status today."""
    if not decisions:
        return Text("No decisions recorded yet.", style="dim")
    parts: list[RenderableType] = []
    for i, d in enumerate(decisions, 1):
        parts.append(Text.assemble((f"{i}. ", "bold"), (f"[{d['kind']}] ", "magenta"), (d["text"], "bold")))
        if not d["actions"]:
            parts.append(Text("   No action needed.", style="dim"))
            continue
        columns: list[tuple[str, dict[str, Any]]] = [
            ("#", {"justify": "right", "no_wrap": True}),
            ("Action", {"ratio": 1}),
            ("Owner", {"no_wrap": True}),
            ("Due", {"no_wrap": True}),
            ("Recorded" if live is not None else "Status", {"no_wrap": True}),
        ]
        if live is not None:
            columns.append(("Now", {"no_wrap": True}))
        table = _table(*columns)
        for a in d["actions"]:
            row: list[RenderableType] = [
                str(a["id"]),
                Text(a["title"]),
                Text(a["owner"] or "nobody"),
                a["due"] or "—",
                action_status(a["status"]),
            ]
            if live is not None:
                now = live.get(a["id"])
                row.append(action_status(now["status"], now["overdue"]) if now else Text("removed", style="dim"))
            table.add_row(*row)
        parts.append(Padding(table, (0, 0, 0, 3)))
        parts.append(Text(""))
    return Group(*parts)
