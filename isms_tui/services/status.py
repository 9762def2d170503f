"""The ISMS health summary behind `isms status` and the dashboard's headline."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from isms_tui.models import Status

from . import periods
from .monitoring import Overview, overview
from .workspace import get_workspace


def summary(session: Session, today: date, ov: Overview | None = None) -> dict[str, Any]:
    """A JSON-ready summary; keys are stable because scripts rely on them."""
    ov = ov or overview(session, today)
    ws = get_workspace(session)
    return {
        "organisation": ws.org_name if ws else None,
        "scope": ws.scope if ws else None,
        "today": today.isoformat(),
        "kpis": {
            "total": ov.total,
            "by_status": {s.value: ov.counts[s] for s in Status},
        },
        "readings_due": len(ov.due),
        "readings_overdue": sum(len(r.state.overdue_periods) for r in ov.rows),
        "attention": [
            {
                "kpi": r.kpi.code,
                "name": r.kpi.name,
                "status": r.state.status.value,
                "last_period": r.last_label,
                "last_value": r.state.last_value,
                "overdue_periods": [
                    periods.period_label(p, r.kpi.frequency) for p in r.state.overdue_periods
                ],
            }
            for r in ov.rows
            if r.state.status in (Status.OFF_TARGET, Status.OVERDUE, Status.WARNING)
        ],
    }


def render_text(data: dict[str, Any]) -> str:
    """The human form of `summary`."""
    k = data["kpis"]
    lines = [
        f"{data['organisation'] or 'Unnamed workspace'} — ISMS status on {data['today']}",
        f"KPIs: {k['total']} active; "
        + ", ".join(f"{n} {s}" for s, n in k["by_status"].items() if n),
        f"Readings due: {data['readings_due']} (overdue: {data['readings_overdue']})",
    ]
    if data["attention"]:
        lines.append("Needs attention:")
        for a in data["attention"]:
            value = "—" if a["last_value"] is None else f"{a['last_value']:g}"
            lines.append(f"  {a['kpi']:<10} {a['status']:<10} last {a['last_period']} = {value}  {a['name']}")
    return "\n".join(lines)
