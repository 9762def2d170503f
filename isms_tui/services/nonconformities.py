"""Nonconformities (10.2) from every source, held in the one action register.

An audit finding graded as a nonconformity raises its corrective action when it is recorded
(services/audits.py). The other sources are raised here: an incident, a complaint, a
management review or anything else (with the source's own reference, as those records live
outside this workspace), and a KPI breach from its analysis, whose action points at the
analysis. An analysis of a period that was on target raises a plain follow-up action instead.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from isms_tui.models import Action, ActionReopen, Analysis, Finding, Kpi, Reading, Status

from . import actions, periods
from .actions import ActionInput
from .errors import InputError, NotFound
from .evaluation import evaluate_value
from .formatting import plural
from .targets import targets_for

if TYPE_CHECKING:
    from .action_register import ActionRow

# The source kinds of a nonconformity, in the order reports list them, with their labels.
SOURCES: dict[str, str] = {
    "finding": "audit finding",
    "analysis": "KPI breach",
    "incident": "incident",
    "complaint": "complaint",
    "review": "management review",
    "other": "other",
}
_PLURALS = {"KPI breach": "KPI breaches", "other": "other", "management review": "management reviews"}
# Kinds raised by hand: their record is outside the workspace, so a reference is typed instead.
RAISED_BY_HAND = ("incident", "complaint", "review", "other")


def raise_nonconformity(session: Session, kind: str, data: ActionInput) -> Action:
    """Record a nonconformity from an incident, a complaint, a review or another source."""
    if kind not in RAISED_BY_HAND:
        choices = ", ".join(RAISED_BY_HAND)
        raise InputError(f"A nonconformity is raised here from one of: {choices}.", {"source": "Choose a source."})
    return actions.create_action(session, kind, None, data, nonconformity=True)


def analysis_breach(session: Session, analysis: Analysis) -> bool:
    """Whether the analysed period's live reading missed its target (off target)."""
    if analysis.kpi_id is None:
        return False
    kpi = session.get(Kpi, analysis.kpi_id)
    reading = session.exec(
        select(Reading).where(
            Reading.kpi_id == analysis.kpi_id,
            Reading.period_start == analysis.period_start,
            col(Reading.voided_at).is_(None),
        )
    ).first()
    if kpi is None or reading is None:
        return False
    in_force = targets_for(session, kpi).at(reading.period_start)  # the target of that period
    return evaluate_value(in_force, reading.value) == Status.OFF_TARGET


def analysis_label(session: Session, analysis: Analysis) -> str:
    """'VULN-01 2026-10' for an analysis of one KPI's period, 'ISMS 2026-10-04' otherwise."""
    kpi = session.get(Kpi, analysis.kpi_id) if analysis.kpi_id is not None else None
    if kpi is None:
        return f"ISMS {analysis.analysed_on.isoformat()}"
    return f"{kpi.code} {periods.period_label(analysis.period_start, kpi.frequency)}"


def raise_from_analysis(session: Session, analysis_id: int, data: ActionInput) -> Action:
    """The analysis's follow-up as an action; a breach makes it a nonconformity detected on the
    day of the analysis (unless the form gives another day)."""
    analysis = session.get(Analysis, analysis_id)
    if analysis is None:
        raise NotFound(f"No analysis with id {analysis_id}.")
    breach = analysis_breach(session, analysis)
    if breach:
        data = replace(
            data,
            description=data.description or analysis.conclusion,
            detected_on=data.detected_on or analysis.analysed_on,
        )
    return actions.create_action(session, "analysis", analysis_id, data, nonconformity=breach)


def source_reference(session: Session, action: Action) -> str:
    """The typed reference, or for a KPI breach the KPI and period its analysis looked at."""
    if action.source == "analysis" and action.source_id is not None:
        analysis = session.get(Analysis, action.source_id)
        return analysis_label(session, analysis) if analysis is not None else ""
    return action.source_ref


def raised_between(session: Session, start: date, end: date) -> list[Action]:
    """Nonconformities of every source but audit findings detected in [start, end], oldest first
    (a finding's nonconformity is dated by the finding: review input d1 reads those there)."""
    rows = session.exec(
        select(Action)
        .where(
            Action.nonconformity == True,  # noqa: E712
            Action.source != "finding",
            col(Action.detected_on).is_not(None),
            col(Action.detected_on) >= start,
            col(Action.detected_on) <= end,
        )
        .order_by(col(Action.detected_on), col(Action.id))
    )
    return list(rows)


def nonconformity_actions(session: Session) -> list[Action]:
    """Every action that corrects a nonconformity, whatever its source."""
    return list(session.exec(select(Action).where(Action.nonconformity == True)))  # noqa: E712


def open_on(session: Session, day: date) -> list[Action]:
    """The nonconformity actions open on `day`: raised by then (a finding's by its date) and
    not closed then, a reopening counting from its day. On today this is every open one; on an
    earlier day (an evaluation recorded with its own date) it leaves out what came later."""
    found = {f.id: f.raised_on for f in session.exec(select(Finding))}
    closes: dict[int, list[tuple[date, date | None]]] = {}
    for r in session.exec(select(ActionReopen)):
        if r.closed_on is not None:
            closes.setdefault(r.action_id, []).append((r.closed_on, r.reopened_on))
    out = []
    for a in nonconformity_actions(session):
        raised = found.get(a.source_id) if a.source == "finding" else a.detected_on
        spans = [*closes.get(a.id or 0, []), *([(a.closed_on, None)] if a.closed_on else [])]
        closed = any(start <= day and (until is None or day < until) for start, until in spans)
        if (raised is None or raised <= day) and not closed:
            out.append(a)
    return out


def d1_sentence(data: dict[str, Any]) -> str:
    """'5 nonconformities raised in the period: 1 audit finding (0 major, 1 minor), 2 complaints.'

    One sentence for the review screens and the pack; a review approved before the count per
    source existed keeps its own figures (audit findings only) and says so."""
    g = data.get("by_grading", {})
    grading = f"{g.get('major NC', 0)} major, {g.get('minor NC', 0)} minor"
    total = plural(data.get("raised", 0), "nonconformity", "nonconformities")
    by_source = data.get("by_source")
    if by_source is None:
        return f"{total} raised in the period from audit findings ({grading})."
    parts = []
    for name, count in by_source.items():
        if not count:
            continue
        part = plural(count, name, _PLURALS.get(name))
        parts.append(f"{part} ({grading})" if name == SOURCES["finding"] else part)
    return f"{total} raised in the period" + (": " + ", ".join(parts) if parts else "") + "."


def detected(row: ActionRow) -> date | None:
    """When a nonconformity was detected: its finding's date, else its own."""
    return row.finding.raised_on if row.finding is not None else row.action.detected_on


def for_period(session: Session, start: date, end: date, today: date) -> list[ActionRow]:
    """Every nonconformity's action the period saw: detected by its end and not closed before
    its start, oldest detection first."""
    from .action_register import register

    rows = []
    for row in register(session, today):
        when = detected(row)
        if not row.action.nonconformity or when is None or when > end:
            continue
        if row.action.closed_on is not None and row.action.closed_on < start:
            continue
        rows.append(row)
    return sorted(rows, key=lambda r: (detected(r) or end, r.id))
