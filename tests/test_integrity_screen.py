"""The Integrity screen: the CLI's journal and evidence checks, backup, seal and CA export in the TUI,
with the CLI's words, one sentence for what goes wrong, and nothing half-written."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from textual.widgets import Input, Static

from isms_tui.app import IsmsApp
from isms_tui.cli import main
from isms_tui.screens.integrity import IntegrityScreen
from isms_tui.screens.integrity_forms import BackupForm, CaExportForm, SealForm
from isms_tui.screens.palette import workspace_commands

from .tui_helpers import loaded, opened, wait_for

SIZE = (120, 40)
PASSPHRASE = "Velvet-Quarry-Lantern-1987-mosaic"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def with_key(db: Path) -> None:
    from isms_tui.reports import keys
    from isms_tui.reports.checkpoints import organisation_of

    keys.init_identity(organisation_of(db) or "", PASSPHRASE)


async def open_screen(pilot) -> IntegrityScreen:
    """Open it from the command palette, as a user would, once its facts are read."""
    app = await opened(pilot)
    [command] = [
        c
        for c in workspace_commands(app, opened=True, read_only=app.read_only)
        if c.title == "Integrity: verify the journal and evidence, back up, seal"
    ]
    command.callback()
    await wait_for(pilot, lambda: isinstance(app.screen, IntegrityScreen), "the integrity screen")
    await loaded(pilot)
    screen = app.screen
    assert isinstance(screen, IntegrityScreen)
    await wait_for(pilot, lambda: screen.facts is not None, "the facts")
    return screen


def result(screen: IntegrityScreen) -> Static:
    return screen.query_one("#integrity-result", Static)


def result_lines(screen: IntegrityScreen) -> list[str]:
    return screen.shown_lines


async def run_job(pilot, screen: IntegrityScreen, key: str) -> None:
    await pilot.press(key)
    await wait_for(pilot, lambda: not screen.running, "the job to end")
    await pilot.pause()


async def check_in_tui(workspace: Path, key: str) -> tuple[bool, list[str]]:
    """Open the Integrity screen on `workspace`, run the check `key` starts: (failed?, its lines)."""
    app = IsmsApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await run_job(pilot, screen, key)
        return result(screen).has_class("-failed"), result_lines(screen)


async def fill_form(pilot, form_class: type, values: dict[str, str]) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, form_class), form_class.__name__)
    for key, value in values.items():
        app.screen.query_one(f"#field-{key} Input", Input).value = value
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_journal_check_of_the_demo_is_clean_in_the_cli_s_words(demo_workspace: Path) -> None:
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        facts = dict(screen.facts.rows())
        assert facts["Workspace"] == str(demo_workspace)
        assert facts["Checkpoint"] == "none signed yet" and facts["Signing key"].startswith("none yet")
        await run_job(pilot, screen, "j")
        assert result(screen).has_class("-clean")
        lines = result_lines(screen)
    cli = run("journal", "verify", "--db", demo_workspace)
    assert cli.exit_code == 0 and lines == cli.stdout.splitlines()
    assert lines[0].startswith("Journal intact: ")


async def test_a_reading_changed_with_sqlite3_shows_the_cli_s_problem(demo_workspace: Path) -> None:
    con = sqlite3.connect(demo_workspace)
    with con:
        rid = con.execute("SELECT id FROM reading ORDER BY id LIMIT 1").fetchone()[0]
        con.execute("UPDATE reading SET value = value + 7 WHERE id = ?", (rid,))
    con.close()
    cli = run("journal", "verify", "--db", demo_workspace)
    assert cli.exit_code == 1
    failed, lines = await check_in_tui(demo_workspace, "j")
    assert failed
    assert lines == cli.stdout.splitlines()
    assert any(f"reading {rid} was changed outside isms" in line for line in lines)


async def test_escape_cancels_a_running_check_and_then_closes(demo_workspace: Path, monkeypatch) -> None:
    from isms_tui.services import journal_verify

    entered, release = threading.Event(), threading.Event()
    real = journal_verify.check_values

    def slow(raw, report):  # holds the check between two stages until the test lets it go
        entered.set()
        release.wait(10)
        return real(raw, report)

    monkeypatch.setattr(journal_verify, "check_values", slow)
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await pilot.press("j")
        await wait_for(pilot, entered.is_set, "the check to start")
        assert screen.running == "journal"
        await pilot.press("escape")
        release.set()
        await wait_for(pilot, lambda: not screen.running, "the check to stop")
        assert app.screen is screen, "escape cancelled the check, it did not close the screen"
        assert result_lines(screen) == ["Check cancelled; nothing was changed."]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not screen, "the screen to close")


async def test_evidence_check_reports_an_altered_file(demo_workspace: Path) -> None:
    store = demo_workspace.with_name(demo_workspace.name + ".evidence")
    victim = sorted(p for p in store.glob("??/*") if p.is_file())[0]
    victim.write_bytes(b"altered")
    failed, lines = await check_in_tui(demo_workspace, "e")
    assert failed
    cli = run("evidence", "verify", "--db", demo_workspace)
    assert cli.exit_code == 1 and lines == cli.stdout.splitlines()


async def test_backup_writes_an_archive_that_restore_accepts(demo_workspace: Path, tmp_path: Path) -> None:
    from isms_tui.services.restore import restore

    out = tmp_path / "kept.zip"
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await pilot.press("b")
        form_screen = await _form(pilot, BackupForm)
        assert not form_screen.query("#field-passphrase"), "no key: no passphrase asked"
        await fill_form(pilot, BackupForm, {"out": str(out)})
        await wait_for(pilot, lambda: app.screen is screen and not screen.running, "the backup")
        assert result(screen).has_class("-clean"), result_lines(screen)
        assert result_lines(screen)[0].startswith(f"Backup written: {out} ")
        con = sqlite3.connect(demo_workspace)
        count, head = con.execute(
            "SELECT count(*), (SELECT hash FROM journal ORDER BY id DESC LIMIT 1) FROM journal"
        ).fetchone()
        con.close()
    restored = restore(out, tmp_path / "restored.db")
    assert (restored.journal_entries, out.exists()) == (count, True)
    con = sqlite3.connect(tmp_path / "restored.db")
    assert con.execute("SELECT hash FROM journal ORDER BY id DESC LIMIT 1").fetchone()[0] == head
    con.close()


async def _form(pilot, form_class: type):
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, form_class), form_class.__name__)
    await pilot.pause()
    return pilot.app.screen


@pytest.mark.parametrize("target", ["folder", "fifo"])
async def test_backup_to_a_folder_or_fifo_is_one_sentence_in_the_form(
    demo_workspace: Path, tmp_path: Path, target: str
) -> None:
    import os

    path = tmp_path / "t"
    if target == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await pilot.press("b")
        await fill_form(pilot, BackupForm, {"out": str(path)})
        form = app.screen
        assert isinstance(form, BackupForm), "the form stays open"
        message = str(form.query_one("#form-message", Static).render())
        assert message.startswith(str(path)) and message.count(".") >= 1 and "Traceback" not in message
    assert list(tmp_path.glob("*.zip")) == [] and list(tmp_path.glob(".*tmp")) == []


async def test_backup_with_a_key_asks_its_passphrase_refuses_a_wrong_one_and_signs(
    demo_workspace: Path, tmp_path: Path
) -> None:
    with_key(demo_workspace)
    out = tmp_path / "signed.zip"
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await pilot.press("b")
        await fill_form(pilot, BackupForm, {"out": str(out), "passphrase": "wrong"})
        assert isinstance(app.screen, BackupForm) and not out.exists()
        assert "passphrase" in str(app.screen.query_one("#form-message", Static).render()).lower()
        await fill_form(pilot, BackupForm, {"passphrase": PASSPHRASE})
        await wait_for(pilot, lambda: app.screen is screen and not screen.running, "the backup")
        assert "Checkpoint signed" in result_lines(screen)[-1]
        await wait_for(pilot, lambda: screen.facts.checkpoint is not None, "the new facts")
        assert dict(screen.facts.rows())["Checkpoint"].endswith(f"backup {out.name} ({screen.facts.entries:,} entries)")


async def test_seal_adds_a_checkpoint_that_journal_verify_lists(demo_workspace: Path) -> None:
    with_key(demo_workspace)
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await pilot.press("s")
        await fill_form(pilot, SealForm, {"passphrase": PASSPHRASE})
        await wait_for(pilot, lambda: app.screen is screen, "the seal")
        assert result_lines(screen)[0].startswith("Journal sealed: ")
        await wait_for(pilot, lambda: screen.facts.checkpoint is not None, "the new facts")
        assert screen.facts.checkpoint.reason == "seal"
    cli = run("journal", "verify", "--db", demo_workspace)
    assert cli.exit_code == 0
    assert [line for line in cli.stdout.splitlines() if " seal" in line and line.strip().startswith("holds")]


async def test_seal_and_ca_export_without_a_key_say_how_to_make_one(demo_workspace: Path) -> None:
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        for key in ("s", "c"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen
            [line] = result_lines(screen)
            assert "no signing key yet" in line and "`isms keys init`" in line


async def test_ca_export_writes_the_pem_the_cli_writes(demo_workspace: Path, tmp_path: Path) -> None:
    with_key(demo_workspace)
    out = tmp_path / "ca-from-tui.pem"
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await pilot.press("c")
        await fill_form(pilot, CaExportForm, {"out": str(out)})
        await wait_for(pilot, lambda: app.screen is screen, "the export")
        assert result_lines(screen)[0].startswith(f"CA certificate written to {out}.")
    cli = run("keys", "export-ca", "--db", demo_workspace, "--out", tmp_path / "ca-from-cli.pem")
    assert cli.exit_code == 0
    assert out.read_bytes() == (tmp_path / "ca-from-cli.pem").read_bytes()
    assert out.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")


async def test_read_only_disables_seal_but_not_the_checks(demo_workspace: Path) -> None:
    from isms_tui.models.lock import acquire
    from isms_tui.screens.help import screen_keys

    with_key(demo_workspace)
    with acquire(demo_workspace):  # another isms holds it: this one opens read-only
        app = IsmsApp(demo_workspace)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_screen(pilot)
            keys = {k.action: k for k in screen_keys(screen)}
            assert keys["seal"].read_only and not keys["seal"].enabled
            assert keys["check('journal')"].enabled and keys["backup"].enabled
            await pilot.press("s")
            await pilot.pause()
            assert app.screen is screen, "s does nothing (not even Settings)"
            await run_job(pilot, screen, "j")
            assert result(screen).has_class("-clean")


async def test_settings_opens_it_with_i(demo_workspace: Path) -> None:
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.current_mode == "settings", "settings")
        await pilot.press("escape", "i")
        await wait_for(pilot, lambda: isinstance(app.screen, IntegrityScreen), "the integrity screen")


async def test_backup_on_a_full_disk_is_one_sentence_and_leaves_nothing(demo_workspace: Path, disk: Path) -> None:
    from .test_full_disk import FULL, fill

    out = disk / "b.zip"
    fill(disk, leave=4096)
    before = sorted(p.name for p in disk.iterdir())
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await pilot.press("b")
        await fill_form(pilot, BackupForm, {"out": str(out)})
        await wait_for(pilot, lambda: app.screen is screen and not screen.running, "the backup")
        [line] = result_lines(screen)
        assert line.startswith(FULL) and result(screen).has_class("-failed")
    assert sorted(p.name for p in disk.iterdir()) == before


async def test_quit_waits_for_a_running_backup(demo_workspace: Path, tmp_path: Path, monkeypatch) -> None:
    from isms_tui.services import backup as backups

    entered, release = threading.Event(), threading.Event()
    real = backups.backup

    def slow(*args, **kwargs):
        entered.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(backups, "backup", slow)
    out = tmp_path / "b.zip"
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_screen(pilot)
        await pilot.press("b")
        await fill_form(pilot, BackupForm, {"out": str(out)})
        await wait_for(pilot, entered.is_set, "the backup to start")
        await pilot.press("q", "escape")
        await pilot.pause()
        assert app.is_running and app.screen is screen and screen.running == "backup"
        release.set()
        await wait_for(pilot, lambda: not screen.running, "the backup")
        assert out.exists() and result(screen).has_class("-clean")


async def test_ctrl_f_chooses_the_backup_s_file_in_the_picker(demo_workspace: Path, tmp_path: Path) -> None:
    from isms_tui.screens.file_picker import FilePicker

    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await pilot.press("b")
        form = await _form(pilot, BackupForm)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, FilePicker), "the file picker")
        picker_path = app.screen.query_one("#picker-path", Input)
        picker_path.focus()
        picker_path.value = str(tmp_path / "picked.zip")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is form, "back in the form")
        assert form.query_one("#field-out Input", Input).value == str(tmp_path / "picked.zip")


async def test_with_isms_passphrase_set_no_field_is_asked_and_a_wrong_one_is_one_sentence(
    demo_workspace: Path, monkeypatch
) -> None:
    with_key(demo_workspace)
    monkeypatch.setenv("ISMS_PASSPHRASE", "not the passphrase")
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(pilot)
        await pilot.press("s")
        form = await _form(pilot, SealForm)
        assert not form.query("#field-passphrase")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        assert str(form.query_one("#form-message", Static).render()) == "The passphrase does not open the signing key."
    con = sqlite3.connect(demo_workspace)
    assert con.execute("SELECT count(*) FROM checkpoint").fetchone() == (0,)
    con.close()


async def test_a_damaged_value_is_what_the_journal_check_reports(demo_workspace: Path) -> None:
    con = sqlite3.connect(demo_workspace)
    with con:
        con.execute("UPDATE reading SET period_start = '2025-13-45' WHERE id = 1")
    con.close()
    cli = run("journal", "verify", "--db", demo_workspace)
    failed, lines = await check_in_tui(demo_workspace, "j")
    assert failed
    assert lines == cli.stdout.splitlines()
    assert "  reading.period_start holds values the application cannot have written (rows 1)." in lines
