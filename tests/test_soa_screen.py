"""The statement of applicability from the keyboard: Audits, S, edit a control, per-field
errors before anything is saved."""

from __future__ import annotations

from pathlib import Path

from isms_tui.services import soa

from .db_helpers import read
from .tui_helpers import wait_for


async def test_a_control_is_excluded_only_with_its_justification(demo_workspace: Path) -> None:
    from isms_tui.app import IsmsApp

    app = IsmsApp(demo_workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.engine is not None and type(app.screen).__name__ == "DashboardScreen")
        await pilot.press("a")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuditsScreen")
        await pilot.press("S")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SoaScreen")
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.rows) == 93, "the statement is loaded")
        await pilot.press("slash", *"A.5.6", "enter")  # filter to one control, back to the table
        await wait_for(pilot, lambda: [r.ref for r in screen.visible_rows()] == ["A.5.6"])
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SoaForm")
        await pilot.press("enter", "down", "enter")  # Applies: not applicable
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "SoaForm"  # refused: no justification
        justification = app.screen.query_one("#field-justification")
        assert justification.has_class("-invalid")
        assert app.focused is justification.control
        await pilot.press(*"We join no special interest groups", "ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SoaScreen")
        await wait_for(pilot, lambda: screen.summary is not None and screen.summary.not_applicable == 4)

    row = read(demo_workspace, lambda s: next(r for r in soa.statement(s) if r.ref == "A.5.6"))
    assert (row.decision, row.justification, row.status) == (
        "not applicable",
        "We join no special interest groups",
        "",
    )
