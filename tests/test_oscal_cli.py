"""`isms export oscal`: what it writes and where, its one-sentence refusals, the missing extra,
and that trestle is never imported when `isms` starts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from isms_tui.cli import main

from .test_full_disk import assert_one_sentence, attempt_on_full_disk, workspace_on
from .test_import_hygiene import _loaded_after


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_results_go_to_standard_output_by_default(demo_workspace: Path):
    result = run("export", "oscal", "--db", demo_workspace, "--audit", "2")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["assessment-results"]["results"][0]["title"] == "Technological and operational controls audit"


def test_out_writes_the_file_and_a_re_export_is_identical(demo_workspace: Path, tmp_path: Path):
    out = tmp_path / "ar.json"
    first = run("export", "oscal", "--db", demo_workspace, "--audit", "1", "--out", out)
    assert first.exit_code == 0, first.output
    assert first.output.strip() == f"Audit 1's assessment results written to {out} as OSCAL JSON."
    before = out.read_bytes()
    assert run("export", "oscal", "--db", demo_workspace, "--audit", "1", "--out", out).exit_code == 0
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_plan_and_catalogue(demo_workspace: Path, tmp_path: Path):
    plan = run("export", "oscal", "--db", demo_workspace, "--plan", "4", "--out", tmp_path / "ap.json")
    assert plan.exit_code == 0, plan.output
    assert "assessment-plan" in json.loads((tmp_path / "ap.json").read_text())
    cat = run("export", "oscal", "--catalogue", "--out", tmp_path / "cat.json")
    assert cat.exit_code == 0, cat.output
    assert "catalog" in json.loads((tmp_path / "cat.json").read_text())


def test_unknown_audit_is_one_sentence(demo_workspace: Path, tmp_path: Path):
    result = run("export", "oscal", "--db", demo_workspace, "--plan", "99", "--out", tmp_path / "x.json")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: No audit with id 99."
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("args", [[], ["--audit", "1", "--plan", "1"], ["--catalogue", "--audit", "2"]])
def test_exactly_one_document_is_asked_for(demo_workspace: Path, args: list[str]):
    result = run("export", "oscal", "--db", demo_workspace, *args)
    assert result.exit_code == 2
    assert "Give exactly one of --audit ID, --plan ID or --catalogue." in result.output


def test_a_link_as_output_is_refused_and_left_alone(demo_workspace: Path, tmp_path: Path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "ar.json"
    link.symlink_to(victim)
    result = run("export", "oscal", "--db", demo_workspace, "--audit", "2", "--out", link)
    assert result.exit_code == 1
    assert "symbolic link" in result.output and "Traceback" not in result.output
    assert victim.read_text() == "keep me"


def test_without_the_extra_it_says_how_to_install_it(demo_workspace: Path, tmp_path: Path, monkeypatch):
    for name in [m for m in sys.modules if m == "trestle" or m.startswith("trestle.")]:
        monkeypatch.setitem(sys.modules, name, None)  # an import of it now raises ImportError
    monkeypatch.setitem(sys.modules, "trestle", None)
    out = tmp_path / "ar.json"
    for args in (["--audit", "2"], ["--plan", "2"], ["--catalogue"]):
        result = run("export", "oscal", "--db", demo_workspace, *args, "--out", out)
        assert result.exit_code == 1
        assert result.output.strip() == (
            "Error: OSCAL export needs compliance-trestle, which is not installed; "
            "install it with: pip install 'isms-tui[oscal]'."
        )
    assert not out.exists()


def test_trestle_is_never_imported_at_start_up():
    """Neither `isms` starting, the TUI, nor the export command's help loads trestle."""
    assert "trestle" not in _loaded_after("import isms_tui.launch")
    assert "trestle" not in _loaded_after("import isms_tui.app")
    code = (
        "from isms_tui.cli import main\n"
        "import isms_tui.cli.oscal, isms_tui.services.oscal.export, isms_tui.services.oscal.results\n"
        "try:\n"
        "    main(['export', 'oscal', '--help'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0\n"
    )
    assert "trestle" not in _loaded_after(code)


@pytest.mark.parametrize("audit_id", ["0", "-3", "99999999999999999999999"])
def test_ids_no_audit_can_have_are_one_sentence(demo_workspace: Path, audit_id: str):
    result = run("export", "oscal", "--db", demo_workspace, "--audit", audit_id)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: No audit with id {audit_id}."


def test_values_edited_outside_isms_still_give_valid_oscal(demo_workspace: Path, tmp_path: Path):
    """Lists holding numbers or nulls, blank names and refs, an unknown time zone or risk
    status, written with the sqlite3 shell: the export still validates (journal verify is
    what reports such edits)."""
    import sqlite3

    con = sqlite3.connect(demo_workspace)
    with con:
        con.executescript(
            """
            UPDATE risk SET status = 'weird', controls = '["A.8.13", 5, null]', title = '', ref = ' '
              WHERE ref = 'R-01';
            UPDATE audit SET scope_refs = '["A.8.13", "", "ZZ 9/9", 7]', scope_areas = '["Nope", 3]',
              team_ids = '["x", 2]', title = '', criteria = '' WHERE id = 2;
            UPDATE person SET name = '' WHERE id = 11;
            UPDATE audititem SET methods = '["bogus", {"a": 1}]', ref = '', title = '' WHERE id = 40;
            UPDATE workspace SET timezone = '../../etc/passwd';
            UPDATE audit SET scope_refs = '[]' WHERE id = 5;
            UPDATE audititem SET ref = ' ' WHERE audit_id = 5;
            """
        )
    con.close()
    for option, audit_id in (("--audit", "2"), ("--plan", "2"), ("--audit", "5"), ("--plan", "5")):
        out = tmp_path / f"{option[2:]}-{audit_id}.json"
        result = run("export", "oscal", "--db", demo_workspace, option, audit_id, "--out", out)
        assert result.exit_code == 0, result.output
        assert json.loads(out.read_text())
    empty = json.loads((tmp_path / "plan-5.json").read_text())["assessment-plan"]["reviewed-controls"]
    assert empty["description"] == "No requirement is recorded for this audit."


@pytest.mark.parametrize("args", [["--catalogue"], ["--audit", "2"]])
def test_on_a_full_disk_one_sentence_and_nothing_left(disk: Path, demo_template: Path, args: list[str]):
    ws = workspace_on(disk, demo_template)
    out = disk / "oscal.json"
    refused, done = attempt_on_full_disk(disk, ws, "export", "oscal", "--db", ws, *args, "--out", out)
    assert_one_sentence(refused)
    assert done.exit_code == 0, done.output
    assert json.loads(out.read_text())
