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
    if view.reporting is not None:
        r = view.reporting
        who = "; ".join(f"{p.name} ({p.role})" if p.role else p.name for p in r.recipients)
        rows.append(("Reported", Text(f"{r.reported_on.isoformat()}, {r.how}, to {who}")))
    elif a.status == AuditStatus.COMPLETED:
        rows.append(("Reported", Text("not yet: p records to whom, when and how", style="yellow")))
    for key, value in rows:
        grid.add_row(key, value)
    return grid


def impartiality_text(conflicts: list[Conflict], view: AuditView) -> Text:
    """Who would audit their own area, and the declaration that justifies it (if any)."""
    a = view.audit
    if not conflicts and not a.independence_declaration:
        out = Text("✔ Nobody assesses a line their own responsibility covers.", style="green")
        for k in view.kept_off:
            out.append(f"\n{k.person} does not assess {_refs(k.refs)} ({k.duty}): {', '.join(k.assessed_by)} does.")
        return out
    out = Text()
    for c in conflicts:
        out.append("⚠ ", style="yellow")
        out.append(c.sentence() + "\n")
    for k in view.kept_off:
        out.append(f"{k.person} does not assess {_refs(k.refs)} ({k.duty}): {', '.join(k.assessed_by)} does.\n")
    if a.independence_declaration:
        when = a.declared_at.date().isoformat() if a.declared_at else ""
        out.append(f"Independence declared by {a.declared_by} on {when}: ", style="bold")
        out.append(a.independence_declaration)
    elif a.status == AuditStatus.PLANNED:
        out.append(
            "The audit cannot start: s records a justified declaration; a on the working paper gives a line "
            "to another member of the team, e changes the team.",
            style="bold red",
        )
    return out


def _refs(refs: tuple[str, ...]) -> str:
    return ", ".join(refs[:5]) + (f" and {len(refs) - 5} more" if len(refs) > 5 else "")
