from datetime import date

import pytest

from isms_tui.models import ActionStatus, AuditMethod, AuditResult, AuditStatus, Effectiveness, Grading
from isms_tui.services import actions, audit_reporting, audits, checklists, impartiality, programme, workspace
from isms_tui.services.audits import AuditInput
from isms_tui.services.errors import InputError
from isms_tui.services.programme import ProgrammeInput

from .conftest import TODAY


@pytest.fixture
def people(session):
    return {
        "auditor": workspace.save_person(session, "Ada Auditor", areas=["Internal audit"]).id,
        "ops": workspace.save_person(session, "Olly Ops", areas=["IT operations"]).id,
        "boss": workspace.save_person(session, "Bea Boss", areas=["Top management"]).id,
    }


@pytest.fixture
def prog(session, people):
    return programme.save_programme(
        session, ProgrammeInput("ISMS audits 2026–2028", date(2026, 1, 1), 3, owner_id=people["boss"])
    )


def plan(session, people, prog, **kw):
    data = AuditInput(
        title="Operations audit",
        planned_start=date(2026, 11, 2),
        planned_end=date(2026, 11, 4),
        template=checklists.BUILTIN_ANNEX_A,
        scope_refs=["A.8.8", "A.8.13", "A.8.15"],
        lead_auditor_id=people["auditor"],
        programme_id=prog.id,
    )
    for k, v in kw.items():
        setattr(data, k, v)
    return audits.plan_audit(session, data)


def test_builtin_checklists_cover_the_catalogue(session):
    sizes = {t.name: t.size for t in checklists.list_templates(session)}
    assert sizes[checklists.BUILTIN_CLAUSES] == 30
    assert sizes[checklists.BUILTIN_ANNEX_A] == 93
    assert sizes[checklists.BUILTIN_FULL] == 123


def test_plan_builds_working_paper_from_scope(session, people, prog):
    audit = plan(session, people, prog)
    rows = audits.items(session, audit.id)
    assert [i.ref for i in rows] == ["A.8.8", "A.8.13", "A.8.15"]
    assert all(i.question and i.result is None for i in rows)
    assert audit.status == AuditStatus.PLANNED


def test_plan_validation(session, people, prog):
    with pytest.raises(InputError) as err:
        plan(session, people, prog, title="", planned_end=date(2026, 10, 1), lead_auditor_id=None)
    assert {"title", "planned_end", "lead_auditor_id"} <= set(err.value.fields)
    with pytest.raises(InputError, match="No question"):
        plan(session, people, prog, scope_refs=["Z.9"])


def test_impartiality_blocks_start_until_declared(session, people, prog):
    programme.save_area(session, "IT operations", 4, ["A.8.8", "A.8.13"])
    audit = plan(session, people, prog, lead_auditor_id=people["ops"])
    [conflict] = audits.impartiality_conflicts(session, audit)
    assert (conflict.person, conflict.area, conflict.role) == ("Olly Ops", "the area IT operations", "lead auditor")
    assert conflict.refs == ("A.8.8", "A.8.13")  # the lines in his area; A.8.15 is not
    with pytest.raises(InputError, match="independence declaration"):
        audits.start_audit(session, audit.id)
    with pytest.raises(InputError):
        audits.declare_independence(session, audit.id, "ok", "Bea Boss")
    audits.declare_independence(
        session,
        audit.id,
        "Olly only took over operations last week; the period audited was run by his predecessor.",
        "Bea Boss",
    )
    assert audits.start_audit(session, audit.id).status == AuditStatus.IN_PROGRESS


def test_a_team_member_conflicts_only_on_the_lines_given_to_them(session, people, prog):
    """Per line (it used to be per audit): Olly on the team is fine until a line in his area is his."""
    programme.save_area(session, "IT operations", 4, ["A.8.8", "A.8.13"])
    audit = plan(session, people, prog, scope_areas=["IT operations"], team_ids=[people["ops"]])
    assert audits.impartiality_conflicts(session, audit) == []
    backup, _, logging = audits.items(session, audit.id)
    impartiality.assign(session, logging.id, people["ops"])  # A.8.15 is not in his area
    with pytest.raises(InputError, match="Olly Ops is responsible for the area IT operations, which covers A.8.8"):
        impartiality.assign(session, backup.id, people["ops"])
    assert audits.impartiality_conflicts(session, audit) == []


def test_results_only_while_in_progress_and_counts(session, people, prog):
    audit = plan(session, people, prog)
    first, second, _ = audits.items(session, audit.id)
    with pytest.raises(InputError, match="in progress"):
        audits.record_result(session, first.id, AuditResult.CONFORMING)
    audits.start_audit(session, audit.id)
    audits.record_result(
        session,
        first.id,
        AuditResult.CONFORMING,
        notes="Patch report for [Oct] seen",
        methods=[AuditMethod.DOCUMENT_REVIEW],
        sample_population="212 servers",
        sample_size=10,
        sample_items="srv-01 … srv-10",
    )
    audits.record_result(session, second.id, AuditResult.MINOR_NC)
    prog_ = audits.progress(session, audit.id)
    assert (prog_.total, prog_.done, prog_.counts[AuditResult.MINOR_NC]) == (3, 2, 1)
    with pytest.raises(InputError, match=f"^{second.ref} is graded as a nonconformity without a finding"):
        audits.complete_audit(session, audit.id, "Three controls sampled.", "Mostly effective.")
    audits.raise_finding(session, audit.id, Grading.OBSERVATION, "Seen once.", item_id=second.id)
    with pytest.raises(InputError, match="without a finding"):  # an observation opens no corrective action
        audits.complete_audit(session, audit.id, "Three controls sampled.", "Mostly effective.")
    audits.raise_finding(session, audit.id, Grading.MINOR_NC, "Restores not tested.", item_id=second.id)
    with pytest.raises(InputError, match="conclusion"):
        audits.complete_audit(session, audit.id, "", " ")
    audits.complete_audit(session, audit.id, "Three controls sampled.", "Mostly effective.")
    assert audits.progress(session, audit.id).counts[AuditResult.NOT_AUDITED] == 1
    with pytest.raises(InputError, match="Record to whom"):
        audits.mark_reported(session, audit.id)
    done = audit_reporting.report_results(session, audit.id, [people["boss"]], TODAY, "management meeting")
    assert done.status == AuditStatus.REPORTED


def test_nonconformity_opens_action_that_closes_only_through_effectiveness(session, people, prog):
    audit = plan(session, people, prog)
    audits.start_audit(session, audit.id)
    item = audits.items(session, audit.id)[1]
    finding = audits.raise_finding(
        session,
        audit.id,
        Grading.MINOR_NC,
        "Backups of the CRM not tested",
        "Restore log empty since June",
        item_id=item.id,
    )
    assert finding.ref == "A.8.13"
    action = audits.action_for_finding(session, finding.id)
    assert action.status == ActionStatus.OPEN
    with pytest.raises(InputError, match="effectiveness check"):
        actions.set_status(session, action.id, ActionStatus.CLOSED)
    with pytest.raises(InputError, match="root cause"):
        actions.set_status(session, action.id, ActionStatus.IMPLEMENTED)
    actions.update_action(
        session,
        action,
        actions.ActionInput(
            title=action.title,
            owner_id=people["ops"],
            due_date=date(2026, 12, 15),
            correction="Restore tested",
            root_cause="No owner for CRM backups",
            corrective_action="Owner named; monthly restore test",
        ),
    )
    with pytest.raises(InputError, match="implemented"):
        actions.record_effectiveness(session, action.id, people["auditor"], Effectiveness.EFFECTIVE, "seen")
    actions.set_status(session, action.id, ActionStatus.IMPLEMENTED)
    with pytest.raises(InputError):
        actions.record_effectiveness(session, action.id, people["auditor"], Effectiveness.EFFECTIVE, " ")
    reopened = actions.record_effectiveness(
        session, action.id, people["auditor"], Effectiveness.NOT_EFFECTIVE, "Only one restore test in three months"
    )
    assert reopened.status == ActionStatus.IN_PROGRESS
    actions.set_status(session, action.id, ActionStatus.IMPLEMENTED)
    closed = actions.record_effectiveness(
        session, action.id, people["auditor"], Effectiveness.EFFECTIVE, "Three monthly restore tests logged"
    )
    assert (closed.status, closed.closed_on) == (ActionStatus.CLOSED, TODAY)
    with pytest.raises(InputError, match="closed"):
        actions.update_action(session, closed, actions.ActionInput(title="x"))


def test_observation_opens_no_action(session, people, prog):
    audit = plan(session, people, prog)
    audits.start_audit(session, audit.id)
    finding = audits.raise_finding(session, audit.id, Grading.OBSERVATION, "Log review informal", ref="A.8.15")
    assert audits.action_for_finding(session, finding.id) is None


def test_overdue_actions(session, people):
    renew = actions.ActionInput("Renew TLS certs", due_date=date(2026, 11, 1))
    a = actions.create_action(session, "other", None, renew)
    actions.create_action(session, "other", None, actions.ActionInput("Later", due_date=date(2027, 1, 1)))
    assert [x.id for x in actions.overdue_actions(session, TODAY)] == [a.id]


def test_coverage_matrix_highlights_uncovered(session, people, prog):
    audit = plan(session, people, prog)
    cov = programme.coverage(session, prog.id)
    assert len(cov.rows) == 123
    row = {r.ref: r for r in cov.rows}
    assert row["A.8.8"].cells == ["planned"] and not row["A.5.1"].covered
    audits.start_audit(session, audit.id)
    audits.record_result(session, audits.items(session, audit.id)[0].id, AuditResult.CONFORMING)
    cov = programme.coverage(session, prog.id)
    assert {r.ref: r for r in cov.rows}["A.8.8"].cells == ["conforming"]
    # Only the answered line covers its requirement; the two still planned do not.
    assert len(cov.uncovered) == 122 and cov.percent == 1
    assert [r.ref for r in cov.planned_only] == ["A.8.13", "A.8.15"]


def test_priorities_rise_with_importance_and_nonconformities(session, people, prog):
    programme.save_area(session, "Backups", 3, ["A.8.13"])
    programme.save_area(session, "Physical security", 3, ["A.7.1", "A.7.2"])
    audit = plan(session, people, prog)
    audits.start_audit(session, audit.id)
    audits.raise_finding(session, audit.id, Grading.MAJOR_NC, "No backups at all", ref="A.8.13")
    ranked = programme.priorities(session, TODAY)
    assert ranked[0].area.name == "Backups"
    assert any("still open" in r for r in ranked[0].reasons)
    assert ranked[0].interval_months < ranked[1].interval_months


def test_area_validation(session):
    with pytest.raises(InputError, match="Unknown requirement"):
        programme.save_area(session, "X", 3, ["A.99.1"])
    with pytest.raises(InputError):
        programme.save_area(session, "X", 7, [])


def test_not_audited_lines_do_not_count_as_coverage(session, people, prog):
    audit = plan(session, people, prog)
    audits.start_audit(session, audit.id)
    audits.record_result(session, audits.items(session, audit.id)[0].id, AuditResult.CONFORMING)
    audits.complete_audit(session, audit.id, "", "Partly done.")  # the other two become 'not audited'
    rows = {r.ref: r for r in programme.coverage(session, prog.id).rows}
    assert rows["A.8.8"].covered and not rows["A.8.13"].covered
    assert rows["A.8.13"].cells == ["not audited"]


def test_an_independence_declaration_names_who_makes_it(session, people, prog):
    programme.save_area(session, "IT operations", 4, ["A.8.8", "A.8.13"])
    audit = plan(session, people, prog, lead_auditor_id=people["ops"])
    with pytest.raises(InputError, match="Name the person") as err:
        audits.declare_independence(session, audit.id, "Olly only took over operations last week, not before.", "  ")
    assert err.value.fields == {"declared_by": "Required."}
    assert audits.get_audit(session, audit.id).independence_declaration == ""
