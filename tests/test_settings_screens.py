"""Pilot flows for the welcome screen, the workspace picker and the settings section."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from isms_tui.app import IsmsApp
from isms_tui.models import JournalEntry, Objective, Person, Workspace
from isms_tui.screens.settings import ObjectiveForm, PersonForm, RegisterTable, SettingsScreen
from isms_tui.screens.welcome import WelcomeScreen
from isms_tui.screens.workspaces import WorkspacePicker
from isms_tui.services import workspace

from .db_helpers import read, workspace_session
from .tui_helpers import wait_for

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISMS_TODAY", "2026-11-28")
    monkeypatch.setenv("ISMS_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("ISMS_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def set_up_db(tmp_path: Path) -> Path:
    """A workspace that already has its organisation and one person, so it opens on the dashboard."""
    path = tmp_path / "w.db"
    with workspace_session(path, "test") as session:
        workspace.save_workspace(session, "Example Ltd", "All of it")
        workspace.save_person(session, "Ann [QA]", "Internal auditor", areas=["Audit"])
    return path


async def dashboard(pilot: Pilot) -> None:
    """Wait until the dashboard is fully on screen (leaving earlier races Header's own set-up)."""
    app = pilot.app
    await wait_for(
        pilot,
        lambda: app.engine is not None and app.current_mode == "dashboard" and bool(app.screen.query("HeaderTitle")),
        "the dashboard",
    )
    await pilot.pause()


async def welcome(pilot: Pilot) -> WelcomeScreen:
    app = pilot.app
    await wait_for(
        pilot,
        lambda: (
            app.engine is not None and isinstance(app.screen, WelcomeScreen) and bool(app.screen.query("#org-name"))
        ),
        "the welcome screen",
    )
    return app.screen  # type: ignore[return-value]


async def settings(pilot: Pilot) -> SettingsScreen:
    app = pilot.app
    await dashboard(pilot)
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen), "the settings screen")
    await pilot.pause()
    return app.screen  # type: ignore[return-value]


def rows(path: Path, model: type) -> list:
    return read(path, lambda session: list(session.exec(select(model))))


async def fill(pilot: Pilot, values: dict[str, str], *, typed: bool = False) -> None:
    """Fill a form's inputs by field key; `typed` sends real key presses (slower)."""
    screen = pilot.app.screen
    for key, text in values.items():
        control = screen.query_one(f"#field-{key} Input", Input)
        control.focus()
        control.value = "" if typed else text
        if typed:
            await pilot.press(*text)
    await pilot.pause()


async def test_welcome_start_empty_creates_the_workspace_row(tmp_path: Path) -> None:
    app = IsmsApp(tmp_path / "w.db")
    async with app.run_test(size=SIZE) as pilot:
        await welcome(pilot)
        await fill(pilot, {"org_name": "Acme [Ltd]", "scope": "HQ", "current_user": "Bea Moss"}, typed=True)
        await pilot.click("#start-empty")
        await dashboard(pilot)
        assert app.actor == "Bea Moss"  # the person typed, not the login name
    (ws,) = rows(tmp_path / "w.db", Workspace)
    assert (ws.org_name, ws.scope, ws.current_user) == ("Acme [Ltd]", "HQ", "Bea Moss")
    with workspace_session(tmp_path / "w.db") as session:
        actors = {e.actor for e in session.exec(select(JournalEntry))}
    assert actors == {"Bea Moss"}


async def test_welcome_refuses_an_empty_organisation_name(tmp_path: Path) -> None:
    app = IsmsApp(tmp_path / "w.db")
    async with app.run_test(size=SIZE) as pilot:
        screen = await welcome(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#field-org_name").has_class("-invalid")
        assert "Required" in str(screen.query_one("#field-org_name .field-error", Static).content)
        assert rows(tmp_path / "w.db", Workspace) == []
        await fill(pilot, {"org_name": "Acme"})
        await pilot.press("enter")
        await dashboard(pilot)
    assert [w.org_name for w in rows(tmp_path / "w.db", Workspace)] == ["Acme"]


async def test_welcome_loads_the_demo(tmp_path: Path) -> None:
    pytest.importorskip("isms_tui.services.demo")
    app = IsmsApp(tmp_path / "w.db")
    async with app.run_test(size=SIZE) as pilot:
        await welcome(pilot)
        await pilot.press("ctrl+l")
        await dashboard(pilot)
    assert len(rows(tmp_path / "w.db", Workspace)) == 1
    assert rows(tmp_path / "w.db", Person)


async def test_load_demo_flag_creates_the_demo_without_asking(tmp_path: Path) -> None:
    pytest.importorskip("isms_tui.services.demo")
    app = IsmsApp(tmp_path / "w.db", load_demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await dashboard(pilot)
    assert len(rows(tmp_path / "w.db", Workspace)) == 1


async def test_organisation_tab_saves_and_sets_the_actor(set_up_db: Path) -> None:
    app = IsmsApp(set_up_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settings(pilot)
        assert screen.query_one("#org-name", Input).value == "Example Ltd"
        await fill(pilot, {"current_user": "Ann [QA]", "org_name": ""})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.query_one("#field-org_name").has_class("-invalid")
        await fill(pilot, {"org_name": "Example Group"})
        screen.query_one("#org-cycle", Select).value = 1
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.actor == "Ann [QA]"
        assert not screen.query_one("#field-org_name").has_class("-invalid")
    (ws,) = rows(set_up_db, Workspace)
    assert (ws.org_name, ws.audit_cycle_years, ws.current_user) == ("Example Group", 1, "Ann [QA]")


async def test_people_are_created_edited_and_deactivated(set_up_db: Path) -> None:
    app = IsmsApp(set_up_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settings(pilot)
        await pilot.press("escape", "2", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, PersonForm), "the person form")
        await fill(pilot, {"name": "Bob [IT]", "role": "CISO", "areas": "IT ops, HR,"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, "the form to close")
        table = screen.query_one("#people-table", RegisterTable)
        bob = next(p for p in rows(set_up_db, Person) if p.name == "Bob [IT]")
        assert (bob.role, bob.areas, bob.active) == ("CISO", ["HR", "IT ops"], True)
        assert table.selected_id() == bob.id

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PersonForm), "the edit form")
        assert app.screen.query_one("#field-areas Input", Input).value == "HR, IT ops"
        await fill(pilot, {"role": "Head of IT"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, "the form to close")
        await pilot.press("a")
        await pilot.pause()
        assert "no" in str(table.get_row(str(bob.id))[-1])
    bob = next(p for p in rows(set_up_db, Person) if p.name == "Bob [IT]")
    assert (bob.role, bob.active) == ("Head of IT", False)


async def test_person_form_shows_a_duplicate_name_under_the_field(set_up_db: Path) -> None:
    app = IsmsApp(set_up_db)
    async with app.run_test(size=SIZE) as pilot:
        await settings(pilot)
        await pilot.press("escape", "2", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, PersonForm), "the person form")
        await fill(pilot, {"name": "Ann [QA]"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.query_one("#field-name").has_class("-invalid")
        await pilot.press("escape")
        await pilot.pause()
    assert len(rows(set_up_db, Person)) == 1


async def test_person_form_refuses_an_implausible_email_under_the_field(set_up_db: Path) -> None:
    app = IsmsApp(set_up_db)
    async with app.run_test(size=SIZE) as pilot:
        await settings(pilot)
        await pilot.press("escape", "2", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, PersonForm), "the person form")
        await fill(pilot, {"name": "Dana", "email": "dana at example"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.query_one("#field-email").has_class("-invalid")
        assert "'dana at example' is not an email address." in str(app.screen.query_one("#form-message").render())
        await fill(pilot, {"email": "dana@example.com"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, PersonForm), "the form to close")
    assert [p.email for p in rows(set_up_db, Person) if p.name == "Dana"] == ["dana@example.com"]


async def test_objectives_are_created_edited_and_deactivated(set_up_db: Path) -> None:
    app = IsmsApp(set_up_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settings(pilot)
        ann = rows(set_up_db, Person)[0]
        await pilot.press("escape", "3", "n")
        await wait_for(pilot, lambda: isinstance(app.screen, ObjectiveForm), "the objective form")
        form = app.screen
        await fill(pilot, {"code": "OBJ-1", "statement": "Train staff", "target": "95 %", "due_date": "2027-02-30"})
        form.query_one("#field-owner Select", Select).value = ann.id
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert form.query_one("#field-due_date").has_class("-invalid")
        assert rows(set_up_db, Objective) == []

        await fill(pilot, {"due_date": "2027-03-31"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, "the form to close")
        (obj,) = rows(set_up_db, Objective)
        assert (obj.code, obj.target, obj.owner_id, obj.due_date) == ("OBJ-1", "95 %", ann.id, date(2027, 3, 31))
        owner_cell = screen.query_one("#objectives-table", RegisterTable).get_row(str(obj.id))[3]
        assert str(owner_cell) == "Ann [QA]"  # brackets are text, not markup

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ObjectiveForm), "the edit form")
        await fill(pilot, {"target": "99 %"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, "the form to close")
        await pilot.press("a")
        await pilot.pause()
    (obj,) = rows(set_up_db, Objective)
    assert (obj.target, obj.active, obj.due_date) == ("99 %", False, date(2027, 3, 31))


async def test_picker_opens_another_workspace_file(tmp_path: Path, set_up_db: Path) -> None:
    app = IsmsApp(set_up_db)
    other = tmp_path / "clients" / "other.db"
    async with app.run_test(size=SIZE) as pilot:
        await dashboard(pilot)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspacePicker), "the picker")
        picker = app.screen
        field = picker.query_one("#picker-path", Input)
        field.focus()
        field.value = str(tmp_path)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is picker
        assert "folder" in str(picker.query_one("#picker-error", Static).content)

        field.value = str(other)
        await pilot.press("enter")
        await welcome(pilot)
        assert app.db_path == other.resolve()
        assert other.exists()


async def test_picker_lists_recent_workspaces_and_reopens_one(tmp_path: Path, set_up_db: Path) -> None:
    other = tmp_path / "other.db"
    app = IsmsApp(other)
    async with app.run_test(size=SIZE) as pilot:
        await welcome(pilot)  # remembers other.db
    app = IsmsApp(set_up_db)
    async with app.run_test(size=SIZE) as pilot:
        await dashboard(pilot)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspacePicker), "the picker")
        await pilot.press("down", "enter")
        await welcome(pilot)
        assert app.db_path == other.resolve()


async def test_competence_records_and_responsibilities_from_the_people_tab(set_up_db: Path, tmp_path: Path) -> None:
    """Settings → People → c: a record with its certificate, an area link, a process, the ISMS."""
    from isms_tui.models import CompetenceRecord, Responsibility
    from isms_tui.screens.person_records import AreasForm, PersonRecordsScreen, ProcessForm, RecordForm
    from isms_tui.services import competence, evidence, programme

    with workspace_session(set_up_db, "test") as session:
        programme.save_area(session, "Audit", 2, ["9.2.1"])  # Ann named it: she is linked to it
        programme.save_area(session, "Suppliers", 3, ["A.5.19"])
    cert = tmp_path / "lead-auditor.pdf"
    cert.write_bytes(b"%PDF-1.4 certificate")
    app = IsmsApp(set_up_db)
    async with app.run_test(size=SIZE) as pilot:
        await settings(pilot)
        await pilot.press("escape", "2", "c")
        await wait_for(pilot, lambda: isinstance(app.screen, PersonRecordsScreen), "the person's records")
        records = app.screen
        await pilot.pause()
        assert "area Audit" in str(records.query_one("#duties", DataTable).get_row_at(0)[0])
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordForm), "the record form")
        app.screen.query_one("#field-kind Select", Select).value = "qualification"
        await fill(pilot, {"title": "Lead auditor", "obtained_on": "2026-13-01", "evidence": str(cert)})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordForm)  # a bad date is named under its field, nothing saved
        assert "YYYY-MM-DD" in str(app.screen.query_one("#field-obtained_on .field-error").render())
        await fill(pilot, {"obtained_on": "2024-05-02"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is records, "the form to close")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, AreasForm), "the areas form")
        app.screen.query_one("#field-areas SelectionList").select_all()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is records, "the form to close")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ProcessForm), "the process form")
        await fill(pilot, {"process": "Internal audit", "refs": "9.2.1, 9.2.2"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is records, "the form to close")
        await pilot.press("i")
        await pilot.pause()
    [record] = rows(set_up_db, CompetenceRecord)
    assert (record.kind, record.title, record.obtained_on.isoformat()) == (
        "qualification",
        "Lead auditor",
        "2024-05-02",
    )
    files = read(set_up_db, lambda s: [e.original_name for e in evidence.linked(s, competence.ENTITY, record.id)])
    assert files == ["lead-auditor.pdf"]
    links = rows(set_up_db, Responsibility)
    assert sorted((r.area_id or 0, r.process) for r in links) == [(0, "Internal audit"), (1, ""), (2, "")]
    [ws] = rows(set_up_db, Workspace)
    assert ws.isms_manager_id == record.person_id
