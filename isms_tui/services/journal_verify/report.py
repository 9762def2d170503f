"""What a journal check found: its problems, each with a kind, and the report around them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from isms_tui.models.journal import GENESIS_HASH

from ..formatting import plural

MAX_PROBLEMS = 10_000  # beyond this only a count is kept: a mass edit must not exhaust memory


@dataclass(frozen=True)
class Problem:
    """One thing wrong, with a one-line message for people and fields for scripts."""

    kind: str
    message: str
    entry_id: int | None = None
    table: str | None = None
    row_id: int | None = None
    last_row_id: int | None = None  # for a run of consecutive rows with the same problem
    columns: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["columns"] = list(self.columns)
        return {k: v for k, v in data.items() if v not in (None, [])}


# Kinds of problem.
ENTRY_ALTERED = "entry-altered"  # an entry's content does not match its hash
ENTRY_MALFORMED = "entry-malformed"  # a field of an entry has an impossible type
CHAIN_BROKEN = "chain-broken"  # an entry does not continue from the previous one
ENTRIES_MISSING = "entries-missing"  # ids skip: entries were deleted
ROW_CHANGED = "row-changed"  # a row differs from its newest journal state
ROW_UNJOURNALED = "row-unjournaled"  # a row the journal has never seen
ROW_NO_CREATE = "row-no-create"  # a row whose 'create' entry is not in the journal
ROW_RESURRECTED = "row-resurrected"  # a row the journal says was deleted
ROW_DELETED = "row-deleted"  # a row the journal says exists is gone
SCHEMA_CHANGED = "schema-changed"  # a table, column, index, view or trigger the application did not make
VALUE_INVALID = "value-invalid"  # a stored value outside its column's domain
STORAGE_DAMAGED = "storage-damaged"  # SQLite's integrity_check found damage
TIME_BACKWARDS = "time-backwards"  # an entry dated before the entry preceding it
CHECKPOINT_INVALID = "checkpoint-invalid"  # a checkpoint whose signature or signer does not hold
CHECKPOINT_CONTRADICTED = "checkpoint-contradicted"  # the chain differs from a signed head: cut, re-forged, rolled back
CHECKPOINT_MISSING = "checkpoint-missing"  # checkpoints exist for this path, none for this file's history


@dataclass
class JournalReport:
    """What `verify` found: the chain's size and head, and every problem."""

    entries: int = 0
    head: str = GENESIS_HASH
    last_id: int | None = None
    tables: list[str] = field(default_factory=list)
    rows_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    omitted: int = 0  # problems found beyond MAX_PROBLEMS
    checkpoints: list[dict[str, Any]] = field(default_factory=list)  # each known checkpoint, whether it holds

    @property
    def ok(self) -> bool:
        return not self.problems and not self.omitted

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.omitted

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.omitted += 1

    def summary(self) -> str:
        if self.ok:
            return f"Journal intact: {self.entries} entries, head {self.head}"
        n = self.problem_count
        return (
            f"Journal check failed: {plural(n, 'problem')} ({self.entries} entries, {self.rows_checked} rows checked)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": self.head,
            "last_id": self.last_id,
            "tables": self.tables,
            "rows_checked": self.rows_checked,
            "problem_count": self.problem_count,
            "problems": [p.to_dict() for p in self.problems],
            "checkpoints": self.checkpoints,
        }
