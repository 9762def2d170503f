"""Evaluations of the ISMS as a whole (9.1): validation, follow-up actions, the period they
speak of, when the next one is due, and where they show (status, review input d2)."""

from datetime import date

import pytest
from sqlmodel import select

from isms_tui.models import Action, Frequency
from isms_tui.services import evaluation_basis, isms_evaluation, kpis, readings, review, review_inputs, workspace
from isms_tui.services.action_register import source_label
from isms_tui.services.errors import InputError
from isms_tui.services.isms_evaluation import EvaluationInput
from isms_tui.services.kpis import KpiInput
from isms_tui.services.review import ReviewInput
from isms_tui.services.status import render_text, summary

TODAY = date(2026, 11, 28)


@pytest.fixture
def ann(session):
    workspace.save_workspace(session, "Acme Ltd")
    return workspace.save_person(session, "Ann Officer").id


def _input(**kw):
    base = dict(
        period_from=date(2026, 7, 1),
        period_to=date(2026, 9, 30),
        performance="Most KPIs on target; vulnerability remediation too slow.",
        effectiveness="The ISMS achieves its intended outcomes except timely patching.",
    )
    base.update(kw)
    return EvaluationInput(**base)


def test_each_field_is_checked_and_nothing_is_saved(session, ann):
    with pytest.raises(InputError) as err:
        isms_evaluation.record_evaluation(
            session,
            _input(
                period_from=date(2026, 9, 30),
                period_to=date(2026, 7, 1),
                performance=" ",
                effectiveness="",
                evaluated_on=date(2026, 12, 1),
                evaluator_id=999,
            ),
        )
    assert set(err.value.fields) == {"period_to", "performance", "effectiveness", "evaluated_on", "evaluator_id"}
    with pytest.raises(InputError, match="cannot end after the day of the evaluation"):
        isms_evaluation.record_evaluation(session, _input(period_to=date(2026, 11, 30)))
    with pytest.raises(InputError, match="Give the first day"):
        isms_evaluation.record_evaluation(session, _input(period_from=None))
    with pytest.raises(InputError, match="Actions need an owner"):
        isms_evaluation.record_evaluation(session, _input(follow_up="Speed up patching", raise_actions=True))
    with pytest.raises(InputError, match="one a line"):
        isms_evaluation.record_evaluation(session, _input(evaluator_id=ann, raise_actions=True))
    assert isms_evaluation.list_evaluations(session) == []


def test_follow_ups_raise_actions_in_the_shared_register(session, ann):
    e = isms_evaluation.record_evaluation(
        session,
        _input(
            evaluator_id=ann,
            basis="KPIs, audits",
            follow_up="- Speed up patching\n\n• Review EDR coverage\n",
            raise_actions=True,
            action_due=date(2027, 1, 31),
        ),
    )
    assert e.evaluated_on == TODAY and e.follow_up == "Speed up patching\nReview EDR coverage"
    acts = session.exec(select(Action).where(Action.source == "evaluation").order_by(Action.id)).all()
    assert [(a.title, a.source_id, a.owner_id, a.due_date) for a in acts] == [
        ("Speed up patching", e.id, ann, date(2027, 1, 31)),
        ("Review EDR coverage", e.id, ann, date(2027, 1, 31)),
    ]
    assert {source_label(a, None) for a in acts} == {f"evaluation {e.id}"}


def test_evaluations_between_take_those_whose_period_overlaps(session, ann):
    q3 = isms_evaluation.record_evaluation(session, _input(evaluated_on=date(2026, 10, 5)))
    q2 = isms_evaluation.record_evaluation(
        session, _input(period_from=date(2026, 4, 1), period_to=date(2026, 6, 30), evaluated_on=date(2026, 7, 8))
    )
    assert isms_evaluation.evaluations_between(session, date(2026, 6, 1), date(2026, 6, 30)) == [q2]
    assert isms_evaluation.evaluations_between(session, date(2026, 9, 30), date(2026, 12, 31)) == [q3]
    assert isms_evaluation.evaluations_between(session, date(2026, 1, 1), date(2026, 12, 31)) == [q2, q3]
    assert isms_evaluation.list_evaluations(session) == [q3, q2]


def test_due_follows_the_frequency_from_the_last_evaluated_day(session, ann):
    assert isms_evaluation.evaluation_due(session, TODAY) is None  # nothing to evaluate yet
    kpis.save_kpi(session, KpiInput(code="MFA", name="MFA", target=99, started_on=date(2026, 2, 10)))
    due = isms_evaluation.evaluation_due(session, TODAY)
    assert (due.period, due.due_on, due.due, due.last_on) == ("2026-Q1", date(2026, 4, 1), True, None)
    isms_evaluation.record_evaluation(session, _input(evaluated_on=date(2026, 10, 5)))
    due = isms_evaluation.evaluation_due(session, TODAY)
    assert (due.period, due.due_on, due.due) == ("2026-Q4", date(2027, 1, 1), False)
    assert due.as_json() == {
        "frequency": "quarterly",
        "last_evaluated_on": "2026-10-05",
        "evaluated_to": "2026-09-30",
        "next_period": "2026-Q4",
        "due_on": "2027-01-01",
        "due": False,
    }
    isms_evaluation.set_evaluation_frequency(session, "monthly")
    due = isms_evaluation.evaluation_due(session, TODAY)
    assert (due.period, due.due_on, due.due) == ("2026-10", date(2026, 11, 1), True)
    with pytest.raises(InputError, match="Unknown frequency"):
        isms_evaluation.set_evaluation_frequency(session, "daily")
    assert isms_evaluation.evaluation_frequency(session) == Frequency.MONTHLY


def test_status_reports_the_evaluation_due(session, ann):
    kpis.save_kpi(session, KpiInput(code="MFA", name="MFA", target=99, started_on=date(2026, 2, 10)))
    isms_evaluation.record_evaluation(
        session, _input(period_from=date(2026, 4, 1), period_to=date(2026, 6, 30), evaluated_on=date(2026, 7, 8))
    )
    data = summary(session, TODAY)
    assert data["isms_evaluation"]["due"] is True and data["isms_evaluation"]["next_period"] == "2026-Q3"
    assert "ISMS evaluation (quarterly): last made 2026-07-08; 2026-Q3 due since 2026-10-01" in render_text(data)


def test_review_monitoring_input_lists_the_evaluations_of_its_period(session, ann):
    isms_evaluation.record_evaluation(session, _input(evaluator_id=ann, evaluated_on=date(2026, 10, 5)))
    r = review.save_review(
        session, ReviewInput("Review", date(2026, 11, 20), date(2025, 11, 1), date(2026, 10, 31), chair_id=ann)
    )
    [e] = review_inputs.assemble(session, r)["d2"]["isms_evaluations"]
    assert (e["evaluator"], e["period_from"], e["period_to"]) == ("Ann Officer", "2026-07-01", "2026-09-30")
    assert e["effectiveness"].startswith("The ISMS achieves")


def test_basis_summarises_the_period_in_the_applications_numbers(session, ann):
    obj = workspace.save_objective(session, "OBJ-1", "Patch fast", "95 % in SLA", owner_id=ann)
    k = kpis.save_kpi(
        session,
        KpiInput(code="PATCH", name="Patches", target=95, warning=90, started_on=date(2026, 1, 1), objective_id=obj.id),
    )
    for m, v in [(7, 96), (8, 80), (9, 97)]:
        readings.record_reading(session, k.id, date(2026, m, 1), v)
    text = evaluation_basis.period_summary(session, date(2026, 7, 1), date(2026, 9, 30))
    assert text.splitlines() == [
        "Period 2026-07-01 to 2026-09-30.",
        "KPIs: 1 active KPI, 3 readings, 67% on target (off target: PATCH).",
        "Objectives over the period: 1 partly met.",
        "Audits: 0 audits completed; 0 nonconformities raised; corrective actions on 2026-11-28: 0 open, 0 overdue.",
        "0 KPI analysis records and 0 management reviews held in the period.",
    ]


def test_dashboard_due_line_names_the_evaluation_due(session, ann):
    from isms_tui.screens.dashboard import due_line
    from isms_tui.services.attention import figures

    kpis.save_kpi(session, KpiInput(code="MFA", name="MFA", target=99, started_on=date(2026, 2, 10)))
    assert "· ISMS evaluation of 2026-Q1 due" in due_line(figures(session, TODAY)).plain
    isms_evaluation.record_evaluation(session, _input(period_from=date(2026, 2, 10)))
    assert "ISMS evaluation" not in due_line(figures(session, TODAY)).plain
