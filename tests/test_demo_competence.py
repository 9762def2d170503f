"""The demo's competence, impartiality and reporting records fit its people and audits."""

from __future__ import annotations

from sqlmodel import Session

from isms_tui.models import AuditStatus
from isms_tui.services import audit_reporting, audit_views, audits, competence, responsibilities, workspace

from .conftest import TODAY


def test_the_demo_auditors_have_competence_on_record_and_the_isms_owner_is_set(demo: Session) -> None:
    olivia = workspace.person_by_name(demo, "Olivia Chen")
    text = competence.summary(demo, olivia.id).text(TODAY)
    assert "qualified: ISO/IEC 27001:2022 Lead Auditor (certified)" in text and "led)" in text
    assert "1 external audit" in text
    priya = workspace.person_by_name(demo, "Priya Raman")
    assert responsibilities.isms_manager_id(demo) == priya.id
    assert responsibilities.person_duties(demo, priya.id).runs_isms


def test_every_started_demo_audit_is_impartial_line_by_line_and_team_members_assess(demo: Session) -> None:
    started = [a for a in audits.list_audits(demo) if a.status != AuditStatus.PLANNED]
    for audit in started:
        assert not audits.impartiality_conflicts(demo, audit) or audit.independence_declaration, audit.title
    [reported] = [a for a in started if a.status == AuditStatus.REPORTED]
    view = audit_views.audit_view(demo, reported.id)
    counts = dict(view.assessor_counts())
    assert counts["Ravi Menon"] >= 3 and counts["Olivia Chen"] > counts["Ravi Menon"]
    record = audit_reporting.reporting(demo, reported.id)
    assert [r.name for r in record.recipients] == ["Priya Raman", "Tom Okafor"]
    assert record.reported_on > reported.actual_end and "management meeting" in record.how
