"""A bulk import of N readings journals them in chained `create_many` entries of at most
BATCH_ROWS readings that hold exactly the new readings, and the sanitising hook
still cleans what it must while leaving plain parameters alone (the import's fast path)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from isms_tui.models import Frequency, JournalEntry, Reading, journal_batch
from isms_tui.models.db import session_scope
from isms_tui.models.journal import GENESIS_HASH, entry_hash
from isms_tui.models.sanitize import without_surrogates
from isms_tui.services import journal_verify, kpis
from isms_tui.services.kpis import KpiInput
from isms_tui.services.readings_csv import import_readings

from .db_helpers import fresh_engine

KPIS, WEEKS = 12, 520  # 6,240 rows: more than one 5,000-row entry


def test_import_of_n_rows_journals_them_in_batches_whose_chain_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("ISMS_TODAY", "2026-11-28")
    last_monday = date(2026, 11, 16)
    lines = ["kpi,date,value,note"]
    for k in range(KPIS):
        lines += [f"W{k},{last_monday - timedelta(weeks=w)},{(k * 7 + w) % 100},imported" for w in range(WEEKS)]
    path = tmp_path / "in.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with fresh_engine(tmp_path / "w.db") as engine:
        with session_scope(engine, "setup") as s:
            for k in range(KPIS):
                kpis.save_kpi(
                    s,
                    KpiInput(
                        code=f"W{k}",
                        name=f"KPI {k}",
                        target=50.0,
                        frequency=Frequency.WEEKLY,
                        started_on=date(2015, 1, 5),
                    ),
                )
        with Session(engine) as s:
            before = s.exec(select(func.count()).select_from(JournalEntry)).one()
        with session_scope(engine, "importer") as s:
            result = import_readings(s, path, entered_by="importer")
        assert (result.created, result.replaced) == (KPIS * WEEKS, 0)
        with Session(engine) as s:
            entries = s.exec(select(JournalEntry).order_by(JournalEntry.id)).all()
            reading_ids = s.exec(select(Reading.id).order_by(Reading.id)).all()
            report = journal_verify.verify(s, checkpoints=False)
    new = entries[before:]
    assert len(new) == 2 == -(-KPIS * WEEKS // journal_batch.BATCH_ROWS)
    assert {(e.entity, e.operation, e.actor) for e in new} == {("reading", "create_many", "importer")}
    held = [rid for e in new for rid, _state in journal_batch.entry_states(e.id, e.entity_id, e.operation, e.after)]
    assert held == list(reading_ids)
    prev = GENESIS_HASH
    for e in entries:
        assert e.prev_hash == prev
        assert e.hash == entry_hash(prev, e.at, e.actor, e.entity, e.entity_id, e.operation, e.before, e.after)
        prev = e.hash
    assert report.problems == []
    assert report.entries == len(entries)


def test_plain_parameters_pass_the_hook_untouched():
    rows = [(1, "2026-01-05", 1.5, "bench", "imported"), (2, "2026-01-12", 2.0, "Zoë", "naïve")]
    statement, out = without_surrogates(None, None, "INSERT", rows, None, True)
    assert out is rows


@pytest.mark.parametrize("many", [True, False])
def test_a_lone_surrogate_is_removed_from_any_row(many: bool):
    bad = {"name": "a\ud800b", "n": 1}
    params = [(1, "plain"), [2, "x\udfffy"], bad] if many else bad
    _, out = without_surrogates(None, None, "SELECT", params, None, many)
    if many:
        assert out == [(1, "plain"), [2, "xy"], {"name": "ab", "n": 1}]
        assert type(out[0]) is tuple and type(out[1]) is list
    else:
        assert out == {"name": "ab", "n": 1}
