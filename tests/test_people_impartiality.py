"""Responsibilities as links, impartiality per working-paper line, reporting results (9.2.2 b, c)."""

from datetime import date, timedelta

import pytest

from isms_tui.models import AuditResult, AuditStatus
from isms_tui.services import audit_reporting, audits, checklists, impartiality, programme, responsibilities, workspace
from isms_tui.services.audits import AuditInput
from isms_tui.services.errors import InputError

from .conftest import TODAY


@pytest.fixture
def ids(session):
    workspace.save_workspace(session, "Acme Ltd", "Everything")
    out = {
        "ada": workspace.save_person(session, "Ada Auditor", role="Internal auditor").id,
        "olly": workspace.save_person(session, "Olly Ops", role="IT lead", areas=["IT operations", "Canteen"]).id,
        "ann": workspace.save_person(session, "Ann Officer", role="CISO").id,
        "bea": workspace.save_person(session, "Bea Boss", role="CEO").id,
    }
    programme.save_area(session, "IT operations", 4, ["A.8.8", "A.8.13"])
    return out


def plan(session, ids, refs, lead="ada", team=("olly",), template=checklists.BUILTIN_FULL):
    return audits.plan_audit(
        session,
        AuditInput(
            "Audit",
            date(2026, 11, 2),
            date(2026, 11, 4),
            template,
            scope_refs=list(refs),
            lead_auditor_id=ids[lead],
            team_ids=[ids[n] for n in team],
        ),
    )


def test_an_area_named_before_it_exists_is_linked_when_it_is_created_and_follows_a_rename(session, ids):
    duties = responsibilities.person_duties(session, ids["olly"])
    assert [label for _, label in duties.rows] == ["area IT operations"]
    assert duties.unmatched == ["Canteen"]  # kept and shown, judged nowhere
    area = programme.save_area(session, "Canteen", 1, ["A.7.1"])
    assert len(responsibilities.person_duties(session, ids["olly"]).rows) == 2
    programme.save_area(session, "Catering", 1, ["A.7.1"], area_id=area.id)
    person = workspace.person_by_name(session, "Olly Ops")
    assert "Catering" in person.areas and "Canteen" not in person.areas
    assert [label for _, label in responsibilities.person_duties(session, ids["olly"]).rows] == [
        "area Catering",
        "area IT operations",
    ]


def test_a_line_in_the_assessors_area_conflicts_and_another_member_takes_it(session, ids):
    audit = plan(session, ids, ["A.8.8", "A.8.15"], lead="olly", team=("ada",))
    [conflict] = audits.impartiality_conflicts(session, audit)
    assert conflict.refs == ("A.8.8",) and conflict.role == "lead auditor"
    with pytest.raises(InputError, match="Olly Ops .* is to assess A.8.8"):
        audits.start_audit(session, audit.id)
    backup = audits.items(session, audit.id)[0]
    impartiality.assign(session, backup.id, ids["ada"])
    assert audits.impartiality_conflicts(session, audit) == []
    audits.start_audit(session, audit.id)
    audits.record_result(session, backup.id, AuditResult.CONFORMING)
    [kept] = impartiality.kept_off(session, audit)
    assert (kept.person, kept.duty, kept.refs, kept.assessed_by) == (
        "Olly Ops",
        "the area IT operations",
        ("A.8.8",),
        ("Ada Auditor",),
    )
    with pytest.raises(InputError, match="Only the lead auditor or a member"):
        impartiality.assign(session, backup.id, ids["bea"])


def test_a_result_is_refused_on_a_line_whose_assessor_became_responsible_for_it(session, ids):
    audit = plan(session, ids, ["A.8.8"], lead="ada", team=())
    audits.start_audit(session, audit.id)
    area = programme.save_area(session, "Internal audit", 3, ["A.8.8"])
    responsibilities.set_areas(session, ids["ada"], [area.id])
    [line] = audits.items(session, audit.id)
    with pytest.raises(InputError, match="Ada Auditor is responsible for the area Internal audit"):
        audits.record_result(session, line.id, AuditResult.CONFORMING)


def test_whoever_runs_the_isms_does_not_assess_clauses_9_and_10_nor_their_processes(session, ids):
    responsibilities.set_isms_manager(session, ids["ann"])
    responsibilities.add_process(session, ids["ann"], "Risk assessment", ["6.1.2", "8.2"])
    audit = plan(session, ids, ["6.1.2", "7.5.3", "9.1", "10.2"], lead="ann", team=("ada",))
    labels = {c.area: c.refs for c in audits.impartiality_conflicts(session, audit)}
    assert labels == {"running the ISMS": ("9.1", "10.2"), "the process Risk assessment": ("6.1.2",)}
    with pytest.raises(InputError, match="Which requirements"):
        responsibilities.add_process(session, ids["ann"], "Nothing", [])
    with pytest.raises(InputError, match="Unknown requirement"):
        responsibilities.add_process(session, ids["ann"], "Odd", ["Z.1"])


def test_a_declaration_still_lets_a_conflicted_auditor_assess(session, ids):
    audit = plan(session, ids, ["A.8.8"], lead="olly", team=())
    audits.declare_independence(
        session, audit.id, "Olly is the only auditor; the backups were run by the night shift.", "Bea Boss"
    )
    audits.start_audit(session, audit.id)
    [line] = audits.items(session, audit.id)
    assert audits.record_result(session, line.id, AuditResult.CONFORMING).result == AuditResult.CONFORMING


def _completed(session, ids):
    audit = plan(session, ids, ["A.8.15"], lead="ada", team=())
    audits.start_audit(session, audit.id)
    audits.complete_audit(session, audit.id, "", "Logging works.")
    return audit


def test_reporting_needs_a_recipient_a_date_and_a_way(session, ids):
    audit = _completed(session, ids)
    with pytest.raises(InputError, match="Record to whom"):
        audits.mark_reported(session, audit.id)
    with pytest.raises(InputError) as refused:
        audit_reporting.report_results(session, audit.id, [], None, " ")
    assert set(refused.value.fields) == {"recipients", "reported_on", "how"}
    with pytest.raises(InputError, match="once it has happened"):
        audit_reporting.report_results(session, audit.id, [ids["bea"]], TODAY + timedelta(days=1), "email")
    assert audit.status == AuditStatus.COMPLETED and audit_reporting.reporting(session, audit.id) is None
    audit_reporting.report_results(session, audit.id, [ids["bea"], ids["ann"]], TODAY, "management meeting")
    record = audit_reporting.reporting(session, audit.id)
    assert audit.status == AuditStatus.REPORTED
    assert record.sentence() == (
        f"Reported on {TODAY.isoformat()} by management meeting to Ann Officer (CISO); Bea Boss (CEO)."
    )


def test_the_migration_links_typed_area_names_and_journals_the_links(tmp_path):
    from click.testing import CliRunner
    from sqlmodel import select

    from isms_tui.cli import main
    from isms_tui.models import Responsibility

    from .db_helpers import downgrade, read, write

    ws = tmp_path / "w.db"

    def seed(s):
        workspace.save_workspace(s, "Acme Ltd")
        workspace.save_person(s, "Olly Ops", areas=["it OPERATIONS", "Canteen"])
        programme.save_area(s, "IT operations", 4, ["A.8.8"])

    write(ws, seed)
    downgrade(ws, "0012_review_conclusions")
    links = read(ws, lambda s: [(r.person_id, r.area_id, r.process) for r in s.exec(select(Responsibility))])
    assert links == [(1, 1, "")]  # the name matched whatever its case; Canteen stays a name
    result = CliRunner().invoke(main, ["journal", "verify", "--db", str(ws)])
    assert result.exit_code == 0, result.output


def test_the_cli_records_the_reporting_and_refuses_without_a_known_recipient(tmp_path):
    from click.testing import CliRunner

    from isms_tui.cli import main

    from .db_helpers import read, write

    ws = tmp_path / "w.db"

    def seed(s):
        workspace.save_workspace(s, "Acme Ltd")
        workspace.save_person(s, "Ada Auditor")
        workspace.save_person(s, "Bea Boss", role="CEO")
        audit = audits.plan_audit(
            s,
            AuditInput(
                "Logging",
                date(2026, 11, 2),
                date(2026, 11, 4),
                checklists.BUILTIN_ANNEX_A,
                ["A.8.15"],
                lead_auditor_id=1,
            ),
        )
        audits.start_audit(s, audit.id)
        audits.complete_audit(s, audit.id, "", "Logging works.")
        return audit.id

    audit_id = write(ws, seed)
    run = CliRunner().invoke
    base = ["audit", "reported", str(audit_id), "--db", str(ws), "--on", TODAY.isoformat(), "--how", "email"]
    refused = run(main, [*base, "--to", "Nobody"])
    assert refused.exit_code == 1 and "Nobody called 'Nobody'" in refused.output and "Traceback" not in refused.output
    assert read(ws, lambda s: audits.get_audit(s, audit_id).status) == AuditStatus.COMPLETED
    done = run(main, [*base, "--to", "Bea Boss"])
    assert done.exit_code == 0, done.output
    assert f"Reported on {TODAY.isoformat()} by email to Bea Boss (CEO)." in done.output
    listed = run(main, ["audit", "list", "--db", str(ws)])
    assert "reported" in listed.output and "by email to Bea Boss (CEO)" in listed.output
