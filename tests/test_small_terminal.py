"""At 80x24 every section shows what it is for: its key widgets lie inside the screen, the
dashboard's tiles are folded into one line, and its lower tables scroll into view when reached."""

from __future__ import annotations

from rich.cells import cell_len
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Digits

from isms_tui.screens.dashboard import DashboardScreen

from .snapshot_helpers import on_dashboard, snapshot_app
from .snapshot_routes import SMALL
from .tui_helpers import loaded, wait_for

# The section's keys (escape first where a form has the cursor), its mode, and the widgets that
# must be in view (with the rows each needs).
SECTIONS = [
    ("m", "monitoring", {"#filter-text": 1, "#kpis": 8}),
    ("a", "audits", {"#audit-table": 6}),
    ("c", "actions", {"#action-filters": 3, "#actions": 6, "#action-detail-box": 3}),
    ("g", "risks", {"#risk-filters": 3, "#risks": 6, "#risk-detail-box": 3}),
    ("v", "review", {"#reviews": 3}),
    ("s", "settings", {"#org-form": 10}),
    ("escape d", "dashboard", {"#headline": 3, "#tiles-line": 2, "#due-line": 1, "#urgent": 8}),
]


def in_view(widget: Widget, rows: int = 1) -> bool:
    """Shown, its top and its full width between header and footer, at least `rows` of it in
    view there (a table may run on below, in a scrolling body)."""
    screen = widget.screen.region
    body = Region(0, 1, screen.width, screen.height - 2)  # between the header and the footer
    region = widget.region
    seen = region.intersection(body)
    return bool(widget.display) and region.y >= body.y and seen.width == region.width > 0 and seen.height >= rows


def why_not(widget: Widget) -> str:
    return f"{widget!r} at {widget.region} on a screen of {widget.screen.region}"


async def test_every_section_at_80x24(demo_workspace) -> None:
    app = snapshot_app(demo_workspace)
    async with app.run_test(size=SMALL) as pilot:
        await on_dashboard(pilot)
        await loaded(pilot)
        for key, mode, widgets in SECTIONS:
            await pilot.press(*key.split())
            await wait_for(pilot, lambda mode=mode: app.current_mode == mode, mode)
            await loaded(pilot)
            assert app.screen.has_class("-narrow") and app.screen.has_class("-short")
            for selector, rows in widgets.items():
                widget = app.screen.query_one(selector)
                assert in_view(widget, rows), why_not(widget)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        # The big digits are folded away and their counts are on the line instead.
        assert not screen.query_one("#tiles").display
        line = str(screen.query_one("#tiles-line").render())
        for tile in screen.query(".tile"):
            assert not tile.query_one(Digits).region.height
        assert "off target" in line and "to analyse" in line and "Actions · c:" in line


async def test_dashboard_tables_scroll_into_view_at_80x24(demo_workspace) -> None:
    app = snapshot_app(demo_workspace)
    async with app.run_test(size=SMALL) as pilot:
        await on_dashboard(pilot)
        await loaded(pilot)
        for table in ("#due", "#analyses-due", "#latest-analyses"):
            await pilot.press("tab")
            await wait_for(pilot, lambda table=table: app.focused is app.screen.query_one(table), table)
            widget = app.screen.query_one(table)
            await wait_for(pilot, lambda widget=widget: in_view(widget, 5), f"{table} in view")


async def test_dashboard_unfolds_at_120x40(demo_workspace) -> None:
    app = snapshot_app(demo_workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_dashboard(pilot)
        await loaded(pilot)
        screen = app.screen
        assert not screen.query_one("#tiles-line").display
        assert in_view(screen.query_one("#tiles"), 6)
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: not screen.query_one("#tiles").display, "the tiles folded")
        await wait_for(pilot, lambda: in_view(screen.query_one("#tiles-line"), 2), "the folded line")


async def test_workspace_picker_at_80x24(demo_workspace) -> None:
    app = snapshot_app(demo_workspace)
    async with app.run_test(size=SMALL) as pilot:
        await on_dashboard(pilot)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "WorkspacePicker", "the picker")
        await loaded(pilot)
        for selector in ("#picker-title", "#picker-path", "#picker-hint"):
            widget = app.screen.query_one(selector)
            assert in_view(widget), why_not(widget)


async def test_history_at_80x24(demo_workspace) -> None:
    """The journal's history of a KPI: its title and entries in view, the box inside the screen."""
    app = snapshot_app(demo_workspace)
    async with app.run_test(size=SMALL) as pilot:
        await on_dashboard(pilot)
        await loaded(pilot)
        await pilot.press("enter")  # the first KPI by urgency
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiDetailScreen", "the KPI detail")
        await loaded(pilot)
        await pilot.press("h")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryModal", "the history")
        await loaded(pilot)
        for selector, rows in {"#history-box": 10, "#history-title": 1, "#history-scroll": 8}.items():
            widget = app.screen.query_one(selector)
            assert in_view(widget, rows), why_not(widget)


async def test_a_long_wide_scope_takes_one_line_at_80x24(demo_workspace) -> None:
    """A scope of several paragraphs in wide characters still leaves the dashboard its rows."""
    from isms_tui.services import workspace

    from .db_helpers import workspace_session

    with workspace_session(demo_workspace, "Ann Officer") as s:
        ws = workspace.get_workspace(s)
        assert ws is not None
        scope = "情報セキュリティ管理" * 12 + "\n\nSecond paragraph [bold]not markup[/bold]."
        workspace.save_workspace(s, ws.org_name, scope, ws.audit_cycle_years, ws.current_user)
    app = snapshot_app(demo_workspace)
    async with app.run_test(size=SMALL) as pilot:
        await on_dashboard(pilot)
        await loaded(pilot)
        headline = app.screen.query_one("#headline")
        lines = str(headline.render()).splitlines()
        scope_lines = [line for line in lines if line.startswith("Scope:")]
        assert len(scope_lines) == 1 and scope_lines[0].endswith("…")
        assert cell_len(scope_lines[0]) <= headline.content_region.width  # so it never wraps
        assert lines[lines.index(scope_lines[0]) + 1].startswith("Audit:")
