"""The 9.1 section of an issued pack says which readings were late, voided, corrected or partial."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from isms_tui.cli import main
from isms_tui.services import kpis, readings

from .db_helpers import workspace_session
from .pack_helpers import DEMO_TODAY, copy_workspace, flat, make_demo, pdftotext


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("demo") / "demo.db")


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_issued_pack_marks_late_voided_corrected_and_partial_readings(demo_template, tmp_path, monkeypatch):
    monkeypatch.setenv("ISMS_TODAY", DEMO_TODAY.isoformat())
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("ISMS_PASSPHRASE", "correct horse battery staple")
    db = copy_workspace(demo_template, tmp_path / "ws")
    void = run("readings", "void", "PATCH-01", "2026-08", "--reason", "Counted the wrong month.", "--db", db)
    assert void.exit_code == 0, void.output
    fix = run("readings", "correct", "PATCH-01", "2026-09", "95", "--reason", "Servers counted twice.", "--db", db)
    assert fix.exit_code == 0, fix.output
    with workspace_session(db, "ann") as s:
        k = kpis.kpi_by_code(s, "PATCH-01")
        readings.record_reading(s, k.id, date(2026, 8, 1), 96, entered_by="Ann Officer", note="Recounted.")
        readings.record_reading(s, k.id, date(2026, 11, 1), 90, entered_by="Ann Officer", partial=True)
    out = tmp_path / "pack.pdf"
    issued = run("pack", "--out", out, "--from", "2026-01-01", "--to", "2026-11-28", "--db", db)
    assert issued.exit_code == 0, issued.output
    text = flat(pdftotext(out))
    # the results overview: 11 live readings of PATCH-01 (the voided one not among them), 1 late
    row = re.search(r"PATCH-01 Critical patches installed within SLA (\d+) (\d+) (\d+) ?/ ?(\d+) ?/ ?(\d+)", text)
    assert row is not None, text[:3000]
    assert row.groups()[:2] == ("11", "1")
    assert sum(map(int, row.groups()[2:])) == 11  # on / warning / off counts only live readings
    others = re.findall(r"(?:INC|VULN|PHISH|FW)-01 [^0-9]+? (\d+) (\d+) \d+ ?/ ?\d+ ?/ ?\d+", text)
    assert others and all(late == "0" for _, late in others)  # the demo's readings were on time
    # the KPI's readings: the voided one marked and explained, the late one marked, the correction kept
    assert "97.5% ○ voided" in text
    assert "VOIDED by " in text and "on 2026-11-28: Counted the wrong month." in text
    assert re.search(r"96% ✔ on target Ann Officer 2026-11-28 ◔ ?late Recounted\.", text)
    assert re.search(r"Corrected from 97\.5 by .+? on 2026-11-28: Servers counted twice\.", text)
    assert re.search(r"90% ▲ warning · partial", text)
