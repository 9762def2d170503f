"""Every form and modal of the demo workspace at 80x24 and at 120x40, opened where a user opens
it, with the clock, theme and cursors pinned: the fields scroll, the buttons stay in view.

Update deliberately with `pytest tests/test_form_snapshots.py --snapshot-update` and look at
every changed SVG.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .snapshot_helpers import snapshot_app
from .snapshot_routes import FORMS, PUSHED, SIZES, on_top, route, still
from .tui_helpers import wait_for


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("form", list(FORMS))
def test_form(snap_compare, demo_workspace, form: str, size: str) -> None:
    app = snapshot_app(demo_workspace)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=route(FORMS[form]))


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("form", list(PUSHED))
def test_pushed_form(snap_compare, demo_workspace, form: str, size: str) -> None:
    steps, make = PUSHED[form]
    app = snapshot_app(demo_workspace)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=route(steps, make))


@pytest.mark.parametrize("size", list(SIZES))
def test_welcome(snap_compare, tmp_path, monkeypatch, size: str) -> None:
    """The first run on a new file: the welcome screen asks for the organisation and scope.
    The file is named relative to the test's folder, so the path it shows is the same each run."""
    monkeypatch.chdir(tmp_path)
    app = snapshot_app(Path("new.db"))

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: on_top(pilot) == "WelcomeScreen", "the welcome screen")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)
