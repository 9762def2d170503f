"""The audit programme tells the truth: a requirement counts as audited only through an
answered working-paper line ('not applicable' only with a justification, a plan never), areas
past their interval are overdue, and a completed audit says how many lines it answered and how
many it did not audit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from isms_tui.models import AuditResult, AuditStatus
from isms_tui.services import audits, checklists, clock, pack_data, programme, workspace
from isms_tui.services.audits import AuditInput
from isms_tui.services.programme import ProgrammeInput

from .conftest import TODAY
from .pack_helpers import DEMO_TODAY, flat, make_demo, pdf_pages

SCOPE = ["A.8.8", "A.8.13", "A.8.15"]


@pytest.fixture
def prog(session: Session):
    auditor = workspace.save_person(session, "Ada Auditor", areas=["Internal audit"]).id
    prog = programme.save_programme(session, ProgrammeInput("Audits 2026–2028", date(2026, 1, 1), 3))
    return prog, auditor


def plan(session: Session, prog, start: date = date(2026, 2, 2), scope: list[str] = SCOPE):
    p, auditor = prog
    return audits.plan_audit(
        session,
        AuditInput(
            title="Operations audit",
            planned_start=start,
            planned_end=start,
            template=checklists.BUILTIN_ANNEX_A,
            scope_refs=scope,
            lead_auditor_id=auditor,
            programme_id=p.id,
        ),
    )


def answer(session: Session, audit_id: int, results: dict[str, tuple[AuditResult, str]], on: date) -> None:
    """Run the audit on `on`: start it, record the results given by ref, complete it."""
    with clock.pinned(on):
        audits.start_audit(session, audit_id)
        for item in audits.items(session, audit_id):
            if item.ref in results:
                result, notes = results[item.ref]
                audits.record_result(session, item.id, result, notes=notes)
        audits.complete_audit(session, audit_id, "", "Done as far as it went.")


def rows(session: Session, prog) -> dict[str, programme.CoverageRow]:
    return {r.ref: r for r in programme.coverage(session, prog[0].id).rows}


def test_a_planned_scope_never_counts_as_audited(session: Session, prog) -> None:
    plan(session, prog)
    cov = programme.coverage(session, prog[0].id)
    assert cov.covered == 0 and cov.percent == 0 and len(cov.uncovered) == 123
    assert [r.ref for r in cov.planned_only] == SCOPE


def test_not_applicable_counts_only_with_a_justification(session: Session, prog) -> None:
    audit = plan(session, prog)
    answer(
        session,
        audit.id,
        {
            "A.8.8": (AuditResult.NOT_APPLICABLE, "No software is developed or run in house."),
            "A.8.13": (AuditResult.NOT_APPLICABLE, "   "),
            "A.8.15": (AuditResult.CONFORMING, ""),
        },
        date(2026, 2, 2),
    )
    found = rows(session, prog)
    assert found["A.8.8"].covered and found["A.8.8"].cells == ["not applicable"]
    assert not found["A.8.13"].covered and found["A.8.13"].cells == [programme.UNJUSTIFIED]
    assert found["A.8.15"].covered


def test_lines_closed_as_not_audited_cover_nothing_and_the_audit_says_so(session: Session, prog) -> None:
    audit = plan(session, prog)
    answer(session, audit.id, {"A.8.8": (AuditResult.CONFORMING, "")}, date(2026, 2, 2))
    progress = audits.progress(session, audit.id)
    assert (progress.total, progress.done, progress.answered, progress.not_audited) == (3, 3, 1, 2)
    assert progress.summary() == "answered 1 of 3, not audited 2"
    assert progress.percent == 33  # not "100%" for a completed audit that skipped two lines
    cov = programme.coverage(session, prog[0].id)
    assert cov.covered == 1 and not cov.planned_only  # the completed audit's plan is spent


def test_an_area_is_audited_only_through_answered_lines(session: Session, prog) -> None:
    programme.save_area(session, "Backups", 3, ["A.8.13"])
    programme.save_area(session, "Operations", 3, ["A.8.8", "A.8.15"])
    audit = plan(session, prog)
    answer(
        session,
        audit.id,
        {"A.8.8": (AuditResult.CONFORMING, ""), "A.8.15": (AuditResult.OBSERVATION, "")},
        date(2026, 8, 3),
    )
    by_name = {p.area.name: p for p in programme.priorities(session, TODAY)}
    # A.8.13 was in the audit's scope but closed as not audited: Backups was never audited.
    assert by_name["Backups"].last_audited is None and "never audited in full" in by_name["Backups"].reasons
    assert by_name["Operations"].last_audited == date(2026, 8, 3)


def test_an_area_past_its_interval_is_overdue(session: Session, prog) -> None:
    programme.save_area(session, "Logging", 5, ["A.8.15"])  # importance 5: every 6 months
    programme.save_area(session, "Backups", 5, ["A.8.13"])
    old = plan(session, prog, date(2026, 2, 2), ["A.8.15"])
    answer(session, old.id, {"A.8.15": (AuditResult.CONFORMING, "")}, date(2026, 2, 2))
    recent = plan(session, prog, date(2026, 10, 5), ["A.8.13"])
    answer(session, recent.id, {"A.8.13": (AuditResult.CONFORMING, "")}, date(2026, 10, 5))
    by_name = {p.area.name: p for p in programme.priorities(session, TODAY)}
    logging = by_name["Logging"]
    assert (logging.last_audited, logging.next_due, logging.overdue) == (date(2026, 2, 2), date(2026, 8, 2), True)
    assert "overdue: last audited 2026-02-02, due by 2026-08-02" in logging.reasons
    assert not by_name["Backups"].overdue


def test_a_planned_audit_of_an_area_does_not_make_it_audited(session: Session, prog) -> None:
    programme.save_area(session, "Backups", 3, ["A.8.13"])
    audit = plan(session, prog)
    assert audits.get_audit(session, audit.id).status == AuditStatus.PLANNED
    (prio,) = programme.priorities(session, TODAY)
    assert prio.last_audited is None


@pytest.fixture(scope="module")
def demo_pack(tmp_path_factory: pytest.TempPathFactory):
    from isms_tui.reports.pack import build_pack

    from .db_helpers import workspace_session

    db = make_demo(tmp_path_factory.mktemp("demo") / "demo.db")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISMS_TODAY", DEMO_TODAY.isoformat())
        with workspace_session(db, "tester") as session:
            content = build_pack(session, "clause9", signer="Northwind", fingerprint="ab" * 32, issued_by="T")
            prog = programme.current_programme(session, DEMO_TODAY)
            cov = programme.coverage(session, prog.id)
            since, _ = pack_data.default_period(DEMO_TODAY)
            done = [  # the completed audits the pack reports: those that took place in its period
                (a.title, audits.progress(session, a.id))
                for a in cov.audits
                if a.status in (AuditStatus.COMPLETED, AuditStatus.REPORTED) and a.actual_end >= since
            ]
    return flat(" ".join(pdf_pages(content.pdf))), cov, done


def test_pack_counts_coverage_through_answered_lines(demo_pack) -> None:
    text, cov, _ = demo_pack
    assert cov.covered < len(cov.rows) - len(cov.planned_only)  # the demo has plans still to run
    excluded = len(cov.excluded)  # the demo's SoA excludes a few controls: they need no audit
    assert excluded == 3 and len(cov.required) == 123 - excluded
    assert f"{cov.covered} of {123 - excluded} requirements ({cov.percent}%) were audited in the cycle" in text
    assert "a plan, or a line closed as not audited, counts for nothing" in text
    assert f"Not audited in the cycle ({len(cov.uncovered)}):" in text
    assert "audited or planned" not in text


def test_pack_says_answered_and_not_audited_for_completed_audits(demo_pack) -> None:
    text, _, done = demo_pack
    partial = [(t, p) for t, p in done if p.not_audited]
    assert partial, "the demo has a completed audit with lines not audited"
    for _title, p in partial:
        assert f"lines in the working paper: answered {p.answered} of {p.total}, not audited {p.not_audited}" in text
        assert f"{p.total} with a result" not in text
