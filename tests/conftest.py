"""Shared fixtures: a pinned clock, private config/data dirs and a fresh workspace."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

TODAY = date(2026, 11, 28)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Never touch the real user folders; pin 'today' so dates and snapshots are stable."""
    base = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("ISMS_TODAY", TODAY.isoformat())
    monkeypatch.setenv("ISMS_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("ISMS_DATA_DIR", str(base / "data"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "workspace.db"


@pytest.fixture
def engine(db_path: Path):
    from isms_tui.models.db import open_engine

    eng = open_engine(db_path)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine):
    from isms_tui.models.db import session_scope

    with session_scope(engine, "tester") as s:
        yield s
