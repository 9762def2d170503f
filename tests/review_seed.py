"""A small management-review workspace for the 9.3 screen tests and snapshots (independent of
the demo, so the snapshots do not move when the demo changes).

Three people, an objective measured by two KPIs with a year of readings, last year's review
(approved on 2025-12-10, its two actions followed up since: one closed, one overdue) and this
year's draft with an entry and commentary. Text with brackets everywhere: it must never be
read as markup.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from isms_tui.models import (
    ActionStatus,
    Attendance,
    ConclusionAspect,
    DecisionKind,
    Effectiveness,
    Frequency,
    Verdict,
)
from isms_tui.services import actions, clock, evaluation, evidence, kpis, periods, readings, review, workspace
from isms_tui.services.actions import ActionInput
from isms_tui.services.kpis import KpiInput
from isms_tui.services.review import ReviewInput
from isms_tui.services.review_people import AttendeeInput, ConclusionInput

from .db_helpers import workspace_session

CONCLUSIONS = [
    ConclusionInput(ConclusionAspect.SUITABILITY, Verdict.PARTLY, "NIS2 must come into scope [clients]."),
    ConclusionInput(ConclusionAspect.ADEQUACY, Verdict.PARTLY, "One engineer carries the security work."),
    ConclusionInput(ConclusionAspect.EFFECTIVENESS, Verdict.YES, "Targets met; audit findings corrected."),
]
PATCH = [96, 93, 88, 97, 95, 91, 85, 96, 98, 97, 99, 94, 92, 97, 98, 99, 90, 96, 97, 98, 99, 97, 95]
MFA = [97, 98, 99, 99.5, 96, 99.2, 99.6, 99.8]


def seed_people(db_path: Path) -> dict[str, int]:
    """The workspace and its three people; returns their ids by short name."""
    with workspace_session(db_path, "seed") as s:
        workspace.save_workspace(s, "Acme [Ltd]", "All information systems of Acme")
        ids = {
            "bea": workspace.save_person(s, "Bea Boss", role="CEO", areas=["Top management"]).id,
            "ann": workspace.save_person(s, "Ann Officer", role="CISO", areas=["ISMS management"]).id,
            "olly": workspace.save_person(s, "Olly Ops", role="IT operations lead").id,
        }
    return ids


def seed_reviews(db_path: Path) -> dict[str, int]:
    """People, measures, last year's approved review and this year's draft; returns ids."""
    ids = seed_people(db_path)
    with workspace_session(db_path, "seed") as s:
        obj = workspace.save_objective(
            s,
            "OBJ-1",
            "Keep systems patched [SLA]",
            "95 % within 14 days",
            owner_id=ids["ann"],
            due_date=date(2027, 6, 30),
        )
        patch = kpis.save_kpi(
            s,
            KpiInput(
                code="PATCH-01",
                name="Critical patches within SLA",
                target=95,
                warning=90,
                unit="%",
                started_on=date(2025, 1, 1),
                objective_id=obj.id,
                collector_id=ids["olly"],
            ),
        )
        mfa = kpis.save_kpi(
            s,
            KpiInput(
                code="MFA-01",
                name="Accounts with MFA",
                target=99,
                warning=97,
                unit="%",
                frequency=Frequency.QUARTERLY,
                started_on=date(2025, 1, 1),
                objective_id=obj.id,
            ),
        )
        for i, value in enumerate(PATCH):
            _record(s, patch, date(2025 + (i // 12), i % 12 + 1, 1), value)
        for i, value in enumerate(MFA):
            _record(s, mfa, date(2025 + (i // 4), (i % 4) * 3 + 1, 1), value)

        with clock.pinned(date(2025, 12, 10)):
            last = review.save_review(
                s,
                ReviewInput(
                    "Management review 2025 [annual]",
                    date(2025, 12, 10),
                    date(2024, 12, 1),
                    date(2025, 11, 30),
                    ids["bea"],
                ),
            )
            entry = review.add_entry(
                s,
                last.id,
                "b",
                "NIS2 applies to us [via clients]",
                "Two hosting clients are essential entities.",
                "Counsel",
            )
            report = evidence.add_bytes(s, "nis2-memo.txt", b"NIS2 memo [draft 2]\n", "Ann Officer")
            evidence.link(s, report, review.ENTRY_EVIDENCE, entry.id)
            review.add_entry(
                s, last.id, "f", "Three risks above appetite", "Ransomware, supplier, key person.", "Risk register [v7]"
            )
            review.set_commentary(s, last.id, "a", "First review: nothing to follow up.")
            review.set_commentary(s, last.id, "b", "Bring NIS2 into scope [before the audit].")
            review.hold(
                s,
                last.id,
                date(2025, 12, 10),
                [
                    AttendeeInput(ids["bea"], "chair [CEO]", True),
                    AttendeeInput(ids["ann"], "secretary", False),
                    AttendeeInput(ids["olly"], "", False, Attendance.APOLOGIES),
                ],
            )
            review.add_decision(
                s,
                last.id,
                DecisionKind.RESOURCES,
                "Hire a part-time security engineer.",
                [ActionInput("Recruit a security engineer", ids["bea"], date(2026, 4, 30))],
            )
            review.add_decision(
                s,
                last.id,
                DecisionKind.CHANGE,
                "Extend the ISMS scope to NIS2 duties.",
                [ActionInput("Update scope and SoA [NIS2]", ids["ann"], date(2026, 9, 30))],
            )
            review.conclude(s, last.id, CONCLUSIONS)
            review.approve(s, last.id, ids["bea"])
        recruit, scope = (acts[0] for _, acts in review.decisions(s, last.id))
        with clock.pinned(date(2026, 5, 20)):
            actions.set_status(s, recruit.id, ActionStatus.IMPLEMENTED)
            actions.record_effectiveness(s, recruit.id, ids["ann"], Effectiveness.EFFECTIVE, "Engineer started.")
            actions.set_status(s, scope.id, ActionStatus.IN_PROGRESS)

        current = review.save_review(
            s,
            ReviewInput(
                "Management review 2026", date(2026, 12, 15), date(2025, 12, 1), date(2026, 11, 28), ids["bea"]
            ),
        )
        review.add_entry(s, current.id, "b", "Cyber insurance asks for MFA evidence [all admins]", "", "Broker")
        review.set_commentary(s, current.id, "d2", "Patching recovered after the Q1 dip.")
        ids.update(last=last.id, current=current.id, recruit=recruit.id, scope=scope.id)
    return ids


def _record(s, kpi, day: date, value: float) -> None:
    """A reading; the running period's value is a partial one, as the rule requires."""
    running = not evaluation.is_closed(kpi, periods.period_start(day, kpi.frequency), clock.today())
    readings.record_reading(s, kpi.id, day, value, partial=running)
