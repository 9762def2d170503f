"""The dashboard's first view: its KPI figures, read before the data layer is imported.

Importing SQLModel and SQLAlchemy costs more than Textual itself, so on a large workspace the
dashboard would wait for that before showing anything. This module reads the same rows with
the standard library's sqlite3, read-only and in one read transaction, and builds them through
the same code as the full load (`monitoring.build_rows`, `attention.analyses_due_from`), so
the numbers cannot differ (a test compares the two on the demo workspace).

It is only a view: nothing here writes, locks or migrates. It gives way (None) whenever the
full open must decide and speak: no file, a link, a file with several names, a read-only
place, not a workspace, an older or newer schema, a schema the application did not make (the
same shape check as `open_engine`), a workspace not set up yet, or any value it cannot read.
The full open follows at once and says in one sentence what is wrong.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from isms_tui.models.enums import Direction, Frequency
from isms_tui.models.schema import HEAD
from isms_tui.models.schema_shape import schema_differences

from .attention import Figures, analyses_due_from
from .kpi_reads import ANALYSES_SQL, VERSIONS_SQL, analyses_made, target_histories
from .monitoring import build_rows, overview_of

if TYPE_CHECKING:
    from isms_tui.models import Kpi

_KPI_SQL = (
    "SELECT id, code, name, unit, direction, target, warning, target_high, warning_high, frequency, "
    "grace_days, collector_id, analyst_id, analysis_frequency, started_on, active "
    "FROM kpi WHERE active ORDER BY code"
)


@dataclass(frozen=True, slots=True)
class KpiFacts:
    """The columns of a kpi row that its status, its due readings and its analyses depend on,
    as the same Python values the ORM gives (enums by name, dates parsed)."""

    id: int
    code: str
    name: str
    unit: str
    direction: Direction
    target: float
    warning: float | None
    target_high: float | None
    warning_high: float | None
    frequency: Frequency
    grace_days: int
    collector_id: int | None
    analyst_id: int | None
    analysis_frequency: Frequency
    started_on: date
    active: bool

    @classmethod
    def of_row(cls, row: tuple[Any, ...]) -> KpiFacts:
        (kid, code, name, unit, direction, target, warning, high, warning_high, freq, grace, collector, analyst,
         analysis_freq, started, active) = row  # fmt: skip
        return cls(
            kid, code, name, unit, Direction[direction], target, warning, high, warning_high, Frequency[freq],
            grace, collector, analyst, Frequency[analysis_freq], date.fromisoformat(started), bool(active),
        )  # fmt: skip


@dataclass(frozen=True)
class FirstView:
    """What the dashboard shows before the full load: the organisation and the KPI figures
    (without the ISMS evaluation's due date, which the full load adds)."""

    org: str
    scope: str
    figures: Figures


def first_view(path: Path, today: date) -> FirstView | None:
    """The dashboard's KPI figures for the workspace at `path`, or None to leave it to the full open."""
    uri = _readable_uri(Path(path))
    if uri is None:
        return None
    try:
        with closing(sqlite3.connect(uri, uri=True)) as con:
            con.execute("BEGIN")  # one snapshot for every read below
            return _read(con, today)
    except (sqlite3.Error, ValueError, KeyError, TypeError, OSError):
        return None  # the full open reads it again and says what is wrong


def _readable_uri(path: Path) -> str | None:
    """A read-only URI for the workspace's real file when the full open would open it for
    writing as it is; None for anything it must look at itself."""
    real = Path(os.path.realpath(path.expanduser()))
    try:
        info = os.stat(real)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1 or info.st_size == 0:
        return None
    if not os.access(real, os.R_OK | os.W_OK) or not os.access(real.parent, os.W_OK):
        return None  # a read-only place: SQLite needs an immutable open there, which the full open makes
    return f"file:{quote(str(real))}?mode=ro"


def _read(con: sqlite3.Connection, today: date) -> FirstView | None:
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"alembic_version", "workspace", "kpi"} <= tables:
        return None
    if con.execute("SELECT version_num FROM alembic_version").fetchall() != [(HEAD,)]:
        return None  # to be migrated, or newer than this version
    if schema_differences(con):
        return None  # refused by the full open, in one sentence
    head = con.execute("SELECT org_name, scope FROM workspace ORDER BY id LIMIT 1").fetchone()
    if head is None:
        return None  # not set up yet: the welcome screen
    kpis = [KpiFacts.of_row(r) for r in con.execute(_KPI_SQL)]
    people: dict[int, str] = dict(con.execute("SELECT id, name FROM person"))
    histories = target_histories(con.execute(VERSIONS_SQL))
    made = analyses_made(con.execute(ANALYSES_SQL))
    with closing(con.cursor()) as cursor:
        # KpiFacts has every column these read, with the ORM's types; it is not a Kpi row and
        # never reaches anything but the dashboard's first view.
        rows = build_rows(cast("list[Kpi]", kpis), people, histories, cursor, today)
    ov = overview_of(rows)
    return FirstView(head[0], head[1], Figures(ov, analyses_due_from(made, ov.rows, today)))
