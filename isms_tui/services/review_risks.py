"""Review input 9.3.2 f: the results of risk assessment and the status of the treatment plan.

Levels over the period come from the journal (each risk's state as it stood at the start and
at the end of the period), so they are what was recorded then, not what the register says now.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session, col, select

from isms_tui.models import JournalEntry, Person, Risk
from isms_tui.models.journal_batch import entry_states

from . import actions, soa
from .risks import (
    above_appetite,
    appetite,
    band,
    is_open,
    level,
    residual_level,
    risk_level,
    treatment_actions,
    treatment_overdue,
)


def _levels_at(session: Session, moment: datetime) -> dict[int, int | None]:
    """Each risk's level as recorded at `moment` (None: it did not exist or was deleted)."""
    q = select(JournalEntry).where(JournalEntry.entity == "risk").order_by(col(JournalEntry.id))
    out: dict[int, int | None] = {}
    stamp = moment.isoformat()
    for entry in session.exec(q):
        if str(entry.at)[:26] > stamp[:26]:
            break
        # risks are created one at a time, but a create_many entry is read like any other
        for risk_id, state in entry_states(entry.id or 0, entry.entity_id, entry.operation, entry.after):
            if (
                isinstance(state, dict)
                and isinstance(state.get("likelihood"), int)
                and isinstance(state.get("impact"), int)
            ):
                out[risk_id] = level(state["likelihood"], state["impact"])
            else:
                out[risk_id] = None
    return out


def risk_input(session: Session, start: date, end: date, today: date) -> dict[str, Any]:
    """Input f as JSON-ready values: appetite, every risk with its levels, and the plan's status."""
    limit = appetite(session)
    people = {p.id: p.name for p in session.exec(select(Person))}
    risks = list(session.exec(select(Risk)))
    plan = treatment_actions(session)
    first = _levels_at(session, datetime.combine(start, time.min))
    last = _levels_at(session, datetime.combine(end, time.max))
    ordered = sorted(risks, key=lambda r: (-risk_level(r), r.ref))
    rows = []
    for r in ordered:
        acts = plan.get(r.id or 0, [])
        rows.append(
            {
                "ref": r.ref,
                "title": r.title,
                "owner": people.get(r.owner_id, ""),
                "level": risk_level(r),
                "band": band(risk_level(r)),
                "level_at_start": first.get(r.id or 0),
                "level_at_end": last.get(r.id or 0),
                "residual": residual_level(r),
                "treatment": r.treatment,
                "status": r.status,
                "due": r.due_date.isoformat() if r.due_date else None,
                "above_appetite": above_appetite(r, limit),
                "treatment_overdue": treatment_overdue(r, today),
                "actions_open": sum(1 for a in acts if a.status in actions.OPEN_STATES),
                "actions_done": sum(1 for a in acts if a.status not in actions.OPEN_STATES),
                "actions_overdue": sum(1 for a in acts if actions.is_overdue(a, today)),
            }
        )
    return {
        "appetite": limit,
        "risks": rows,
        "open": sum(1 for r in ordered if is_open(r)),
        "above_appetite": [row["ref"] for row in rows if row["above_appetite"]],
        "treatment_overdue": [row["ref"] for row in rows if row["treatment_overdue"]],
        "actions": {
            "open": sum(row["actions_open"] for row in rows),
            "done": sum(row["actions_done"] for row in rows),
            "overdue": sum(row["actions_overdue"] for row in rows),
        },
        "raised": sum(1 for r in rows if r["level_at_start"] is None and r["level_at_end"] is not None),
        # The controls chosen to treat the risks, as the statement of applicability stands.
        "soa": soa.summary(session).sentence,
    }
