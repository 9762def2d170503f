"""Opening a workspace from a test: one engine per use, always disposed, so no test leaves
SQLite connections (and their file handles) behind for the next one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from isms_tui.models.db import open_engine, session_scope

T = TypeVar("T")


@contextmanager
def fresh_engine(path: Path, read_only: bool = False) -> Iterator[Engine]:
    """The workspace at `path`, opened (created and migrated if need be) and disposed at exit."""
    engine = open_engine(path, read_only=read_only)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def workspace_session(path: Path, actor: str = "") -> Iterator[Session]:
    """One session on the workspace at `path`, committed at exit; the engine is disposed after it."""
    with fresh_engine(path) as engine, session_scope(engine, actor) as session:
        yield session


def read(path: Path, fn: Callable[[Session], T]) -> T:
    """What `fn` finds in the workspace at `path` (the session has no actor: nothing is journalled)."""
    with workspace_session(path) as session:
        return fn(session)


def write(path: Path, fn: Callable[[Session], T], actor: str = "test") -> T:
    """Apply `fn` to the workspace at `path` as `actor`, committed; returns what `fn` returns."""
    with workspace_session(path, actor) as session:
        return fn(session)


def downgrade(path: Path, to: str) -> None:
    """Take a workspace back to an older schema with the migrations' own downgrades.

    Rows of a table the older schema does not have are deleted first through the app, so the
    journal says they were deleted and the downgraded file still verifies after its upgrade.
    """
    import sqlite3

    from alembic import command
    from sqlmodel import select

    from isms_tui.models import Action, KpiTarget, Risk
    from isms_tui.models.schema import REVISIONS

    if REVISIONS.index(to) < REVISIONS.index("0015_target_history"):
        with workspace_session(path, "test") as s:
            for version in s.exec(select(KpiTarget)):
                s.delete(version)
    if REVISIONS.index(to) < REVISIONS.index("0008_risks"):
        with workspace_session(path, "test") as s:
            for row in [*s.exec(select(Action).where(Action.source == "risk")), *s.exec(select(Risk))]:
                s.delete(row)
    from alembic.config import Config
    from sqlalchemy import create_engine

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parents[1] / "isms_tui/models/migrations"))
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, to)
    finally:
        engine.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
