"""The demo tells one story: every date, count, name and reference agrees with the rest.

Checked generically over the built demo (not against its source), so whatever is added to the
demo later is held to the same rules: records sampled by an audit existed before it, findings
lie within their audit, actions are due after they are raised and closed after they were
implemented, notes fit the values they sit beside, people and references named exist and fit.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date

import pytest
from sqlmodel import Session, col, select

from isms_tui import catalogues
from isms_tui.models import (
    Action,
    ActionReopen,
    ActionStatus,
    Analysis,
    Attendance,
    Audit,
    AuditArea,
    AuditItem,
    AuditProgramme,
    AuditStatus,
    CompetenceRecord,
    Evidence,
    EvidenceLink,
    Finding,
    Frequency,
    JournalEntry,
    Kpi,
    KpiTarget,
    ManagementReview,
    Person,
    Reading,
    ReviewAttendee,
    ReviewConclusion,
    ReviewDecision,
    ReviewEntry,
    ReviewNote,
    ReviewStatus,
    Risk,
    Status,
)
from isms_tui.models.db import session_scope
from isms_tui.services import (
    actions,
    competence,
    evaluation,
    evidence,
    impartiality,
    isms_evaluation,
    nonconformities,
    periods,
    programme,
    review,
    review_records,
    risks,
    soa,
    targets,
)
from isms_tui.services.demo import create_demo
from isms_tui.services.demo.kpi_specs import KPIS

from .conftest import TODAY

CLAUSE_REF = re.compile(r"(?<![\w.])(A\.\d{1,2}\.\d{1,2}|(?:[4-9]|10)\.\d(?:\.\d)?)(?![\w.]|\s*%)")
KPI_CODE = re.compile(r"\b([A-Z]{3,6}-\d{2})\b")
DOCUMENT_PREFIXES = ("POL", "STD", "PRC", "OBJ")  # the demo's document numbering, not KPIs
QUOTED = re.compile(r"\b([A-Z]{3,6}-\d{2})(?: stood| was)? at ([\d.]+) ")  # "SUPP-01 at 75 %"
RISK_REF = re.compile(r"\bR-\d{2}\b")
DATED = re.compile(r"\b(\d{2} [A-Z][a-z]{2} \d{4})\b")
CLOSED = ((12, 25), (12, 26), (1, 1))  # no record is dated on a day the office is closed
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
MISS_WORDS = ("late", "failed", "missed", "without", "not yet", "disabled", "backlog", "awaiting", "burst")
GOOD_WORDS = ("improved", "better than", "recovered", "back on target", "all patched", "no exceptions")
BAD_WORDS = ("worse", "dropped", "deteriorated")


def _people(s: Session) -> dict[int, str]:
    return {p.id: p.name for p in s.exec(select(Person))}


def _auditees(audit: Audit, names: list[str]) -> set[str]:
    return {n for n in names if n in audit.auditees}


def _audit_texts(s: Session) -> list[tuple[Audit, str, str]]:
    """(audit, the line's ref or '', text) for every note, sample, finding and declaration."""
    out = []
    for audit in s.exec(select(Audit)):
        out.append((audit, "", f"{audit.independence_declaration} {audit.summary} {audit.conclusion}"))
        for item in s.exec(select(AuditItem).where(AuditItem.audit_id == audit.id)):
            out.append((audit, item.ref, " ".join((item.notes, item.sample_population, item.sample_items))))
        for f in s.exec(select(Finding).where(Finding.audit_id == audit.id)):
            out.append((audit, f.ref, f"{f.statement} {f.evidence}"))
    return out


def _review_texts(s: Session) -> list[tuple[ManagementReview, str]]:
    out = []
    for r in s.exec(select(ManagementReview)):
        out += [(r, f"{e.title} {e.detail}") for e in s.exec(select(ReviewEntry).where(ReviewEntry.review_id == r.id))]
        out += [(r, n.commentary) for n in s.exec(select(ReviewNote).where(ReviewNote.review_id == r.id))]
    return out


def _latest_before(s: Session, kpi: Kpi, day: date) -> Reading | None:
    rows = [r for r in s.exec(select(Reading).where(Reading.kpi_id == kpi.id)) if r.entered_at.date() < day]
    return max(rows, key=lambda r: r.entered_at, default=None)


# --- dates -------------------------------------------------------------------------------------


def test_nothing_is_dated_after_today_unless_it_is_planned(demo: Session) -> None:
    past: list[date] = []
    past += [r.entered_at.date() for r in demo.exec(select(Reading))]
    past += [a.analysed_on for a in demo.exec(select(Analysis))]
    past += [e.added_at.date() for e in demo.exec(select(Evidence))]
    for a in demo.exec(select(Audit)):
        if a.status == AuditStatus.PLANNED:
            assert a.planned_start > TODAY and a.actual_start is None, a.title
        else:
            past += [d for d in (a.actual_start, a.actual_end) if d] + ([a.declared_at.date()] if a.declared_at else [])
    past += [i.recorded_at.date() for i in demo.exec(select(AuditItem).where(col(AuditItem.recorded_at).is_not(None)))]
    past += [f.raised_on for f in demo.exec(select(Finding))]
    past += [d for a in demo.exec(select(Action)) for d in (a.effectiveness_on, a.closed_on) if d]
    for r in demo.exec(select(ManagementReview)):
        if r.status == ReviewStatus.DRAFT:
            assert r.held_on is None and r.planned_on > TODAY
        else:
            past += [r.held_on, r.approved_at.date(), r.period_to]
    assert past and max(past) <= TODAY


def test_findings_lie_within_their_audit(demo: Session) -> None:
    for f in demo.exec(select(Finding)):
        audit = demo.get(Audit, f.audit_id)
        assert audit.actual_start <= f.raised_on <= (audit.actual_end or TODAY), (audit.title, f.ref)


def _statuses(s: Session, action: Action) -> list[str]:
    """The action's statuses in the order the journal recorded them."""
    entries = s.exec(
        select(JournalEntry)
        .where(JournalEntry.entity == "action", JournalEntry.entity_id == action.id)
        .order_by(col(JournalEntry.id))
    )
    out: list[str] = []
    for e in entries:
        status = json.loads(e.after or "{}").get("status")
        if status and (not out or out[-1] != status):
            out.append(status)
    return out


def test_actions_are_due_after_they_are_raised_and_closed_after_they_were_implemented(demo: Session) -> None:
    for a in demo.exec(select(Action)):
        if a.source == "finding":
            raised = demo.get(Finding, a.source_id).raised_on
        elif a.source == "review":
            raised = demo.get(ManagementReview, demo.get(ReviewDecision, a.source_id).review_id).held_on
        else:
            raised = None
        if raised is not None:
            assert a.due_date > raised, a.title
            assert a.closed_on is None or a.closed_on > raised, a.title
        if a.status == ActionStatus.CLOSED:
            path = _statuses(demo, a)
            assert path.index(ActionStatus.IMPLEMENTED.value) < path.index(ActionStatus.CLOSED.value), (a.title, path)
            assert a.effectiveness_on == a.closed_on


def _raised_on(s: Session, a: Action) -> date | None:
    """The day the action's cause was known: the finding, the meeting, the analysis, the detection."""
    if a.source == "finding":
        return s.get(Finding, a.source_id).raised_on
    if a.source == "review":
        return s.get(ManagementReview, s.get(ReviewDecision, a.source_id).review_id).held_on
    if a.source == "analysis":
        return s.get(Analysis, a.source_id).analysed_on
    return a.detected_on


def _action_date_problems(s: Session, today: date) -> list[tuple[str, str]]:
    """Every action's dates in the order things happen: raised or detected, implemented, the
    check no earlier than the settling period allows, closed on the check; a reopening after
    the close it undid and before the work that followed it."""
    problems: list[tuple[str, str]] = []
    reopens: dict[int, list[ActionReopen]] = {}
    for r in s.exec(select(ActionReopen).order_by(col(ActionReopen.id))):
        reopens.setdefault(r.action_id, []).append(r)
    for a in s.exec(select(Action)):
        raised = _raised_on(s, a)
        steps = [
            ("raised", raised),
            *[(f"reopened after closing {r.closed_on}", r.closed_on) for r in reopens.get(a.id, [])],
        ]
        for r in reopens.get(a.id, []):
            if not (r.closed_on is not None and r.effectiveness_on is not None and r.closed_on <= r.reopened_on):
                problems.append((a.title, f"reopened {r.reopened_on} before the close {r.closed_on} it undoes"))
            steps.append(("reopened", r.reopened_on))
        steps += [("implemented", a.implemented_on), ("checked", a.effectiveness_on), ("closed", a.closed_on)]
        dated = [(name, day) for name, day in steps if day is not None]
        for (first, d1), (then, d2) in zip(dated, dated[1:], strict=False):
            if d2 < d1:
                problems.append((a.title, f"{then} {d2} before {first} {d1}"))
        if dated and dated[-1][1] > today:
            problems.append((a.title, f"{dated[-1][0]} {dated[-1][1]} after today"))
        if a.status in (ActionStatus.IMPLEMENTED, ActionStatus.CLOSED) and a.implemented_on is None:
            problems.append((a.title, f"{a.status.value} without the day it was implemented"))
        if a.effectiveness_on is not None:
            planned = actions.planned_check_on(a)
            if planned is None or a.effectiveness_on < planned:
                problems.append((a.title, f"checked {a.effectiveness_on}, planned {planned}"))
    return problems


def test_every_action_s_dates_follow_the_order_things_happened(demo: Session) -> None:
    assert _action_date_problems(demo, TODAY) == []
    assert demo.exec(select(ActionReopen)).first() is not None  # the rule on reopenings bites


def test_analyses_are_dated_after_the_periods_they_analyse(demo: Session) -> None:
    kpis = {k.id: k for k in demo.exec(select(Kpi))}
    readings = {(r.kpi_id, r.period_start): r for r in demo.exec(select(Reading))}
    for a in demo.exec(select(Analysis)):
        kpi = kpis[a.kpi_id]
        assert a.analysed_on > periods.period_end(a.period_start, kpi.frequency), (kpi.code, a.period_start)
        assert a.analysed_on >= readings[(a.kpi_id, a.period_start)].entered_at.date()
        if m := re.match(r"(\d{4})-Q(\d):", a.conclusion):  # a quarter's summary: after the quarter
            quarter = date(int(m[1]), 3 * int(m[2]) - 2, 1)
            assert a.analysed_on > periods.period_end(quarter, Frequency.QUARTERLY), a.conclusion


def test_records_an_audit_sampled_existed_before_it(demo: Session) -> None:
    for audit in demo.exec(select(Audit).where(Audit.status != AuditStatus.PLANNED)):
        for item in demo.exec(select(AuditItem).where(AuditItem.audit_id == audit.id)):
            for day in DATED.findall(item.sample_items):
                dated = date.fromisoformat(_iso(day))
                assert dated < audit.actual_start, (audit.title, item.ref, day)
                assert dated.weekday() < 5 and (dated.month, dated.day) not in CLOSED, (audit.title, item.ref, day)
            population = item.sample_population.lower()
            if "management review" in population:
                held = [r for r in demo.exec(select(ManagementReview)) if r.held_on and r.held_on < audit.actual_start]
                assert len(held) >= (item.sample_size or 1), (audit.title, item.ref, "no such reviews yet")
            if "audit report" in population:
                done = [a for a in demo.exec(select(Audit)) if a.actual_end and a.actual_end < audit.actual_start]
                assert len(done) >= (item.sample_size or 1), (audit.title, item.ref, "no such audits yet")


def _iso(day: str) -> str:
    from datetime import datetime

    return datetime.strptime(day, "%d %b %Y").date().isoformat()


def test_no_audit_yet_to_be_performed_plans_a_control_the_soa_excludes(demo: Session) -> None:
    """The statement of applicability was decided before the programme, so a planned audit, and
    the lines an audit in progress has still to record, leave the excluded controls out."""
    excluded = soa.excluded_controls(demo)
    assert excluded  # the demo excludes some controls, so the rule bites
    for audit in demo.exec(select(Audit)):
        lines = demo.exec(select(AuditItem).where(AuditItem.audit_id == audit.id)).all()
        if audit.status == AuditStatus.PLANNED:
            assert not set(audit.scope_refs) & excluded.keys(), (audit.title, set(audit.scope_refs) & excluded.keys())
        waiting = {i.ref for i in lines if audit.status == AuditStatus.PLANNED or i.result is None}
        assert not waiting & excluded.keys(), (audit.title, waiting & excluded.keys())


def test_the_programme_title_names_the_years_of_its_cycle(demo: Session) -> None:
    for prog in demo.exec(select(AuditProgramme)):
        years = [int(y) for y in re.findall(r"\b(20\d\d)\b", prog.title)]
        assert years == [prog.cycle_start.year, programme.cycle_end(prog).year], prog.title


def test_a_cycle_starting_in_january_ends_in_the_year_its_title_says(tmp_path, open_workspace) -> None:
    engine = open_workspace(tmp_path / "w.db")
    with session_scope(engine, "demo") as s:
        create_demo(s, date(2026, 12, 15))  # the cycle starts on 1 January 2025, ends 31 December 2027
    with session_scope(engine) as s:
        [prog] = s.exec(select(AuditProgramme)).all()
        assert prog.cycle_start == date(2025, 1, 1) and prog.title.endswith("2025–2027")


# --- readings and analyses ---------------------------------------------------------------------


def _fits_count(note: str, kpi: Kpi, value: float) -> bool:
    for k, n in re.findall(r"\b(\d+) of (\d+)\b", note):
        k, n = int(k), int(n)
        if min(abs(100 * k / n - value), abs(100 * (n - k) / n - value)) > 50 / n + 0.1:
            return False
    if kpi.unit != "%" and (m := re.match(r"(\d+) ", note)):
        return float(m[1]) == value
    return True


def test_reading_notes_fit_their_values(demo: Session) -> None:
    kpis = {k.id: k for k in demo.exec(select(Kpi))}
    by_kpi: dict[int, list[Reading]] = {}
    for r in demo.exec(select(Reading).order_by(col(Reading.period_start))):
        by_kpi.setdefault(r.kpi_id, []).append(r)
    noted = 0
    for kpi_id, rows in by_kpi.items():
        kpi = kpis[kpi_id]
        for previous, r in zip([None, *rows], rows, strict=False):
            if not r.note:
                continue
            noted += 1
            note = r.note.lower()
            status = evaluation.evaluate_value(kpi, r.value)
            assert _fits_count(r.note, kpi, r.value), (kpi.code, r.period_start, r.value, r.note)
            if status == Status.ON_TARGET:
                assert not any(w in note for w in MISS_WORDS), (kpi.code, r.period_start, r.value, r.note)
            else:
                assert not any(w in note for w in GOOD_WORDS), (kpi.code, r.period_start, r.value, r.note)
            if previous is not None:
                better = evaluation.goodness(kpi, r.value) > evaluation.goodness(kpi, previous.value)
                worse = evaluation.goodness(kpi, r.value) < evaluation.goodness(kpi, previous.value)
                assert not (worse and any(w in note for w in ("improved", "better than", "recovered"))), r.note
                assert not (better and any(w in note for w in BAD_WORDS)), r.note
    assert noted >= 10


def test_notes_give_causes_from_the_side_the_value_missed_on(demo: Session) -> None:
    """A range KPI below its band is not blamed on what fills it up, and the reverse."""
    specs = {spec.code: spec for spec in KPIS}
    for kpi in demo.exec(select(Kpi)):
        spec = specs.get(kpi.code)
        if spec is None or not spec.low_notes:
            continue
        for r in demo.exec(select(Reading).where(Reading.kpi_id == kpi.id, Reading.note != "")):
            low = r.value < kpi.target
            wrong = spec.notes if low else spec.low_notes
            assert not any(cause in r.note for cause in wrong), (kpi.code, r.value, r.note)


def test_each_analysis_follow_up_answers_its_cause(demo: Session) -> None:
    specs = {spec.code: spec for spec in KPIS}
    kpis = {k.id: k.code for k in demo.exec(select(Kpi))}
    for a in demo.exec(select(Analysis)):
        spec = specs.get(kpis[a.kpi_id])
        if spec is None:
            continue
        causes = [i for i, cause in enumerate(spec.causes) if cause in a.conclusion]
        if causes:
            assert a.follow_up == spec.actions[causes[0]], (spec.code, a.conclusion, a.follow_up)


# --- audits: people, references, quoted values ---------------------------------------------------


def test_people_named_in_working_papers_are_auditees_of_that_audit(demo: Session) -> None:
    names = list(_people(demo).values())
    for audit, ref, text in _audit_texts(demo):
        if not ref:
            continue  # the declaration names the auditors
        for who in re.findall(r"(?:Interviewed|interview with|Walk-round with|With) ([A-Z][a-z]+ [A-Z][a-z]+)", text):
            assert who in names, (audit.title, ref, who)
        named = {n for n in names if n in text}
        assert named <= _auditees(audit, names), (audit.title, ref, named - _auditees(audit, names))


def test_every_audit_names_its_auditees_as_people(demo: Session) -> None:
    names = list(_people(demo).values())
    for audit in demo.exec(select(Audit)):
        listed = [part.split(" (")[0].strip() for part in re.split(r",\s*(?![^()]*\))", audit.auditees)]
        assert listed and set(listed) <= set(names), (audit.title, audit.auditees)


def test_references_exist_and_lie_in_the_audit_s_scope(demo: Session) -> None:
    known = catalogues.by_ref()
    for audit, ref, text in _audit_texts(demo):
        for named in CLAUSE_REF.findall(text):
            assert named in known, (audit.title, ref, named)
            assert named in audit.scope_refs, (audit.title, ref, named)
    for kpi in demo.exec(select(Kpi)):
        assert {r.strip() for r in kpi.requirements.split(",")} <= known.keys(), kpi.code


def test_kpis_quoted_in_audits_and_reviews_exist_and_say_what_they_read(demo: Session) -> None:
    kpis = {k.code: k for k in demo.exec(select(Kpi))}
    texts = [(a.actual_start or a.planned_start, t) for a, _, t in _audit_texts(demo)]
    texts += [(r.held_on or TODAY, t) for r, t in _review_texts(demo)]
    for day, text in texts:
        for code in KPI_CODE.findall(text):
            assert code.startswith(DOCUMENT_PREFIXES) or code in kpis, (code, text)
        for code, value in QUOTED.findall(text):
            latest = _latest_before(demo, kpis[code], day)
            assert latest is not None and round(latest.value, 1) == float(value), (code, value, text)
        if m := re.search(r"((?:[A-Z]{3,6}-\d{2}(?:, | and ))*[A-Z]{3,6}-\d{2}) have readings but no analysis", text):
            for code in KPI_CODE.findall(m[1]):
                kpi = kpis[code]
                assert _latest_before(demo, kpi, day) is not None
                assert not [
                    a for a in demo.exec(select(Analysis).where(Analysis.kpi_id == kpi.id)) if a.analysed_on < day
                ]
        if m := re.search(r"KPIs in the monitoring plan \((\d+)\)", text):
            assert int(m[1]) == sum(1 for k in kpis.values() if k.started_on <= day), text


def test_audit_summaries_count_their_working_paper(demo: Session) -> None:
    for audit in demo.exec(select(Audit).where(Audit.summary != "")):
        items = demo.exec(select(AuditItem).where(AuditItem.audit_id == audit.id)).all()
        m = re.search(r"(\d+) requirements: ([^.]*)\.", audit.summary)
        assert m and int(m[1]) == len(items), audit.summary
        stated = sum(int(n) for n in re.findall(r"(\d+) ", m[2]))
        assert stated == len(items), audit.summary


# --- risks and reviews -------------------------------------------------------------------------


def test_risk_references_name_risks_in_the_register(demo: Session) -> None:
    register = {r.ref for r in demo.exec(select(Risk))}
    texts = [t for _, _, t in _audit_texts(demo)] + [t for _, t in _review_texts(demo)]
    for link in demo.exec(select(EvidenceLink).where(EvidenceLink.entity == review.ENTRY_EVIDENCE)):
        texts.append(evidence.stored_path(demo, demo.get(Evidence, link.evidence_id).sha256).read_text())
    named = {ref for t in texts for ref in RISK_REF.findall(t)}
    assert named and named <= register, named - register


def _above_appetite(s: Session, r: ManagementReview) -> list[str]:
    """The risks above appetite as the review saw them: frozen at approval, else the register now."""
    if r.status == ReviewStatus.APPROVED:
        [f] = [i for i in review_records.frozen_record(r)["inputs"] if i["section"] == "f"]
        return list(f["data"]["above_appetite"])
    limit = risks.appetite(s)
    return [k.ref for k in s.exec(select(Risk)) if risks.above_appetite(k, limit)]


def test_reviews_count_the_risks_above_appetite_they_saw(demo: Session) -> None:
    claims = 0
    for r, text in _review_texts(demo):
        if m := re.search(r"\b(\w+) risks? above appetite", text):
            claims += 1
            above = _above_appetite(demo, r)
            assert NUMBERS.get(m[1].lower(), m[1]) in (len(above), str(len(above))), (r.title, text, above)
            assert set(above) <= set(RISK_REF.findall(text)), (r.title, text, above)
    assert claims >= 2


def test_the_draft_review_quotes_the_register_as_it_stands(demo: Session) -> None:
    register = {r.ref: r for r in demo.exec(select(Risk))}
    for r, text in _review_texts(demo):
        if r.status != ReviewStatus.DRAFT:
            continue
        for ref, level in re.findall(r"\b(R-\d{2})\b[^.;]*?\b(?:to|at|level) (\d+)\b", text):
            assert risks.standing_level(register[ref]) == int(level), (ref, level, text)


def test_a_review_that_calls_nonconformities_closed_saw_them_closed(demo: Session) -> None:
    """Commentary saying an audit's NC was closed is held against the action register."""
    claims = 0
    for r, text in _review_texts(demo):
        if r.held_on is None or not re.search(r"\bNCs?\b[^.]*\bclosed\b", text):
            continue
        claims += 1
        ncs = [
            f
            for f in demo.exec(select(Finding))
            if r.period_from <= f.raised_on <= r.period_to and f.grading.name.endswith("_NC")
        ]
        assert ncs, (r.title, text)
        for f in ncs:
            [act] = demo.exec(select(Action).where(Action.source == "finding", Action.source_id == f.id)).all()
            assert act.closed_on is not None and act.closed_on <= r.held_on, (r.title, f.ref, act.closed_on)
    assert claims


def test_approved_reviews_speak_only_of_kpis_that_existed_in_their_period(demo: Session) -> None:
    started = {k.code: k.started_on for k in demo.exec(select(Kpi))}
    for r in demo.exec(select(ManagementReview).where(ManagementReview.status == ReviewStatus.APPROVED)):
        named = set(KPI_CODE.findall(r.snapshot or "")) & started.keys()
        assert named, r.title
        assert all(started[code] <= r.period_to for code in named), (r.title, sorted(named))


def test_risks_are_owned_watched_and_controlled_consistently(demo: Session) -> None:
    people = {p.id: p for p in demo.exec(select(Person))}
    areas = {a.name: set(a.refs) for a in demo.exec(select(AuditArea))}
    kpis = {k.code: k for k in demo.exec(select(Kpi))}
    known = catalogues.by_ref()
    treatment = {a.source_id: a for a in demo.exec(select(Action).where(Action.source == "risk"))}
    for risk in demo.exec(select(Risk)):
        owner = people[risk.owner_id]
        covered = set().union(*(areas.get(area, set()) for area in owner.areas))
        assert risk.controls and set(risk.controls) <= known.keys(), risk.ref
        assert covered & set(risk.controls), (risk.ref, owner.name, "owns none of its controls")
        for code in risk.kpis:
            watched = {r.strip() for r in kpis[code].requirements.split(",")}
            assert watched & set(risk.controls), (risk.ref, code, "watches none of its controls")
        if risk.id in treatment:  # the owner of the risk owns its treatment
            assert treatment[risk.id].owner_id == risk.owner_id, risk.ref
        if risk.status == "treated":
            assert risk.residual_likelihood and risk.residual_impact, risk.ref


# --- nonconformities and targets (10.2, 9.1) ----------------------------------------------------


def test_nonconformities_from_outside_audits_fit_their_sources(demo: Session) -> None:
    """An incident's or complaint's reference carries the year it was detected; a KPI breach
    was raised on the day of an analysis whose period really missed the target then in force."""
    sources = Counter()
    for a in demo.exec(select(Action).where(col(Action.source).in_(("incident", "complaint", "analysis")))):
        sources[a.source] += 1
        assert a.nonconformity and a.detected_on is not None and a.detected_on <= TODAY, a.title
        assert a.due_date is not None and a.due_date > a.detected_on, a.title
        if a.source == "analysis":
            analysis = demo.get(Analysis, a.source_id)
            assert nonconformities.analysis_breach(demo, analysis), a.title
            assert a.detected_on == analysis.analysed_on, a.title
        else:
            m = re.fullmatch(r"[A-Z]{3}-(\d{4})-\d{3}", a.source_ref)
            assert m and int(m[1]) == a.detected_on.year, (a.title, a.source_ref, a.detected_on)
    assert sources == {"incident": 1, "complaint": 1, "analysis": 1}


TIGHTER = re.compile(r"within the ([\d.]+) % target for the last (\d+) months \(at most ([\d.]+) %\)")


def test_a_target_change_s_reason_says_what_the_readings_before_it_show(demo: Session) -> None:
    claims = 0
    for kpi in demo.exec(select(Kpi)):
        history = targets.targets_for(demo, kpi)
        versions = demo.exec(
            select(KpiTarget).where(KpiTarget.kpi_id == kpi.id).order_by(col(KpiTarget.from_period))
        ).all()
        for previous, version in zip(versions, versions[1:], strict=False):
            assert version.from_period <= periods.period_start(TODAY, kpi.frequency), kpi.code
            assert version.recorded_at.date() <= TODAY, kpi.code
            m = TIGHTER.search(version.reason)
            assert m, (kpi.code, version.reason)
            claims += 1
            before = demo.exec(
                select(Reading)
                .where(Reading.kpi_id == kpi.id, Reading.period_start < version.from_period)
                .where(col(Reading.voided_at).is_(None))
                .order_by(col(Reading.period_start).desc())
            ).all()
            n = int(m[2])
            run, after_run = before[:n], before[n : n + 1]
            assert float(m[1]) == previous.target, (kpi.code, version.reason)
            assert len(run) == n and max(r.value for r in run) == float(m[3]), (kpi.code, version.reason)
            assert all(evaluation.evaluate_value(history.at(r.period_start), r.value) == Status.ON_TARGET for r in run)
            assert all(
                evaluation.evaluate_value(history.at(r.period_start), r.value) != Status.ON_TARGET for r in after_run
            )
    assert claims


def test_each_isms_evaluation_counts_the_nonconformities_of_its_own_period(demo: Session) -> None:
    """What an evaluation says it saw is what the record held for its period on its day."""
    evaluations = isms_evaluation.list_evaluations(demo)
    assert evaluations
    for e in evaluations:
        m = re.search(r"(\d+|No) nonconformit(?:y|ies) raised.*; corrective actions on ([\d-]+): (\d+) open", e.basis)
        assert m, e.basis
        findings = [
            f
            for f in demo.exec(select(Finding))
            if e.period_from <= f.raised_on <= e.period_to and f.grading.name.endswith("_NC")
        ]
        raised = len(findings) + len(nonconformities.raised_between(demo, e.period_from, e.period_to))
        assert (0 if m[1] == "No" else int(m[1])) == raised, (e.period_from, e.basis)
        assert date.fromisoformat(m[2]) == e.evaluated_on, e.basis
        assert int(m[3]) == len(nonconformities.open_on(demo, e.evaluated_on)), (e.evaluated_on, e.basis)


def test_review_meetings_name_people_in_the_roles_they_hold(demo: Session) -> None:
    """The chair chaired, the approver sat as top management, and each presenter spoke to an
    area they are responsible for."""
    people = {p.id: p for p in demo.exec(select(Person))}
    held = 0
    for r in demo.exec(select(ManagementReview).where(col(ManagementReview.held_on).is_not(None))):
        held += 1
        attendees = {a.person_id: a for a in demo.exec(select(ReviewAttendee).where(ReviewAttendee.review_id == r.id))}
        chair = attendees[r.chair_id]
        assert chair.meeting_role == "chair" and chair.top_management and chair.attendance == Attendance.PRESENT
        if r.approved_by_id is not None:
            assert attendees[r.approved_by_id].top_management, r.title
        for a in attendees.values():
            person = people[a.person_id]
            if a.top_management:
                assert re.search(r"Director|Head of|Chief", person.role), (r.title, person.name, person.role)
            if a.meeting_role not in ("chair",) and not a.meeting_role.startswith("secretary"):
                areas = [area.lower() for area in person.areas]
                assert any(area in a.meeting_role.lower() for area in areas), (person.name, a.meeting_role, areas)
    assert held


def test_reviews_meet_and_are_approved_on_working_days(demo: Session) -> None:
    for r in demo.exec(select(ManagementReview).where(col(ManagementReview.held_on).is_not(None))):
        for day in (r.held_on, r.approved_at.date() if r.approved_at else r.held_on):
            assert day.weekday() < 5 and (day.month, day.day) not in CLOSED, (r.title, day)


def test_a_conclusion_that_nonconformities_were_corrected_in_time_holds(demo: Session) -> None:
    claims = 0
    for c in demo.exec(select(ReviewConclusion)):
        if "corrected in time" not in c.rationale:
            continue
        claims += 1
        r = demo.get(ManagementReview, c.review_id)
        for f in demo.exec(select(Finding)):
            if r.period_from <= f.raised_on <= r.period_to and f.grading.name.endswith("_NC"):
                [act] = demo.exec(select(Action).where(Action.source == "finding", Action.source_id == f.id)).all()
                assert act.implemented_on is not None and act.implemented_on <= act.due_date <= r.held_on, f.ref
    assert claims


# --- competence and impartiality (7.2, 9.2.2) ---------------------------------------------------


def _auditor_record(records: list[CompetenceRecord], on: date, kinds: tuple[str, ...]) -> CompetenceRecord | None:
    """A record making someone an auditor, obtained before `on` and still valid then."""
    return next(
        (
            r
            for r in records
            if r.kind in kinds
            and "auditor" in r.title.lower()
            and r.obtained_on < on
            and (r.expires_on is None or r.expires_on >= on)
        ),
        None,
    )


def test_every_audit_is_led_by_a_qualified_auditor_and_its_team_was_trained_first(demo: Session) -> None:
    names = _people(demo)
    for audit in demo.exec(select(Audit)):
        on = competence.as_of(audit)
        lead = competence.records(demo, audit.lead_auditor_id)
        assert _auditor_record(lead, on, ("qualification",)), (audit.title, names[audit.lead_auditor_id], on)
        for pid in audit.team_ids:
            if names[pid] in audit.independence_declaration:
                continue  # a technical expert under the declaration, not an auditor
            assert _auditor_record(competence.records(demo, pid), on, ("qualification", "training")), (
                audit.title,
                names[pid],
                on,
            )


def test_nobody_assesses_a_line_in_their_own_area_in_any_audit_of_the_programme(demo: Session) -> None:
    for audit in demo.exec(select(Audit)):
        assert impartiality.conflicts(demo, audit) == [], audit.title


@pytest.mark.parametrize("today", [date(2027, 1, 1), date(2026, 10, 2)])
def test_the_story_holds_on_other_days(tmp_path, open_workspace, today: date) -> None:
    """The dated rules above, on demos built for other days (the story is laid out from `today`)."""
    engine = open_workspace(tmp_path / "w.db")
    with session_scope(engine, "demo") as s:
        create_demo(s, today)
    with session_scope(engine) as s:
        for f in s.exec(select(Finding)):
            audit = s.get(Audit, f.audit_id)
            assert audit.actual_start <= f.raised_on <= (audit.actual_end or today)
        for prog in s.exec(select(AuditProgramme)):
            assert prog.title.endswith(f"{prog.cycle_start.year}–{programme.cycle_end(prog).year}")
        kpis = {k.code: k for k in s.exec(select(Kpi))}
        for audit in s.exec(select(Audit).where(Audit.status != AuditStatus.PLANNED)):
            for item in s.exec(select(AuditItem).where(AuditItem.audit_id == audit.id)):
                for code, value in QUOTED.findall(item.notes):
                    assert round(_latest_before(s, kpis[code], audit.actual_start).value, 1) == float(value)
        assert _action_date_problems(s, today) == []
