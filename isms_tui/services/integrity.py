"""The integrity tools' words and the workspace facts behind them, for both front ends.

`isms journal verify` / `isms evidence verify` print a report with `report_lines`, and the
TUI's Integrity screen shows the same lines, so the officer reads the same sentences in the
terminal and in the app. `workspace_facts` is what that screen shows at a glance: the journal
head, the newest signed checkpoint and the newest backup next to the workspace; whether a
signing key exists is the caller's to add (keys live in reports/, above this layer).
"""

from __future__ import annotations

import glob
import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlmodel import Session

from . import journal
from .checkpoint_format import CheckpointError, parse_signed
from .formatting import size_text
from .journal_verify import KnownCheckpoint

NO_CHECKPOINTS = "No signed checkpoints yet: issue a pack, take a backup or run `isms journal seal`."


class Report(Protocol):
    """What a check returns: `journal_verify.JournalReport` or `evidence.StoreReport`."""

    @property
    def ok(self) -> bool: ...

    @property
    def problems(self) -> Any: ...

    def summary(self) -> str: ...


def report_lines(report: Report, limit: int | None = None) -> list[str]:
    """The report as `isms journal verify` and `isms evidence verify` print it: the summary,
    each problem indented (the first `limit` of them, then how many more), the checkpoints."""
    problems = list(report.problems)
    shown = problems if limit is None else problems[:limit]
    lines = [report.summary(), *(f"  {p.message}" for p in shown)]
    more = len(problems) - len(shown) + int(getattr(report, "omitted", 0) or 0)
    if more:
        lines.append(f"  ... and {more} more")
    lines.extend(checkpoint_lines(getattr(report, "checkpoints", None)))
    return lines


def _utc(at: object) -> str:
    return str(at)[:19].replace("T", " ")


def checkpoint_lines(checkpoints: list[dict[str, Any]] | None) -> list[str]:
    """One line per signed checkpoint: whether the chain holds to it, what and where it is."""
    if checkpoints is None:
        return []
    if not checkpoints:
        return [NO_CHECKPOINTS]
    lines = [f"Signed checkpoints ({len(checkpoints)}):"]
    for c in checkpoints:
        mark = "holds" if c.get("ok") else "superseded" if c.get("superseded_by_restore") else "FAILS"
        if "entries" not in c:
            lines.append(f"  {mark}  unreadable, {c['source']}")
            continue
        what = f"{c['reason']} {c['subject']}".strip()
        note = ""
        if c.get("superseded_by_restore"):
            note = f" (history replaced by the restore of {_utc(c['superseded_by_restore'])} UTC)"
        lines.append(
            f"  {mark}  {_utc(c['at'])} UTC  {what}: {c['entries']} entries, head {c['head']}, {c['source']}{note}"
        )
    return lines


# -- the facts at a glance -------------------------------------------------------------------


@dataclass(frozen=True)
class CheckpointFact:
    """The newest signed checkpoint of this workspace's journal, wherever it is kept."""

    at: str  # ISO 8601, UTC
    reason: str  # seal, pack, backup, restore
    subject: str
    entries: int

    def text(self) -> str:
        what = f"{self.reason} {self.subject}".strip()
        return f"{_utc(self.at)} UTC, {what} ({self.entries:,} entries)"


@dataclass(frozen=True)
class BackupFact:
    path: Path
    modified: datetime
    size: int

    def text(self) -> str:
        return f"{self.path.name}, {self.modified:%Y-%m-%d %H:%M}, {size_text(self.size)}"


@dataclass(frozen=True)
class Facts:
    """What the Integrity screen shows before any check runs."""

    workspace: Path
    entries: int
    head: str
    checkpoint: CheckpointFact | None
    backup: BackupFact | None
    organisation: str = ""
    has_key: bool = False

    def rows(self) -> list[tuple[str, str]]:
        """(label, text) for each fact, in the order shown."""
        if self.has_key:
            key = f"yes, for {self.organisation}"
        else:
            key = "none yet: issuing a pack (P) creates it, or run `isms keys init`"
        checkpoint = self.checkpoint.text() if self.checkpoint else "none signed yet"
        backup = self.backup.text() if self.backup else "none next to the workspace"
        return [
            ("Workspace", str(self.workspace)),
            ("Journal", f"{self.entries:,} entries, head {self.head[:12]}"),
            ("Checkpoint", checkpoint),
            ("Signing key", key),
            ("Backup", backup),
        ]


def workspace_facts(session: Session, db_path: Path, external: Iterable[KnownCheckpoint] = ()) -> Facts:
    """The journal head, the newest checkpoint (in the workspace or among `external`, the copies
    beside the keys, for this workspace's journal) and the newest backup; read in one snapshot."""
    from isms_tui.models.db import hold_snapshot

    hold_snapshot(session)
    entries, head = journal.head(session)
    conn = session.connection()
    first = conn.exec_driver_sql("SELECT hash FROM journal ORDER BY id LIMIT 1").scalar()
    rows = conn.exec_driver_sql("SELECT signed FROM checkpoint").scalars().all()
    org = conn.exec_driver_sql("SELECT org_name FROM workspace ORDER BY id LIMIT 1").scalar()
    found: list[CheckpointFact] = []
    for text in rows:
        try:
            found.append(_fact(parse_signed(json.loads(str(text))).statement))
        except (CheckpointError, ValueError, RecursionError):
            continue
    for known in external:
        if known.signed is not None and first is not None and known.signed.statement.workspace == first:
            found.append(_fact(known.signed.statement))
    newest = max(found, key=lambda f: f.at) if found else None
    organisation = org.strip() if isinstance(org, str) else ""
    return Facts(Path(db_path), entries, head, newest, newest_backup(Path(db_path)), organisation)


def _fact(statement: Any) -> CheckpointFact:
    return CheckpointFact(statement.at, statement.reason, statement.subject, statement.entries)


def newest_backup(db_path: Path) -> BackupFact | None:
    """The newest regular file named FILE.backup-*.zip beside the workspace (a link or a
    special file of that name is not a backup: never followed, never opened)."""
    newest: BackupFact | None = None
    for name in glob.glob(glob.escape(db_path.name) + ".backup-*.zip", root_dir=db_path.parent):
        try:
            info = os.lstat(db_path.parent / name)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        modified = datetime.fromtimestamp(info.st_mtime, UTC).astimezone()
        if newest is None or modified > newest.modified:
            newest = BackupFact(db_path.parent / name, modified, info.st_size)
    return newest
