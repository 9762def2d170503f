"""Readings that say what happened: late, voided, corrected, partial and plausible values."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from isms_tui.models import JournalEntry, Reading, Status
from isms_tui.services import kpi_report, monitoring, pack_data, readings, review_inputs
from isms_tui.services.errors import InputError
from isms_tui.services.evaluation import is_late
from isms_tui.services.kpis import KpiInput, save_kpi
from isms_tui.services.plausible import MAX_MAGNITUDE, allowed_range, default_range

from .conftest import TODAY


def make_kpi(session, code="PATCH", **kw) -> int:
    data = dict(code=code, name="Critical patches", target=95.0, warning=90.0, unit="%", started_on=date(2026, 1, 1))
    data.update(kw)
    return save_kpi(session, KpiInput(**data)).id


def put(session, kpi_id, day, value, **kw) -> Reading:
    return readings.record_reading(session, kpi_id, day, value, entered_by="ann", **kw)


# -- when it was measured ----------------------------------------------------------------------


def test_late_is_after_the_grace_days_past_the_period_end(session):
    kpi = save_kpi(session, KpiInput(code="L", name="l", target=1, grace_days=10))
    october = date(2026, 10, 1)
    assert not is_late(kpi, october, datetime(2026, 11, 10, 23, 59, tzinfo=UTC))
    assert is_late(kpi, october, datetime(2026, 11, 11, 0, 0, tzinfo=UTC))
    assert not is_late(kpi, october, date(2026, 10, 15))  # inside the period: early, not late


def test_a_reading_typed_in_long_after_its_period_is_late_and_one_on_time_is_not(session):
    k = make_kpi(session)
    late = put(session, k, date(2026, 9, 1), 96)  # today is 2026-11-28: past 10 October
    report = kpi_report.kpi_report(session, k, TODAY)
    assert report.late(late)
    late.entered_at = datetime(2026, 10, 5, 9, tzinfo=UTC)  # as if entered on time
    assert not report.late(late)
    assert late.entered_by == "ann" and late.entered_at is not None


# -- partial periods ---------------------------------------------------------------------------


def test_a_period_still_running_is_refused_unless_marked_partial(session):
    k = make_kpi(session)
    with pytest.raises(InputError) as refused:
        put(session, k, TODAY, 97)
    assert "partial" in refused.value.fields
    assert session.exec(select(Reading)).all() == []
    assert not monitoring.kpi_rows(session, TODAY)[0].last_partial
    r = put(session, k, TODAY, 97, partial=True)
    assert r.partial and r.period_start == date(2026, 11, 1)
    row = monitoring.kpi_rows(session, TODAY)[0]  # the KPI list marks the last value partial
    assert row.last_partial and row.state.last_period == date(2026, 11, 1)


def test_partial_is_refused_for_a_closed_period(session):
    k = make_kpi(session)
    with pytest.raises(InputError):
        put(session, k, date(2026, 10, 1), 97, partial=True)
    assert session.exec(select(Reading)).all() == []


# -- void and correct --------------------------------------------------------------------------


def test_a_voided_reading_stays_but_counts_nowhere(session):
    k = make_kpi(session, objective_id=None)
    for month, value in ((7, 96), (8, 97), (9, 98)):
        put(session, k, date(2026, month, 1), value)
    wrong = put(session, k, date(2026, 10, 1), 10)  # typed 10 for 100
    assert monitoring.kpi_rows(session, TODAY)[0].state.status == Status.OFF_TARGET
    with pytest.raises(InputError) as no_reason:
        readings.void_reading(session, wrong.id, "  ", by="ann")
    assert "reason" in no_reason.value.fields and wrong.voided_at is None
    readings.void_reading(session, wrong.id, "Typed 10 for 100.", by="ann")
    row = monitoring.kpi_rows(session, TODAY)[0]
    assert row.recent == [96, 97, 98]  # status, trend, sparkline
    assert row.state.last_value == 98 and date(2026, 10, 1) in row.state.due_periods
    report = kpi_report.kpi_report(session, k, TODAY)
    assert [r.value for r in report.readings] == [96, 97, 98, 10]  # still shown, marked
    assert [r.value for r in report.live] == [96, 97, 98]
    assert report.state.last_value == 98
    assert pack_data.state_as_of(session, report.kpi, TODAY).last_value == 98
    results = review_inputs.monitoring_results(session, date(2026, 1, 1), TODAY, TODAY)
    assert results["kpis"][0]["readings"] == 3 and results["kpis"][0]["last"] == 98
    with pytest.raises(InputError):
        readings.void_reading(session, wrong.id, "again", by="ann")
    with pytest.raises(InputError):
        readings.correct_reading(session, wrong.id, 100, "fix", by="ann")
    # the period is open for a new measurement, and the voided one is still there
    again = put(session, k, date(2026, 10, 1), 100)
    assert again.id != wrong.id
    assert len(session.exec(select(Reading).where(Reading.kpi_id == k)).all()) == 5
    entries = select(JournalEntry).where(JournalEntry.entity == "reading", JournalEntry.entity_id == wrong.id)
    ops = [e.operation for e in session.exec(entries)]
    assert ops.count("update") == 1


def test_a_correction_replaces_the_value_and_keeps_the_old_one_and_the_reason(session):
    k = make_kpi(session)
    r = put(session, k, date(2026, 10, 1), 9.5)
    with pytest.raises(InputError) as no_reason:
        readings.correct_reading(session, r.id, 95, "", by="bob")
    assert r.value == 9.5 and "reason" in no_reason.value.fields
    with pytest.raises(InputError) as outside:
        readings.correct_reading(session, r.id, 950, "decimal point", by="bob")
    assert r.value == 9.5 and "value" in outside.value.fields
    readings.correct_reading(session, r.id, 95, "Decimal point in the wrong place.", by="bob")
    assert (r.value, r.corrected_from, r.corrected_by) == (95, 9.5, "bob")
    assert r.correction_reason == "Decimal point in the wrong place." and r.corrected_at is not None
    assert monitoring.kpi_rows(session, TODAY)[0].state.last_value == 95
    replaced = put(session, k, date(2026, 10, 1), 96, replace=True)  # as a CSV import with replace does
    assert replaced.id == r.id and (replaced.corrected_from, replaced.correction_reason) == (None, "")


def test_cli_lookup_names_only_live_readings(session):
    k = make_kpi(session)
    r = put(session, k, date(2026, 10, 1), 90)
    assert readings.reading_by_period(session, "PATCH", "2026-10").id == r.id
    readings.void_reading(session, r.id, "wrong KPI", by="ann")
    with pytest.raises(InputError):
        readings.reading_by_period(session, "PATCH", "2026-10-15")


# -- plausible values --------------------------------------------------------------------------


def test_default_ranges_by_unit():
    assert default_range("%") == (0, 100)
    assert default_range("days") == (0, MAX_MAGNITUDE)
    assert default_range("EUR") == (-MAX_MAGNITUDE, MAX_MAGNITUDE)


@pytest.mark.parametrize("value", [-0.5, 100.5, float("inf"), float("nan"), 1e300])
def test_a_percentage_outside_its_range_is_refused_and_nothing_is_written(session, value):
    k = make_kpi(session)
    with pytest.raises(InputError) as refused:
        put(session, k, date(2026, 10, 1), value)
    assert "value" in refused.value.fields
    assert session.exec(select(Reading)).all() == []


def test_a_kpi_range_overrides_the_unit_default_and_must_be_coherent(session):
    k = make_kpi(session, code="TEMP", unit="EUR", min_value=-50.0, max_value=50.0, target=10.0, warning=5.0)
    kpi = kpi_report.kpi_report(session, k, TODAY).kpi
    assert allowed_range(kpi) == (-50, 50)
    put(session, k, date(2026, 10, 1), -50)
    with pytest.raises(InputError):
        put(session, k, date(2026, 9, 1), 51)
    with pytest.raises(InputError) as bad:
        make_kpi(session, code="BAD", min_value=10.0, max_value=5.0)
    assert "max_value" in bad.value.fields
    with pytest.raises(InputError) as huge:
        make_kpi(session, code="HUGE", unit="", max_value=1e300)
    assert "max_value" in huge.value.fields


# -- the record of what was put right cannot be quietly undone ------------------------------


def test_voids_corrections_and_partial_values_verify_and_an_unvoid_outside_isms_is_named(demo_workspace, tmp_path):
    import sqlite3

    from isms_tui.services import journal_verify, readings_csv
    from isms_tui.services.kpis import kpi_by_code

    from .db_helpers import read, workspace_session

    with workspace_session(demo_workspace, "ann") as s:
        k = kpi_by_code(s, "PATCH-01").id
        august = readings.find_reading(s, k, date(2026, 8, 1))
        readings.void_reading(s, august.id, "wrong month", by="ann")
        readings.record_reading(s, k, date(2026, 8, 1), 96, entered_by="ann")
        september = readings.find_reading(s, k, date(2026, 9, 1))
        readings.correct_reading(s, september.id, 94, "counted twice", by="ann")
        readings.record_reading(s, k, date(2026, 11, 1), 90, partial=True)
        july = readings.find_reading(s, k, date(2026, 7, 1)).id
        readings.void_reading(s, july, "wrong KPI", by="ann")
        csv = tmp_path / "r.csv"
        csv.write_text("kpi,date,value,partial\nPATCH-01,2026-09-01,93,no\nPATCH-01,2026-11-20,91,yes\n")
        readings_csv.import_readings(s, csv, entered_by="ann", replace=True)
    report = read(demo_workspace, journal_verify.verify)
    assert report.ok, [p.message for p in report.problems]
    con = sqlite3.connect(demo_workspace)
    with con:  # an insider brings the voided July reading back, straight in the file
        con.execute("UPDATE reading SET voided_at = NULL, voided_by = '', void_reason = '' WHERE id = ?", (july,))
    con.close()
    report = read(demo_workspace, journal_verify.verify)
    [problem] = report.problems
    assert (problem.table, problem.row_id) == ("reading", july)
    assert set(problem.columns) == {"voided_at", "voided_by", "void_reason"}
