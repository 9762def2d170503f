"""Where workspaces live and which ones were opened recently (platformdirs user dirs)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

from isms_tui.userfiles import UserFileError, read_user_file

APP = "isms-tui"
RECENT_MAX = 10
MAX_RECENT_FILE = 64 << 10  # ten paths; anything bigger (or a pipe, or a device) is not ours


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


def recent_workspaces() -> list[Path]:
    """Recently opened workspace files that still exist, most recent first."""
    try:
        names = json.loads(read_user_file(_recent_file(), max_bytes=MAX_RECENT_FILE).decode("utf-8"))
    except (UserFileError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return []
    if not isinstance(names, list):
        return []
    return [Path(n) for n in names if isinstance(n, str) and Path(n).exists()]


def remember_workspace(path: Path) -> None:
    path = Path(path).resolve()
    entries = [p for p in recent_workspaces() if p != path]
    entries.insert(0, path)
    target = _recent_file()
    text = json.dumps([str(p) for p in entries[:RECENT_MAX]])
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
