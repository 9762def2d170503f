"""Every screen of the demo workspace at 80x24 and at 120x40, clock, theme and cursors pinned.

Update deliberately with `pytest tests/test_small_terminal_snapshots.py --snapshot-update` and
look at every changed SVG.
"""

from __future__ import annotations

import pytest

from .snapshot_helpers import snapshot_app
from .snapshot_routes import SCREENS, SIZES, route


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, demo_workspace, screen: str, size: str) -> None:
    app = snapshot_app(demo_workspace)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=route(SCREENS[screen]))
