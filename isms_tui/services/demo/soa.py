"""The demo's statement of applicability and the audit programme's planning and reporting.

The statement was decided when the ISMS was set up, before the audit programme began, so
every audit of the cycle was planned from the applicable controls only.

Northwind runs its platform in the cloud from one open-plan serviced floor in Leeds and
develops everything in house, so three Annex A controls do not apply. The controls its open
risks rely on are still being put in place; everything else is implemented.
"""

from __future__ import annotations

from sqlmodel import Session, select

from isms_tui import catalogues
from isms_tui.models import AuditProgramme
from isms_tui.services import programme, soa
from isms_tui.services.programme import ProgrammeInput
from isms_tui.services.soa import SoaInput

EXCLUDED = {
    "A.7.6": "No secure areas: there is no server room or on-premises data centre, and the Leeds office is "
    "one open-plan floor; the platform runs in the cloud provider's data centres (see A.5.23).",
    "A.7.12": "The serviced office's power and network cabling belong to the landlord and carry no Northwind "
    "equipment beyond laptops on Wi-Fi; traffic is protected end to end (A.8.20, A.8.24).",
    "A.8.30": "No development is outsourced: the platform is built only by Northwind's own development team "
    "(see A.8.25 to A.8.29); contractors, when used, work inside that team's process.",
}
# Controls whose implementation is not finished, with the risk or reason that calls for them.
UNFINISHED = {
    "A.8.13": ("partially implemented", "Risk R-01: an offline, immutable backup copy is being added."),
    "A.8.8": ("partially implemented", "Risk R-02: weekly scans of internet-facing hosts are being rolled out."),
    "A.5.19": ("partially implemented", "Risk R-03: supplier security requirements are not yet in every contract."),
    "A.5.22": ("planned", "Risk R-03: yearly supplier security reviews start with the critical suppliers."),
    "A.5.7": ("planned", "Threat intelligence feeds are chosen; their triage is not in place yet."),
    "A.8.11": ("not implemented", "Client data in test environments: masking is planned for next year."),
}
RISK_REASONS = {
    "A.8.7": "Risk R-01 (ransomware).",
    "A.5.30": "Risk R-01 (ransomware).",
    "A.8.9": "Risk R-02 (unpatched flaws).",
    "A.5.20": "Risk R-03 (supplier failure).",
    "A.5.17": "Risk R-04 (account takeover).",
    "A.6.3": "Risk R-04 (account takeover).",
    "A.8.5": "Risk R-04 (account takeover).",
    "A.8.15": "Risk R-05 (lost logs).",
}
PLANNING = (
    "Priya Raman plans each audit a month ahead from the priorities tab: scope, criteria, dates, the lead "
    "auditor and team (checked for impartiality against the areas they answer for) and the auditees, who are "
    "told in writing two weeks before the fieldwork. Areas of importance 5 and areas with open "
    "nonconformities are audited at least yearly."
)
REPORTING = (
    "The lead auditor issues the audit report within ten working days of the fieldwork to Priya Raman and the "
    "managers of the areas audited; nonconformities get corrective actions with owners and due dates. The "
    "programme's results and coverage go to every management review (review input 9.3.2 d 3)."
)


def add_soa(session: Session) -> None:
    """Decide every Annex A control: the statement the audit programme was planned against,
    so no audit of the cycle plans a line for an excluded control."""
    for req in catalogues.controls():
        if req.ref in EXCLUDED:
            data = SoaInput(req.ref, False, EXCLUDED[req.ref])
        elif req.ref in UNFINISHED:
            status, why = UNFINISHED[req.ref]
            data = SoaInput(req.ref, True, why, status)
        else:
            data = SoaInput(req.ref, True, RISK_REASONS.get(req.ref, ""), "implemented")
        soa.save_entry(session, data)


def add_programme_records(session: Session) -> None:
    """Record how the programme plans and reports its audits."""
    for prog in session.exec(select(AuditProgramme)).all():
        data_in = ProgrammeInput(
            prog.title,
            prog.cycle_start,
            prog.cycle_years,
            prog.objectives,
            prog.methods,
            prog.responsibilities,
            prog.owner_id,
            PLANNING,
            REPORTING,
        )
        programme.save_programme(session, data_in, prog.id)
