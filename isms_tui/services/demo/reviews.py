"""The demo workspace's management reviews (9.3): one approved a year ago, one in preparation.

Called by `create_demo` once the people, the 9.1 history and the audits exist. It adds:
- last year's review, held about 11 months before `today` over the 12 months that ended a
  month earlier, with entries for the inputs whose facts live elsewhere (b, c, e, f, g), a risk
  report attached, management's commentary, decisions of each kind with their actions, and
  approval a week after the meeting (frozen with its SHA-256);
- the follow-up of those actions since: two closed after an effective check, one in progress
  and overdue, one in progress and not yet due, so this year's input (a) has a story to tell;
- this year's review, a draft planned three weeks after `today` over the last 12 months, with
  a couple of entries already collected.

Everything goes through the services. The past review is built with the clock pinned to the
meeting and approval days (`clock.pinned`, this thread only): approval freezes what the
services assemble, which must read as it did then, and an approved review can no longer be
changed afterwards. Deterministic: no randomness, every date derived from `today`.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from sqlmodel import Session

from isms_tui.models import (
    ActionStatus,
    DecisionKind,
    Effectiveness,
    require_id,
)
from isms_tui.services import actions, clock, evidence, review
from isms_tui.services.actions import ActionInput
from isms_tui.services.review import ReviewInput

from . import review_conclusions
from .dates import add_months, weekday_on_or_after, working_day_on_or_before
from .monitoring import add_new_kpis
from .risks import update_risks

CHAIR = "Tom Okafor"
SECRETARY = "Priya Raman"

PAST_ENTRIES: tuple[tuple[str, str, str, str], ...] = (
    (
        "b",
        "NIS2 transposition brings our hosting clients into scope",
        "Three hosting clients are essential entities under the national NIS2 law; their contracts will flow "
        "incident reporting (24 h early warning) and supply-chain security duties down to us.",
        "Legal update from external counsel",
    ),
    (
        "b",
        "Leeds office moves to a shared building in the spring",
        "Reception, badge access and CCTV will be run by the landlord; our comms room moves to a colocation rack.",
        "Facilities plan",
    ),
    (
        "c",
        "Enterprise clients now require an annual penetration test report",
        "Two of the five largest clients added the requirement at renewal; a third asked for our SOC 2 plans.",
        "Client contract reviews",
    ),
    (
        "e",
        "Client security questionnaires: 11 answered, 2 follow-up questions on backups",
        "Both follow-ups asked for evidence of restore testing within the RTO.",
        "Account management",
    ),
    (
        "e",
        "Staff survey: MFA prompts on the analytics platform seen as a burden",
        "31 of 40 answered; 12 mention repeated MFA prompts; no one asks to remove MFA.",
        "Annual staff survey",
    ),
    (
        "f",
        "Risk assessment refreshed: four risks above appetite",
        "Ransomware encrypting production data and its backups (R-01), unpatched internet-facing systems "
        "(R-02), a critical supplier's security failure (R-03), and dependency on one DevOps engineer for "
        "the cloud platform (R-06).",
        "Risk register [v7]",
    ),
    (
        "f",
        "Risk treatment: R-01 and R-02 in treatment, R-03 shared through contracts, R-06 waiting for resources",
        "Phishing-led account takeover (R-04) is treated; the loss of security logs (R-05) is accepted by its owner.",
        "Risk treatment plan",
    ),
    (
        "g",
        "Automate the monthly restore tests",
        "Scripted restores into the isolated network would make the test cheaper and its evidence complete.",
        "Operations retrospective",
    ),
)
PAST_COMMENTARY: dict[str, str] = {
    "a": "First management review under ISO/IEC 27001:2022: no earlier actions to follow up.",
    "b": "NIS2 is the main external change of the year; management wants it in the scope and the risk "
    "assessment before the next surveillance audit.",
    "d2": "Patching and phishing results stayed below target through the year; restore tests mostly met "
    "their target, and clients now ask for their evidence.",
    "d3": "The management-system audit raised a minor NC on documented information, since closed after an "
    "effective check; its observation that LOG-01 and FW-01 are measured but not analysed stays open "
    "for the next audit.",
    "f": "Management tolerates the key-person dependency (R-06) only until the security engineer is recruited.",
}
RISK_REPORT = """Northwind Analytics Ltd - information security risk report (extract)
Risk register version 7, reviewed by the CISO and the Managing Director.

Risk appetite: level 9 (likelihood x impact). Risks above appetite:
- R-01 Ransomware encrypts production data and its backups        likelihood 4  impact 5  level 20
- R-02 Internet-facing systems exploited through unpatched flaws   likelihood 4  impact 4  level 16
- R-06 Only one engineer can operate the cloud platform            likelihood 4  impact 4  level 16
- R-03 A critical supplier's security failure exposes client data  likelihood 3  impact 4  level 12

Within appetite: R-04 (treated, residual level 6); R-05 (level 6, accepted by its owner).
"""
NEW_ENTRIES: tuple[tuple[str, str, str, str], ...] = (
    (
        "b",
        "Cyber insurance renewal asks for MFA evidence on every admin account",
        "The insurer's questionnaire is due before the renewal date; Microsoft 365 and AWS exports are needed.",
        "Insurance broker",
    ),
    (
        "f",
        "Risk assessment refreshed: three risks above appetite",
        "R-06 is treated since the security engineer joined (residual level 8). R-01 fell from 20 to 15 while "
        "the offline backup copy is built; R-02 stays at 16 and R-03 at 12 until supplier reviews catch up.",
        "Risk register [v8]",
    ),
)


def add_reviews(session: Session, today: date, people: dict[str, int]) -> None:
    """Last year's approved review with its actions followed up, and this year's draft."""
    held = working_day_on_or_before(add_months(today, -11))  # not on a day the office is closed
    period_to = add_months(today, -12)
    past = _past_review(session, held, period_to, people)
    with clock.pinned(today):  # the demo's today, whatever the real clock says
        update_risks(session, today, people)  # the register moved on since that review
        add_new_kpis(session, today)  # and KPIs were defined
        _follow_up(session, past, held, today, people)
        planned = weekday_on_or_after(today + timedelta(days=21))
        draft = review.save_review(
            session,
            ReviewInput(
                title=f"Management review {calendar.month_name[planned.month]} {planned.year}",
                planned_on=planned,
                period_from=period_to + timedelta(days=1),
                period_to=today,
                chair_id=people[CHAIR],
            ),
        )
        for section, title, detail, source in NEW_ENTRIES:
            review.add_entry(session, require_id(draft), section, title, detail, source)


def _past_review(session: Session, held: date, period_to: date, people: dict[str, int]) -> int:
    """Prepared, held and decided on the meeting day; approved a week later."""
    with clock.pinned(held):
        r = review.save_review(
            session,
            ReviewInput(
                title=f"Management review {calendar.month_name[held.month]} {held.year}",
                planned_on=held,
                period_from=add_months(period_to, -12) + timedelta(days=1),
                period_to=period_to,
                chair_id=people[CHAIR],
            ),
        )
        for section, title, detail, source in PAST_ENTRIES:
            entry = review.add_entry(session, require_id(r), section, title, detail, source)
            if section == "f" and title.startswith("Risk assessment"):
                report = evidence.add_bytes(session, "risk-report-v7.txt", RISK_REPORT.encode(), SECRETARY)
                evidence.link(session, report, review.ENTRY_EVIDENCE, require_id(entry))
        for section, text in PAST_COMMENTARY.items():
            review.set_commentary(session, require_id(r), section, text)
        review_conclusions.hold(session, require_id(r), held, people)
        review.add_decision(
            session,
            require_id(r),
            DecisionKind.RESOURCES,
            "Fund a part-time security engineer to remove the key-person dependency.",
            [
                ActionInput(
                    "Recruit a part-time security engineer", people["Sophie Laurent"], held + timedelta(days=120)
                )
            ],
        )
        review.add_decision(
            session,
            require_id(r),
            DecisionKind.CHANGE,
            "Bring the NIS2 obligations of our hosting clients into the ISMS.",
            [
                ActionInput(
                    "Assess the NIS2 obligations passed on by hosting clients",
                    people["Olivia Chen"],
                    held + timedelta(days=90),
                ),
                ActionInput(
                    "Update the ISMS scope and the Statement of Applicability for NIS2",
                    people["Priya Raman"],
                    held + timedelta(days=180),
                ),
            ],
        )
        review.add_decision(
            session,
            require_id(r),
            DecisionKind.IMPROVEMENT,
            "Automate the monthly restore tests and keep their logs as evidence.",
            [
                ActionInput(
                    "Automate restore tests for the analytics cluster",
                    people["Elena Varga"],
                    held + timedelta(days=400),
                )
            ],
        )
    with clock.pinned(held + timedelta(days=7)):
        review_conclusions.conclude_and_approve(session, require_id(r), people)
    return require_id(r)


def _follow_up(session: Session, review_id: int, held: date, today: date, people: dict[str, int]) -> None:
    """Two actions closed after an effective check, the scope update overdue, automation under way."""
    checker = people[SECRETARY]
    closed = {
        "Recruit a part-time security engineer": (135, "Engineer started; on-call rota shared since."),
        "Assess the NIS2 obligations passed on by hosting clients": (
            100,
            "Assessment approved; obligations listed in the legal register.",
        ),
    }
    for _, acts in review.decisions(session, review_id):
        for a in acts:
            # Each step on the day it happened: work starts after approval, the two closed ones
            # were implemented three weeks before their check.
            with clock.pinned(min(held + timedelta(days=14), today)):
                actions.set_status(session, require_id(a), ActionStatus.IN_PROGRESS)
            if a.title in closed:
                days, notes = closed[a.title]
                checked = min(held + timedelta(days=days), today)
                with clock.pinned(max(checked - timedelta(days=21), held + timedelta(days=14))):
                    actions.set_status(session, require_id(a), ActionStatus.IMPLEMENTED)
                with clock.pinned(checked):
                    actions.record_effectiveness(session, require_id(a), checker, Effectiveness.EFFECTIVE, notes)
