"""The recent-workspaces list: each file by its organisation and when it was last opened,
and a file that has gone or is damaged by its reason, never a crash."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Static

from isms_tui import config
from isms_tui.app import IsmsApp
from isms_tui.screens.workspaces import WorkspacePicker
from isms_tui.services import workspace
from isms_tui.services.recent import recent_workspaces

from .db_helpers import workspace_session
from .tui_helpers import wait_for

SIZE = (120, 40)
OPENED = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)


def _workspace(path: Path, org: str) -> Path:
    with workspace_session(path, "test") as session:
        workspace.save_workspace(session, org, "All of it")
        workspace.save_person(session, "Ann", "Officer")
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A good workspace, one that was deleted since, and one that is not a database at all."""
    good = _workspace(tmp_path / "acme.db", "Acme [Ltd]")
    gone = _workspace(tmp_path / "gone.db", "Gone Ltd")
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not an SQLite file" * 100)
    for path in (gone, damaged, good):
        config.remember_workspace(path, OPENED)
    gone.unlink()
    return {"good": good.resolve(), "gone": gone.resolve(), "damaged": damaged.resolve()}


def test_opening_records_the_time_and_keeps_older_lists_readable(tmp_path: Path) -> None:
    first = tmp_path / "a.db"
    first.write_bytes(b"")
    recent = config._recent_file()
    recent.parent.mkdir(parents=True, exist_ok=True)
    recent.write_text(json.dumps([str(first.resolve()), str(first.resolve())]))  # the older form, twice
    assert config.recent_entries() == [config.RecentEntry(first.resolve(), None)]
    config.remember_workspace(first, OPENED)
    assert config.recent_entries() == [config.RecentEntry(first.resolve(), OPENED)]
    assert json.loads(recent.read_text()) == [{"path": str(first.resolve()), "opened_at": "2026-11-30T08:15:00+00:00"}]
    assert config.recent_workspaces() == [first.resolve()]


def test_each_file_is_named_by_its_organisation_or_its_reason(files: dict[str, Path]) -> None:
    rows = {r.path: r for r in recent_workspaces()}
    assert list(rows) == [files["good"], files["damaged"], files["gone"]]  # most recent first
    good, damaged, gone = rows[files["good"]], rows[files["damaged"]], rows[files["gone"]]
    assert (good.organisation, good.problem, good.opened_at) == ("Acme [Ltd]", "", OPENED)
    assert damaged.organisation is None and "not a workspace file, or it is corrupt" in damaged.problem
    assert not damaged.missing
    assert gone.missing and gone.problem.endswith("is no longer there: it was moved or deleted.")
    assert gone.opened_at == OPENED


def test_a_newer_or_foreign_file_gives_its_reason(tmp_path: Path) -> None:
    import sqlite3

    foreign = tmp_path / "other.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    folder = tmp_path / "folder.db"
    folder.mkdir()
    config.remember_workspace(foreign, OPENED)
    config.remember_workspace(folder, OPENED)
    rows = {r.path: r for r in recent_workspaces()}
    assert "not an isms workspace" in rows[foreign.resolve()].problem
    assert "is a directory" in rows[folder.resolve()].problem


async def test_picker_shows_organisations_times_and_reasons(files: dict[str, Path]) -> None:
    app = IsmsApp(files["good"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.engine is not None and app.current_mode == "dashboard", "the dashboard")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspacePicker), "the picker")
        picker = app.screen
        options = picker.query_one("#recent", OptionList)

        def prompt(path: Path) -> str:
            return str(options.get_option(str(path)).prompt)

        await wait_for(pilot, lambda: "Acme [Ltd]" in prompt(files["good"]), "the organisation names")
        when = datetime.now(UTC).astimezone()  # opening the app just now recorded the time
        good = prompt(files["good"])
        assert good.startswith("Acme [Ltd]  (current)") and str(files["good"]) in good
        assert f"last opened {when:%Y-%m-%d}" in good
        damaged = prompt(files["damaged"])
        assert "not a workspace file, or it is corrupt" in damaged
        assert f"last opened {OPENED.astimezone():%Y-%m-%d %H:%M}" in damaged
        assert "is no longer there" in prompt(files["gone"])

        options.highlighted = options.get_option_index(str(files["gone"]))
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is picker  # a file that has gone is not silently created anew
        assert "no longer there" in str(picker.query_one("#picker-error", Static).content)
        assert picker.query_one("#picker-path", Input).has_focus
        assert not files["gone"].exists()


def test_a_hand_edited_list_with_odd_entries_is_read_without_a_crash(tmp_path: Path) -> None:
    good = _workspace(tmp_path / "acme.db", "Acme [Ltd]").resolve()
    recent = config._recent_file()
    recent.parent.mkdir(parents=True, exist_ok=True)
    recent.write_text(
        json.dumps(
            [
                {"path": "bad\u0000name.db", "opened_at": "2026-11-30T08:15:00"},
                {"path": 7},
                {"path": str(good), "opened_at": "yesterday"},
                None,
            ]
        )
    )
    assert config.recent_entries() == [config.RecentEntry(good, None)]
    [row] = recent_workspaces()
    assert (row.organisation, row.opened_at) == ("Acme [Ltd]", None)


async def test_delete_forgets_an_entry_but_never_the_file_or_the_one_open(files: dict[str, Path]) -> None:
    app = IsmsApp(files["good"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.engine is not None and app.current_mode == "dashboard", "the dashboard")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkspacePicker), "the picker")
        picker = app.screen
        options = picker.query_one("#recent", OptionList)
        options.highlighted = options.get_option_index(str(files["damaged"]))
        await pilot.press("delete")
        await pilot.pause()
        assert str(files["damaged"]) not in [o.id for o in options.options]
        assert "off the list; the file was not touched" in str(picker.query_one("#picker-error", Static).content)
        options.highlighted = options.get_option_index(str(files["good"]))
        await pilot.press("delete")
        await pilot.pause()
        assert str(files["good"]) in [o.id for o in options.options]
    listed = [e.path for e in config.recent_entries()]
    assert files["damaged"] not in listed and files["good"] in listed and files["gone"] in listed
    assert files["damaged"].exists()
