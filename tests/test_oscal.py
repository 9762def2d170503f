"""OSCAL documents from the demo workspace: built, validated by compliance-trestle (its models
and its own validators), read back, and each record found where docs/oscal.md puts it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select
from trestle.oscal.assessment_plan import AssessmentPlan
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog
from trestle.oscal.common import SelectControlById

from isms_tui import catalogues
from isms_tui.models import Action, Audit, AuditItem, AuditResult, Finding, Grading, Risk
from isms_tui.services.oscal import common, export, trestle_io
from isms_tui.services.oscal.catalogue import catalogue
from isms_tui.services.oscal.plan import assessment_plan
from isms_tui.services.oscal.results import assessment_results


def _read_back(model, data: bytes, tmp_path: Path, name: str):
    """Write the bytes, read them with trestle's own reader (which validates), and run
    trestle's validators (duplicate UUIDs, role references, links) on what it read."""
    path = tmp_path / name
    path.write_bytes(data)
    parsed = model.oscal_read(path)
    assert parsed is not None
    assert trestle_io.check(parsed) is None
    return parsed


def _result(demo, audit_id: int) -> dict:
    return json.loads(export.audit_results(demo, audit_id))["assessment-results"]["results"][0]


@pytest.mark.parametrize("audit_id", [1, 2, 3, 4])
def test_every_demo_audit_exports_valid_assessment_results(demo, tmp_path: Path, audit_id: int):
    data = export.audit_results(demo, audit_id)
    parsed = _read_back(AssessmentResults, data, tmp_path, "ar.json")
    assert parsed.import_ap.href == f"assessment-plan-audit-{audit_id}.json"
    assert len(parsed.results) == 1
    assert parsed.metadata.oscal_version.root.root.startswith("1.")


def test_findings_observations_controls_and_risks_land_where_expected(demo):
    result = _result(demo, 2)
    items = demo.exec(select(AuditItem).where(AuditItem.audit_id == 2)).all()
    answered = [i for i in items if i.result not in (None, AuditResult.NOT_AUDITED)]
    assert len(result["observations"]) == len(answered)
    for obs in result["observations"]:
        assert set(obs["methods"]) <= {"EXAMINE", "INTERVIEW", "TEST", "UNKNOWN"}

    selected = {c["control-id"] for c in result["reviewed-controls"]["control-selections"][0]["include-controls"]}
    assert "iso27001-2022_a.8.13" in selected
    assert {common.control_id(i.ref) for i in items} <= selected

    findings = {f["target"]["title"].split()[0]: f for f in result["findings"]}
    recorded = demo.exec(select(Finding).where(Finding.audit_id == 2)).all()
    assert len(result["findings"]) == len(recorded)
    backup = findings["A.8.13"]
    grading = {p["name"]: p["value"] for p in backup["props"]}
    assert grading["grading"] == "major-nonconformity"
    assert backup["target"] == {
        "type": "objective-id",
        "target-id": "iso27001-2022_a.8.13_obj",
        "title": "A.8.13 Information backup",
        "status": {"state": "not-satisfied"},
    }
    assert findings["A.8.15"]["target"]["status"]["state"] == "satisfied"  # an observation
    observation_ids = {o["uuid"] for o in result["observations"]}
    for f in result["findings"]:
        assert f["related-observations"][0]["observation-uuid"] in observation_ids

    risks = demo.exec(select(Risk)).all()
    touched = {r.ref for r in risks if set(r.controls) & {i.ref for i in items}}
    exported = {r["title"].split()[0]: r for r in result["risks"]}
    assert set(exported) == touched
    r01 = exported["R-01"]
    assert {"risk-uuid": r01["uuid"]} in backup["related-risks"]
    assert r01["status"] == "remediating"
    treatments = demo.exec(select(Action).where(Action.source == "risk")).all()
    for risk in risks:
        if risk.ref in exported:
            expected = [a.title for a in treatments if a.source_id == risk.id]
            assert [m["title"] for m in exported[risk.ref].get("remediations", [])] == expected
    assert [m["lifecycle"] for m in r01["remediations"]] in (["planned"], ["completed"])
    assert {f["name"]: f["value"] for f in r01["characterizations"][0]["facets"]} == {
        "likelihood": "3",
        "impact": "5",
        "risk": "15",
    }


def test_reporting_and_independence_are_recorded(demo):
    doc = json.loads(export.audit_results(demo, 1))["assessment-results"]
    props = {p["name"]: p["value"] for p in doc["results"][0]["props"]}
    assert props["reported-on"] == demo.get(Audit, 1).reported_on.isoformat()
    assert props["reported-how"].startswith("management meeting")
    (recipients,) = [r for r in doc["metadata"]["responsible-parties"] if r["role-id"] == "report-recipient"]
    names = {p["uuid"]: p["name"] for p in doc["metadata"]["parties"]}
    assert {names[u] for u in recipients["party-uuids"]} == {"Tom Okafor", "Priya Raman"}
    second = json.loads(export.audit_results(demo, 2))["assessment-results"]["results"][0]
    assert any(p["name"] == "independence-declaration" for p in second["props"])


def test_findings_target_objectives_the_catalogue_defines(demo):
    """A finding's target-id is an assessment objective part of the exported catalogue."""
    ids: set[str] = set()

    def walk(parts):
        for part in parts or []:
            ids.add(part.get("id", ""))
            walk(part.get("parts"))

    for group in catalogue()["groups"]:
        for control in group["controls"]:
            walk(control["parts"])
    targets = {f["target"]["target-id"] for a in (1, 2, 3) for f in _result(demo, a).get("findings", [])}
    assert targets and targets <= ids
    controls = {c["id"] for g in catalogue()["groups"] for c in g["controls"]}
    for audit_id in range(1, 7):  # every reviewed control of the demo's plans is in the catalogue
        plan = assessment_plan(demo, audit_id)
        selected = {c["control-id"] for c in plan["reviewed-controls"]["control-selections"][0]["include-controls"]}
        assert selected <= controls


def test_re_export_is_byte_identical_and_uuids_are_per_workspace(demo):
    assert export.audit_results(demo, 2) == export.audit_results(demo, 2)
    assert export.audit_plan(demo, 3) == export.audit_plan(demo, 3)
    assert common.Ids("one").of("finding", 4) != common.Ids("two").of("finding", 4)


def test_evidence_on_a_line_is_relevant_evidence_by_hash(demo_workspace: Path, tmp_path: Path):
    from isms_tui.services import evidence

    from .db_helpers import read, write

    def attach(session):
        item = session.exec(select(AuditItem).where(AuditItem.audit_id == 2, AuditItem.ref == "A.8.13")).one()
        stored = evidence.add_bytes(session, "restore-test.log", b"restore failed 2026-09-01\n", "tester")
        evidence.link(session, stored, "audit_item", item.id)
        return stored.sha256

    sha = write(demo_workspace, attach)
    data = read(demo_workspace, lambda s: export.audit_results(s, 2))
    parsed = _read_back(AssessmentResults, data, tmp_path, "ar.json")
    doc = json.loads(data)["assessment-results"]
    (obs,) = [o for o in doc["results"][0]["observations"] if "relevant-evidence" in o]
    (relevant,) = obs["relevant-evidence"]
    (resource,) = doc["back-matter"]["resources"]
    assert relevant["href"] == f"#{resource['uuid']}"
    assert sha in relevant["description"] and "restore-test.log" in relevant["description"]
    assert resource["rlinks"][0]["hashes"] == [{"algorithm": "SHA-256", "value": sha}]
    assert parsed.back_matter is not None


@pytest.mark.parametrize("audit_id", [1, 3, 4, 6])
def test_plans_validate_with_scope_schedule_and_subjects(demo, tmp_path: Path, audit_id: int):
    data = export.audit_plan(demo, audit_id)
    parsed = _read_back(AssessmentPlan, data, tmp_path, "ap.json")
    doc = assessment_plan(demo, audit_id)
    audit = demo.get(Audit, audit_id)
    selected = [c["control-id"] for c in doc["reviewed-controls"]["control-selections"][0]["include-controls"]]
    assert set(selected) == {common.control_id(r) for r in audit.scope_refs}
    fieldwork = doc["tasks"][0]["timing"]["within-date-range"]
    assert fieldwork["start"].startswith(audit.planned_start.isoformat())
    subjects = parsed.assessment_subjects[0].include_subjects
    assert len(subjects) == len(set(audit.scope_areas))
    terms = {p["name"]: p["prose"] for p in doc["terms-and-conditions"]["parts"]}
    assert terms["criteria"] == audit.criteria
    assert "objectives" in terms


def test_catalogue_has_every_requirement_with_our_questions_only(tmp_path: Path):
    parsed = _read_back(Catalog, export.catalogue(), tmp_path, "catalog.json")
    ids = [g.id for g in parsed.groups]
    assert ids == [f"clause-{n}" for n in range(4, 11)] + ["a.5", "a.6", "a.7", "a.8"]
    doc = catalogue()
    controls = [c for g in doc["groups"] for c in g["controls"]]
    reqs = catalogues.requirements()
    assert len(controls) == len(reqs) == len(catalogues.clauses()) + 93
    by_id = {c["id"]: c for c in controls}
    for req in reqs:
        control = by_id[common.control_id(req.ref)]
        assert control["title"] == req.title
        assert {"name": "label", "value": req.ref} in control["props"]
        questions = [p["prose"] for p in control["parts"][0]["parts"]]
        assert questions == list(req.questions)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("A.5.1", "iso27001-2022_a.5.1"),
        ("9.2.2", "iso27001-2022_clause-9.2.2"),
        ("ACME/7 (local)", "iso27001-2022_custom-acme-7-local"),
        ("‮evil\nref", "iso27001-2022_custom-evil-ref"),
        ("   ", "iso27001-2022_custom-unnamed"),
    ],
)
def test_control_ids_are_valid_oscal_tokens(ref: str, expected: str):
    assert common.control_id(ref) == expected
    SelectControlById.model_validate({"control-id": common.control_id(ref)})


def test_results_of_an_audit_with_hostile_text_still_validate(demo_workspace: Path, tmp_path: Path):
    """Titles with line breaks, empty notes, a finding without a line: still valid OSCAL."""
    from .db_helpers import read, write

    def spoil(session):
        audit = session.get(Audit, 2)
        audit.title = "Line one\nline two\t[bold]x[/bold]"
        audit.auditees = ""
        session.add(audit)
        finding = session.exec(select(Finding).where(Finding.audit_id == 2, Finding.grading == Grading.OFI)).one()
        finding.item_id = None
        finding.evidence = ""
        session.add(finding)

    write(demo_workspace, spoil)
    data = read(demo_workspace, lambda s: export.audit_results(s, 2))
    parsed = _read_back(AssessmentResults, data, tmp_path, "ar.json")
    assert parsed.results[0].title == "Line one line two [bold]x[/bold]"
    assert read(demo_workspace, lambda s: assessment_results(s, 2))["results"][0]["findings"]


def test_auditees_are_people_named_as_whole_words():
    from isms_tui.models import Person

    people = [Person(id=1, name="Ann"), Person(id=2, name="Tom  Okafor"), Person(id=3, name="")]
    assert common.people_named_in("Joanne (HR), tom okafor (MD)", people) == {2}
    assert common.people_named_in("Ann, Joanne", people) == {1}


def test_the_organisations_own_requirements_are_local_objectives(session, tmp_path: Path):
    """A checklist of the organisation's own refs: its requirements are defined locally, with the
    questions asked, and a finding on one targets that local objective."""
    from datetime import date

    from isms_tui.models import AuditMethod
    from isms_tui.services import audits, checklists, workspace
    from isms_tui.services.checklists import Question

    workspace.save_workspace(session, "Acme Ltd", "All of Acme")
    lead = workspace.save_person(session, "Ada Auditor", "Internal auditor")
    checklists.save_template(
        session,
        "Supplier rules",
        [
            Question("SUP-1", "Supplier vetting", "How is a new supplier vetted?"),
            Question("SUP-1", "Supplier vetting", "Who signs the vetting off?"),
            Question("A.5.19", "Information security in supplier relationships", "Show the supplier policy."),
        ],
    )
    audit = audits.plan_audit(
        session,
        audits.AuditInput(
            "Suppliers", date(2026, 11, 2), date(2026, 11, 3), template="Supplier rules", lead_auditor_id=lead.id
        ),
    )
    audits.start_audit(session, audit.id)
    first = audits.items(session, audit.id)[0]
    audits.record_result(session, first.id, AuditResult.MINOR_NC, notes="No record.", methods=[AuditMethod.INTERVIEW])
    audits.raise_finding(session, audit.id, Grading.MINOR_NC, "Vetting is not recorded.", item_id=first.id)
    session.flush()

    doc = json.loads(export.audit_results(session, audit.id))["assessment-results"]
    _read_back(AssessmentResults, json.dumps({"assessment-results": doc}).encode(), tmp_path, "ar.json")
    (local,) = doc["local-definitions"]["objectives-and-methods"]
    assert local["control-id"] == "iso27001-2022_custom-sup-1"
    objective = local["parts"][0]
    assert [p["prose"] for p in objective["parts"]] == ["How is a new supplier vetted?", "Who signs the vetting off?"]
    (finding,) = doc["results"][0]["findings"]
    assert finding["target"]["target-id"] == objective["id"]
    assert finding["target"]["title"] == "SUP-1 Supplier vetting"
    plan = json.loads(export.audit_plan(session, audit.id))["assessment-plan"]
    assert plan["local-definitions"]["objectives-and-methods"] == doc["local-definitions"]["objectives-and-methods"]


def test_an_export_reads_one_snapshot_while_another_process_writes(demo_workspace: Path):
    """A change committed by another connection after the export began is not seen by it."""
    import sqlite3

    from isms_tui.services.oscal.audit_data import load

    from .db_helpers import workspace_session

    with workspace_session(demo_workspace) as session:
        before = load(session, 2)
        other = sqlite3.connect(demo_workspace, timeout=5)
        with other:
            other.execute("UPDATE audit SET title = 'Changed meanwhile' WHERE id = 2")
        other.close()
        seen = session.connection().exec_driver_sql("SELECT title FROM audit WHERE id = 2").scalar()
        assert seen == before.audit.title != "Changed meanwhile"
