"""The demo's evaluations of the ISMS as a whole: one per closed quarter of the review year,
written from the demo's own data, and in the draft review's input d2."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from isms_tui.models import Action, ManagementReview, ReviewStatus
from isms_tui.services import isms_evaluation, objective_fulfilment, review_inputs
from isms_tui.services.demo import SECURITY_OFFICER

from .conftest import TODAY


def test_each_closed_quarter_of_the_year_is_evaluated_by_the_security_officer(demo: Session) -> None:
    found = sorted(isms_evaluation.list_evaluations(demo), key=lambda e: e.period_from)
    assert [(e.period_from, e.period_to) for e in found] == [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
    ]
    people = review_inputs.people_by_id(demo)
    assert {people[e.evaluator_id] for e in found} == {SECURITY_OFFICER}
    assert all(e.period_to < e.evaluated_on <= TODAY for e in found)
    due = isms_evaluation.evaluation_due(demo, TODAY)
    assert due is not None and not due.due and due.period == "2026-Q4"
    # the demo's follow-ups raise no actions: its register tells its own story
    assert demo.exec(select(Action).where(Action.source == isms_evaluation.SOURCE)).all() == []


def test_the_conclusions_say_what_the_data_says(demo: Session) -> None:
    for e in isms_evaluation.list_evaluations(demo):
        objectives = objective_fulfilment.fulfilment(demo, e.period_from, e.period_to)
        short = [o.objective.code for o in objectives if o.verdict in ("not met", "partly met")]
        assert e.basis.startswith(f"Period {e.period_from.isoformat()} to {e.period_to.isoformat()}.")
        if short:
            assert ", ".join(short) + " not fully met" in e.effectiveness
            assert e.follow_up.splitlines() == [f"Review the measures behind {c} with its owner" for c in short]
        else:
            assert e.effectiveness.startswith("Effective: every objective was met")


def test_the_draft_review_sees_them_in_its_monitoring_input(demo: Session) -> None:
    draft = demo.exec(select(ManagementReview).where(ManagementReview.status == ReviewStatus.DRAFT)).one()
    rows = review_inputs.assemble(demo, draft)["d2"]["isms_evaluations"]
    assert [r["period_from"] for r in rows] == ["2026-01-01", "2026-04-01", "2026-07-01"]
