"""The demo's nonconformities from outside the audits (10.2): an incident, a client complaint
and a KPI breach, each in a different state of its corrective action.

- the incident (a backup job failing silently) was corrected, checked effective, reopened when
  a new job showed the same gap, and closed again after a second check;
- the complaint (a maintenance window nobody announced) is implemented and waits for its check
  after a settling period;
- the latest off-target analysis of VULN-01 raised a corrective action that is in progress.

Every step goes through the services, run as on the day it happened (clock.pinned), so the
settling periods and the check's rules hold in the demo as they do for a user.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from isms_tui.models import ActionStatus, Analysis, Effectiveness, Kpi, require_id
from isms_tui.services import actions, clock, nonconformities
from isms_tui.services.actions import ActionInput

from .organisation import SECURITY_OFFICER


def add_nonconformities(session: Session, today: date, people: dict[str, int]) -> None:
    """The incident, the complaint and the KPI breach, dated back from `today`."""
    _incident(session, today, people)
    _complaint(session, today, people)
    _kpi_breach(session, today, people)


def _raise(session: Session, source: str, detected: date, owner_id: int, due_days: int, **record: str) -> int:
    """Raise the nonconformity on the day it was detected and start work on it; its action's id."""
    with clock.pinned(detected):
        action = nonconformities.raise_nonconformity(
            session,
            source,
            ActionInput(
                owner_id=owner_id,
                due_date=detected + timedelta(days=due_days),
                detected_on=detected,
                settling_days=30,
                **record,
            ),
        )
        action_id = require_id(action)
        actions.set_status(session, action_id, ActionStatus.IN_PROGRESS)
    return action_id


def _incident(session: Session, today: date, people: dict[str, int]) -> None:
    detected = today - timedelta(days=130)
    action_id = _raise(
        session,
        "incident",
        detected,
        people["Elena Varga"],
        30,
        title="Alert on every failed backup job",
        source_ref=f"INC-{detected.year}-031",
        description="The ticketing system's nightly backup failed for nine nights without an alert; "
        "the service desk noticed when a restore was asked for. No data was lost.",
        correction="Backup re-run and a restore tested the same day.",
        extent="All 14 backup jobs checked: two others had no failure alert either.",
        root_cause="Failure alerts were set per job by hand, and new jobs were added without one.",
        corrective_action="Failure alerting set once on the backup server for every job; "
        "the new-job checklist asks for a test failure.",
        isms_change="Operations procedure OPS-04 now includes a daily review of the backup report.",
    )
    with clock.pinned(detected + timedelta(days=12)):
        actions.set_status(session, action_id, ActionStatus.IMPLEMENTED)
    with clock.pinned(detected + timedelta(days=45)):
        actions.record_effectiveness(
            session,
            action_id,
            people[SECURITY_OFFICER],
            Effectiveness.EFFECTIVE,
            "A job stopped on purpose raised an alert within ten minutes; 30 daily reports reviewed.",
        )
    with clock.pinned(detected + timedelta(days=70)):
        actions.reopen_action(
            session,
            action_id,
            "The cloud backup target added last month ran without an alert: "
            "the server-wide rule does not cover jobs that write to it.",
            SECURITY_OFFICER,
        )
    with clock.pinned(detected + timedelta(days=78)):
        actions.set_status(session, action_id, ActionStatus.IMPLEMENTED)
    with clock.pinned(detected + timedelta(days=110)):
        actions.record_effectiveness(
            session,
            action_id,
            people[SECURITY_OFFICER],
            Effectiveness.EFFECTIVE,
            "Failures forced on both targets alerted; no job without an alert in the report.",
        )


def _complaint(session: Session, today: date, people: dict[str, int]) -> None:
    detected = today - timedelta(days=40)
    action_id = _raise(
        session,
        "complaint",
        detected,
        people["Ravi Menon"],
        45,
        title="Announce every change that interrupts a client's service",
        source_ref=f"CMP-{detected.year}-007",
        description="A client complained that a maintenance window was not announced; "
        "their users could not reach the platform for two hours.",
        correction="The client was given the change record and an apology the same day.",
        extent="Changes of the last quarter checked: 3 of 41 that interrupted a service had no notice.",
        root_cause="The client notice was a manual step after approval, and changes moved "
        "from emergency to standard skipped it.",
        corrective_action="A change cannot be scheduled until its client notice has been sent.",
        isms_change="The change management procedure makes the client notice a gate before scheduling.",
    )
    with clock.pinned(detected + timedelta(days=30)):
        actions.set_status(session, action_id, ActionStatus.IMPLEMENTED)


def _kpi_breach(session: Session, today: date, people: dict[str, int]) -> None:
    """The newest analysis of VULN-01 that found it off target raises its corrective action."""
    rows = session.exec(
        select(Analysis)
        .join(Kpi, col(Kpi.id) == Analysis.kpi_id)
        .where(Kpi.code == "VULN-01")
        .order_by(col(Analysis.analysed_on).desc(), col(Analysis.id).desc())
    )
    analysis = next((a for a in rows if nonconformities.analysis_breach(session, a)), None)
    if analysis is None:
        return  # the demo's history has no breach of it yet
    with clock.pinned(analysis.analysed_on):
        action = nonconformities.raise_from_analysis(
            session,
            require_id(analysis),
            ActionInput(
                title="Bring the time to remediate high vulnerabilities back under 30 days",
                owner_id=people["Marcus Lindqvist"],
                due_date=analysis.analysed_on + timedelta(days=45),
                correction="The open high findings of the penetration test were given owners and dates.",
                extent="Critical findings are within target; only high findings from the test wait.",
                root_cause="Findings from external tests go to a shared mailbox, not to the patch queue.",
                settling_days=60,
            ),
        )
        actions.set_status(session, require_id(action), ActionStatus.IN_PROGRESS)
