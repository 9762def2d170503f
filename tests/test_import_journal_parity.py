"""The bulk CSV import journals exactly what recording the same readings one by one through
the ORM journals: each new reading's state in its `create_many` entry, expanded, is the
`after` text of the ORM's `create` entry (the same keys and value forms), a replaced reading
gets the same `update` entry, and journal verify passes on both."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from isms_tui.models import Frequency, JournalEntry
from isms_tui.models.db import open_engine, session_scope
from isms_tui.models.journal import GENESIS_HASH, canonical, entry_hash
from isms_tui.models.journal_batch import entry_states
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
        assert [e[2] for e in orm_entries] == ["create"] * len(FIRST) + ["update"]
        assert [e[2] for e in bulk_entries] == ["create_many", "update"]
        batch, update = bulk_entries
        assert (batch[1], batch[3], batch[4]) == (orm_entries[0][1], "importer", None)
        assert batch[5] == canonical(json.loads(str(batch[5])))  # canonical text, like every entry
        expanded = [
            ("reading", rid, "create", "importer", None, canonical(state))
            for rid, state in entry_states(0, int(str(batch[1])), "create_many", str(batch[5]))
        ]
        assert expanded == orm_entries[: len(FIRST)]
        assert update == orm_entries[-1]
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


def test_a_batch_row_and_the_orm_state_agree_for_awkward_values():
    """A batch's expansion and the state the ORM journals, in canonical text, for values whose
    JSON forms differ easily: a float that is an integer, a tiny one, minus zero, text with
    quotes, backslashes, control and non-ASCII characters, both truth values."""
    from datetime import UTC, datetime

    from isms_tui.services.readings_bulk import BATCH_COLUMNS, NEW_READING, created_entries

    now = datetime(2026, 11, 28, 9, 30, 1, 5, tzinfo=UTC)
    rows = [  # BATCH_COLUMNS: entered_by, kpi_id, note, partial, period_start, value
        ("Zoë", 3, 'say "hi"\\ \u2028 ✓', True, "2026-01-05", 3.0),
        ("", 4, "", False, "2026-01-12", 1e-300),
        ("bob", 3, "\x1f", False, "2026-01-19", -0.0),
    ]
    ((entity, first, op, before, after),) = list(created_entries(rows, 41, now.isoformat()))
    assert (entity, first, op, before) == ("reading", 41, "create_many", None)
    states = dict(entry_states(0, first, op, after))
    for i, values in enumerate(rows):
        orm = {**NEW_READING, **dict(zip(BATCH_COLUMNS, values, strict=True)), "entered_at": now, "id": 41 + i}
        orm["period_start"] = date.fromisoformat(orm["period_start"])
        assert canonical(states[41 + i]) == canonical(orm)
        assert repr(states[41 + i]["value"]) == repr(values[5])


def test_a_column_is_folded_into_same_only_when_every_value_has_one_form():
    from isms_tui.models.journal_batch import batch_text

    cols = ("flag", "n", "value")
    text = batch_text(cols, [(True, 1, 0.0), (True, 1, -0.0)], {"x": None})
    assert json.loads(text) == {
        "columns": ["value"],
        "rows": [[0.0], [-0.0]],
        "same": {"flag": True, "n": 1, "x": None},
    }
    states = [s for _, s in entry_states(0, 7, "create_many", text)]
    assert [repr(s["value"]) for s in states] == ["0.0", "-0.0"]
    mixed = json.loads(batch_text(cols, [(True, 1, 2.0), (1, 1.0, 2.0)], {}))
    assert mixed == {"columns": ["flag", "n"], "rows": [[True, 1], [1, 1.0]], "same": {"value": 2.0}}
    assert json.loads(batch_text(cols, [(False, 2, 3.5)], {}))["columns"] == []


def test_entry_states_reads_every_kind_of_entry():
    """What readers of states by entity (the risk levels of a review) get from each entry."""
    assert list(entry_states(1, 5, "create", '{"id":5,"impact":2}')) == [(5, {"id": 5, "impact": 2})]
    assert list(entry_states(2, 5, "delete", None)) == [(5, None)]
    assert list(entry_states(3, 5, "update", "{not json")) == [(5, None)]
    batch = '{"columns":["impact"],"rows":[[1],[3]],"same":{"likelihood":2}}'
    assert list(entry_states(4, 8, "create_many", batch)) == [
        (8, {"impact": 1, "likelihood": 2, "id": 8}),
        (9, {"impact": 3, "likelihood": 2, "id": 9}),
    ]
    assert list(entry_states(5, 8, "create_many", "[]")) == []


def test_a_batch_holds_at_most_max_batch_rows_and_the_import_writes_fewer():
    from isms_tui.models import journal_batch

    assert journal_batch.BATCH_ROWS <= journal_batch.MAX_BATCH_ROWS
    too_many = journal_batch.batch_text(("n",), [(i,) for i in range(journal_batch.MAX_BATCH_ROWS + 1)], {})
    with pytest.raises(journal_batch.BatchError, match="more than 10000"):
        journal_batch.parse_batch(9, 1, too_many)
    assert list(entry_states(9, 1, "create_many", too_many)) == []
