"""A read-only workspace offers no write key: the footer dims them and says "read-only",
pressing one opens no form and does not fall through to a section key of the same letter,
and the command palette does not offer to issue a pack (which records a checkpoint)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.screen import ModalScreen
from textual.widgets import Header

from isms_tui.models.lock import acquire
from isms_tui.screens.base import WriteBinding, write_actions
from isms_tui.screens.kpi_detail import KpiDetailScreen
from isms_tui.services import kpis, workspace
from isms_tui.services.kpis import KpiInput
from isms_tui.widgets.footer import IsmsFooter

from .db_helpers import workspace_session
from .tui_helpers import make_app, opened, wait_for


@pytest.fixture
def ws(db_path: Path) -> Path:
    with workspace_session(db_path, "setup") as s:
        workspace.save_workspace(s, "Acme Ltd", "All offices")
        kpis.save_kpi(s, KpiInput(code="M1", name="Monthly", target=90.0, started_on=date(2024, 1, 1)))
    return db_path


def footer_text(app) -> str:
    return " ".join(str(label.render()) for label in app.screen.query_one(IsmsFooter).query("*"))


def offered(app) -> set[str]:
    """The keys the footer and key panel show as usable on the current screen."""
    return {key for key, active in app.screen.active_bindings.items() if active.enabled}


def test_write_actions_are_read_from_the_marked_bindings():
    assert {"reading", "analysis", "edit", "void", "correct"} == write_actions(KpiDetailScreen)
    assert isinstance(next(b for b in KpiDetailScreen.BINDINGS if b.action == "void"), WriteBinding)


async def test_read_only_workspace_hides_write_keys_and_opens_no_form(ws):
    with acquire(ws):
        app = make_app(ws)
        async with app.run_test(size=(120, 40)) as pilot:
            await opened(pilot)
            await pilot.pause()
            assert "read-only" in footer_text(app)
            assert "r" not in offered(app)  # "Enter due readings" is not offered
            await pilot.press("m")
            await wait_for(pilot, lambda: app.current_mode == "monitoring" and app.screen.query_one("#kpis").row_count)
            await pilot.pause()
            assert "read-only" in footer_text(app)
            assert not {"n", "e", "r", "R", "x"} & offered(app)
            assert {"slash", "o", "i"} <= offered(app)  # reading keys stay
            for key in ("n", "e", "r", "R", "x"):
                await pilot.press(key)
                await pilot.pause()
                assert not isinstance(app.screen, ModalScreen), f"{key} opened {app.screen}"
            await pilot.press("enter")  # the KPI's detail: its write keys are hidden too
            await wait_for(pilot, lambda: isinstance(app.screen, KpiDetailScreen))
            await pilot.pause()
            assert not {"r", "a", "e", "v", "c"} & offered(app)
            assert {"h", "l", "escape"} <= offered(app)
            for key in ("a", "v", "c"):  # would otherwise fall through to Audits, Review, Actions
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, KpiDetailScreen) and app.current_mode == "monitoring"
            assert "read-only" in footer_text(app)
            title = str(app.screen.query_one(Header).format_title())
            assert "M1" in title and title.endswith("(read-only)")  # a detail screen's own title says so too
            commands = [c.title for c in app.get_system_commands(app.screen)]
            assert "Issue evidence pack" not in commands
            assert app.check_action("export_pack", ()) is False
    with workspace_session(ws) as s:
        assert kpis.kpi_by_code(s, "M1").active


async def test_writable_workspace_offers_the_write_keys_and_no_badge(ws):
    app = make_app(ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await opened(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: app.current_mode == "monitoring" and app.screen.query_one("#kpis").row_count)
        await pilot.pause()
        assert "read-only" not in footer_text(app)
        assert {"n", "e", "r", "R", "x"} <= offered(app)
        assert "Issue evidence pack" in [c.title for c in app.get_system_commands(app.screen)]
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ModalScreen))


async def test_read_only_settings_offer_nothing_to_type_into(ws):
    from isms_tui.screens.settings import OrganisationForm

    with acquire(ws):
        app = make_app(ws)
        async with app.run_test(size=(120, 40)) as pilot:
            await opened(pilot)
            await pilot.press("s")
            await wait_for(pilot, lambda: bool(app.screen.query(OrganisationForm)), "settings")
            await pilot.pause()
            assert app.screen.query_one(OrganisationForm).disabled
            assert not {"ctrl+s", "n", "e", "a"} & offered(app)
            assert "read-only" in footer_text(app)
