"""Help (? and F1) on every screen, the command palette offering every key, and one
declaration per action: every screen says what it is for, and the README's key table
matches the bindings."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from rich.console import Console
from textual.screen import Screen
from textual.widgets import Static

import isms_tui.screens
from isms_tui.app import SECTIONS, IsmsApp, OpeningScreen
from isms_tui.screens.base import SectionScreen
from isms_tui.screens.help import HelpScreen, key_table, screen_keys
from isms_tui.widgets.form import FormModal

from .tui_helpers import loaded, opened, wait_for

SIZE = (120, 40)
ABSTRACT = {SectionScreen, FormModal}


def screen_classes() -> list[type[Screen]]:
    """Every screen class the application defines (sections, pushed screens, modals, forms)."""
    for module in pkgutil.iter_modules(isms_tui.screens.__path__):
        importlib.import_module(f"isms_tui.screens.{module.name}")
    importlib.import_module("isms_tui.widgets.confirm")
    importlib.import_module("isms_tui.widgets.full_text")
    importlib.import_module("isms_tui.app")
    found: set[type[Screen]] = set()
    todo = [Screen]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("isms_tui.") and sub not in ABSTRACT:
                found.add(sub)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


@pytest.mark.parametrize("screen_class", screen_classes(), ids=lambda c: c.__name__)
def test_every_screen_says_what_it_is_for(screen_class: type[Screen]) -> None:
    """A new screen without a purpose fails here: the help screen shows it."""
    text = vars(screen_class).get("HELP")
    assert isinstance(text, str) and len(text) > 30, f"{screen_class.__name__} declares no HELP (what it is for)"


def help_text(app: IsmsApp) -> str:
    help_screen = app.screen
    assert isinstance(help_screen, HelpScreen)
    parts = [str(w.render()) for w in help_screen.query(Static) if w.id != "help-keys"]
    return " ".join(parts)


async def show_help(pilot, key: str = "f1") -> HelpScreen:
    app = pilot.app
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
    await pilot.pause()
    return app.screen  # type: ignore[return-value]


@pytest.mark.parametrize("key", ["f1", "question_mark"])
async def test_help_on_every_section_names_its_purpose_and_keys(demo_workspace: Path, key: str) -> None:
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        assert OpeningScreen.HELP
        for mode, (section_key, _title, _module, _cls) in SECTIONS.items():
            await pilot.press(section_key)
            await wait_for(pilot, lambda mode=mode: app.current_mode == mode, mode)
            await loaded(pilot)
            if mode == "settings":
                await pilot.press("escape")  # out of the organisation form: ? would be typed there
            screen = app.screen
            help_screen = await show_help(pilot, key)
            assert help_screen.over is screen
            assert type(screen).HELP in help_text(app)
            shown = {k.description for k in screen_keys(screen)}
            declared = {b.description for b in type(screen).BINDINGS if getattr(b, "description", "")}
            assert declared <= shown
            assert {"Dashboard", "Monitoring", "Help"} <= shown, "the app's keys are listed too"
            await pilot.press("escape")
            await wait_for(pilot, lambda screen=screen: app.screen is screen, "the help to close")


async def test_f1_in_a_form_explains_the_form_and_question_mark_is_typed(demo_workspace: Path) -> None:
    from isms_tui.screens.settings import PersonForm

    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.current_mode == "settings", "settings")
        await pilot.press("escape", "2", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, PersonForm), "the person form")
        form = app.screen
        await pilot.press("question_mark")  # the cursor is in the name: ? is typed
        await pilot.pause()
        assert form.query_one("#field-name").control.value == "?"
        await show_help(pilot, "f1")
        assert PersonForm.HELP in help_text(app)
        keys = {k.name: k for k in screen_keys(form)}
        assert "ctrl+s" in keys and "d" not in keys, "a form lists its own keys, not the sections'"
        await pilot.press("f1")
        await wait_for(pilot, lambda: app.screen is form, "F1 again closes the help")


async def test_the_palette_offers_every_key_of_the_screen_and_runs_it(demo_workspace: Path) -> None:
    from isms_tui.screens.kpi_form import KpiForm

    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: app.current_mode == "monitoring", "monitoring")
        await loaded(pilot)
        screen = app.screen
        commands = {c.title: c for c in app.get_system_commands(screen)}
        for key in screen_keys(screen):
            if key.enabled and key.action not in ("quit", "help", "export_pack"):
                assert key.description in commands, f"the palette lacks {key.description!r}"
                assert key.key in commands[key.description].help
        assert "Help for this screen" in commands and "Issue evidence pack" in commands
        await commands["New KPI"].callback()  # as the palette runs it
        await wait_for(pilot, lambda: isinstance(app.screen, KpiForm), "the KPI form")


# -- the README's key table -----------------------------------------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"
WHERE = {
    "everywhere": "isms_tui.app:IsmsApp",
    "dashboard": "isms_tui.screens.dashboard:DashboardScreen",
    "monitoring": "isms_tui.screens.monitoring:KpiListScreen",
    "KPI detail": "isms_tui.screens.kpi_detail:KpiDetailScreen",
    "audits": "isms_tui.screens.audits:AuditsScreen",
    "statement of applicability": "isms_tui.screens.soa:SoaScreen",
    "audit": "isms_tui.screens.audit_detail:AuditDetailScreen",
    "working paper": "isms_tui.screens.working_paper:WorkingPaperScreen",
    "review": "isms_tui.screens.reviews:ReviewsScreen",
    "preparation": "isms_tui.screens.review_prepare:ReviewPrepareScreen",
    "due readings": "isms_tui.screens.due_readings:DueReadingsScreen",
    "actions": "isms_tui.screens.actions:ActionsScreen",
    "risks": "isms_tui.screens.risks:RisksScreen",
    "forms": "isms_tui.widgets.form:FormModal",
    "settings": "isms_tui.screens.settings:SettingsScreen",
    "person": "isms_tui.screens.person_records:PersonRecordsScreen",
    "portfolio": "isms_tui.screens.portfolio:PortfolioScreen",
    "import / export": "isms_tui.screens.transfer:RegisterImportScreen",
    "issuing a pack": "isms_tui.screens.export:ExportScreen",
    "integrity": "isms_tui.screens.integrity:IntegrityScreen",
}
# Keys a widget or Textual handles rather than a binding of the screen: a table's enter selects
# the row, Tab moves between fields, ctrl+p opens Textual's command palette.
WIDGET_KEYS = {"enter", "tab", "ctrl+p"}
KEY_NAMES = {"/": "slash", "?": "question_mark", "F1": "f1"}


def _class(spec: str) -> type:
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


def readme_keys() -> dict[str, set[str]]:
    """The README's "## Keys" table: for each place, the keys it lists."""
    text = README.read_text(encoding="utf-8")
    table = text.split("\n## Keys\n", 1)[1].split("\n## ", 1)[0]
    keys: dict[str, set[str]] = {}
    where = ""
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("where", "---"):
            continue
        where = cells[0] or where
        listed = keys.setdefault(where, set())
        for first, last in re.findall(r"`([^`]+)`–`([^`]+)`", cells[1]):
            listed.update(str(n) for n in range(int(first), int(last) + 1))
        for key in re.findall(r"`([^`]+)`", cells[1]):
            listed.add(KEY_NAMES.get(key, key))
    return keys


def bound_keys(node_class: type) -> dict[str, object]:
    from isms_tui.screens.help import declared_bindings

    bound: dict[str, object] = {}
    for binding in declared_bindings(node_class):
        if binding.show or binding.key not in bound:  # a key shown for one of its actions is shown
            bound[binding.key] = binding
    return bound


def test_the_readme_names_every_place_it_lists() -> None:
    assert set(readme_keys()) == set(WHERE), "a new place in the README's key table needs its screen here"


@pytest.mark.parametrize("where", sorted(WHERE))
def test_every_key_in_the_readme_is_bound_on_its_screen(where: str) -> None:
    bound = bound_keys(_class(WHERE[where]))
    missing = sorted(k for k in readme_keys()[where] if k not in bound and k not in WIDGET_KEYS)
    assert not missing, f"README lists {missing} for {where}, which {WHERE[where]} does not bind"


@pytest.mark.parametrize("where", sorted(WHERE))
def test_every_key_the_footer_shows_is_in_the_readme(where: str) -> None:
    listed = readme_keys()[where]
    shown = sorted(k for k, b in bound_keys(_class(WHERE[where])).items() if b.show and k not in listed)  # type: ignore[attr-defined]
    assert not shown, f"{where}: the footer shows {shown}, which the README's key table does not list"


async def test_read_only_help_marks_write_keys_and_the_palette_leaves_them_out(demo_workspace: Path) -> None:
    from isms_tui.models.lock import acquire

    with acquire(demo_workspace):  # another isms holds it: this one opens read-only
        app = IsmsApp(demo_workspace)
        async with app.run_test(size=SIZE) as pilot:
            await opened(pilot)
            await pilot.press("m")
            await wait_for(pilot, lambda: app.current_mode == "monitoring", "monitoring")
            await loaded(pilot)
            screen = app.screen
            keys = {k.action: k for k in screen_keys(screen)}
            assert keys["new_kpi"].read_only and not keys["new_kpi"].enabled
            assert keys["cycle_sort"].enabled and not keys["cycle_sort"].read_only
            titles = {c.title for c in app.get_system_commands(screen)}
            assert "New KPI" not in titles and "Sort" in titles
            console = Console(width=100, color_system=None)
            with console.capture() as captured:
                console.print(key_table(screen_keys(screen)))
            assert "New KPI  (read-only)" in captured.get()
            await show_help(pilot)  # and the help screen opens in a read-only workspace too


async def test_a_screen_key_that_is_off_leaves_the_app_key_of_that_letter_in_the_help(demo_workspace: Path) -> None:
    """On the Settings organisation tab `a` (activate a person) is off, so `a` opens Audits:
    the help says so rather than hiding Audits behind a key that does nothing."""
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.current_mode == "settings", "settings")
        await pilot.press("escape")
        await pilot.pause()
        by_name = {(k.name, k.description): k for k in screen_keys(app.screen)}
        assert by_name[("a", "Audits")].enabled and by_name[("a", "Active on/off")].passes_on
        await pilot.press("a")
        await wait_for(pilot, lambda: app.current_mode == "audits", "audits")


@pytest.mark.parametrize(
    "form_class", [c for c in screen_classes() if issubclass(c, FormModal)], ids=lambda c: c.__name__
)
def test_every_form_opens_in_its_first_field(form_class: type[FormModal]) -> None:
    """FormModal focuses the first field's control; a form that names its own first focus
    names a field (the pack's kind), never a button or the scrolling box."""
    focus = form_class.AUTO_FOCUS or ""
    assert focus == FormModal.AUTO_FOCUS or focus.startswith("#field-"), f"{form_class.__name__} opens on {focus!r}"


async def test_help_on_a_screen_opened_from_a_section(demo_workspace: Path) -> None:
    from isms_tui.screens.kpi_detail import KpiDetailScreen

    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: app.current_mode == "monitoring", "monitoring")
        await loaded(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, KpiDetailScreen), "the KPI detail")
        await loaded(pilot)
        await show_help(pilot, "question_mark")
        assert KpiDetailScreen.HELP in help_text(app)
        assert "Help · KPI detail" in help_text(app)
