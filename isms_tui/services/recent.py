"""The recent-workspaces list as the picker shows it: organisation, last opened, or why not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from isms_tui.config import recent_entries
from isms_tui.models.db import WorkspaceError
from isms_tui.models.peek import organisation_of


@dataclass(frozen=True)
class RecentWorkspace:
    """One workspace file: whose it is and when it was last opened, or why it cannot be read."""

    path: Path
    opened_at: datetime | None  # None: opened before the time was kept, or never from here
    organisation: str | None  # None: none named yet, or unreadable (see problem)
    problem: str = ""  # one sentence when the file cannot be read; "" when it can
    missing: bool = False


def describe(path: Path, opened_at: datetime | None = None) -> RecentWorkspace:
    """Read one workspace's organisation name; a file that cannot be read gives its reason."""
    try:
        return RecentWorkspace(path, opened_at, organisation_of(path))
    except WorkspaceError as exc:
        return RecentWorkspace(path, opened_at, None, str(exc), missing=not path.exists())
    except OSError as exc:
        return RecentWorkspace(path, opened_at, None, f"Cannot read {path}: {exc.strerror or exc}.")


def recent_workspaces(current: Path | None = None) -> list[RecentWorkspace]:
    """The recent list, most recent first, with `current` on top when it is not in it yet."""
    entries = [(e.path, e.opened_at) for e in recent_entries()]
    if current is not None and current not in {p for p, _ in entries}:
        entries.insert(0, (current, None))
    return [describe(path, when) for path, when in entries]
