"""The bulk CSV import journals exactly what recording the same readings one by one through
the ORM journals: the same entries (entity, id, operation, before and after text, actor),
chained so that journal verify passes on both."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from isms_tui.models import Frequency, JournalEntry
from isms_tui.models.db import open_engine, session_scope
from isms_tui.models.journal import GENESIS_HASH, entry_hash
from isms_tui.models.sanitize import clean
from isms_tui.services import journal_verify, kpis, readings
from isms_tui.services.kpis import KpiInput
from isms_tui.services.readings_csv import import_readings

# (kpi, day, value, note, entered_by, partial): closed periods, a period still running
# (partial), text beyond ASCII, a control character the import cleans, and a fraction.
FIRST = [
    ("M1", date(2026, 1, 10), 1.5, "plain", "orm", False),
    ("W1", date(2026, 11, 20), 97.25, "naïve ✓ Zoë", "Zoë", False),
    ("M1", date(2026, 11, 3), 3.0, "so far", "orm", True),
    ("W1", date(2026, 10, 5), 0.1, "bell\x07 rung", "", False),
]
REPLACING = [("M1", date(2026, 1, 20), 2.0, "again", "second", False)]


def _workspace(path: Path) -> tuple[Engine, dict[str, int]]:
    engine = open_engine(path)
    ids = {}
    with session_scope(engine, "setup") as s:
        for code, freq in (("M1", Frequency.MONTHLY), ("W1", Frequency.WEEKLY)):
            kpi = kpis.save_kpi(
                s, KpiInput(code=code, name=f"KPI {code}", target=90.0, frequency=freq, started_on=date(2024, 1, 1))
            )
            ids[code] = kpi.id
    return engine, ids


def _csv(path: Path, rows: list[tuple[str, date, float, str, str, bool]]) -> Path:
    lines = ["kpi,date,value,note,entered_by,partial"]
    lines += [f"{k},{d},{v!r},{n},{b},{'yes' if p else 'no'}" for k, d, v, n, b, p in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _entries(engine: Engine) -> list[JournalEntry]:
    with Session(engine) as s:
        return list(s.exec(select(JournalEntry).order_by(JournalEntry.id)).all())


def test_bulk_import_journals_what_the_orm_journals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ISMS_TODAY", "2026-11-28")
    orm, orm_ids = _workspace(tmp_path / "orm.db")
    bulk, bulk_ids = _workspace(tmp_path / "bulk.db")
    try:
        assert orm_ids == bulk_ids
        for batch, replace in ((FIRST, False), (REPLACING, True)):
            with session_scope(orm, "importer") as s:
                for code, day, value, note, by, partial in batch:
                    # the text as the import cleans it
                    readings.record_reading(
                        s, orm_ids[code], day, value, clean(by) or "importer", clean(note), replace, partial=partial
                    )
            with session_scope(bulk, "importer") as s:
                import_readings(s, _csv(tmp_path / "in.csv", batch), entered_by="importer", replace=replace)

        def reading_entries(engine: Engine) -> list[tuple[object, ...]]:
            return [
                (e.entity, e.entity_id, e.operation, e.actor, e.before, e.after)
                for e in _entries(engine)
                if e.entity == "reading"
            ]

        orm_entries, bulk_entries = reading_entries(orm), reading_entries(bulk)
        assert len(bulk_entries) == len(FIRST) + len(REPLACING)
        assert [e[2] for e in bulk_entries] == ["create"] * len(FIRST) + ["update"]
        assert bulk_entries == orm_entries
        for engine in (orm, bulk):
            prev = GENESIS_HASH
            for e in _entries(engine):
                assert e.prev_hash == prev
                assert e.hash == entry_hash(prev, e.at, e.actor, e.entity, e.entity_id, e.operation, e.before, e.after)
                prev = e.hash
            with Session(engine) as s:
                assert journal_verify.verify(s, checkpoints=False).problems == []
    finally:
        orm.dispose()
        bulk.dispose()


def test_a_lone_surrogate_in_the_importer_or_actor_is_cleaned_before_the_hook_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The import's statements skip the engine's surrogate hook, so what it did not read from
    the file (a name from the command line, undecodable bytes kept as lone surrogates) is
    cleaned by the import itself: stored without it, journaled the same, the chain intact."""
    monkeypatch.setenv("ISMS_TODAY", "2026-11-28")
    engine, _ids = _workspace(tmp_path / "w.db")
    try:
        path = tmp_path / "in.csv"
        path.write_text("kpi,date,value\nM1,2026-01-10,1\n", encoding="utf-8")
        with session_scope(engine, "act\udcffor") as s:
            import_readings(s, path, entered_by="imp\udcfforter")
        with Session(engine) as s:
            entry = s.exec(select(JournalEntry).where(JournalEntry.entity == "reading")).one()
            assert entry.actor == "actor"
            assert '"entered_by":"importer"' in (entry.after or "")
            assert journal_verify.verify(s, checkpoints=False).problems == []
    finally:
        engine.dispose()


def test_only_statements_marked_cleaned_skip_the_hook():
    from types import SimpleNamespace

    from isms_tui.models.sanitize import CLEANED_PARAMETERS, without_surrogates

    rows = [(1, "x\ud800y")]
    marked = SimpleNamespace(execution_options={CLEANED_PARAMETERS: True})
    assert without_surrogates(None, None, "INSERT", rows, marked, True)[1] is rows
    plain = SimpleNamespace(execution_options={})
    assert without_surrogates(None, None, "INSERT", rows, plain, True)[1] == [(1, "xy")]
