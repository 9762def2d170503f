"""A target or warning no reading could reach (a percentage of 140, a negative count) is refused
under its field: by the KPI's validation, by a target change, and in the KPI form."""

from __future__ import annotations

from datetime import date

import pytest

from isms_tui.models import Direction, KpiTarget
from isms_tui.services import kpis, targets
from isms_tui.services.errors import InputError
from isms_tui.services.kpis import KpiInput
from isms_tui.services.targets import TargetChange

from .test_monitoring_flows import SIZE, rows_of, seed
from .test_reading_fix_flows import open_detail
from .test_target_flows import field_error
from .tui_helpers import make_app, type_into, wait_for


def kpi(**kw) -> KpiInput:
    data = dict(code="PATCH", name="Critical patches in SLA", target=95.0, warning=90.0, unit="%")
    data.update(kw)
    return KpiInput(**data)


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        (dict(target=140.0), "target", "140 is outside the values a reading may have (0–100%)"),
        (dict(warning=-5.0), "warning", "-5 is outside"),
        (dict(unit="days", direction=Direction.LOWER_BETTER, target=-1.0, warning=None), "target", "(≥ 0 days)"),
        (dict(min_value=50.0, target=40.0, warning=30.0), "target", "(50–100%)"),
        (dict(max_value=99.0, target=99.5, warning=None), "target", "(0–99%)"),
        (
            dict(direction=Direction.WITHIN_RANGE, target=40.0, warning=30.0, target_high=80.0, warning_high=101.0),
            "warning_high",
            "101 is outside",
        ),
        (
            dict(direction=Direction.WITHIN_RANGE, target=40.0, warning=None, target_high=120.0),
            "target_high",
            "(0–100%)",
        ),
    ],
)
def test_validation_refuses_a_threshold_outside_the_allowed_range(values, field, words):
    errors = kpis.validate(kpi(**values))
    assert words in errors[field], errors


def test_validation_accepts_the_range_ends_and_ignores_upper_bounds_outside_a_range():
    assert kpis.validate(kpi(target=100.0, warning=0.0)) == {}
    assert kpis.validate(kpi(target_high=500.0, warning_high=600.0)) == {}  # dropped on save: no range
    assert kpis.validate(kpi(unit="EUR", target=-2e6, warning=-3e6)) == {}  # no unit default: any value
    # a wrong range is said on its own fields, not again on every threshold
    errors = kpis.validate(kpi(min_value=80.0, max_value=20.0))
    assert set(errors) == {"max_value"}


def test_an_out_of_range_threshold_beats_an_ordering_complaint_on_the_same_field():
    errors = kpis.validate(kpi(target=95.0, warning=120.0))  # above the target and above 100 %
    assert "120 is outside" in errors["warning"]


def test_save_refuses_a_new_kpi_whose_target_cannot_be_reached(session):
    with pytest.raises(InputError) as err:
        kpis.save_kpi(session, kpi(target=140.0))
    assert "outside" in err.value.fields["target"]
    assert kpis.list_kpis(session, include_inactive=True) == []


def test_a_target_change_outside_the_range_is_refused_with_its_period_and_reason(session):
    kpi_id = kpis.save_kpi(session, kpi(started_on=date(2026, 1, 5))).id
    current = kpis.get_kpi(session, kpi_id)
    proposed = KpiInput.from_kpi(current)
    proposed.target, proposed.warning = 140.0, 130.0
    change = TargetChange(date(2026, 6, 1), "Raised")
    errors = targets.change_errors(session, current, current.frequency, current.started_on, change, proposed)
    assert set(errors) == {"target", "warning"} and "(0–100%)" in errors["target"]
    # with a bad period and no reason too, every problem is said at once
    errors = targets.change_errors(session, current, current.frequency, current.started_on, None, proposed)
    assert set(errors) == {"target", "warning", "reason", "from_period"}
    # a tighter range in the same edit is what the new target is held to
    proposed.target, proposed.warning, proposed.max_value = 96.0, 90.0, 95.0
    errors = targets.change_errors(session, current, current.frequency, current.started_on, change, proposed)
    assert set(errors) == {"target"} and "(0–95%)" in errors["target"]
    proposed.target, proposed.max_value = 97.0, None
    assert targets.change_errors(session, current, current.frequency, current.started_on, change, proposed) == {}
    with pytest.raises(InputError) as err:
        data = KpiInput.from_kpi(current)
        data.target = 140.0
        kpis.save_kpi(session, data, kpi_id, change)
    assert "outside" in err.value.fields["target"]
    assert [v.target for v in targets.versions(session, kpi_id)] == [95.0]


async def test_the_kpi_form_says_which_threshold_is_out_of_range(db_path):
    seed(db_path)  # PATCH, a percentage: target 95 warning 90
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await open_detail(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiForm")
        await type_into(pilot, "#field-target Input", "140")
        await type_into(pilot, "#field-warning Input", "-5")
        await type_into(pilot, "#field-reason Input", "Typing slip")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "KpiForm"  # nothing saved, nothing typed lost
        assert "140 is outside the values a reading may have (0–100%)" in field_error(app, "target")
        assert "-5 is outside" in field_error(app, "warning")
        assert app.screen.query_one("#field-target Input").value == "140"
    assert [v.target for v in rows_of(db_path, KpiTarget)] == [95.0]
