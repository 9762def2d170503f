"""The facts of a period, written out as the basis of an evaluation of the ISMS (9.1).

The evaluation form pre-fills its basis with this, so the record names the data the
conclusions rest on (readings against target, objectives, audits, nonconformities, actions,
analyses, reviews) in the numbers the rest of the application shows for the same period.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlmodel import Session, col, func, select

from isms_tui.models import Analysis, ManagementReview, Status

from . import objective_fulfilment
from .formatting import grading_count, plural
from .review_inputs import audit_results, monitoring_results, nonconformities


def period_summary(session: Session, start: date, end: date) -> str:
    """Four or five plain sentences about [start, end], one per area."""
    lines = [f"Period {start.isoformat()} to {end.isoformat()}."]
    lines.append(_kpis(session, start, end))
    verdicts = Counter(o.verdict for o in objective_fulfilment.fulfilment(session, start, end))
    if verdicts:
        order = (
            objective_fulfilment.MET,
            objective_fulfilment.PARTLY,
            objective_fulfilment.NOT_MET,
            objective_fulfilment.NOT_MEASURED,
        )
        lines.append(f"Objectives over the period: {', '.join(f'{verdicts[v]} {v}' for v in order if verdicts[v])}.")
    else:
        lines.append("No information security objective is recorded.")
    audits = audit_results(session, start, end)["audits"]
    ncs = nonconformities(session, start, end)
    by_grading = ", ".join(grading_count(n, g) for g, n in ncs["by_grading"].items() if n)
    ca = ncs["corrective_actions"]
    lines.append(
        f"Audits: {plural(len(audits), 'audit')} completed; "
        f"{plural(ncs['raised'], 'nonconformity', 'nonconformities')} raised"
        + (f" (from audit findings: {by_grading})" if by_grading else "")
        + f"; corrective actions on {ca['as_of']}: {ca['open']} open, {ca['overdue']} overdue."
    )
    analyses = session.exec(
        select(func.count(col(Analysis.id))).where(Analysis.analysed_on >= start, Analysis.analysed_on <= end)
    ).one()
    reviews = session.exec(
        select(func.count(col(ManagementReview.id))).where(
            col(ManagementReview.held_on).is_not(None),
            col(ManagementReview.held_on) >= start,
            col(ManagementReview.held_on) <= end,
        )
    ).one()
    lines.append(
        f"{plural(analyses, 'KPI analysis record')} and {plural(reviews, 'management review')} held in the period."
    )
    return "\n".join(lines)


def _kpis(session: Session, start: date, end: date) -> str:
    data = monitoring_results(session, start, end, end)
    kpis = data["kpis"]
    total = sum(k["readings"] for k in kpis)
    if not total:
        return f"KPIs: {plural(len(kpis), 'active KPI')}, no reading in the period."
    on = sum(k["on_target"] for k in kpis)
    off = [k["code"] for k in kpis if k["off_target"]]
    worse = [k["code"] for k in kpis if k["trend"] == "worsening"]
    text = (
        f"KPIs: {plural(len(kpis), 'active KPI')}, {plural(total, 'reading')}, "
        f"{round(100 * on / total)}% on target ({Status.OFF_TARGET.value}: {', '.join(off) or 'none'})"
    )
    return text + (f"; worsening: {', '.join(worse)}." if worse else ".")
