"""Where workspaces live and which ones were opened recently (platformdirs user dirs)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

APP = "isms-tui"
RECENT_MAX = 10


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
        names = json.loads(_recent_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [Path(n) for n in names if isinstance(n, str) and Path(n).exists()]


def remember_workspace(path: Path) -> None:
    path = Path(path).resolve()
    entries = [p for p in recent_workspaces() if p != path]
    entries.insert(0, path)
    target = _recent_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps([str(p) for p in entries[:RECENT_MAX]]), encoding="utf-8")
    except OSError:
        pass  # a read-only config dir must not stop anyone from working
