"""The footer on a small terminal: compact, the screen's own keys first, the sections folded
into one group, and help and the palette always in sight on the right."""

from __future__ import annotations

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel

from isms_tui.app import IsmsApp
from isms_tui.widgets.footer import IsmsFooter

from .snapshot_routes import SCREENS, SMALL, on_top
from .tui_helpers import loaded, opened, wait_for


def footer_keys(app: IsmsApp) -> list[FooterKey]:
    footer = app.screen.query_one(IsmsFooter)
    return [key for key in footer.query(FooterKey) if key.display]


async def keys_shown(pilot) -> tuple[IsmsFooter, list[FooterKey]]:
    app = pilot.app
    await wait_for(pilot, lambda: any(k.has_class("-help") for k in footer_keys(app)), "the footer's keys")
    return app.screen.query_one(IsmsFooter), footer_keys(app)


@pytest.mark.parametrize("name", ["dashboard", "monitoring", "working_paper", "review_preparation"])
async def test_at_80_columns_help_and_the_screens_keys_come_first(demo_workspace, name: str) -> None:
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SMALL) as pilot:
        await opened(pilot)
        for keys, screen in SCREENS[name]:
            await pilot.press(*keys.split())
            await wait_for(pilot, lambda screen=screen: on_top(pilot) == screen, screen)
        footer, keys = await keys_shown(pilot)
        assert footer.compact
        declared = [b for b in type(app.screen).BINDINGS if getattr(b, "show", False)]
        assert keys[0].key == declared[0].key, "the screen's first key leads"
        help_key = next(k for k in keys if k.has_class("-help"))
        assert help_key.key == "question_mark" and help_key.region.right <= SMALL[0]
        assert help_key.region.y == SMALL[1] - 1
        if name == "dashboard":
            assert "sections" in [str(label.render()) for label in footer.query(FooterLabel)]
        await pilot.press("question_mark")  # the key shown opens the help
        await wait_for(pilot, lambda: on_top(pilot) == "HelpScreen", "the help")


async def test_in_a_form_the_help_key_shown_is_f1(demo_workspace) -> None:
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SMALL) as pilot:
        await opened(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: app.current_mode == "monitoring", "monitoring")
        await pilot.press("n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiForm", "the KPI form")
        _, keys = await keys_shown(pilot)
        help_key = next(k for k in keys if k.has_class("-help"))
        assert help_key.key == "f1" and help_key.region.right <= SMALL[0]


async def test_wide_terminals_keep_the_layout_without_compacting(demo_workspace) -> None:
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await loaded(pilot)
        footer = app.screen.query_one(IsmsFooter)
        await wait_for(pilot, lambda: any(k.has_class("-help") for k in footer_keys(app)), "the footer's keys")
        assert not footer.compact
        help_key = next(k for k in footer_keys(app) if k.has_class("-help"))
        assert help_key.region.right <= 120
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: app.screen.query_one(IsmsFooter).compact, "the compact footer")
        assert isinstance(footer, Footer)
