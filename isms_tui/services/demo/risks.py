"""The demo's risk register: the risks the company's KPIs watch and its audits prioritise.

Each risk relies on controls the demo audits cover and names the KPIs that watch it, so
review input f, the audit priorities and the KPI pages tell the same story. The register is
created as it stood at last year's management review (whose approval freezes it) and brought
up to date after it, so the approved minutes and this year's draft each quote their own levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from isms_tui.models import require_id
from isms_tui.services import actions, risks
from isms_tui.services.actions import ActionInput
from isms_tui.services.risks import RiskInput

from .dates import add_months


@dataclass(frozen=True)
class RiskSpec:
    ref: str
    title: str
    owner: str
    likelihood: int
    impact: int
    treatment: str
    status: str
    due_in_months: int | None  # treatment due, from today (negative: already past)
    residual: tuple[int, int] | None
    controls: tuple[str, ...]
    kpis: tuple[str, ...]
    action: str = ""  # a treatment action, if one was raised
    # (likelihood, status) as the risk stood at last year's management review, when it has
    # moved since: the register starts there and is brought up to date after that review.
    then: tuple[int, str] | None = None


RISKS: tuple[RiskSpec, ...] = (
    RiskSpec(
        "R-01", "Ransomware encrypts production data and its backups", "Elena Varga", 3, 5, "modify",
        "in treatment", 4, (2, 4), ("A.8.13", "A.8.7", "A.5.30"), ("BACKUP-01", "EDR-01"),
        "Keep one backup copy offline and immutable", (4, "in treatment"),
    ),
    RiskSpec(
        "R-02", "Internet-facing systems exploited through unpatched flaws", "Marcus Lindqvist", 4, 4, "modify",
        "in treatment", -1, (2, 4), ("A.8.8", "A.8.9"), ("PATCH-01", "VULN-01"),
        "Scan internet-facing hosts weekly and patch critical flaws within 14 days",
    ),
    RiskSpec(
        "R-03", "A critical supplier's security failure exposes client data", "James Whitfield", 3, 4, "share",
        "open", 6, (2, 4), ("A.5.19", "A.5.20", "A.5.22"), ("SUPP-01",),
    ),
    RiskSpec(
        "R-04", "Phishing leads to the takeover of staff accounts", "Ravi Menon", 4, 3, "modify",
        "treated", None, (2, 3), ("A.5.17", "A.6.3", "A.8.5"), ("MFA-01", "PHISH-01", "TRAIN-01"),
    ),
    RiskSpec(
        "R-05", "Security logs lost before an incident is investigated", "Daniel Kowalski", 2, 3, "retain",
        "accepted", None, None, ("A.8.15",), ("LOG-01",),
    ),
    RiskSpec(
        "R-06", "Only one engineer can operate the cloud platform", "Elena Varga", 4, 4, "modify",
        "treated", None, (2, 4), ("A.5.37", "A.5.2"), (), "", (4, "open"),
    ),
)  # fmt: skip


def add_risks(session: Session, today: date, people: dict[str, int]) -> None:
    """The register as it stood at last year's review, with a treatment action for the risks
    being treated; `update_risks` brings it to today once that review is on record."""
    for spec in RISKS:
        risk = risks.save_risk(session, _input(spec, today, people, then=True))
        if spec.action:
            due = add_months(today, spec.due_in_months or 1)
            actions.create_action(session, "risk", require_id(risk), ActionInput(spec.action, people[spec.owner], due))


def update_risks(session: Session, today: date, people: dict[str, int]) -> None:
    """The risks that moved since last year's review, as they stand today."""
    by_ref = {r.ref: require_id(r) for r in risks.list_risks(session)}
    for spec in RISKS:
        if spec.then is not None:
            risks.save_risk(session, _input(spec, today, people, then=False), by_ref[spec.ref])


def _input(spec: RiskSpec, today: date, people: dict[str, int], then: bool) -> RiskInput:
    likelihood, status = spec.then if then and spec.then else (spec.likelihood, spec.status)
    residual = spec.residual or (None, None)
    return RiskInput(
        ref=spec.ref,
        title=spec.title,
        likelihood=likelihood,
        impact=spec.impact,
        owner_id=people[spec.owner],
        treatment=spec.treatment,
        status=status,
        due_date=add_months(today, spec.due_in_months) if spec.due_in_months is not None else None,
        residual_likelihood=residual[0],
        residual_impact=residual[1],
        next_review=add_months(today, 6),
        controls=list(spec.controls),
        kpis=list(spec.kpis),
    )
