"""The demo workspace's internal audit history (9.2) and corrective actions (10.2).

Called by `create_demo` once the people exist. It adds:
- audit areas named after the people's areas of responsibility (so impartiality checks bite),
  with an importance from 1 to 5 and the requirements each covers;
- a three-year audit programme that started about 23 months before `today`;
- a management-system audit (clauses 4–10) completed and reported in the first year, an
  audit of technological and operational controls completed about ten weeks ago (its report
  waits for the next management review) with an independence declaration for a technical
  expert in the team, an audit of suppliers, people and physical security in progress (12 of
  its 24 items recorded), and three audits planned for the rest of the cycle; a handful of
  requirements is left outside the programme so the coverage matrix has gaps to show;
- working papers with results, notes, samples and methods; findings of every grading; and
  corrective actions closed after an effective check, implemented and awaiting the check,
  overdue, and open.

Deterministic: its own seeded generator (so the 9.1 history is not disturbed) and
every date derived from `today`. Areas, the programme, audit plans and actions go through the
services, which validate them. What the services stamp with the real clock (start and end of
fieldwork, recorded results, findings' dates, declarations, effectiveness checks) is backdated
history they cannot express, so those fields are set here, like the readings of the 9.1 history; the
journal hook records the final values when they are flushed.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from isms_tui import catalogues
from isms_tui.models import (
    Action,
    ActionStatus,
    Audit,
    AuditMethod,
    AuditResult,
    AuditStatus,
    Effectiveness,
    Finding,
    Kpi,
    Person,
    Reading,
    require_id,
)
from isms_tui.services import actions, audits, checklists, clock, programme
from isms_tui.services.actions import ActionInput
from isms_tui.services.audits import AuditInput
from isms_tui.services.formatting import grading_count
from isms_tui.services.programme import ProgrammeInput

from .audit_data import COMPLETED, IN_PROGRESS, PLANNED, REPORTED
from .audit_specs import AREAS, DOC, INT, OBS, PROGRAMME_OWNER, REP, ActionSpec, AuditSpec, C, Paper
from .dates import add_months, monday_on_or_after, weekday_on_or_before, working_day_on_or_before
from .kpi_specs import with_unit

SEED = 27092
# "{LOG-01}" in a paper: that KPI's latest value before the audit; "{SUPP-01/12}": what it
# misses as a count ("3 of 12"), so that a paper quotes what the monitoring recorded.
_KPI_VALUE = re.compile(r"\{([A-Z]+-\d{2})(?:/(\d+))?\}")
_HELD_HERE = frozenset({"9.1", "9.2.1", "9.2.2", "9.3.1", "9.3.2", "9.3.3", "10.2"})

_RECORD_WORDS = ("record", "log", "ticket", "report", "request", "minutes", "results", "timestamps")
_TAILS = (
    "No exceptions.",
    "Consistent with the documented procedure; no exceptions.",
    "Records complete for the period sampled.",
    "Implemented as described and understood by the people interviewed.",
    "Up to date and approved.",
)


def create_audit_history(session: Session, today: date, people: dict[str, int]) -> None:
    """Areas, the programme, six audits with working papers, findings and actions."""
    rng = random.Random(SEED)
    for area in AREAS:
        programme.save_area(session, area.name, area.importance, list(area.refs), area.notes)
    start = add_months(today, -23).replace(day=1)
    last_day = add_months(start, 36) - timedelta(days=1)  # the cycle's three years, as cycle_end counts them
    prog = programme.save_programme(
        session,
        ProgrammeInput(
            title=f"ISMS internal audit programme {start.year}–{last_day.year}",
            cycle_start=start,
            cycle_years=3,
            objectives="Confirm over the three-year certification cycle that the ISMS conforms to ISO/IEC 27001:2022 "
            "and to Northwind's own requirements and is effectively implemented (9.2.1); audit every "
            "clause and applicable control at least once, areas of importance 5 and areas with open "
            "nonconformities at least yearly.",
            methods="Checklist audits from the built-in catalogue; interviews, observation, document review and "
            "re-performance on samples sized to the population (typically 3 to 10 records, all when "
            "fewer than 12); findings graded major NC, minor NC, observation or opportunity for improvement.",
            responsibilities="Programme owner: Priya Raman (CISO). Lead internal auditor: Olivia Chen, who does not "
            "audit privacy or compliance; Priya Raman audits those. Technical experts may assist "
            "under an independence declaration. Results go to the management review chaired by "
            "Tom Okafor.",
            owner_id=people[PROGRAMME_OWNER],
        ),
    )
    responsible = _responsible(session)
    programme_id = require_id(prog)

    first = monday_on_or_after(add_months(start, 3))
    _build(session, rng, programme_id, REPORTED, people, responsible, (first, first + timedelta(days=2)), today)
    second = monday_on_or_after(today - timedelta(days=80))
    _build(session, rng, programme_id, COMPLETED, people, responsible, (second, second + timedelta(days=3)), today)
    third = weekday_on_or_before(today - timedelta(days=2))
    fieldwork = (third, third + timedelta(days=4))
    _build(session, rng, programme_id, IN_PROGRESS, people, responsible, fieldwork, today, running=True)
    for spec, months in PLANNED:
        begin = monday_on_or_after(add_months(today, months) + timedelta(days=10))
        _build(session, rng, programme_id, spec, people, responsible, (begin, begin + timedelta(days=2)), today)
    session.flush()


def _responsible(session: Session) -> dict[str, list[str]]:
    """ref -> names of the people responsible for an area that covers it (the natural auditees)."""
    by_area: dict[str, list[str]] = {}
    for person in session.exec(select(Person).order_by(col(Person.id))):
        for area in person.areas:
            by_area.setdefault(area, []).append(person.name)
    out: dict[str, list[str]] = {}
    for spec in AREAS:
        for ref in spec.refs:
            for name in by_area.get(spec.name, []):
                if name not in out.setdefault(ref, []):
                    out[ref].append(name)
    return out


def _build(
    session: Session,
    rng: random.Random,
    programme_id: int,
    spec: AuditSpec,
    people: dict[str, int],
    responsible: dict[str, list[str]],
    fieldwork: tuple[date, date],
    today: date,
    running: bool = False,
) -> Audit:
    begin, end = fieldwork
    audit = audits.plan_audit(
        session,
        AuditInput(
            title=spec.title,
            planned_start=begin,
            planned_end=end,
            template=spec.template,
            # "applicable controls only": the statement of applicability was decided first
            scope_refs=checklists.applicable_scope(session, spec.template, list(spec.scope)),
            scope_areas=list(spec.scope_areas),
            lead_auditor_id=people[spec.lead],
            team_ids=[people[n] for n in spec.team],
            auditees=spec.auditees,
            programme_id=programme_id,
        ),
    )
    if spec.status == AuditStatus.PLANNED:
        return audit
    if spec.declaration:
        audit.independence_declaration = spec.declaration
        audit.declared_by = spec.declared_by
        audit.declared_at = datetime.combine(begin - timedelta(days=5), time(10, 30), UTC)
    conflicts = audits.impartiality_conflicts(session, audit)
    if conflicts and not audit.independence_declaration:  # start_audit would refuse it
        raise AssertionError(f"demo audit '{spec.title}' cannot start: {conflicts[0]}")
    audit.status = AuditStatus.IN_PROGRESS
    audit.actual_start = begin
    lines = audits.items(session, require_id(audit))
    todo = lines if spec.recorded is None else lines[: spec.recorded]
    last_day = today - timedelta(days=1) if running else end
    stamps = _stamps(rng, begin, last_day, len(todo))
    auditees = [name for name in people if name in spec.auditees]
    values = _latest_values(session, begin)
    by_ref = {}
    for line, at in zip(todo, stamps, strict=True):
        paper = spec.papers.get(line.ref) or _generic(rng, line.ref, responsible, auditees, begin)
        line.result = paper.result
        line.notes = _KPI_VALUE.sub(lambda m: _quoted(values[m[1]], m[2]), paper.notes)
        line.methods = list(paper.methods)
        line.sample_population, line.sample_size, line.sample_items = paper.population, paper.size, paper.items
        line.recorded_at = at
        by_ref[line.ref] = line
    session.add_all(todo)
    raised_on = today - timedelta(days=1) if running else end
    for f in spec.findings:
        line = by_ref[f.ref]
        assert line.result is not None and audits.RESULT_TO_GRADING.get(line.result) == f.grading, (spec.title, f.ref)
        finding = Finding(
            audit_id=require_id(audit),
            item_id=line.id,
            ref=f.ref,
            grading=f.grading,
            statement=f.statement,
            evidence=f.evidence,
            raised_on=raised_on,
        )
        session.add(finding)
        session.flush()
        if f.action is not None:
            _action(session, finding, f.action, people, today)
    if spec.recorded is None:  # fieldwork finished
        counts = Counter(line.result for line in lines)
        audit.summary = f"{spec.summary} {_counts_text(counts)}"
        audit.conclusion = spec.conclusion
        audit.status = spec.status
        audit.actual_end = end
    session.add(audit)
    session.flush()
    return audit


def _action(session: Session, finding: Finding, spec: ActionSpec, people: dict[str, int], today: date) -> Action:
    """The finding's corrective action, each step through the services on the day it happened
    (clock.pinned), so the settling period and the check's rules hold as they do for a user."""
    raised = finding.raised_on
    with clock.pinned(raised):
        action = actions.create_action(
            session,
            "finding",
            finding.id,
            ActionInput(
                title=spec.title,
                owner_id=people[spec.owner],
                due_date=raised + timedelta(days=spec.due_days),
                correction=spec.correction,
                root_cause=spec.root_cause,
                corrective_action=spec.corrective_action,
                settling_days=spec.settling_days,
            ),
        )
    action_id = require_id(action)
    if spec.state == ActionStatus.OPEN:
        return action
    with clock.pinned(min(raised + timedelta(days=3), today)):
        actions.set_status(session, action_id, ActionStatus.IN_PROGRESS)
    if spec.state == ActionStatus.IN_PROGRESS:
        return action
    implemented = raised + timedelta(days=spec.implemented_days)
    assert implemented <= today, (spec.title, "implemented after today")
    with clock.pinned(implemented):
        actions.set_status(session, action_id, ActionStatus.IMPLEMENTED)
    if spec.state == ActionStatus.CLOSED:
        checked = raised + timedelta(days=spec.check_days)
        with clock.pinned(checked):
            actions.record_effectiveness(
                session, action_id, people[spec.checked_by], Effectiveness.EFFECTIVE, spec.check_notes
            )
    return action


def _latest_values(session: Session, before: date) -> dict[str, tuple[float, str]]:
    """KPI code -> its latest value entered before `before`, and its unit."""
    kpis = {k.id: k for k in session.exec(select(Kpi))}
    latest: dict[str, Reading] = {}
    for r in session.exec(select(Reading).order_by(col(Reading.entered_at))):
        if r.entered_at.date() < before:
            latest[kpis[r.kpi_id].code] = r
    return {code: (r.value, kpis[r.kpi_id].unit) for code, r in latest.items()}


def _quoted(value: tuple[float, str], of: str | None) -> str:
    """A value as a working paper quotes it: '75 %', or the shortfall out of `of`: '3 of 12'."""
    if of is None:
        return with_unit(*value)
    return f"{int(of) - round(value[0] * int(of) / 100)} of {of}"


def _generic(
    rng: random.Random, ref: str, responsible: dict[str, list[str]], auditees: list[str], begin: date
) -> Paper:
    """A conforming line in the auditor's usual style, from the catalogue's evidence hints.

    The people interviewed are the audit's auditees responsible for the requirement. Records
    the workspace itself holds (monitoring, audits, reviews, corrective actions) are never
    given an invented sample: an audit samples those from the record.
    """
    req = catalogues.by_ref()[ref]
    who = " and ".join(([n for n in responsible.get(ref, []) if n in auditees] or auditees[:1])[:2])
    seen = "; ".join(_lower_first(e) for e in req.evidence)
    if req.theme == "Physical":
        methods: tuple[AuditMethod, ...] = (OBS, INT)
        opening = f"Walk-round with {who}."
    elif req.theme == "Technological":
        methods = rng.choice(((DOC, REP), (OBS, DOC), (DOC, INT)))
        opening = f"With {who} at the console." if REP in methods or OBS in methods else f"Interviewed {who}."
    else:
        methods = (INT, DOC)
        opening = f"Interviewed {who}."
    notes = f"{opening} Seen: {seen}. {rng.choice(_TAILS)}"
    records = [e for e in req.evidence if any(w in e.lower() for w in _RECORD_WORDS)]
    if records and rng.random() < 0.6 and ref not in _HELD_HERE:
        size = rng.randint(3, 6)
        days = sorted(rng.sample(range(15, 360), size), reverse=True)
        items = ", ".join(working_day_on_or_before(begin - timedelta(days=d)).strftime("%d %b %Y") for d in days)
        return Paper(C, notes, methods, f"{records[0]} of the last 12 months", size, f"Dated {items}")
    return Paper(C, notes, methods)


def _counts_text(counts: Counter[AuditResult | None]) -> str:
    total = sum(counts.values())
    parts = [grading_count(counts[r], r.value) for r in AuditResult if counts[r]]
    return f"{total} requirements: " + ", ".join(parts) + "."


def _stamps(rng: random.Random, first: date, last: date, n: int) -> list[datetime]:
    """n increasing times spread over the working days from `first` to `last`, 09:00 to 17:00 UTC."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    days = [d for d in days if d.weekday() < 5] or [first]
    groups: list[int] = [0] * len(days)
    for i in range(n):
        groups[i * len(days) // n] += 1
    out = []
    for day, count in zip(days, groups, strict=True):
        step = 480 // max(count, 1)
        for k in range(count):
            minutes = 9 * 60 + k * step + rng.randint(0, min(step - 1, 9))
            out.append(datetime.combine(day, time(minutes // 60, minutes % 60), UTC))
    return out


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():  # an acronym: keep it
        return text
    return text[:1].lower() + text[1:]
