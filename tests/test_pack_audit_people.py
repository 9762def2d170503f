"""The audit pack says who assessed each line, who did not assess what and why, the team's
competence on record and to whom, when and how the results were reported (7.2, 9.2.2 b, c)."""

from __future__ import annotations

from datetime import date

from isms_tui.models import AuditResult
from isms_tui.services import audit_reporting, audits, checklists, competence, impartiality, programme, workspace
from isms_tui.services.audits import AuditInput
from isms_tui.services.competence import RecordInput

from .conftest import TODAY
from .pack_helpers import flat, pdf_pages


def _seed(s) -> int:
    workspace.save_workspace(s, "Acme Ltd", "Everything")
    ada = workspace.save_person(s, "Ada Auditor", role="Internal auditor").id
    olly = workspace.save_person(s, "Olly Ops", role="IT lead", areas=["IT operations"]).id
    bea = workspace.save_person(s, "Bea Boss", role="CEO").id
    programme.save_area(s, "IT operations", 4, ["A.8.13"])
    competence.save_record(
        s, ada, RecordInput("qualification", "ISO/IEC 27001 Lead Auditor", date(2024, 5, 2), "Exam body")
    )
    audit = audits.plan_audit(
        s,
        AuditInput(
            "Backups and networks",
            date(2026, 11, 2),
            date(2026, 11, 4),
            checklists.BUILTIN_ANNEX_A,
            scope_refs=["A.8.13", "A.8.20"],
            lead_auditor_id=ada,
            team_ids=[olly],
        ),
    )
    backups, networks = audits.items(s, audit.id)
    impartiality.assign(s, networks.id, olly)
    audits.start_audit(s, audit.id)
    audits.record_result(s, backups.id, AuditResult.OBSERVATION, notes="Restore log informal")
    audits.record_result(s, networks.id, AuditResult.CONFORMING)
    audits.complete_audit(s, audit.id, "", "Backups and networks conform.")
    audit_reporting.report_results(s, audit.id, [bea], TODAY, "management meeting")
    return audit.id


def test_the_audit_pack_names_assessors_competence_and_the_reporting(session) -> None:
    from isms_tui.reports.pack import build_pack

    audit_id = _seed(session)
    content = build_pack(
        session, "audit", signer="Acme Ltd", fingerprint="0" * 64, issued_by="tester", audit_id=audit_id
    )
    text = flat(" ".join(pdf_pages(content.pdf)))
    assert "Who did not assess what, and why" in text
    assert "Olly Ops the area IT operations A.8.13 Ada Auditor" in text
    assert "Assessed by: Ada Auditor" in text and "Assessed by: Olly Ops" in text
    # as on record when the audit started: this audit itself is not yet experience
    assert "Ada Auditor 1 qualified: ISO/IEC 27001 Lead Auditor (2024)" in text
    assert "Olly Ops 1 no competence recorded" in text
    assert "Results reported on" in text and "management meeting" in text and "Bea Boss (CEO)" in text
