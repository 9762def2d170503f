"""Objectives judged over a period (6.2 -> 9.3.2 d) 4)): from every reading in it, with
retired KPIs counting for the periods they were measured in; one rule for review and pack."""

from datetime import date

import pytest

from isms_tui.services import kpis, objective_fulfilment, readings, review, review_inputs, workspace
from isms_tui.services.kpis import KpiInput
from isms_tui.services.review import ReviewInput

START, END = date(2025, 11, 1), date(2026, 10, 31)


@pytest.fixture
def obj(session):
    owner = workspace.save_person(session, "Bea Boss").id
    return workspace.save_objective(session, "OBJ-1", "Patch fast", "95 % in SLA", owner_id=owner).id


def _kpi(session, obj, code, started=date(2025, 1, 1), **kw):
    return kpis.save_kpi(
        session,
        KpiInput(code=code, name=code, target=95, warning=90, started_on=started, objective_id=obj, **kw),
    )


def _readings(session, k, values, year=2026):
    for m, v in values:
        readings.record_reading(session, k.id, date(year, m, 1), v)


def test_a_good_last_reading_does_not_make_a_bad_period_met(session, obj):
    k = _kpi(session, obj, "PATCH")
    _readings(session, k, [(1, 80), (2, 81), (3, 82), (4, 83), (5, 84), (6, 97)])
    [o] = objective_fulfilment.fulfilment(session, START, END)
    [row] = o.kpis
    assert (row.readings, row.on_target, row.share, row.last_status.value) == (6, 1, 17, "on target")
    assert row.trend == "improving"
    assert o.verdict == "partly met"


def test_verdicts_over_the_period(session, obj):
    k = _kpi(session, obj, "PATCH")
    assert objective_fulfilment.fulfilment(session, START, END)[0].verdict == "not measured"
    _readings(session, k, [(1, 80), (2, 85)])
    assert objective_fulfilment.fulfilment(session, START, END)[0].verdict == "not met"
    _readings(session, k, [(3, 96)])
    other = _kpi(session, obj, "EDR")
    _readings(session, other, [(3, 99)])
    assert objective_fulfilment.fulfilment(session, START, END)[0].verdict == "partly met"
    # every KPI measured and every reading on target, within the period only
    o = objective_fulfilment.fulfilment(session, date(2026, 3, 1), date(2026, 3, 31))[0]
    assert o.verdict == "met" and (o.readings, o.on_target) == (2, 2)
    # a KPI not measured in the period keeps an objective from being met
    _kpi(session, obj, "NEW", started=date(2026, 1, 1))
    assert objective_fulfilment.fulfilment(session, date(2026, 3, 1), date(2026, 3, 31))[0].verdict == "partly met"


def test_voided_readings_count_nowhere(session, obj):
    k = _kpi(session, obj, "PATCH")
    _readings(session, k, [(1, 96)])
    wrong = readings.record_reading(session, k.id, date(2026, 2, 1), 50)
    readings.void_reading(session, wrong.id, "Wrong export")
    o = objective_fulfilment.fulfilment(session, START, END)[0]
    assert (o.readings, o.verdict) == (1, "met")


def test_retired_kpis_count_for_the_periods_they_were_measured(session, obj):
    old = _kpi(session, obj, "OLD")
    _readings(session, old, [(11, 70), (12, 72)], year=2025)
    kpis.set_active(session, old.id, False)
    new = _kpi(session, obj, "NEW", started=date(2026, 1, 1))
    _readings(session, new, [(1, 99), (2, 99)])
    o = objective_fulfilment.fulfilment(session, START, END)[0]
    assert [(k.code, k.active, k.readings) for k in o.kpis] == [("NEW", True, 2), ("OLD", False, 2)]
    assert o.verdict == "partly met"
    # a period after it was retired: the retired KPI does not count
    later = objective_fulfilment.fulfilment(session, date(2026, 1, 1), date(2026, 6, 30))[0]
    assert [k.code for k in later.kpis] == ["NEW"] and later.verdict == "met"
    # nor does a KPI that had not started by the period's end
    before = objective_fulfilment.fulfilment(session, date(2025, 11, 1), date(2025, 12, 31))[0]
    assert [k.code for k in before.kpis] == ["OLD"] and before.verdict == "not met"


def test_the_review_input_is_the_same_judgement(session, obj):
    k = _kpi(session, obj, "PATCH")
    _readings(session, k, [(1, 80), (6, 97)])
    r = review.save_review(session, ReviewInput("Review", date(2026, 11, 20), START, END))
    d4 = review_inputs.assemble(session, r)["d4"]
    assert d4 == objective_fulfilment.fulfilment_json(session, START, END)
    [o] = d4["objectives"]
    assert o["verdict"] == "partly met" and o["kpis"][0]["share"] == 50
