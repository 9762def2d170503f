"""Where workspaces live and which ones were opened recently (platformdirs user dirs)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

from isms_tui.userfiles import UserFileError, read_user_file

APP = "isms-tui"
RECENT_MAX = 10
MAX_RECENT_FILE = 64 << 10  # ten paths and times; anything bigger (or a pipe, or a device) is not ours


def data_dir() -> Path:
    return Path(os.environ.get("ISMS_DATA_DIR") or user_data_dir(APP, appauthor=False))


def default_db_path() -> Path:
    """The workspace opened when no --db is given."""
    return data_dir() / "workspace.db"


def demo_db_path() -> Path:
    """The demo workspace, kept apart from real ones."""
    return data_dir() / "demo.db"


def _recent_file() -> Path:
    base = os.environ.get("ISMS_CONFIG_DIR") or user_config_dir(APP, appauthor=False)
    return Path(base) / "recent.json"


@dataclass(frozen=True)
class RecentEntry:
    """A workspace in the recent list and when it was last opened (None: before this was kept)."""

    path: Path
    opened_at: datetime | None


def recent_entries() -> list[RecentEntry]:
    """The recent list as kept, most recent first, files that have gone included."""
    try:
        items = json.loads(read_user_file(_recent_file(), max_bytes=MAX_RECENT_FILE).decode("utf-8"))
    except (UserFileError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return []
    if not isinstance(items, list):
        return []
    out: dict[Path, RecentEntry] = {}  # a hand-edited list may name a file twice: the first counts
    for item in items:
        if isinstance(item, str):  # the older list kept paths only
            entry = RecentEntry(Path(item), None)
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            entry = RecentEntry(Path(item["path"]), _when(item.get("opened_at")))
        else:
            continue
        if "\0" not in str(entry.path):  # no file can have that name; Path.exists() would raise
            out.setdefault(entry.path, entry)
    return list(out.values())


def _when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def recent_workspaces() -> list[Path]:
    """Recently opened workspace files that still exist, most recent first."""
    return [e.path for e in recent_entries() if e.path.exists()]


def remember_workspace(path: Path, now: datetime | None = None) -> None:
    """Put `path` first in the recent list with the time it was opened."""
    path = Path(path).resolve()
    opened = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    # A file that has gone stays listed (with its reason) until newer ones push it off the end.
    entries = [e for e in recent_entries() if e.path != path]
    entries.insert(0, RecentEntry(path, opened))
    _write_recent(entries[:RECENT_MAX])


def forget_workspace(path: Path) -> None:
    """Take `path` off the recent list; the file itself is not touched."""
    _write_recent([e for e in recent_entries() if e.path != Path(path)])


def _write_recent(entries: list[RecentEntry]) -> None:
    target = _recent_file()
    text = json.dumps(
        [{"path": str(e.path), "opened_at": e.opened_at.isoformat() if e.opened_at else None} for e in entries]
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # A new file renamed over the old name: writing through the name would block on a
        # named pipe put there, or write into whatever a symbolic link there points to.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".recent-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only config dir must not stop anyone from working


def write_crash_log(error: BaseException) -> Path | None:
    """Keep the details of an unexpected error in the data folder for a bug report."""
    import traceback

    try:
        folder = data_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{datetime.now().strftime('%Y%m%d-%H%M%S')}.log"
        path.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
        return path
    except OSError:
        return None
