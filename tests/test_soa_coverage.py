"""Coverage reads the statement of applicability and the organisation's own requirements:
an excluded control needs no audit, a custom ref is a row of its own, and a requirement with
several questions is audited only when every one of its lines is answered."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from isms_tui.models import AuditResult
from isms_tui.services import audits, checklists, clock, programme, soa, workspace
from isms_tui.services.audits import AuditInput
from isms_tui.services.checklists import Question
from isms_tui.services.programme import ProgrammeInput
from isms_tui.services.soa import SoaInput

REMOTE = "We have no offices: every employee works from home under the remote working policy."


@pytest.fixture
def prog(session: Session):
    auditor = workspace.save_person(session, "Ada Auditor", areas=["Internal audit"]).id
    prog = programme.save_programme(session, ProgrammeInput("Audits 2026–2028", date(2026, 1, 1), 3))
    return prog.id, auditor


def plan(session: Session, prog, template: str, scope: list[str]):
    programme_id, auditor = prog
    return audits.plan_audit(
        session,
        AuditInput(
            title="Audit",
            planned_start=date(2026, 2, 2),
            planned_end=date(2026, 2, 2),
            template=template,
            scope_refs=scope,
            lead_auditor_id=auditor,
            programme_id=programme_id,
        ),
    )


def test_a_control_excluded_with_a_justification_needs_no_audit(session: Session, prog) -> None:
    plan(session, prog, checklists.BUILTIN_ANNEX_A, ["A.8.13"])
    before = programme.coverage(session, prog[0])
    assert len(before.required) == 123 and not before.excluded
    soa.save_entry(session, SoaInput("A.7.4", False, REMOTE))
    soa.save_entry(session, SoaInput("A.7.5", True, status="implemented"))
    cov = programme.coverage(session, prog[0])
    rows = {r.ref: r for r in cov.rows}
    assert rows["A.7.4"].excluded == REMOTE and not rows["A.7.5"].excluded
    assert [r.ref for r in cov.excluded] == ["A.7.4"]
    assert len(cov.required) == 122 and "A.7.4" not in {r.ref for r in cov.uncovered}
    assert cov.covered == 0 and cov.percent == 0


def test_each_question_is_its_own_line_and_half_answered_is_partly_audited(session: Session, prog) -> None:
    checklists.save_template(
        session,
        "Patching in depth",
        [
            Question("A.8.8", "Management of technical vulnerabilities", "How are scans scheduled?"),
            Question("A.8.8", "Management of technical vulnerabilities", "Show three fixes and their dates."),
            Question("A.8.13", "Information backup", "Show the last restore test."),
        ],
    )
    audit = plan(session, prog, "Patching in depth", [])
    lines = audits.items(session, audit.id)
    assert [line.ref for line in lines] == ["A.8.8", "A.8.8", "A.8.13"]
    with clock.pinned(date(2026, 2, 2)):
        audits.start_audit(session, audit.id)
        audits.record_result(session, lines[0].id, AuditResult.CONFORMING)
        audits.record_result(session, lines[2].id, AuditResult.MINOR_NC)
    rows = {r.ref: r for r in programme.coverage(session, prog[0]).rows}
    assert rows["A.8.8"].cells == [programme.PARTLY] and rows["A.8.8"].partly_audited
    assert not rows["A.8.8"].covered and not rows["A.8.8"].planned_only
    assert rows["A.8.13"].covered and rows["A.8.13"].cells == [AuditResult.MINOR_NC.value]
    with clock.pinned(date(2026, 2, 2)):
        audits.record_result(session, lines[1].id, AuditResult.OBSERVATION)
    cov = programme.coverage(session, prog[0])
    row = next(r for r in cov.rows if r.ref == "A.8.8")
    assert row.covered and row.cells == [AuditResult.OBSERVATION.value]  # the most telling result of its lines
    assert cov.covered == 2 and not cov.partly


def test_an_area_is_audited_only_when_every_line_of_its_requirements_is(session: Session, prog) -> None:
    programme.save_area(session, "Operations", 3, ["A.8.8"])
    checklists.save_template(
        session,
        "Two questions",
        [Question("A.8.8", "Vulnerabilities", "First?"), Question("A.8.8", "Vulnerabilities", "Second?")],
    )
    audit = plan(session, prog, "Two questions", [])
    first, _ = audits.items(session, audit.id)
    with clock.pinned(date(2026, 2, 2)):
        audits.start_audit(session, audit.id)
        audits.record_result(session, first.id, AuditResult.CONFORMING)
        audits.complete_audit(session, audit.id, "", "Half done.")
    (prio,) = programme.priorities(session, date(2026, 11, 28))
    assert prio.last_audited is None  # the second question was never answered


def test_the_organisation_s_own_refs_are_rows_of_their_own(session: Session, prog) -> None:
    checklists.save_template(
        session,
        "Client contract",
        [
            Question("CON-1", "Breach notice within 24 h", "How would you notify the client of a breach?"),
            Question("CON-1", "Breach notice within 24 h", "Show the last notification drill."),
            Question("A.5.24", "Incident management planning", "Who leads an incident?"),
        ],
    )
    audit = plan(session, prog, "Client contract", [])
    assert audit.scope_refs == ["CON-1", "A.5.24"] or audit.scope_refs == ["A.5.24", "CON-1"]
    lines = audits.items(session, audit.id)
    with clock.pinned(date(2026, 2, 2)):
        audits.start_audit(session, audit.id)
        audits.record_result(session, lines[0].id, AuditResult.CONFORMING)
    cov = programme.coverage(session, prog[0])
    custom = [r for r in cov.rows if r.kind == "custom"]
    assert [(r.ref, r.title, r.cells) for r in custom] == [("CON-1", "Breach notice within 24 h", [programme.PARTLY])]
    catalogue = next(r for r in cov.rows if r.ref == "A.5.24")
    assert catalogue.kind == "control" and catalogue.cells == ["planned"]  # not merged with CON-1
    assert len(cov.rows) == 124
    with clock.pinned(date(2026, 2, 2)):
        audits.record_result(session, lines[1].id, AuditResult.CONFORMING)
    assert programme.coverage(session, prog[0]).covered == 1


def test_the_scope_applicable_controls_only_follows_the_soa(session: Session, prog) -> None:
    soa.save_entry(session, SoaInput("A.8.13", True, status="implemented"))
    soa.save_entry(session, SoaInput("A.8.15", False, "Logs are kept by the hosting provider only."))
    # A.8.8 is undecided, A.8.15 excluded: both left out; clauses stay.
    scope = checklists.applicable_scope(session, checklists.BUILTIN_FULL, ["9.2.2", "A.8.8", "A.8.13", "A.8.15"])
    assert scope == ["9.2.2", "A.8.13"]
    everything = checklists.applicable_scope(session, checklists.BUILTIN_ANNEX_A, [])
    assert everything == ["A.8.13"]
    assert checklists.applicable_scope(session, checklists.BUILTIN_ANNEX_A, ["A.8.8"]) == []
