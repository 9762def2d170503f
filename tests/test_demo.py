"""The demo workspace: deterministic, complete enough to show every screen, never destructive."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from isms_tui.models import Analysis, Evidence, EvidenceLink, JournalEntry, Kpi, Person, Reading, Status
from isms_tui.models.db import open_engine, session_scope
from isms_tui.services import evaluation, evidence, monitoring, workspace
from isms_tui.services.demo import SECURITY_OFFICER, create_demo
from isms_tui.services.errors import InputError

TODAY = date(2026, 11, 28)


def _demo(path: Path, today: date = TODAY) -> Engine:
    engine = open_engine(path)
    with session_scope(engine, "demo") as s:
        create_demo(s, today)
    return engine


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory):
    """One demo shared by the read-only tests: building it is the slow part."""
    engine = _demo(tmp_path_factory.mktemp("demo") / "w.db")
    yield engine
    engine.dispose()


@pytest.fixture
def demo(demo_engine: Engine):
    with session_scope(demo_engine) as s:
        yield s


def _history(engine: Engine) -> tuple[list[tuple], list[tuple]]:
    with session_scope(engine) as s:
        codes = {k.id: k.code for k in s.exec(select(Kpi))}
        readings = [(codes[r.kpi_id], r.period_start, r.value, r.entered_by, r.entered_at, r.note)
                    for r in s.exec(select(Reading))]
        analyses = [(codes[a.kpi_id], a.period_start, a.analysed_on, a.conclusion, a.follow_up)
                    for a in s.exec(select(Analysis))]
    return sorted(readings), sorted(analyses)


def test_same_today_gives_the_same_demo(tmp_path: Path) -> None:
    first, second = _demo(tmp_path / "a.db"), _demo(tmp_path / "b.db")
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
def test_statuses_do_not_depend_on_the_day(tmp_path: Path, today: date) -> None:
    engine = _demo(tmp_path / "w.db", today)
    with session_scope(engine) as s:
        counts = monitoring.overview(s, today).counts
    assert all(counts[s] >= 1 for s in Status), counts


def test_evidence_files_are_stored_and_linked_to_readings(demo: Session) -> None:
    links = demo.exec(select(EvidenceLink)).all()
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
        r for r in demo.exec(select(Reading).where(Reading.period_start >= TODAY - timedelta(days=183)))
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


def test_demo_refuses_a_workspace_that_holds_data(tmp_path: Path) -> None:
    engine = _demo(tmp_path / "w.db")
    before = _history(engine)
    with pytest.raises(InputError, match="already holds data"), session_scope(engine) as s:
        create_demo(s, TODAY)
    assert _history(engine) == before


def test_demo_refuses_a_workspace_with_only_an_organisation(tmp_path: Path) -> None:
    engine = open_engine(tmp_path / "w.db")
    with session_scope(engine) as s:
        workspace.save_workspace(s, "Real Client plc")
    with pytest.raises(InputError, match="already holds data"), session_scope(engine) as s:
        create_demo(s, TODAY)
    with session_scope(engine) as s:
        assert workspace.get_workspace(s).org_name == "Real Client plc"
        assert s.exec(select(Kpi)).first() is None
