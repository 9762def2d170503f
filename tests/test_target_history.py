"""Targets in force at the time: a change of a KPI's definition never re-grades earlier periods."""

from datetime import date

import pytest
from sqlmodel import select

from isms_tui.models import Direction, KpiTarget, Status
from isms_tui.services import kpi_report, kpis, monitoring, readings, review, review_inputs, targets
from isms_tui.services.errors import InputError
from isms_tui.services.kpis import KpiInput
from isms_tui.services.targets import TargetChange

from .conftest import TODAY
from .db_helpers import downgrade, read, workspace_session, write
from .review_seed import seed_reviews


def make_kpi(session, **kw) -> int:
    data = dict(code="PATCH", name="Critical patches in SLA", target=95.0, warning=90.0, started_on=date(2026, 1, 5))
    data.update(kw)
    return kpis.save_kpi(session, KpiInput(**data)).id


def change(session, kpi_id, from_period, reason="Raised after the new patch tooling", **values):
    data = KpiInput.from_kpi(kpis.get_kpi(session, kpi_id))
    for key, value in values.items():
        setattr(data, key, value)
    return kpis.save_kpi(session, data, kpi_id, TargetChange(from_period, reason))


def statuses(session, kpi_id) -> dict[str, Status]:
    from isms_tui.services.evaluation import evaluate_value

    report = kpi_report.kpi_report(session, kpi_id, TODAY)
    return {r.period_start.isoformat()[:7]: evaluate_value(report.in_force(r), r.value) for r in report.live}


def test_a_new_kpi_starts_its_history_from_its_first_period(session):
    kpi_id = make_kpi(session)
    (first,) = targets.versions(session, kpi_id)
    assert (first.from_period, first.target, first.warning) == (date(2026, 1, 1), 95.0, 90.0)
    assert first.reason == targets.INITIAL_REASON and first.recorded_by == "tester"


def test_readings_before_the_change_keep_the_old_target(session):
    kpi_id = make_kpi(session)
    for month, value in ((6, 96), (7, 93), (8, 96), (9, 93)):
        readings.record_reading(session, kpi_id, date(2026, month, 1), value)
    change(session, kpi_id, date(2026, 8, 1), target=97.0, warning=94.0)
    assert statuses(session, kpi_id) == {
        "2026-06": Status.ON_TARGET,  # 96 against 95
        "2026-07": Status.WARNING,  # 93 against 95, warning 90
        "2026-08": Status.WARNING,  # 96 against 97, warning 94
        "2026-09": Status.OFF_TARGET,  # 93 against 97, warning 94
    }
    (row,) = monitoring.kpi_rows(session, TODAY)
    assert row.state.status == Status.OVERDUE  # October is missing past its grace days
    assert row.history.at(date(2026, 7, 1)).target == 95.0 and row.history.at(date(2026, 9, 1)).target == 97.0
    old, new = targets.versions(session, kpi_id)
    assert (new.from_period, new.target, new.reason) == (date(2026, 8, 1), 97.0, "Raised after the new patch tooling")
    assert kpis.get_kpi(session, kpi_id).target == 97.0  # the KPI shows its current definition


def test_the_last_reading_is_judged_by_its_own_period_target(session):
    kpi_id = make_kpi(session)
    for month in range(1, 11):
        readings.record_reading(session, kpi_id, date(2026, month, 1), 96)
    change(session, kpi_id, date(2026, 11, 1), target=98.0, warning=97.0)
    (row,) = monitoring.kpi_rows(session, TODAY)
    assert row.state.status == Status.ON_TARGET  # October's 96 was on its target of 95


def test_a_direction_change_judges_each_side_by_its_own_direction(session):
    kpi_id = make_kpi(session, name="Open findings", target=5.0, warning=8.0, direction=Direction.LOWER_BETTER)
    readings.record_reading(session, kpi_id, date(2026, 3, 1), 4)
    readings.record_reading(session, kpi_id, date(2026, 4, 1), 4)
    change(session, kpi_id, date(2026, 4, 1), direction=Direction.HIGHER_BETTER, target=6.0, warning=5.0)
    assert statuses(session, kpi_id) == {"2026-03": Status.ON_TARGET, "2026-04": Status.OFF_TARGET}


def test_other_fields_change_without_a_period_or_reason(session):
    kpi_id = make_kpi(session)
    data = KpiInput.from_kpi(kpis.get_kpi(session, kpi_id))
    data.name, data.method = "Renamed", "Counted by the scanner"
    kpis.save_kpi(session, data, kpi_id)
    data.target = 95  # the same value typed again is no change
    kpis.save_kpi(session, data, kpi_id)
    assert len(targets.versions(session, kpi_id)) == 1


@pytest.mark.parametrize(
    ("from_period", "reason", "field", "words"),
    [
        (date(2026, 11, 1), "  ", "reason", "why"),
        (None, "Raised", "from_period", "Required"),
        (date(2025, 12, 1), "Raised", "from_period", "measured from 2026-01"),
        (date(2026, 12, 1), "Raised", "from_period", "has not started"),
        (date(2026, 11, 3), "Raised", "from_period", "first day"),
    ],
)
def test_a_change_needs_a_reason_and_a_period_within_the_kpi_life(session, from_period, reason, field, words):
    kpi_id = make_kpi(session)
    with pytest.raises(InputError) as err:
        change(session, kpi_id, from_period, reason, target=97.0)
    assert words in err.value.fields[field]
    assert kpis.get_kpi(session, kpi_id).target == 95.0 and len(targets.versions(session, kpi_id)) == 1


def test_a_change_never_applies_before_the_previous_one(session):
    kpi_id = make_kpi(session)
    change(session, kpi_id, date(2026, 6, 1), target=97.0)
    with pytest.raises(InputError) as err:
        change(session, kpi_id, date(2026, 5, 1), target=98.0)
    assert "already applies from 2026-06" in err.value.fields["from_period"]
    change(session, kpi_id, date(2026, 6, 1), "Typing slip corrected", target=98.0)  # the same period: newest wins
    history = targets.targets_for(session, kpis.get_kpi(session, kpi_id))
    assert history.at(date(2026, 7, 1)).target == 98.0 and history.at(date(2026, 5, 1)).target == 95.0


def test_a_draft_review_judges_readings_by_their_period_target_and_an_approved_one_stays(db_path):
    ids = seed_reviews(db_path)
    with workspace_session(db_path, "Ann Officer") as s:
        approved = review.get_review(s, ids["last"])
        frozen = (approved.snapshot, approved.snapshot_sha256)
        before = review.minutes(s, approved)
        draft = review.get_review(s, ids["current"])
        d2_before = review_inputs.monitoring_results(s, draft.period_from, draft.period_to, TODAY)
        patch = kpis.kpi_by_code(s, "PATCH-01")
        change(s, patch.id, date(2025, 6, 1), target=97.0, warning=93.0)
    with workspace_session(db_path, "Ann Officer") as s:
        approved = review.get_review(s, ids["last"])
        assert (approved.snapshot, approved.snapshot_sha256) == frozen
        assert review.minutes(s, approved) == before
        draft = review.get_review(s, ids["current"])
        d2 = review_inputs.monitoring_results(s, draft.period_from, draft.period_to, TODAY)
    (row_before,) = [k for k in d2_before["kpis"] if k["code"] == "PATCH-01"]
    (row,) = [k for k in d2["kpis"] if k["code"] == "PATCH-01"]
    # 2025-12 to 2026-11 all lie after the change: judged by 97 / 93 now, by 95 / 90 before
    assert (row_before["on_target"], row_before["warning"], row_before["off_target"]) == (9, 3, 0)
    assert (row["on_target"], row["warning"], row["off_target"]) == (7, 3, 2)
    assert row["target"] == 97.0


def test_the_upgrade_gives_every_kpi_one_journaled_version(db_path):
    from isms_tui.services.journal_verify import verify

    seed_reviews(db_path)
    downgrade(db_path, "0014_nonconformities")
    write(db_path, lambda s: None)  # opening migrates again: the versions are backfilled
    rows = read(db_path, lambda s: list(s.exec(select(KpiTarget).order_by(KpiTarget.kpi_id))))
    assert [(r.from_period, r.target, r.reason) for r in rows] == [
        (date(2025, 1, 1), 95.0, "initial definition"),
        (date(2025, 1, 1), 99.0, "initial definition"),
    ]
    assert read(db_path, lambda s: verify(s, checkpoints=False)).ok
