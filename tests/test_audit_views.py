"""The read models behind the audit screens and the plan edit service (no Textual)."""

from __future__ import annotations

from datetime import date

import pytest

from isms_tui import catalogues
from isms_tui.models import ActionStatus, AuditResult, AuditStatus, Grading
from isms_tui.services import audit_plans, audit_views, audits, checklists, evidence, programme, workspace
from isms_tui.services.audits import AuditInput
from isms_tui.services.errors import InputError
from isms_tui.services.programme import ProgrammeInput


@pytest.fixture
def ids(session):
    out = {
        "ada": workspace.save_person(session, "Ada Auditor", areas=["Internal audit"]).id,
        "olly": workspace.save_person(session, "Olly Ops", areas=["IT operations"]).id,
    }
    programme.save_area(session, "IT operations", 4, ["A.8.13", "A.8.15"])
    out["prog"] = programme.save_programme(session, ProgrammeInput("2026", date(2026, 1, 1), 1)).id
    return out


def plan(session, ids, lead: str = "ada", refs=("A.8.8", "A.8.13", "A.8.15")):
    return audits.plan_audit(
        session,
        AuditInput(
            "Ops",
            date(2026, 11, 2),
            date(2026, 11, 3),
            checklists.BUILTIN_ANNEX_A,
            scope_refs=list(refs),
            lead_auditor_id=ids[lead],
            programme_id=ids["prog"],
        ),
    )


def test_audit_rows_count_progress_findings_and_open_actions(session, ids):
    audit = plan(session, ids)
    other = plan(session, ids, refs=("A.5.1",))
    audits.start_audit(session, audit.id)
    first, second, _ = audits.items(session, audit.id)
    audits.record_result(session, first.id, AuditResult.CONFORMING)
    audits.record_result(session, second.id, AuditResult.MINOR_NC)
    audits.raise_finding(session, audit.id, Grading.MINOR_NC, "Restore never tested", item_id=second.id)
    audits.raise_finding(session, audit.id, Grading.OFI, "Automate the restore test", ref="A.8.13")
    rows = {r.audit.id: r for r in audit_views.audit_rows(session)}
    row = rows[audit.id]
    assert (row.lead, row.progress.total, row.progress.done, row.progress.percent) == ("Ada Auditor", 3, 2, 67)
    assert (row.findings, row.open_actions) == (2, 1)
    assert (rows[other.id].progress.done, rows[other.id].findings) == (0, 0)


def test_audit_view_lists_conflicts_findings_with_actions_and_notable_lines(session, ids):
    audit = plan(session, ids, lead="olly")
    view = audit_views.audit_view(session, audit.id)
    assert view.blocked and [c.area for c in view.conflicts] == ["the area IT operations"]
    audits.declare_independence(session, audit.id, "Olly took over operations after the audited period.", "Bea")
    audits.start_audit(session, audit.id)
    line = audits.items(session, audit.id)[1]
    audits.record_result(session, line.id, AuditResult.MAJOR_NC, notes="No backups [at all]")
    audits.raise_finding(session, audit.id, Grading.MAJOR_NC, "No backups", item_id=line.id)
    view = audit_views.audit_view(session, audit.id)
    assert not view.blocked
    [fv] = view.findings
    assert fv.action is not None and fv.action.status == ActionStatus.OPEN
    assert [i.ref for i in view.notable] == ["A.8.13"]


def test_working_paper_resumes_on_the_first_unanswered_line_and_lists_files(session, ids, tmp_path):
    audit = plan(session, ids)
    audits.start_audit(session, audit.id)
    lines = audits.items(session, audit.id)
    assert audit_views.working_paper(session, audit.id).first_unanswered() == 0
    audits.record_result(session, lines[0].id, AuditResult.CONFORMING)
    audits.record_result(session, lines[2].id, AuditResult.CONFORMING)
    source = tmp_path / "restore-log.txt"
    source.write_text("restore ok")
    evidence.link(session, evidence.add_file(session, source, "ada"), audit_views.EVIDENCE_ENTITY, lines[0].id)
    paper = audit_views.working_paper(session, audit.id)
    assert paper.first_unanswered() == 1
    assert paper.evidence == {lines[0].id: ["restore-log.txt"]}
    audits.record_result(session, lines[1].id, AuditResult.CONFORMING)
    assert audit_views.working_paper(session, audit.id).first_unanswered() == 0  # all done: the top


def test_ref_ranges_compress_catalogue_runs():
    everything = [r.ref for r in catalogues.requirements()]
    assert audit_views.ref_ranges(everything) == "4.1–10.2, A.5.1–A.8.34"
    assert audit_views.ref_ranges(["A.8.15", "A.8.13", "A.8.14", "9.1", "X.1"]) == "9.1, A.8.13–A.8.15, X.1"


def test_update_plan_changes_the_auditor_and_clears_the_declaration(session, ids):
    audit = plan(session, ids, lead="olly")
    audits.declare_independence(session, audit.id, "Olly took over operations after the audited period.", "Bea")
    data = AuditInput(
        "Ops (re-planned)",
        date(2026, 11, 9),
        date(2026, 11, 10),
        lead_auditor_id=ids["ada"],
        scope_areas=[" IT operations "],
    )
    saved = audit_plans.update_plan(session, audit.id, data)
    assert (saved.title, saved.lead_auditor_id, saved.scope_areas) == (
        "Ops (re-planned)",
        ids["ada"],
        ["IT operations"],
    )
    assert saved.independence_declaration == "" and saved.declared_at is None
    assert [i.ref for i in audits.items(session, audit.id)] == ["A.8.8", "A.8.13", "A.8.15"]  # unchanged
    assert audits.start_audit(session, audit.id).status == AuditStatus.IN_PROGRESS
    with pytest.raises(InputError, match="only a planned audit"):
        audit_plans.update_plan(session, audit.id, data)


def test_update_plan_validates_like_planning(session, ids):
    audit = plan(session, ids)
    with pytest.raises(InputError) as err:
        audit_plans.update_plan(session, audit.id, AuditInput(" ", date(2026, 11, 9), date(2026, 11, 1)))
    assert {"title", "planned_end", "lead_auditor_id"} <= set(err.value.fields)
    with pytest.raises(InputError):
        audit_plans.update_plan(
            session, audit.id, AuditInput("Ops", date(2026, 11, 9), None, lead_auditor_id=ids["ada"], team_ids=[999])
        )
