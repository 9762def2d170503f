"""A small audit workspace for the 9.2 screen tests and snapshots (independent of the demo).

People with areas of responsibility (so impartiality can be tested), four areas, a 2026–2028
programme, a completed and reported clause audit with a finding, an operations audit in
progress and a planned HR audit whose lead auditor is responsible for HR.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from isms_tui.models import AuditMethod, AuditResult, Grading
from isms_tui.services import audit_reporting, audits, checklists, clock, programme, workspace
from isms_tui.services.audits import AuditInput
from isms_tui.services.programme import ProgrammeInput

from .db_helpers import workspace_session

OPS_REFS = [
    "A.5.15",
    "A.5.17",
    "A.5.18",
    "A.8.2",
    "A.8.5",
    "A.8.7",
    "A.8.8",
    "A.8.9",
    "A.8.12",
    "A.8.13",
    "A.8.14",
    "A.8.15",
    "A.8.16",
    "A.8.20",
    "A.8.24",
    "A.8.25",
    "A.8.28",
    "A.8.29",
    "A.8.31",
    "A.8.32",
]


def seed_people_and_programme(db_path: Path) -> dict[str, int]:
    """Workspace, people, areas and the programme; returns ids by short name."""
    with workspace_session(db_path, "seed") as s:
        workspace.save_workspace(s, "Acme Ltd", "All information systems of Acme Ltd", audit_cycle_years=3)
        ids = {
            "ada": workspace.save_person(s, "Ada Auditor", role="Internal auditor", areas=["Internal audit"]).id,
            "olly": workspace.save_person(s, "Olly Ops", role="IT operations lead", areas=["IT operations"]).id,
            "bea": workspace.save_person(s, "Bea Boss", role="CEO", areas=["Top management"]).id,
            "hana": workspace.save_person(s, "Hana HR", role="HR manager", areas=["Human resources"]).id,
        }
        programme.save_area(s, "IT operations", 4, ["A.8.8", "A.8.13", "A.8.15", "A.8.16"])
        programme.save_area(s, "Human resources", 3, ["A.6.1", "A.6.2", "A.6.3", "A.6.4", "A.6.5"])
        programme.save_area(s, "Top management", 5, ["5.1", "5.2", "5.3", "9.3.1", "9.3.2", "9.3.3"])
        programme.save_area(s, "Physical security", 2, ["A.7.1", "A.7.2", "A.7.3"])
        ids["programme"] = programme.save_programme(
            s,
            ProgrammeInput(
                "ISMS internal audit programme 2026–2028",
                date(2026, 1, 1),
                3,
                objectives="Cover every clause and Annex A control over the cycle [risk-based].",
                methods="Checklist audits on samples.",
                responsibilities="Bea owns the programme; Ada leads audits.",
                owner_id=ids["bea"],
            ),
        ).id
    return ids


def seed_audits(db_path: Path) -> dict[str, int]:
    """The full audit workspace; returns ids by short name (people, programme and audits)."""
    ids = seed_people_and_programme(db_path)
    with workspace_session(db_path, "seed") as s:
        clauses = audits.plan_audit(
            s,
            AuditInput(
                "Management system 2026",
                date(2026, 3, 9),
                date(2026, 3, 11),
                checklists.BUILTIN_CLAUSES,
                lead_auditor_id=ids["ada"],
                team_ids=[ids["olly"]],
                auditees="Bea Boss, Hana HR",
                programme_id=ids["programme"],
            ),
        )
        audits.start_audit(s, clauses.id)
        for item in audits.items(s, clauses.id):
            result = {"7.5.3": AuditResult.MINOR_NC, "9.1": AuditResult.OFI}.get(item.ref, AuditResult.CONFORMING)
            audits.record_result(s, item.id, result, notes=f"Checked {item.ref} with Bea [sample of 3]")
        nc = next(i for i in audits.items(s, clauses.id) if i.ref == "7.5.3")
        audits.raise_finding(
            s,
            clauses.id,
            Grading.MINOR_NC,
            "Obsolete policy versions still on the intranet",
            "Two superseded policies found",
            item_id=nc.id,
        )
        audits.complete_audit(
            s,
            clauses.id,
            "All clauses audited over three days.",
            "The management system conforms; one minor nonconformity on document control.",
        )
        audit_reporting.report_results(s, clauses.id, [ids["bea"]], clock.today(), "management meeting")
        ops = audits.plan_audit(
            s,
            AuditInput(
                "Operations and backups",
                date(2026, 11, 23),
                date(2026, 11, 27),
                checklists.BUILTIN_ANNEX_A,
                scope_refs=OPS_REFS,
                scope_areas=["IT operations"],
                lead_auditor_id=ids["ada"],
                auditees="Olly Ops",
                programme_id=ids["programme"],
            ),
        )
        audits.start_audit(s, ops.id)
        keys = [
            AuditResult.CONFORMING,
            AuditResult.CONFORMING,
            AuditResult.OBSERVATION,
            AuditResult.CONFORMING,
            AuditResult.NOT_APPLICABLE,
            AuditResult.CONFORMING,
            AuditResult.MINOR_NC,
        ]
        for item, result in zip(audits.items(s, ops.id), keys, strict=False):
            audits.record_result(s, item.id, result)
        patching = next(i for i in audits.items(s, ops.id) if i.ref == "A.8.8")
        audits.record_result(
            s,
            patching.id,
            AuditResult.MINOR_NC,
            notes="3 of 10 servers [db-1, db-2, web-4] missed the 30-day patch window",
            methods=[AuditMethod.DOCUMENT_REVIEW, AuditMethod.REPERFORMANCE],
            sample_population="212 servers",
            sample_size=10,
            sample_items="random pick",
        )
        hr = audits.plan_audit(
            s,
            AuditInput(
                "People controls",
                date(2027, 2, 8),
                date(2027, 2, 9),
                checklists.BUILTIN_ANNEX_A,
                scope_refs=["A.6.1", "A.6.2", "A.6.3", "A.6.4", "A.6.5", "A.6.6"],
                lead_auditor_id=ids["hana"],
                programme_id=ids["programme"],
            ),
        )
        ids.update(clauses=clauses.id, ops=ops.id, hr=hr.id)
    return ids
