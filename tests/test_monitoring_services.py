from datetime import date

import pytest
from sqlmodel import select

from isms_tui.models import Direction, Frequency, JournalEntry, Reading, Status
from isms_tui.services import analysis, evidence, kpis, monitoring, readings, workspace
from isms_tui.services.errors import InputError
from isms_tui.services.kpis import KpiInput

from .conftest import TODAY


def make_kpi(session, code="PATCH", **kw) -> int:
    data = dict(code=code, name="Critical patches in SLA", target=95.0, warning=90.0, started_on=date(2025, 1, 1))
    data.update(kw)
    return kpis.save_kpi(session, KpiInput(**data)).id


def test_kpi_validation_lists_every_problem(session):
    bad = KpiInput(code="bad code!", name=" ", target=None)
    with pytest.raises(InputError) as err:
        kpis.save_kpi(session, bad)
    assert {"code", "name", "target"} <= set(err.value.fields)


@pytest.mark.parametrize(
    ("direction", "target", "warning", "high", "field"),
    [
        (Direction.HIGHER_BETTER, 95, 97, None, "warning"),
        (Direction.LOWER_BETTER, 5, 3, None, "warning"),
        (Direction.WITHIN_RANGE, 5, None, None, "target_high"),
        (Direction.WITHIN_RANGE, 5, None, 4, "target_high"),
    ],
)
def test_kpi_thresholds_must_be_coherent(session, direction, target, warning, high, field):
    data = KpiInput(code="X", name="x", target=target, warning=warning, target_high=high, direction=direction)
    assert field in kpis.validate(data)


def test_kpi_code_is_unique(session):
    make_kpi(session)
    with pytest.raises(InputError, match="already used"):
        make_kpi(session)


def test_edit_and_deactivate_keep_readings(session):
    kpi_id = make_kpi(session)
    readings.record_reading(session, kpi_id, date(2026, 10, 3), 97)
    data = KpiInput.from_kpi(kpis.get_kpi(session, kpi_id))
    data.name = "Renamed"
    kpis.save_kpi(session, data, kpi_id)
    kpis.set_active(session, kpi_id, False)
    assert kpis.get_kpi(session, kpi_id).name == "Renamed"
    assert kpis.list_kpis(session) == []
    assert len(readings.readings_for(session, kpi_id)) == 1


def test_reading_maps_to_period_and_refuses_duplicates(session):
    kpi_id = make_kpi(session)
    r = readings.record_reading(session, kpi_id, date(2026, 10, 17), 91, entered_by="ann")
    assert r.period_start == date(2026, 10, 1)
    with pytest.raises(readings.DuplicateReading, match="already has a reading for 2026-10"):
        readings.record_reading(session, kpi_id, date(2026, 10, 2), 99)
    readings.record_reading(session, kpi_id, date(2026, 10, 2), 99, replace=True)
    assert [x.value for x in readings.readings_for(session, kpi_id)] == [99]
    update = session.exec(
        select(JournalEntry).where(JournalEntry.entity == "reading", JournalEntry.operation == "update")
    ).one()
    assert '"value":91.0' in update.before and '"value":99.0' in update.after


def test_reading_in_the_future_is_refused(session):
    kpi_id = make_kpi(session)
    with pytest.raises(InputError, match="has not started"):
        readings.record_reading(session, kpi_id, date(2026, 12, 1), 1)


@pytest.mark.parametrize("text", ["abc", "", "nan", "inf", "1,5", "--1"])
def test_parse_value_rejects(text):
    with pytest.raises(InputError):
        readings.parse_value(text)


def test_an_empty_value_asks_for_one():
    with pytest.raises(InputError, match="^Enter the value.$") as refused:
        readings.parse_value("  ")
    assert refused.value.fields == {"value": "Required."}


def test_parse_value_accepts():
    assert readings.parse_value(" -2.5 ") == -2.5
    assert readings.parse_value("1e3") == 1000


def test_reading_evidence_is_copied_and_linked(session, tmp_path):
    kpi_id = make_kpi(session)
    src = tmp_path / "patch report.csv"
    src.write_text("host,patched\na,yes\n")
    r = readings.record_reading(session, kpi_id, date(2026, 10, 1), 96, attachments=[str(src)])
    files = evidence.linked(session, "reading", r.id)
    assert [f.original_name for f in files] == ["patch report.csv"]
    stored = evidence.stored_path(session, files[0].sha256)
    src.write_text("changed later")
    assert stored.read_text() == "host,patched\na,yes\n"


def test_evidence_refuses_folders_and_missing_files(session, tmp_path):
    with pytest.raises(InputError, match="folder"):
        evidence.add_file(session, tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        evidence.add_file(session, tmp_path / "nope.pdf")


def test_analysis_requires_conclusion_and_is_listed(session):
    kpi_id = make_kpi(session)
    with pytest.raises(InputError):
        analysis.record_analysis(session, kpi_id, date(2026, 10, 1), "  ")
    person = workspace.save_person(session, "Ann Analyst")
    analysis.record_analysis(
        session,
        kpi_id,
        date(2026, 10, 12),
        "Below target: two servers missed.",
        analyst_id=person.id,
        follow_up="Automate patching",
    )
    [rec] = analysis.analyses_for(session, kpi_id)
    assert rec.period_start == date(2026, 10, 1) and rec.analysed_on == TODAY


def test_overview_counts_and_due(session):
    on = make_kpi(session, "ON")
    off = make_kpi(session, "OFF")
    make_kpi(session, "LATE")
    make_kpi(session, "NEW", started_on=TODAY)
    make_kpi(session, "WEEK", frequency=Frequency.WEEKLY, started_on=date(2026, 11, 2))
    for m in range(1, 11):
        readings.record_reading(session, on, date(2026, m, 1), 96)
        readings.record_reading(session, off, date(2026, m, 1), 80)
    ov = monitoring.overview(session, TODAY)
    by_code = {r.kpi.code: r.state.status for r in ov.rows}
    assert by_code == {
        "ON": Status.ON_TARGET,
        "OFF": Status.OFF_TARGET,
        "LATE": Status.OVERDUE,
        "NEW": Status.NO_DATA,
        "WEEK": Status.OVERDUE,
    }
    assert ov.counts[Status.OVERDUE] == 2
    due_codes = {(r.kpi.code, p) for r, p in ov.due}
    assert ("LATE", date(2026, 10, 1)) in due_codes
    assert ("WEEK", date(2026, 11, 16)) in due_codes  # closed, within grace
    assert all(p < date(2026, 11, 23) for _, p in ov.due)


def test_readings_table_has_one_row_per_period(session):
    kpi_id = make_kpi(session)
    readings.record_reading(session, kpi_id, date(2026, 9, 1), 96)
    rows = session.exec(select(Reading)).all()
    assert len(rows) == 1
