"""OSCAL from the TUI: `O` on an audit and the palette's catalogue write the file the CLI writes,
in a worker; without the oscal extra, or to a target that cannot be written, one sentence and
no file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from click.testing import CliRunner
from textual.widgets import Input, Select, Static

from isms_tui.app import IsmsApp
from isms_tui.cli import main
from isms_tui.screens.audit_detail import AuditDetailScreen
from isms_tui.screens.oscal_export import CATALOGUE, PLAN, RESULTS, OscalExportScreen

from .tui_helpers import loaded, opened, wait_for

SIZE = (120, 40)


async def open_dialog(pilot, audit_id: int = 2) -> OscalExportScreen:
    """The audit (#2 completed, #4 planned in the demo) as the audits list opens it, then `O`."""
    app = pilot.app
    await opened(pilot)
    await app.push_screen(AuditDetailScreen(audit_id))
    await wait_for(pilot, lambda: app.screen.view is not None, "the audit")  # type: ignore[attr-defined]
    await pilot.press("O")
    await wait_for(pilot, lambda: isinstance(app.screen, OscalExportScreen), "the OSCAL dialog")
    return app.screen  # type: ignore[return-value]


async def export_to(pilot, dialog: OscalExportScreen, path: Path) -> str:
    dialog.query_one("#oscal-path", Input).value = str(path)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: not dialog.busy and bool(result_text(dialog)), "the export", timeout=20)
    return result_text(dialog)


def result_text(dialog: OscalExportScreen) -> str:
    return str(dialog.query_one("#oscal-result", Static).render())


def cli_json(*args: str | Path) -> dict:
    result = CliRunner().invoke(main, ["export", "oscal", *(str(a) for a in args)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def test_an_audits_results_are_the_file_the_cli_writes(demo_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "ar.json"
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        assert dialog.audit_id == 2 and dialog.query_one("#oscal-kind", Select).value == RESULTS
        said = await export_to(pilot, dialog, out)
        assert said == f"Audit 2's assessment results written to {out} as OSCAL JSON."
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, AuditDetailScreen), "back on the audit")
    assert json.loads(out.read_text()) == cli_json("--db", demo_workspace, "--audit", "2")
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []  # no temporary file left


async def test_a_planned_audit_proposes_its_plan(demo_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "ap.json"
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, 4)  # planned
        assert dialog.kind == PLAN and "audit-4-plan" in dialog.query_one("#oscal-path", Input).value
        await export_to(pilot, dialog, out)
    assert json.loads(out.read_text()) == cli_json("--db", demo_workspace, "--plan", "4")


async def test_without_the_extra_one_sentence_says_how_to_install_it(
    demo_workspace: Path, tmp_path: Path, monkeypatch
) -> None:
    for name in [m for m in sys.modules if m == "trestle" or m.startswith("trestle.")]:
        monkeypatch.setitem(sys.modules, name, None)  # an import of it now raises ImportError
    monkeypatch.setitem(sys.modules, "trestle", None)
    out = tmp_path / "ar.json"
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        said = await export_to(pilot, dialog, out)
    assert said == (
        "OSCAL export needs compliance-trestle, which is not installed; install it with: pip install 'isms-tui[oscal]'."
    )
    assert not out.exists()


async def test_a_folder_or_link_as_target_is_one_sentence_and_left_alone(demo_workspace: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "ar.json"
    link.symlink_to(victim)
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        said = await export_to(pilot, dialog, link)
        assert "symbolic link" in said and "\n" not in said
        said = await export_to(pilot, dialog, tmp_path)
        assert "folder" in said and "\n" not in said
    assert victim.read_text() == "keep me" and link.is_symlink()


async def test_the_palette_exports_the_catalogue(demo_workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "cat.json"
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await loaded(pilot)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        app.call_later(commands["Export the catalogue as OSCAL JSON"].callback)  # as the palette runs it
        await wait_for(pilot, lambda: isinstance(app.screen, OscalExportScreen), "the OSCAL dialog")
        dialog: OscalExportScreen = app.screen  # type: ignore[assignment]
        assert dialog.kind == CATALOGUE
        await export_to(pilot, dialog, out)
    assert json.loads(out.read_text()) == cli_json("--catalogue")


async def test_on_a_full_disk_one_sentence_and_nothing_written(demo_workspace: Path, disk: Path) -> None:
    from .test_full_disk import FULL, fill

    out = disk / "ar.json"
    app = IsmsApp(demo_workspace)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot)
        filler = fill(disk)
        said = await export_to(pilot, dialog, out)
        assert said.startswith(FULL) and "\n" not in said
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]  # no file, no temporary file
        filler.unlink()
        said = await export_to(pilot, dialog, out)  # with space again it is written
        assert said.endswith("as OSCAL JSON.")
    assert json.loads(out.read_text())


async def test_a_read_only_workspace_exports_too(demo_workspace: Path, tmp_path: Path) -> None:
    """Exporting only reads: another isms holding the workspace does not stop it."""
    from isms_tui.models.lock import acquire

    out = tmp_path / "out" / "ar.json"
    out.parent.mkdir()
    with acquire(demo_workspace):
        app = IsmsApp(demo_workspace)
        async with app.run_test(size=SIZE) as pilot:
            dialog = await open_dialog(pilot)
            assert app.read_only
            said = await export_to(pilot, dialog, out)
            assert said.endswith("as OSCAL JSON."), said
    assert json.loads(out.read_text()) == cli_json("--db", demo_workspace, "--audit", "2")
