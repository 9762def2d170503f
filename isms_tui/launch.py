"""Entry point of the `isms` command.

Opening the TUI is the common case and its first paint should cost no more than a bare
Textual app, so `isms` and `isms --db FILE` start the app directly; everything else goes
through the click command line in the cli package.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

NOT_TUI_ONLY: Literal[False] = False


def _tui_path(args: list[str]) -> Path | None | Literal[False]:
    """What the arguments ask for: only the TUI on a workspace file, or anything else.

    A Path: open the TUI on that file (`--db FILE`); None: open it on the default workspace
    (no arguments); NOT_TUI_ONLY (False): anything else, which the click command line handles.
    """
    if not args:
        return None
    if len(args) == 2 and args[0] == "--db" and not args[1].startswith("-"):
        return Path(args[1])
    if len(args) == 1 and args[0].startswith("--db=") and len(args[0]) > 5:
        return Path(args[0][5:])
    return NOT_TUI_ONLY


def main() -> None:
    path = _tui_path(sys.argv[1:])
    if path is NOT_TUI_ONLY:
        from isms_tui.cli import main as cli_main

        cli_main()
        return
    from isms_tui.services.collector import pause_for_start_up

    pause_for_start_up()  # until the dashboard's first view is on screen (screens/opening.py)
    from isms_tui.app import IsmsApp

    if path is None:
        from isms_tui.config import default_db_path

        path = default_db_path()
    if path.is_dir():
        print(f"Error: {path} is a directory, not a workspace file.", file=sys.stderr)
        sys.exit(2)
    app = IsmsApp(path)
    app.run()
    if app.return_code:
        print(f"Error: {app.error_message or 'The workspace could not be opened.'}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
