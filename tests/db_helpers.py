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


def _delete_review_meetings(path: Path) -> None:
    """Attendance rows and conclusions, deleted (journaled) as if they had never been recorded.

    An older schema has neither; approved reviews are frozen, so the guard is lifted for this
    one session only: the file then reads as a workspace of that older version would."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session as OrmSession
    from sqlmodel import select

    from isms_tui.models import ReviewAttendee, ReviewConclusion
    from isms_tui.models import review as review_model

    guard = review_model._refuse_changes_to_approved_reviews
    event.remove(OrmSession, "before_flush", guard)
    try:
        with workspace_session(path, "test") as s:
            for row in [*s.exec(select(ReviewAttendee)), *s.exec(select(ReviewConclusion))]:
                s.delete(row)
    finally:
        event.listen(OrmSession, "before_flush", guard)


def downgrade(path: Path, to: str) -> None:
    """Take a workspace back to an older schema with the migrations' own downgrades.

    Rows of a table the older schema does not have are deleted first through the app, so the
    journal says they were deleted and the downgraded file still verifies after its upgrade.
    """
    import sqlite3

    from alembic import command
    from sqlmodel import select

    from isms_tui.models import (
        Action,
        ActionReopen,
        Audit,
        AuditItem,
        AuditProgramme,
        AuditRecipient,
        CompetenceRecord,
        ExchangePackage,
        ExchangeTrust,
        Finding,
        Grading,
        IsmsEvaluation,
        KpiTarget,
        Responsibility,
        Risk,
        SoaEntry,
        Workspace,
    )
    from isms_tui.models.schema import REVISIONS

    if REVISIONS.index(to) < REVISIONS.index("0016_audit_exchange"):
        with workspace_session(path, "test") as s:
            for model in (ExchangePackage, ExchangeTrust):
                for row in s.exec(select(model)):
                    s.delete(row)
    if REVISIONS.index(to) < REVISIONS.index("0015_target_history"):
        with workspace_session(path, "test") as s:
            for version in s.exec(select(KpiTarget)):
                s.delete(version)
    if REVISIONS.index(to) < REVISIONS.index("0014_nonconformities"):
        # The columns 0014 adds come back at their defaults (and the nonconformity flag as its
        # upgrade sets it), so they are put there through the app first, journaled.
        with workspace_session(path, "test") as s:
            for reopen in s.exec(select(ActionReopen)):
                s.delete(reopen)
            nc_findings = {f.id for f in s.exec(select(Finding)) if f.grading in (Grading.MAJOR_NC, Grading.MINOR_NC)}
            for a in s.exec(select(Action)):
                a.nonconformity = a.source == "finding" and a.source_id in nc_findings
                a.implemented_on = a.detected_on = None
                a.settling_days = 0
                a.checker_reason = a.isms_change = a.extent = a.description = a.source_ref = ""
                s.add(a)
    if REVISIONS.index(to) < REVISIONS.index("0013_competence"):
        with workspace_session(path, "test") as s:
            for model in (AuditRecipient, CompetenceRecord, Responsibility):
                for row in s.exec(select(model)):
                    s.delete(row)
            for item in s.exec(select(AuditItem).where(AuditItem.assessed_by_id != None)):  # noqa: E711
                item.assessed_by_id = None
            for audit in s.exec(select(Audit).where(Audit.reported_on != None)):  # noqa: E711
                audit.reported_on, audit.reported_how = None, ""
            for ws in s.exec(select(Workspace)):
                ws.isms_manager_id = None
    if REVISIONS.index(to) < REVISIONS.index("0012_review_conclusions"):
        _delete_review_meetings(path)
    if REVISIONS.index(to) < REVISIONS.index("0011_soa"):
        with workspace_session(path, "test") as s:
            for entry in s.exec(select(SoaEntry)):
                s.delete(entry)
            for prog in s.exec(select(AuditProgramme)):
                prog.planning = prog.reporting = ""
                s.add(prog)
    if REVISIONS.index(to) < REVISIONS.index("0010_isms_evaluation"):
        with workspace_session(path, "test") as s:
            for row in s.exec(select(IsmsEvaluation)):
                s.delete(row)
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
