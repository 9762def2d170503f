"""The demo's evaluations of the ISMS as a whole (9.1): one per closed quarter of the review
year now running, made by the security officer a few weeks after the quarter closed.

Their conclusions are written from the demo's own data for the quarter (readings against
target, objectives over the quarter), so they say what the KPI screens and the pack show.
Follow-ups are written down but raise no actions: the demo's action register tells its own
story.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from isms_tui.models import Frequency
from isms_tui.services import clock, evaluation_basis, isms_evaluation, objective_fulfilment, periods
from isms_tui.services.review_inputs import monitoring_results

from .dates import add_months, weekday_on_or_after
from .organisation import SECURITY_OFFICER

MADE_AFTER = timedelta(days=18)  # the evaluation follows the quarter's analyses


def add_evaluations(session: Session, today: date, people: dict[str, int]) -> None:
    """Evaluate each quarter that started within the last twelve months and has closed."""
    first = periods.next_period(periods.period_start(add_months(today, -12), Frequency.QUARTERLY), Frequency.QUARTERLY)
    start = first
    while True:
        end = periods.period_end(start, Frequency.QUARTERLY)
        on = weekday_on_or_after(end + MADE_AFTER)
        if on > today:
            return
        with clock.pinned(on):
            isms_evaluation.record_evaluation(session, _evaluation(session, start, end, on, people[SECURITY_OFFICER]))
        start = periods.next_period(start, Frequency.QUARTERLY)


def _evaluation(session: Session, start: date, end: date, on: date, evaluator: int) -> isms_evaluation.EvaluationInput:
    label = periods.period_label(start, Frequency.QUARTERLY)
    kpis = monitoring_results(session, start, end, end)["kpis"]
    total = sum(k["readings"] for k in kpis)
    on_target = sum(k["on_target"] for k in kpis)
    off = [k["code"] for k in kpis if k["off_target"]]
    worse = [k["code"] for k in kpis if k["trend"] == "worsening"]
    share = round(100 * on_target / total) if total else 0
    performance = f"{label}: {share}% of the readings on target ({on_target} of {total})."
    performance += f" Off target at least once: {', '.join(off)}." if off else " No reading was off target."
    if worse:
        performance += f" Worsening: {', '.join(worse)}."
    objectives = objective_fulfilment.fulfilment(session, start, end)
    short = [
        o.objective.code for o in objectives if o.verdict in (objective_fulfilment.NOT_MET, objective_fulfilment.PARTLY)
    ]
    met = [o.objective.code for o in objectives if o.verdict == objective_fulfilment.MET]
    if short:
        effectiveness = (
            f"Effective in part: {', '.join(met) or 'no objective'} met over the quarter; "
            f"{', '.join(short)} not fully met, so the ISMS has not yet achieved those intended outcomes."
        )
    else:
        effectiveness = "Effective: every objective was met over the quarter."
    follow_up = "\n".join(f"Review the measures behind {code} with its owner" for code in short)
    return isms_evaluation.EvaluationInput(
        start,
        end,
        performance,
        effectiveness,
        basis=evaluation_basis.period_summary(session, start, end),
        follow_up=follow_up,
        evaluator_id=evaluator,
        evaluated_on=on,
    )
