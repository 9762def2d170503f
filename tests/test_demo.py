"""The demo workspace: deterministic, complete enough to show every screen, never destructive."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from isms_tui import catalogues
from isms_tui.models import (
    Action,
    ActionStatus,
    Analysis,
    Audit,
    AuditArea,
    AuditItem,
    AuditProgramme,
    AuditResult,
    AuditStatus,
    Effectiveness,
    Evidence,
    EvidenceLink,
    Finding,
    Grading,
    JournalEntry,
    Kpi,
    Person,
    Reading,
    Status,
)
from isms_tui.models.db import session_scope
from isms_tui.services import actions, audits, evaluation, evidence, impartiality, monitoring, programme, workspace
from isms_tui.services.demo import SECURITY_OFFICER, create_demo
from isms_tui.services.errors import InputError

TODAY = date(2026, 11, 28)


def _demo(engine: Engine, today: date = TODAY) -> Engine:
    """The demo as of `today`, built into the new workspace behind `engine`."""
    with session_scope(engine, "demo") as s:
        create_demo(s, today)
    return engine


def _history(engine: Engine) -> tuple[list[tuple], list[tuple]]:
    with session_scope(engine) as s:
        codes = {k.id: k.code for k in s.exec(select(Kpi))}
        readings = [
            (codes[r.kpi_id], r.period_start, r.value, r.entered_by, r.entered_at, r.note)
            for r in s.exec(select(Reading))
        ]
        analyses = [
            (codes[a.kpi_id], a.period_start, a.analysed_on, a.conclusion, a.follow_up)
            for a in s.exec(select(Analysis))
        ]
    return sorted(readings), sorted(analyses)


def test_same_today_gives_the_same_demo(tmp_path: Path, open_workspace) -> None:
    first, second = _demo(open_workspace(tmp_path / "a.db")), _demo(open_workspace(tmp_path / "b.db"))
    history = _history(first)
    assert history[0] and history[1]
    assert history == _history(second)


def test_the_organisation_is_set_up(demo: Session) -> None:
    ws = workspace.get_workspace(demo)
    assert ws is not None and ws.org_name and ws.scope
    assert ws.current_user == SECURITY_OFFICER
    people = demo.exec(select(Person)).all()
    assert 8 <= len(people) <= 12
    assert "Information Security Officer" in workspace.person_by_name(demo, SECURITY_OFFICER).role
    assert all(p.role and p.areas for p in people)
    objectives = workspace.list_objectives(demo)
    assert 4 <= len(objectives) <= 6
    assert all(o.target and o.owner_id and o.due_date and o.due_date > TODAY for o in objectives)


def test_kpis_are_fully_defined_with_two_years_of_history(demo: Session) -> None:
    kpis = demo.exec(select(Kpi)).all()
    assert 10 <= len(kpis) <= 15
    for kpi in kpis:
        assert kpi.information_need and kpi.method and kpi.unit and kpi.data_source
        assert kpi.reporting_format and kpi.requirements.startswith("9.1")
        assert kpi.collector_id and kpi.analyst_id and kpi.objective_id
    assert {k.frequency for k in kpis} >= {"weekly", "monthly", "quarterly"}
    incidents = demo.exec(select(Kpi).where(Kpi.code == "INC-01")).one()
    periods = [r.period_start for r in demo.exec(select(Reading).where(Reading.kpi_id == incidents.id))]
    assert incidents.frequency == "monthly"
    assert len(periods) >= 24
    assert min(periods) <= TODAY - timedelta(days=2 * 365)


def test_readings_are_past_and_entered_by_the_collector(demo: Session) -> None:
    people = {p.id: p.name for p in demo.exec(select(Person))}
    kpis = {k.id: k for k in demo.exec(select(Kpi))}
    readings = demo.exec(select(Reading)).all()
    for r in readings:
        assert r.period_start < TODAY and r.entered_at.date() <= TODAY
        assert r.entered_by == people[kpis[r.kpi_id].collector_id]
    assert sum(1 for r in readings if r.note) >= 10


def test_statuses_cover_every_case(demo: Session) -> None:
    overview = monitoring.overview(demo, TODAY)
    assert all(overview.counts[s] >= 1 for s in Status), overview.counts
    assert overview.counts[Status.OVERDUE] in (2, 3)
    assert overview.counts[Status.NO_DATA] == 1


@pytest.mark.parametrize("today", [date(2027, 1, 1), date(2026, 10, 2), date(2025, 3, 31)])
def test_statuses_do_not_depend_on_the_day(tmp_path: Path, today: date, open_workspace) -> None:
    engine = _demo(open_workspace(tmp_path / "w.db"), today)
    with session_scope(engine) as s:
        counts = monitoring.overview(s, today).counts
    assert all(counts[s] >= 1 for s in Status), counts


def test_evidence_files_are_stored_and_linked_to_readings(demo: Session) -> None:
    # The management review's attachments are checked in test_demo_reviews.py.
    links = demo.exec(select(EvidenceLink).where(EvidenceLink.entity != "review_entry")).all()
    assert 4 <= len(links) <= 6
    assert all(ln.entity == "reading" and demo.get(Reading, ln.entity_id) for ln in links)
    for ev in demo.exec(select(Evidence)):
        stored = evidence.stored_path(demo, ev.sha256)
        assert stored.exists()
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == ev.sha256


def test_recent_off_target_readings_are_analysed(demo: Session) -> None:
    kpis = {k.id: k for k in demo.exec(select(Kpi))}
    analysed = {(a.kpi_id, a.period_start) for a in demo.exec(select(Analysis))}
    recent_off = [
        r
        for r in demo.exec(select(Reading).where(Reading.period_start >= TODAY - timedelta(days=183)))
        if evaluation.evaluate_value(kpis[r.kpi_id], r.value) == Status.OFF_TARGET
    ]
    assert recent_off
    assert all((r.kpi_id, r.period_start) in analysed for r in recent_off)
    analyses = demo.exec(select(Analysis)).all()
    assert len({a.kpi_id for a in analyses}) >= 5
    assert all(a.conclusion and a.analyst_id and a.analysed_on <= TODAY for a in analyses)


def test_every_row_is_in_the_journal(demo: Session) -> None:
    journalled = {(j.entity, j.entity_id) for j in demo.exec(select(JournalEntry))}
    readings = demo.exec(select(Reading)).all()
    assert all(("reading", r.id) in journalled for r in readings)
    assert ("kpi", demo.exec(select(Kpi)).first().id) in journalled


def test_demo_refuses_a_workspace_that_holds_data(tmp_path: Path, open_workspace) -> None:
    engine = _demo(open_workspace(tmp_path / "w.db"))
    before = _history(engine)
    with pytest.raises(InputError, match="already holds data"), session_scope(engine) as s:
        create_demo(s, TODAY)
    assert _history(engine) == before


def test_demo_refuses_a_workspace_with_only_an_organisation(tmp_path: Path, open_workspace) -> None:
    engine = open_workspace(tmp_path / "w.db")
    with session_scope(engine) as s:
        workspace.save_workspace(s, "Real Client plc")
    with pytest.raises(InputError, match="already holds data"), session_scope(engine) as s:
        create_demo(s, TODAY)
    with session_scope(engine) as s:
        assert workspace.get_workspace(s).org_name == "Real Client plc"
        assert s.exec(select(Kpi)).first() is None


# --- 9.2 internal audit and 10.2 corrective action ----------------------------------------------

AUDIT_STATUSES = {AuditStatus.REPORTED: 1, AuditStatus.COMPLETED: 1, AuditStatus.IN_PROGRESS: 1, AuditStatus.PLANNED: 3}


def _audit_history(engine: Engine) -> list[list[dict]]:
    with session_scope(engine) as s:
        return [
            [
                {c: getattr(o, c) for c in model.__table__.columns.keys()}
                for o in s.exec(select(model).order_by(model.id))
            ]
            for model in (AuditArea, AuditProgramme, Audit, AuditItem, Finding, Action)
        ]


def _history_dates(s: Session) -> list[date]:
    """Every date the demo backdates: none may lie after its 'today'."""
    out: list[date] = []
    for a in s.exec(select(Audit).where(Audit.status != AuditStatus.PLANNED)):
        out += [a.actual_start] + ([a.actual_end] if a.actual_end else [])
        out += [a.declared_at.date()] if a.declared_at else []
    out += [i.recorded_at.date() for i in s.exec(select(AuditItem).where(AuditItem.recorded_at.is_not(None)))]
    out += [f.raised_on for f in s.exec(select(Finding))]
    out += [a.effectiveness_on for a in s.exec(select(Action).where(Action.effectiveness_on.is_not(None)))]
    return out


def test_same_today_gives_the_same_audit_history(tmp_path: Path, open_workspace) -> None:
    first, second = _demo(open_workspace(tmp_path / "a.db")), _demo(open_workspace(tmp_path / "b.db"))
    history = _audit_history(first)
    assert all(history)
    assert history == _audit_history(second)


def test_audit_areas_follow_the_people_s_responsibilities(demo: Session) -> None:
    areas = demo.exec(select(AuditArea)).all()
    responsibilities = {a for p in demo.exec(select(Person)) for a in p.areas}
    assert len(areas) >= 15
    assert all(a.name in responsibilities for a in areas)
    assert {a.importance for a in areas} == {1, 2, 3, 4, 5}
    assert all(a.refs and set(a.refs) <= catalogues.by_ref().keys() for a in areas)


def test_a_three_year_programme_started_about_23_months_ago(demo: Session) -> None:
    [prog] = demo.exec(select(AuditProgramme)).all()
    assert prog.cycle_years == 3 and prog.owner_id
    assert prog.objectives and prog.methods and prog.responsibilities
    assert 670 <= (TODAY - prog.cycle_start).days <= 731
    assert programme.current_programme(demo, TODAY).id == prog.id
    assert all(a.programme_id == prog.id for a in audits.list_audits(demo))
    cover = programme.coverage(demo, prog.id)
    # only answered lines count (a planned scope does not): about 60 % two thirds into the cycle,
    # with gaps for the matrix to highlight
    assert 50 <= cover.percent < 100 and cover.uncovered


def test_audits_in_every_state(demo: Session) -> None:
    listed = audits.list_audits(demo)
    assert Counter(a.status for a in listed) == AUDIT_STATUSES
    for a in listed:
        assert a.title and a.scope_refs and a.criteria and a.methods and a.lead_auditor_id and a.auditees
        assert (a.planned_start > TODAY) == (a.status == AuditStatus.PLANNED)


def test_completed_audits_have_full_working_papers(demo: Session) -> None:
    done = [a for a in audits.list_audits(demo) if a.status in (AuditStatus.COMPLETED, AuditStatus.REPORTED)]
    assert len(done) == 2
    for audit in done:
        items = audits.items(demo, audit.id)
        assert len(items) >= 25 and all(i.result and i.notes and i.recorded_at for i in items)
        assert all(i.methods for i in items if i.result != AuditResult.NOT_AUDITED)
        assert sum(1 for i in items if i.sample_population and i.sample_size and i.sample_items) >= 5
        assert audit.summary and audit.conclusion
        assert audit.actual_start <= audit.actual_end < TODAY
        assert all(audit.actual_start <= i.recorded_at.date() <= audit.actual_end for i in items)
        assert not audits.impartiality_conflicts(demo, audit) or audit.independence_declaration


def test_one_audit_carries_an_independence_declaration(demo: Session) -> None:
    [audit] = [a for a in audits.list_audits(demo) if a.independence_declaration]
    # whom it concerns: checked per line, the technical expert is kept off the controls he runs
    kept = impartiality.kept_off(demo, audit)
    assert {(k.person, k.assessed_by) for k in kept} == {("Daniel Kowalski", ("Olivia Chen",))}
    assert {"A.8.8", "A.8.15", "A.8.16"} <= {ref for k in kept for ref in k.refs}
    assert len(audit.independence_declaration) >= audits.MIN_DECLARATION and audit.declared_by
    assert audit.declared_at.date() < audit.actual_start


def test_the_audit_in_progress_could_start_and_is_partly_recorded(demo: Session) -> None:
    [audit] = [a for a in audits.list_audits(demo) if a.status == AuditStatus.IN_PROGRESS]
    assert not audits.impartiality_conflicts(demo, audit) or audit.independence_declaration
    assert audit.actual_start < TODAY and audit.actual_end is None and not audit.conclusion
    done = audits.progress(demo, audit.id)
    assert 0 < done.done < done.total
    assert all(i.recorded_at.date() < TODAY for i in audits.items(demo, audit.id) if i.result)


def test_findings_of_every_grading_come_from_their_working_paper_line(demo: Session) -> None:
    findings = demo.exec(select(Finding)).all()
    assert all(n >= 1 for n in Counter(f.grading for f in findings).values())
    assert set(Counter(f.grading for f in findings)) == set(Grading)
    for f in findings:
        item = demo.get(AuditItem, f.item_id)
        assert (item.audit_id, item.ref) == (f.audit_id, f.ref)
        assert audits.RESULT_TO_GRADING[item.result] == f.grading
        assert f.statement and f.evidence and f.raised_on <= TODAY
    ncs = {f.id for f in findings if f.grading in audits.NC_GRADINGS}
    assert {a.source_id for a in actions.list_actions(demo, source="finding")} == ncs


def test_corrective_actions_in_every_state(demo: Session) -> None:
    acts = actions.list_actions(demo, source="finding")
    assert {a.status for a in acts} == set(ActionStatus)
    assert all(a.owner_id and a.due_date for a in acts)
    for a in acts:
        if a.status == ActionStatus.CLOSED:
            assert a.effectiveness == Effectiveness.EFFECTIVE and a.effectiveness_notes
            assert a.effectiveness_by_id not in (None, a.owner_id)
            assert a.effectiveness_on == a.closed_on <= TODAY
        else:
            assert a.effectiveness is None and a.closed_on is None
        if a.status in (ActionStatus.IMPLEMENTED, ActionStatus.CLOSED):
            assert a.root_cause and a.corrective_action and a.correction
    [late] = [a for a in actions.overdue_actions(demo, TODAY) if a.source == "finding"]
    assert late.status == ActionStatus.IN_PROGRESS
    assert all(not actions.is_overdue(a, TODAY) for a in acts if a.status == ActionStatus.IMPLEMENTED)


def test_priorities_follow_importance_and_open_nonconformities(demo: Session) -> None:
    ranked = programme.priorities(demo, TODAY)
    assert any("still open" in r for r in ranked[0].reasons)
    assert any(r.startswith("overdue: last audited") for p in ranked for r in p.reasons)
    assert ranked[-1].area.importance == 1


def test_audit_records_are_in_the_journal(demo: Session) -> None:
    journalled = {(j.entity, j.entity_id) for j in demo.exec(select(JournalEntry))}
    for model in (AuditArea, AuditProgramme, Audit, AuditItem, Finding, Action):
        assert all((model.__tablename__, o.id) in journalled for o in demo.exec(select(model)))


@pytest.mark.parametrize("today", [date(2027, 1, 1), date(2026, 10, 2), date(2025, 3, 31)])
def test_audit_history_does_not_depend_on_the_day(tmp_path: Path, today: date, open_workspace) -> None:
    engine = _demo(open_workspace(tmp_path / "w.db"), today)
    with session_scope(engine) as s:
        assert Counter(a.status for a in audits.list_audits(s)) == AUDIT_STATUSES
        assert len([a for a in actions.overdue_actions(s, today) if a.source == "finding"]) == 1
        assert max(_history_dates(s)) < today
        prog = programme.current_programme(s, today)
        assert all(prog.cycle_start <= a.planned_start <= programme.cycle_end(prog) for a in audits.list_audits(s))
