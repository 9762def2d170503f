"""Long texts can be read in full where a table or a summary line cuts them: the dashboard's
latest analyses, the findings of an audit, the ISMS scope in Settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from isms_tui.app import IsmsApp
from isms_tui.services import workspace

from .db_helpers import workspace_session
from .tui_helpers import wait_for

SIZE = (120, 40)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    path = tmp_path / "w.db"
    with workspace_session(path, "test") as session:
        workspace.save_workspace(session, "Example Ltd", "All of it")
    return path


async def on_dashboard(pilot) -> None:
    app = pilot.app
    await wait_for(
        pilot,
        lambda: app.engine is not None and app.current_mode == "dashboard" and bool(app.screen.query("HeaderTitle")),
    )
    await pilot.pause()


async def test_a_latest_analysis_is_read_in_full_from_the_dashboard(demo_workspace):
    from textual.widgets import DataTable, Static

    from isms_tui.widgets.full_text import FullTextScreen

    from .db_helpers import read

    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await on_dashboard(pilot)
        table = app.screen.query_one("#latest-analyses", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0, "the latest analyses")
        longest = max(range(table.row_count), key=lambda i: len(str(table.get_row_at(i)[2])))
        key = table.coordinate_to_cell_key((longest, 0)).row_key.value
        table.focus()
        table.move_cursor(row=longest)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FullTextScreen), "the analysis in full")
        from isms_tui.models import Analysis

        conclusion = read(demo_workspace, lambda s: s.get(Analysis, int(key)).conclusion)
        shown = [str(w.render()) for w in app.screen.query(".full-text").results(Static)]
        assert conclusion in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.current_mode == "dashboard" and not isinstance(app.screen, FullTextScreen))


async def test_the_scope_in_settings_is_shown_whole_and_saved_as_typed(ws):
    from textual.widgets import TextArea

    long_scope = "The ISMS covers " + ", ".join(f"site {i} and its people, systems and suppliers" for i in range(6))
    with workspace_session(ws, "test") as session:
        workspace.save_workspace(session, "Example Ltd", long_scope)
    app = IsmsApp(ws)
    async with app.run_test(size=SIZE) as pilot:
        await on_dashboard(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: bool(app.screen.query("#org-scope")), "settings")
        area = app.screen.query_one("#org-scope", TextArea)
        await wait_for(pilot, lambda: area.text == long_scope, "the scope loaded")
        await pilot.pause()
        assert area.soft_wrap and area.wrapped_document.height <= area.content_size.height
        area.text = long_scope + " and the head office."
        await pilot.press("ctrl+s")
        await pilot.pause()
    with workspace_session(ws) as session:
        assert workspace.get_workspace(session).scope == long_scope + " and the head office."


async def test_the_highlighted_finding_is_shown_in_full_under_the_table(demo_workspace):
    from textual.widgets import DataTable, Static

    from isms_tui.models import Finding
    from isms_tui.screens.audit_detail import AuditDetailScreen

    from .db_helpers import read

    finding = read(demo_workspace, lambda s: max(s.exec(select(Finding)), key=lambda f: len(f.statement)))
    assert len(finding.statement) > 38  # longer than the column shows
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await on_dashboard(pilot)
        await app.push_screen(AuditDetailScreen(finding.audit_id))
        table = app.screen.query_one("#findings", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0, "the findings")
        table.move_cursor(row=table.get_row_index(str(finding.id)))
        await pilot.pause()
        detail = str(app.screen.query_one("#finding-detail", Static).render())
        assert finding.statement in detail and detail.startswith(finding.ref)
