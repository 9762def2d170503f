"""Competence records (7.2): validated, with evidence, and audits done counted, not typed."""

from datetime import date, timedelta

import pytest

from isms_tui.services import audits, checklists, competence, evidence, workspace
from isms_tui.services.audits import AuditInput
from isms_tui.services.competence import RecordInput
from isms_tui.services.errors import InputError

from .conftest import TODAY


def test_a_record_is_checked_field_by_field(session):
    ada = workspace.save_person(session, "Ada Auditor").id
    with pytest.raises(InputError) as refused:
        competence.save_record(session, ada, RecordInput("course", " ", None))
    assert set(refused.value.fields) == {"kind", "title", "obtained_on"}
    with pytest.raises(InputError, match="not a future date"):
        competence.save_record(session, ada, RecordInput("training", "Auditing", TODAY + timedelta(days=1)))
    with pytest.raises(InputError, match="expire before"):
        competence.save_record(
            session, ada, RecordInput("qualification", "Lead auditor", TODAY, expires_on=TODAY - timedelta(days=1))
        )
    assert competence.records(session, ada) == []


def test_the_summary_counts_audits_led_and_joined_and_lapsed_qualifications(session, tmp_path):
    ada = workspace.save_person(session, "Ada Auditor", role="Internal auditor").id
    bob = workspace.save_person(session, "Bob Second").id
    for lead, team in ((ada, [bob]), (bob, [ada])):
        audit = audits.plan_audit(
            session,
            AuditInput(
                "Audit",
                date(2026, 3, 2),
                date(2026, 3, 3),
                checklists.BUILTIN_ANNEX_A,
                ["A.8.8"],
                [],
                lead_auditor_id=lead,
                team_ids=team,
            ),
        )
        audits.start_audit(session, audit.id)
        audits.complete_audit(session, audit.id, "", "Fine.")
    audits.plan_audit(  # planned only: not an audit done
        session,
        AuditInput(
            "Later", date(2027, 3, 2), date(2027, 3, 3), checklists.BUILTIN_ANNEX_A, ["A.8.8"], lead_auditor_id=ada
        ),
    )
    cert = competence.save_record(
        session, ada, RecordInput("qualification", "ISO/IEC 27001 Lead Auditor", date(2024, 5, 1), "Exam body")
    )
    competence.save_record(
        session, ada, RecordInput("qualification", "Old cert", date(2019, 1, 1), expires_on=date(2022, 1, 1))
    )
    competence.save_record(session, ada, RecordInput("training", "Audit sampling", date(2026, 2, 10)))
    competence.save_record(session, ada, RecordInput("external audit", "Supplier audit, Hosting Co", date(2025, 9, 1)))
    sheet = tmp_path / "certificate.pdf"
    sheet.write_bytes(b"%PDF-1.4 certificate")
    competence.attach(session, cert.id, str(sheet), "test")
    assert [e.original_name for e in evidence.linked(session, competence.ENTITY, cert.id)] == ["certificate.pdf"]
    summary = competence.summary(session, ada)
    assert summary.text(TODAY) == (
        "qualified: ISO/IEC 27001 Lead Auditor (2024), 1 qualification expired, 1 training record, latest "
        "Audit sampling (2026-02-10), 2 internal audits (1 led), 1 external audit, 1 evidence file"
    )
    with pytest.raises(InputError, match="evidence attached"):
        competence.delete_record(session, cert.id)
    assert competence.summary(session, bob).text(TODAY) == "2 internal audits (1 led)"

    before = competence.summary(session, ada, as_of=date(2025, 1, 1))  # what an audit then could rely on
    assert before.text(date(2025, 1, 1)) == (
        "qualified: ISO/IEC 27001 Lead Auditor (2024), 1 qualification expired, 1 evidence file"
    )
