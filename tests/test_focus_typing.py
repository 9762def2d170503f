"""Typing goes where the cursor is: forms open in their first field, letters typed into a
field, a drop-down or a tab bar never run section keys, and a burst of keys or a paste with
tabs fills a form field by field."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select
from textual import events
from textual.widgets import Input, Tabs, TextArea

from isms_tui.app import IsmsApp
from isms_tui.models import ReviewEntry
from isms_tui.screens.settings import PersonForm, SettingsScreen

from .db_helpers import read
from .review_seed import seed_reviews
from .test_review_flows import open_review, screen_name, select_input
from .test_settings_screens import _isolated, settings  # noqa: F401 (an autouse fixture)
from .test_settings_screens import set_up_db as set_up_db_fixture
from .tui_helpers import make_app, opened, wait_for

SIZE = (120, 40)
set_up_db = set_up_db_fixture  # a workspace with its organisation and one person


def burst(app: IsmsApp, text: str) -> None:
    """Keys as a terminal delivers auto-typed text: all queued at once, none waited for."""
    for char in text:
        key = {"\t": "tab", " ": "space"}.get(char, char)
        app.post_message(events.Key(key, char))


def field_text(app: IsmsApp, key: str) -> str | None:
    """The text in a form field; None while the form is still being put up."""
    fields = app.screen.query(f"#field-{key}")
    if not fields:
        return None
    control = fields.first().control
    return control.text if isinstance(control, TextArea) else control.value


async def test_a_name_typed_on_settings_lands_in_the_first_field_and_switches_nothing(set_up_db: Path) -> None:
    app = IsmsApp(set_up_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settings(pilot)
        name = screen.query_one("#org-name", Input)
        assert screen.focused is name, "the organisation form opens in its first field"
        name.value = ""
        await pilot.press(*"Edward Adams")  # d, a, s, m and r are keys elsewhere
        await pilot.pause()
        assert app.current_mode == "settings" and isinstance(app.screen, SettingsScreen)
        assert name.value == "Edward Adams"
        await pilot.press("escape", "2")  # escape leaves the form; the tab keys work again
        await pilot.pause()
        assert screen.active_tab == "people"


async def test_letters_typed_on_a_tab_bar_never_switch_sections(set_up_db: Path) -> None:
    app = IsmsApp(set_up_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settings(pilot)
        screen.query_one(Tabs).focus()
        await pilot.pause()
        await pilot.press(*"dmacgvrPq")
        await pilot.pause()
        assert app.current_mode == "settings" and app.screen is screen and app.is_running
        footer_keys = {b.binding.key for b in screen.active_bindings.values()}
        assert not footer_keys & set("dmacgvq"), "the footer offers no letter the tab bar keeps"
        await pilot.press("escape", "d")  # off the tab bar, the section keys work
        await opened(pilot)


async def test_a_burst_after_n_fills_the_entry_form_and_deletes_nothing(db_path: Path) -> None:
    """Auto-typed text right after `n`: before, the letters reached the preparation screen
    (`x` asked to delete an entry, `y` confirmed) or a form with no focused field."""
    ids = seed_reviews(db_path)

    def entries() -> int:
        return read(
            db_path,
            lambda s: len(s.exec(select(ReviewEntry).where(ReviewEntry.review_id == ids["current"])).all()),
        )

    before = entries()
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        app = await open_review(pilot, ids["current"])
        await select_input(pilot, "b")
        burst(app, "nSupplier exit yes\tAn excellent year")
        await wait_for(
            pilot,
            lambda: screen_name(app) == "EntryForm" and field_text(app, "detail") == "An excellent year",
            "the typed text",
        )
        assert field_text(app, "title") == "Supplier exit yes"
        assert screen_name(app) == "EntryForm"
    assert entries() == before


async def test_a_paste_with_tabs_goes_field_by_field(set_up_db: Path) -> None:
    app = IsmsApp(set_up_db)
    async with app.run_test(size=SIZE) as pilot:
        await settings(pilot)
        await pilot.press("escape", "2", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, PersonForm), "the person form")
        form = app.screen
        assert form.focused is form.query_one("#field-name").control, "a form opens in its first field"
        app.post_message(events.Paste("Bob Baker\tHead of IT\tbob@example.org"))
        await wait_for(pilot, lambda: field_text(app, "email") == "bob@example.org", "the pasted email")
        assert (field_text(app, "name"), field_text(app, "role")) == ("Bob Baker", "Head of IT")
        assert form.focused is form.query_one("#field-email").control


async def test_tab_through_a_long_form_keeps_the_focused_field_in_view(demo_workspace: Path) -> None:
    from textual.containers import VerticalScroll

    from isms_tui.screens.kpi_form import KpiForm

    app = IsmsApp(demo_workspace)
    async with app.run_test(size=(120, 30)) as pilot:
        await opened(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: app.current_mode == "monitoring", "monitoring")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, KpiForm) and app.screen.focused is not None, "the form")
        form = app.screen
        first = form.query("FormField").first().control
        assert form.focused is first, "the form opens in its first field"
        fields = form.query_one("#form-fields", VerticalScroll)
        for _ in range(len(form.query("FormField")) + 1):
            await pilot.press("tab")
            await pilot.pause()
            focused = form.focused
            if focused is not None and fields in focused.ancestors:
                assert fields.region.contains_region(focused.region), f"{focused} is out of view"


async def test_a_paste_with_more_parts_than_fields_never_wraps_round(set_up_db: Path) -> None:
    from .tui_helpers import notifications

    app = IsmsApp(set_up_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settings(pilot)
        await pilot.press("escape", "2", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, PersonForm), "the person form")
        app.post_message(events.Paste("Ann Other\tAuditor\tann@example.org\tAudit\textra\tmore"))
        await wait_for(pilot, lambda: field_text(app, "areas") == "Audit", "the last field")
        await pilot.pause()
        assert field_text(app, "name") == "Ann Other", "nothing wrapped round into the first field"
        assert any("2 of the 6 parts" in n.message for n in notifications(app))


async def test_lines_pasted_into_notes_keep_their_tabs(set_up_db: Path) -> None:
    app = IsmsApp(set_up_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settings(pilot)
        scope = screen.query_one("#org-scope", TextArea)
        scope.text = ""
        scope.focus()
        await pilot.pause()
        app.post_message(events.Paste("Site\tPeople\nLondon\t40"))
        await wait_for(pilot, lambda: scope.text == "Site\tPeople\nLondon\t40", "the table in the scope")
        assert screen.focused is scope


async def test_ctrl_s_in_a_burst_saves_what_was_typed_before_it_and_the_keys_after_go_on(set_up_db: Path) -> None:
    """ctrl+s runs at once (a priority key) while the characters before it may still be on
    their way into the field: it waits for them, then the keys after it reach the screen
    behind the closed form without waiting for that form."""
    app = IsmsApp(set_up_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settings(pilot)
        await pilot.press("escape", "2", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, PersonForm), "the person form")
        first = app.screen
        burst(app, "Cy Quick")
        app.post_message(events.Key("ctrl+s", None))
        burst(app, "n")  # a second new person, right away
        await wait_for(pilot, lambda: isinstance(app.screen, PersonForm) and app.screen is not first, "the next form")
        assert any(p.name == "Cy Quick" for p in screen.people)
