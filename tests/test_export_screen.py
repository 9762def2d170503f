"""The export screen: issue a pack from the TUI in a worker with a progress bar; the result, or
one sentence when something is wrong (never a traceback); reachable by key and palette."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from textual.widgets import Input, Select, Static

from isms_tui.widgets.job_progress import JobProgress

from .pack_helpers import copy_workspace, make_demo
from .tui_helpers import loaded, make_app, opened, wait_for

SIZE = (120, 44)
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("demo") / "demo.db")


@pytest.fixture
def db(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("ISMS_PASSPHRASE", PASSPHRASE)
    return copy_workspace(demo_template, tmp_path / "ws")


def issued_count(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM issuedpack").fetchone()[0]
    finally:
        con.close()


def result_text(app) -> str:
    return str(app.screen.query_one("#export-result", Static).render())


async def open_export(pilot):
    from isms_tui.screens.export import ExportScreen

    await opened(pilot)
    await pilot.press("P")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportScreen))
    screen = pilot.app.screen
    await loaded(pilot)  # the worker loading the choices has handed them over
    return screen


async def test_issue_a_clause9_pack_from_the_tui(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "from-tui.pdf"
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        assert not screen.query("#field-passphrase")  # ISMS_PASSPHRASE is set
        default = screen.query_one("#field-out Input", Input).value
        assert default.endswith(".pdf") and "northwind-analytics-ltd-clause9-2026-11-28" in default
        screen.query_one("#field-out Input", Input).value = str(out)
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: screen.issued is not None or "-error" in screen.query_one("#export-result").classes,
            timeout=60,
        )
        assert screen.issued is not None, result_text(app)
        assert screen.query_one(JobProgress).percent == 100
        shown = result_text(app)
        assert f"Pack written: {out}" in shown
        assert f"SHA-256: {screen.issued.sha256}" in shown
        assert f"Signer certificate SHA-256: {screen.issued.fingerprint}" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ != "ExportScreen"
    assert out.exists()
    assert issued_count(db) == 1


async def test_escape_cancels_a_pack_being_built_and_nothing_is_written(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Escape while the pack is being written stops it at its next step: no pack, no temporary
    file, no IssuedPack row (each step's cancelling is held by tests/test_pack_cancel.py)."""
    import threading

    from isms_tui.reports.pack import compose

    reached, release = threading.Event(), threading.Event()
    write_clause9 = compose.write_clause9

    def held(ctx):  # hold the job at its first section until the test has pressed escape
        reached.set()
        release.wait(10)
        return write_clause9(ctx)

    monkeypatch.setattr(compose, "write_clause9", held)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "cancelled.pdf"
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        screen.query_one("#field-out Input", Input).value = str(out)
        await pilot.press("ctrl+s")
        job = screen.query_one(JobProgress)
        await wait_for(pilot, reached.is_set, "the pack to be started", timeout=30)
        assert screen.busy and job.running
        assert "esc cancels" in str(job.query_one(".job-hint", Static).render())
        await pilot.press("escape")
        assert job.step == "Cancelling…"
        assert isinstance(app.screen, type(screen))  # escape cancels the job, it does not close
        release.set()
        await wait_for(pilot, lambda: not screen.busy, "the worker to stop", timeout=30)
        assert "-cancelled" in screen.query_one("#export-result").classes
        assert result_text(app) == "The pack was cancelled; nothing was written and no issue was recorded."
        assert not job.running and job.step == "Cancelled"
        assert not screen.query_one("#form-save").disabled
        await pilot.press("escape")  # now it closes
        await pilot.pause()
        assert type(app.screen).__name__ != "ExportScreen"
    assert list(out_dir.iterdir()) == []
    assert issued_count(db) == 0


async def test_an_audit_report_needs_an_audit_and_then_issues(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.pdf"
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        screen.query_one("#field-kind Select", Select).value = "audit"
        await pilot.pause()
        assert "hidden" not in screen.query_one("#field-audit_id").classes
        assert "hidden" in screen.query_one("#field-period_from").classes
        assert "audit" in screen.query_one("#field-out Input", Input).value
        screen.query_one("#field-out Input", Input).value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert result_text(app) == "Choose the audit."
        assert screen.busy is False
        screen.query_one("#field-audit_id Select", Select).value = 2
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.issued is not None, timeout=60)
    assert out.exists() and issued_count(db) == 1


async def test_a_missing_evidence_file_is_one_sentence_and_no_file(db: Path, tmp_path: Path) -> None:
    con = sqlite3.connect(db)
    sha = con.execute("SELECT sha256 FROM evidence WHERE original_name = 'risk-report-v7.txt'").fetchone()[0]
    con.close()
    (db.with_name(db.name + ".evidence") / sha[:2] / sha).unlink()
    out = tmp_path / "minutes.pdf"
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        screen.query_one("#field-kind Select", Select).value = "review"
        await pilot.pause()
        screen.query_one("#field-review_id Select", Select).value = 1
        screen.query_one("#field-out Input", Input).value = str(out)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "-error" in screen.query_one("#export-result").classes, timeout=60)
        message = result_text(app)
        assert "'risk-report-v7.txt'" in message and "missing from the store" in message
        assert "Traceback" not in message and "\n" not in message
        assert screen.busy is False and not screen.query_one("#form-save").disabled
    assert not out.exists()
    assert issued_count(db) == 0


async def test_passphrase_field_when_the_environment_has_none(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from isms_tui.reports import keys

    keys.init_identity("Northwind Analytics Ltd", PASSPHRASE)
    monkeypatch.delenv("ISMS_PASSPHRASE")
    out = tmp_path / "p.pdf"
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        field = screen.query_one("#field-passphrase Input", Input)
        assert field.password
        assert screen.query_one("#field-passphrase_again").has_class("hidden")  # the key exists
        screen.query_one("#field-out Input", Input).value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert result_text(app) == "The signing key needs its passphrase."
        field.value = "wrong passphrase"
        await pilot.press("ctrl+s")
        await wait_for(
            pilot, lambda: "-error" in screen.query_one("#export-result").classes and screen.busy is False, timeout=30
        )
        assert result_text(app) == "The passphrase does not open the signing key."
        assert not out.exists()
        field.value = PASSPHRASE
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.issued is not None, timeout=60)
        assert field.value == ""  # not kept on screen once used
    assert out.exists()


async def test_the_first_pack_asks_for_the_new_passphrase_twice(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typo in the passphrase that creates the key would lock every later pack out."""
    from isms_tui.reports import keys

    monkeypatch.delenv("ISMS_PASSPHRASE")
    out = tmp_path / "first.pdf"
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        again = screen.query_one("#field-passphrase_again")
        await wait_for(pilot, lambda: not again.has_class("hidden"))
        screen.query_one("#field-out Input", Input).value = str(out)
        screen.query_one("#field-passphrase Input", Input).value = PASSPHRASE
        screen.query_one("#field-passphrase_again Input", Input).value = PASSPHRASE + "x"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert result_text(app) == "The two passphrases differ; type the new one twice."
        assert not keys.has_identity("Northwind Analytics Ltd") and not out.exists()
        screen.query_one("#field-passphrase_again Input", Input).value = PASSPHRASE
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.issued is not None, timeout=60)
        assert again.has_class("hidden")  # from now on the passphrase alone
    assert out.exists() and keys.load_identity(PASSPHRASE, "Northwind Analytics Ltd")


async def test_the_command_palette_offers_the_pack(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Issue evidence pack" in titles


async def test_the_first_pack_refuses_a_guessable_new_passphrase(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The passphrase that creates the key is held to the same rule as `isms keys init`."""
    from isms_tui.reports import keys

    monkeypatch.delenv("ISMS_PASSPHRASE")
    out = tmp_path / "weak.pdf"
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        again = screen.query_one("#field-passphrase_again")
        await wait_for(pilot, lambda: not again.has_class("hidden"))
        screen.query_one("#field-out Input", Input).value = str(out)
        for field in ("passphrase", "passphrase_again"):
            screen.query_one(f"#field-{field} Input", Input).value = "password1"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert result_text(app).startswith("The passphrase is too easy to guess (strength 0 of 4")
        assert not screen.busy
    assert not keys.has_identity("Northwind Analytics Ltd") and not out.exists()
    assert issued_count(db) == 0


async def test_the_form_says_a_pack_is_a_draft_before_issuing(db: Path, tmp_path: Path) -> None:
    """An audit still in progress, a review not approved: a visible DRAFT note, gone for final ones;
    the pack issued carries DRAFT on every page."""
    from .pack_helpers import pdf_pages

    out = tmp_path / "draft-review.pdf"
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        note = screen.query_one("#export-draft", Static)
        assert not note.display
        screen.query_one("#field-kind Select", Select).value = "audit"
        await pilot.pause()
        screen.query_one("#field-audit_id Select", Select).value = 3  # in progress
        await pilot.pause()
        assert note.display and "DRAFT" in str(note.render()) and "in progress" in str(note.render())
        screen.query_one("#field-audit_id Select", Select).value = 1  # reported
        await pilot.pause()
        assert not note.display
        screen.query_one("#field-kind Select", Select).value = "review"
        await pilot.pause()
        screen.query_one("#field-review_id Select", Select).value = 2  # draft
        await pilot.pause()
        assert note.display and "not approved" in str(note.render())
        screen.query_one("#field-out Input", Input).value = str(out)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.issued is not None, timeout=60)
    pages = pdf_pages(out.read_bytes())
    assert pages and all("DRAFT" in page for page in pages)
