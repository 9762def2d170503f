"""The demo's target history (9.1): when each KPI's definition was recorded, and one target
tightened from the running period after a year of results well within it.

The change applies from the period now running, so every closed period, and every analysis
and review written about them, stays judged by the target it was written against.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlmodel import Session, select

from isms_tui.models import Kpi, KpiTarget
from isms_tui.services import clock, periods
from isms_tui.services.kpis import KpiInput, kpi_by_code, save_kpi
from isms_tui.services.targets import TargetChange

from .organisation import SECURITY_OFFICER

TIGHTENED = "PHISH-01"
NEW_TARGET, NEW_WARNING = 4.0, 6.0
REASON = (
    "Click rate has stayed under 5 % for a year since onboarding training moved to week one; "
    "the awareness lead proposed 4 % (warning 6 %) as the next step."
)


def add_target_history(session: Session, today: date) -> None:
    """Date each KPI's first definition to its start, then tighten the phishing target."""
    started = {k.id: k.started_on for k in session.exec(select(Kpi))}
    for version in session.exec(select(KpiTarget)):
        # Defined when measurement began, by the person who runs the ISMS (a backdated fact).
        version.recorded_at = datetime.combine(started[version.kpi_id], time(9), tzinfo=UTC)
        version.recorded_by = SECURITY_OFFICER
        session.add(version)
    kpi = kpi_by_code(session, TIGHTENED)
    if kpi is None or kpi.id is None:
        return
    data = KpiInput.from_kpi(kpi)
    data.target, data.warning = NEW_TARGET, NEW_WARNING
    running = periods.period_start(today, kpi.frequency)
    with clock.pinned(today):  # decided on the demo's day, whatever the machine's
        save_kpi(session, data, kpi.id, TargetChange(running, REASON, by=SECURITY_OFFICER))
