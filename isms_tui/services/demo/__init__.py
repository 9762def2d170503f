"""A realistic demo workspace: a fictional 40-person company with its whole Clause 9 history.

`create_demo` fills an empty workspace with the organisation (`organisation`), two years of
9.1 monitoring (`monitoring`: KPIs from `kpi_specs`, readings, source reports, analyses), the
internal audit programme with its audits, findings and corrective actions (`audits`, from
`audit_specs` and `audit_data`), and the management reviews (`reviews`).

Deterministic by construction (seeded generators, every date derived from `today`) so tests
and snapshots can pin it. Whatever the services can express goes through them, which validate
it; backdated history they cannot express is built with the dates it would have had.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from isms_tui.models import require_id
from isms_tui.services import workspace
from isms_tui.services.errors import InputError

from .audits import create_audit_history
from .competence import add_competence
from .dates import add_months, quarter_end
from .evaluations import add_evaluations
from .monitoring import add_monitoring
from .nonconformities import add_nonconformities
from .organisation import OBJECTIVES, ORG_NAME, PEOPLE, SCOPE, SECURITY_OFFICER
from .reviews import add_reviews
from .risks import add_risks
from .soa import add_programme_records, add_soa
from .targets import add_target_history

__all__ = ["SECURITY_OFFICER", "create_demo"]


def create_demo(session: Session, today: date) -> None:
    """Fill an empty workspace with the demo company and its history up to `today`."""
    if not workspace.is_empty(session):
        raise InputError("This workspace already holds data; the demo only fills an empty workspace.")
    workspace.save_workspace(session, ORG_NAME, SCOPE, audit_cycle_years=3, current_user=SECURITY_OFFICER)
    people = {
        p.name: require_id(workspace.save_person(session, p.name, p.role, p.email, list(p.areas))) for p in PEOPLE
    }
    objectives = {
        o.code: require_id(
            workspace.save_objective(
                session, o.code, o.statement, o.target, people[o.owner], quarter_end(add_months(today, o.due_in_months))
            )
        )
        for o in OBJECTIVES
    }
    # The KPIs and readings stay referenced, so in the session, until the demo is complete:
    # what the audits and reviews read of them (the review's frozen minutes) is the objects
    # as created (a value of 100 stays the int it was), not rows reloaded from the file.
    monitoring = add_monitoring(session, today, people, objectives)  # 9.1: see monitoring
    add_risks(session, today, people)  # 6.1.2 and 8.2: the register review input f and audits draw on
    add_soa(session)  # 6.1.3 d: the statement of applicability, decided before the audit programme
    create_audit_history(session, today, people)  # 9.2 and 10.2: see audits
    add_programme_records(session)  # 9.2.2: how the programme plans and reports its audits
    add_reviews(session, today, people)  # 9.3: see reviews
    add_nonconformities(session, today, people)  # 10.2 beyond audits: an incident, a complaint, a KPI breach
    add_evaluations(session, today, people)  # 9.1, the ISMS as a whole (after what it counts): see evaluations
    add_competence(session, today)  # 7.2, 9.2.2 b and c: see competence
    add_target_history(session, today)  # 9.1: when each target was set, one tightened now: see targets
    del monitoring
