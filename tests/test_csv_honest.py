"""CSV import and export of readings that are partial, out of range, voided or late."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from isms_tui.models import Reading
from isms_tui.models.db import session_scope
from isms_tui.services import kpis, readings
from isms_tui.services.kpis import KpiInput
from isms_tui.services.readings_csv import export_readings, import_readings

# engine is the fixture of test_csv_io: KPIs M1 monthly, Q1 quarterly, W1 weekly, OLD inactive
from .test_csv_io import engine, export_rows, kpi_ids, rejected, write  # noqa: F401


@pytest.fixture
def pct(engine):  # noqa: F811
    with session_scope(engine, "setup") as s:
        kpis.save_kpi(s, KpiInput(code="PCT", name="share", target=95.0, unit="%", started_on=date(2024, 1, 1)))
    return engine


def test_out_of_range_rows_are_refused_with_their_row_numbers_and_nothing_is_written(pct, tmp_path):
    text = (
        "kpi,date,value\n"
        "PCT,2026-01-01,100\n"  # 2 the top of the range: fine
        "PCT,2026-02-01,100.5\n"  # 3 above 100 %
        "PCT,2026-03-01,-1\n"  # 4 below 0 %
        "M1,2026-04-01,1e300\n"  # 5 no chart can draw it
        "M1,2026-05-01,-1e12\n"  # 6 the bottom of the magnitude: fine
    )
    err = rejected(pct, write(tmp_path, text))
    assert err.row_errors == [
        "row 3: the value 100.5 is outside the allowed range of KPI PCT (0 to 100)",
        "row 4: the value -1 is outside the allowed range of KPI PCT (0 to 100)",
        "row 5: the value 1e+300 is too large to be a measurement (at most 1e+12 either way)",
    ]


def test_partial_rows(pct, tmp_path):
    bad = (
        "kpi,date,value,partial\n"
        "PCT,2026-11-15,97,\n"  # 2 November is still running: must say partial
        "PCT,2026-10-15,97,yes\n"  # 3 October has closed: cannot be partial
        "PCT,2026-09-15,97,perhaps\n"  # 4 not yes or no
    )
    err = rejected(pct, write(tmp_path, bad))
    assert err.row_errors == [
        "row 2: the period 2026-11 of KPI PCT has not closed yet; import it with partial = yes or wait",
        "row 3: the period 2026-10 of KPI PCT has closed; partial is only for a period still running",
        "row 4: partial must be yes or no, not 'perhaps'",
    ]
    good = "kpi,date,value,partial\nPCT,2026-11-15,97,Yes\nPCT,2026-10-15,96,no\n"
    with session_scope(pct, "tester") as s:
        assert import_readings(s, write(tmp_path, good)).created == 2
    with Session(pct) as s:
        stored = {r.period_start: r.partial for r in s.exec(select(Reading))}
    assert stored == {date(2026, 11, 1): True, date(2026, 10, 1): False}


def test_a_voided_period_imports_again_and_the_export_leaves_voided_readings_out(pct, tmp_path):
    ids = kpi_ids(pct)
    with session_scope(pct, "tester") as s:
        wrong = readings.record_reading(s, ids["PCT"], date(2026, 10, 1), 9.7)
        readings.void_reading(s, wrong.id, "decimal point", by="tester")
    with session_scope(pct, "tester") as s:
        assert import_readings(s, write(tmp_path, "kpi,date,value\nPCT,2026-10-01,97\n")).created == 1
    out = tmp_path / "out.csv"
    with session_scope(pct) as s:
        assert export_readings(s, out) == 1
    rows = export_rows(out)
    assert [r[:4] for r in rows[1:]] == [["PCT", "2026-10", "2026-10-01", "97"]]
    assert rows[1][-2:] == ["", "yes"]  # not partial; typed in on 28 November, after 10 November
    with session_scope(pct, "tester") as s:  # the export re-imports as it is (with replace)
        assert import_readings(s, out, replace=True).replaced == 1
    with Session(pct) as s:
        assert sorted(r.value for r in s.exec(select(Reading))) == [9.7, 97]
