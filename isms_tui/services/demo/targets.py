"""The demo's target history (9.1): when each KPI's definition was recorded, and one target
tightened from the running period after months of results well within it.

The change applies from the period now running, so every closed period, and every analysis
and review written about them, stays judged by the target it was written against.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from isms_tui.models import Kpi, KpiTarget, Reading, Status
from isms_tui.services import clock, periods
from isms_tui.services.evaluation import evaluate_value
from isms_tui.services.kpis import KpiInput, kpi_by_code, save_kpi
from isms_tui.services.targets import TargetChange, targets_for

from .kpi_specs import short_number
from .organisation import SECURITY_OFFICER

TIGHTENED = "PHISH-01"
NEW_TARGET, NEW_WARNING = 4.0, 6.0
MIN_RUN = 3  # months within target before anyone proposes a tighter one


def add_target_history(session: Session, today: date) -> None:
    """Date each KPI's first definition to its start, then tighten the phishing target when
    its recent readings support it (the reason quotes them)."""
    started = {k.id: k.started_on for k in session.exec(select(Kpi))}
    for version in session.exec(select(KpiTarget)):
        # Defined when measurement began, by the person who runs the ISMS (a backdated fact).
        version.recorded_at = datetime.combine(started[version.kpi_id], time(9), tzinfo=UTC)
        version.recorded_by = SECURITY_OFFICER
        session.add(version)
    kpi = kpi_by_code(session, TIGHTENED)
    if kpi is None or kpi.id is None:
        return
    running = periods.period_start(today, kpi.frequency)
    run = _run_within_target(session, kpi, running)
    if len(run) < MIN_RUN or max(run) >= NEW_TARGET:
        return  # the results do not support a tighter target yet
    reason = (
        f"Click rate within the {short_number(kpi.target)} % target for the last {len(run)} months "
        f"(at most {short_number(max(run))} %) since onboarding training moved to week one; "
        f"the awareness lead proposed {short_number(NEW_TARGET)} % (warning {short_number(NEW_WARNING)} %) "
        "as the next step."
    )
    data = KpiInput.from_kpi(kpi)
    data.target, data.warning = NEW_TARGET, NEW_WARNING
    with clock.pinned(today):  # decided on the demo's day, whatever the machine's
        save_kpi(session, data, kpi.id, TargetChange(running, reason, by=SECURITY_OFFICER))


def _run_within_target(session: Session, kpi: Kpi, before: date) -> list[float]:
    """The values of the latest unbroken run of on-target readings before `before`."""
    rows = session.exec(
        select(Reading)
        .where(Reading.kpi_id == kpi.id, Reading.period_start < before, col(Reading.voided_at).is_(None))
        .order_by(col(Reading.period_start).desc())
    )
    history = targets_for(session, kpi)
    run: list[float] = []
    for r in rows:
        if evaluate_value(history.at(r.period_start), r.value) != Status.ON_TARGET:
            break
        run.append(r.value)
    return run
