"""The plan of an audit and its impartiality, as the audit screen and the audit report show them
(9.2.2: scope, criteria, methods, dates, auditors, and objectivity)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from isms_tui.models.enums import AuditStatus

if TYPE_CHECKING:
    from isms_tui.services.audit_views import AuditView
    from isms_tui.services.impartiality import Conflict


def plan_grid(view: AuditView) -> Table:
    """The audit plan as 9.2.2 asks for it: scope, criteria, methods, dates, who."""
    from isms_tui.services.audit_views import ref_ranges

    a = view.audit
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    actual = (
        (
            f"{a.actual_start.isoformat() if a.actual_start else '…'} → "
            f"{a.actual_end.isoformat() if a.actual_end else '…'}"
        )
        if a.actual_start
        else "not started"
    )
    rows: list[tuple[str, Text | str]] = [
        ("Programme", Text(view.programme.title if view.programme else "—")),
        ("Scope", Text(f"{len(a.scope_refs)} requirements: {ref_ranges(a.scope_refs)}")),
        ("Areas", Text(", ".join(a.scope_areas) or "—")),
        ("Criteria", Text(a.criteria or "—")),
        ("Methods", Text(a.methods or "—")),
        ("Planned", f"{a.planned_start.isoformat()} → {a.planned_end.isoformat()}"),
        ("Actual", actual),
        ("Lead auditor", Text(view.lead or "—")),
        ("Team", Text(", ".join(view.team) or "—")),
        ("Auditees", Text(a.auditees or "—")),
    ]
    for key, value in rows:
        grid.add_row(key, value)
    return grid


def impartiality_text(conflicts: list[Conflict], view: AuditView) -> Text:
    """Who would audit their own area, and the declaration that justifies it (if any)."""
    a = view.audit
    if not conflicts and not a.independence_declaration:
        return Text("✔ No auditor is responsible for an area in scope.", style="green")
    out = Text()
    for c in conflicts:
        out.append("⚠ ", style="yellow")
        out.append(f"{c.person} ({c.role}) is responsible for {c.area}, which is in scope.\n")
    if a.independence_declaration:
        when = a.declared_at.date().isoformat() if a.declared_at else ""
        out.append(f"Independence declared by {a.declared_by} on {when}: ", style="bold")
        out.append(a.independence_declaration)
    elif a.status == AuditStatus.PLANNED:
        out.append(
            "The audit cannot start: s records a justified declaration, e names another auditor.", style="bold red"
        )
    return out
