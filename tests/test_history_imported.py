"""The history of an imported reading: its creation read from its `create_many` entry (entry
number, time, actor, every field), then its own later entries; in the service and on screen."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from isms_tui.models.db import session_scope
from isms_tui.services import journal, readings
from isms_tui.services.journal import HistoryEntry

from .db_helpers import fresh_engine, read, write
from .test_import_journal_verify import BATCH, batches, build, reforge, sql
from .tui_helpers import make_app, opened, wait_for


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "template.db"
    with pytest.MonkeyPatch.context() as mp:
        build(path, mp)
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "w.db"
    shutil.copyfile(template, path)
    return path


def test_an_imported_reading_shows_its_creation_then_its_void(db: Path):
    first = sql(db, "SELECT min(id) FROM reading")[0][0]
    rid = first + 150  # in the second batch
    write(db, lambda s: readings.void_reading(s, rid, "typed twice", by="ann"), actor="ann")
    entries = read(db, lambda s: journal.history(s, "reading", rid))
    (eid, batch_first, _after) = batches(db)[1]
    assert all(isinstance(e, HistoryEntry) for e in entries)
    assert [(e.id, e.operation, e.actor, e.batch_rows) for e in entries] == [
        (eid, "create", "importer", BATCH),
        (entries[1].id, "update", "ann", 0),
    ]
    created = json.loads(entries[0].after or "")
    stored = sql(db, "SELECT kpi_id, period_start, value, note FROM reading WHERE id = ?", (rid,))[0]
    assert (created["id"], created["kpi_id"], created["period_start"], created["value"], created["note"]) == (
        rid,
        *stored,
    )
    assert batch_first == first + BATCH and entries[0].entity_id == rid
    changes = {c.name: c.after for c in journal.field_changes(entries[0])}
    assert set(changes) >= {"kpi_id", "period_start", "value", "note", "entered_by", "entered_at", "voided_at"}
    assert {c.name for c in journal.field_changes(entries[1])} == {"voided_at", "voided_by", "void_reason"}


def test_the_first_and_last_rows_of_a_batch_and_a_row_beyond_every_batch(db: Path):
    first, last = sql(db, "SELECT min(id), max(id) FROM reading")[0]
    for rid in (first, first + BATCH - 1, first + BATCH, last):
        (entry,) = read(db, lambda s, rid=rid: journal.history(s, "reading", rid))
        assert entry.operation == "create" and json.loads(entry.after or "")["id"] == rid
    kpi = sql(db, "SELECT min(id) FROM kpi")[0][0]
    assert read(db, lambda s: journal.history(s, "reading", last + 1)) == []
    assert [e.operation for e in read(db, lambda s: journal.history(s, "kpi", kpi))] == ["create"]


@pytest.mark.parametrize("after", ["{not json", "[" * 100_000 + "]" * 100_000])
def test_a_malformed_batch_leaves_the_history_without_its_creation(db: Path, after: str):
    eid, first, _after = batches(db)[0]
    reforge(db, eid, after=after)
    assert read(db, lambda s: journal.history(s, "reading", first)) == []


async def test_the_history_screen_shows_the_batch_creation(db: Path):
    from isms_tui.screens.history import HistoryModal, HistorySubject

    rid = sql(db, "SELECT min(id) + 3 FROM reading")[0][0]
    with fresh_engine(db) as engine, session_scope(engine, "ann") as s:
        readings.correct_reading(s, rid, 42.0, "misread", by="ann")
    eid = batches(db)[0][0]
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        app.push_screen(HistoryModal([HistorySubject("reading", rid, "Reading of W0")]))
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryModal) and app.screen.loaded is not None)
        text = app.screen.query_one("#history").content.plain
    assert "(2 changes)" in text
    assert f"#{eid} (imported: one entry for {BATCH} rows)" in text
    assert text.index("update") < text.index("create")  # newest first
    assert "importer  create" in text and "ann  update" in text
    assert "value: 42.0" not in text and "value: 3.5 → 42.0" in text
