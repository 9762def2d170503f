"""Whole periods: a Clause 9 pack covers the last twelve closed months by default, and every
reading whose measurement period overlaps the range is in it (marked partial where the period
straddles a boundary), so no month or quarter falls between two yearly packs."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from isms_tui.cli import main
from isms_tui.models import Frequency
from isms_tui.services import clock, kpis, pack_data, periods, readings, workspace
from isms_tui.services.kpis import KpiInput

from .db_helpers import read, workspace_session
from .pack_helpers import flat, pdf_pages

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 2), (date(2025, 12, 1), date(2026, 11, 30))),
        (date(2026, 12, 31), (date(2025, 12, 1), date(2026, 11, 30))),
        (date(2027, 1, 1), (date(2026, 1, 1), date(2026, 12, 31))),
        (date(2024, 3, 1), (date(2023, 3, 1), date(2024, 2, 29))),
    ],
)
def test_default_period_is_the_last_twelve_closed_months(today: date, expected: tuple[date, date]) -> None:
    assert pack_data.default_period(today) == expected


def test_yearly_default_packs_meet_without_gap_or_overlap() -> None:
    day = date(2024, 1, 1)
    while day < date(2029, 1, 1):
        first = pack_data.default_period(day)
        second = pack_data.default_period(date(day.year + 1, day.month, min(day.day, 28)))
        assert second[0] == first[1] + timedelta(days=1), day
        day += timedelta(days=17)


def make(path: Path) -> Path:
    """Monthly, quarterly and annual KPIs with readings on both sides of the default range."""
    with workspace_session(path, "setup") as s, clock.pinned(TODAY):
        workspace.save_workspace(s, "Example Ltd", current_user="Ann")
        ids = {
            code: kpis.save_kpi(
                s, KpiInput(code=code, name=f"KPI {code}", target=1.0, frequency=freq, started_on=date(2024, 1, 1))
            ).id
            for code, freq in (("MON", Frequency.MONTHLY), ("QTR", Frequency.QUARTERLY), ("ANN", Frequency.ANNUAL))
        }
        freq_of = {"MON": Frequency.MONTHLY, "QTR": Frequency.QUARTERLY, "ANN": Frequency.ANNUAL}
        for code, day, value in (
            ("MON", date(2025, 11, 1), 11),  # before the range: not in it
            ("MON", date(2025, 12, 1), 12),  # first month of the range
            ("MON", date(2026, 11, 1), 13),  # last month of the range
            ("MON", date(2026, 12, 1), 14),  # the month still running: not in it
            ("QTR", date(2025, 7, 1), 21),  # ended before the range
            ("QTR", date(2025, 10, 1), 22),  # Oct-Dec 2025 straddles the start
            ("QTR", date(2026, 7, 1), 23),  # inside
            ("QTR", date(2026, 10, 1), 24),  # Oct-Dec 2026 straddles the end
            ("ANN", date(2025, 1, 1), 31),  # 2025 straddles the start
            ("ANN", date(2026, 1, 1), 32),  # 2026 straddles the end
        ):
            running = periods.period_end(day, freq_of[code]) >= TODAY  # a value before its period closes is partial
            readings.record_reading(s, ids[code], day, value, partial=running)
    return path


def test_readings_whose_period_overlaps_the_range_are_in_it(tmp_path: Path) -> None:
    from isms_tui.models import Kpi
    from isms_tui.services import periods

    db = make(tmp_path / "w.db")
    start, end = pack_data.default_period(TODAY)

    def found(s: Session) -> dict[str, list[tuple[str, bool]]]:
        by_kpi = pack_data.readings_between(s, start, end)
        return {
            k.code: [(periods.period_label(r.period_start, k.frequency), r.straddles) for r in by_kpi.get(k.id, [])]
            for k in s.exec(select(Kpi))
        }

    assert read(db, found) == {
        "MON": [("2025-12", False), ("2026-11", False)],
        "QTR": [("2025-Q4", True), ("2026-Q3", False), ("2026-Q4", True)],
        "ANN": [("2025", True), ("2026", True)],
    }


def test_no_reading_falls_between_two_yearly_packs(tmp_path: Path) -> None:
    db = make(tmp_path / "w.db")
    this_year = pack_data.default_period(TODAY)
    last_year = (pack_data.year_ending(this_year[0] - timedelta(days=1)), this_year[0] - timedelta(days=1))
    assert last_year == (date(2024, 12, 1), date(2025, 11, 30))

    def ids(s: Session, period: tuple[date, date]) -> set[int]:
        return {r.id for rows in pack_data.readings_between(s, *period).values() for r in rows}

    both = read(db, lambda s: ids(s, last_year) | ids(s, this_year))
    all_until_end = read(
        db,
        lambda s: {
            r[0]
            for r in s.connection().exec_driver_sql(
                "SELECT id FROM reading WHERE period_start <= ?", (this_year[1].isoformat(),)
            )
        },
    )
    assert both == all_until_end


def test_pack_text_names_whole_months_and_marks_partial_periods(tmp_path: Path) -> None:
    from isms_tui.reports.pack import build_pack

    db = make(tmp_path / "w.db")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISMS_TODAY", TODAY.isoformat())
        with workspace_session(db, "tester") as session:
            content = build_pack(session, "clause9", signer="Example Ltd", fingerprint="ab" * 32, issued_by="Ann")
    text = flat(" ".join(pdf_pages(content.pdf)))
    assert (content.period_from, content.period_to) == (date(2025, 12, 1), date(2026, 11, 30))
    assert "1 December 2025 to 30 November 2026" in text
    for marked in (
        "2025-Q4 (partly in range)",
        "2026-Q4 (partly in range)",
        "2025 (partly in range)",
        "2026 (partly in range)",
    ):
        assert marked in text, marked
    assert "2026-Q3 (partly in range)" not in text and "2025-12 (partly in range)" not in text
    assert "2025-11 " not in text and "2025-Q3 " not in text  # periods that ended before the range


def test_cli_default_period_and_a_lone_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    monkeypatch.setenv("ISMS_TODAY", TODAY.isoformat())
    monkeypatch.setenv("ISMS_PASSPHRASE", "correct horse battery staple")
    db = make(tmp_path / "w.db")
    runner = CliRunner()
    first = runner.invoke(main, ["pack", "--out", str(tmp_path / "a.pdf"), "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "2025-12-01 to 2026-11-30" in first.stdout
    second = runner.invoke(main, ["pack", "--out", str(tmp_path / "b.pdf"), "--db", str(db), "--to", "2025-11-30"])
    assert second.exit_code == 0, second.output
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT period_from, period_to FROM issuedpack ORDER BY id").fetchall()
    finally:
        con.close()
    assert rows == [("2025-12-01", "2026-11-30"), ("2024-12-01", "2025-11-30")]
