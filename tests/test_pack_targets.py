"""The 9.1 section of an issued pack shows each KPI's target history and judges every reading
by the target in force for its period."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from isms_tui.cli import main
from isms_tui.services import kpis
from isms_tui.services.kpis import KpiInput
from isms_tui.services.targets import TargetChange

from .db_helpers import workspace_session
from .pack_helpers import DEMO_TODAY, copy_workspace, flat, make_demo, pdftotext


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("demo") / "demo.db")


def run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_pack_shows_the_target_history_and_judges_past_readings_by_their_target(demo_template, tmp_path, monkeypatch):
    monkeypatch.setenv("ISMS_TODAY", DEMO_TODAY.isoformat())
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("ISMS_PASSPHRASE", "Velvet-Quarry-Lantern-1987-mosaic")
    db = copy_workspace(demo_template, tmp_path / "ws")
    for period in ("2026-03", "2026-07"):
        fixed = run("readings", "correct", "PATCH-01", period, "96", "--reason", "Recounted.", "--db", db)
        assert fixed.exit_code == 0, fixed.output
    with workspace_session(db, "Ann Officer") as s:
        k = kpis.kpi_by_code(s, "PATCH-01")
        data = KpiInput.from_kpi(k)
        data.target, data.warning = 97.0, 93.0
        kpis.save_kpi(s, data, k.id, TargetChange(date(2026, 6, 1), "New patch tooling [rollout done]"))
    out = tmp_path / "pack.pdf"
    issued = run("pack", "--out", out, "--from", "2026-01-01", "--to", "2026-11-28", "--db", db)
    assert issued.exit_code == 0, issued.output
    text = flat(pdftotext(out))
    section = text[text.index("PATCH-01 Critical patches installed within SLA ✖") :]
    # the history: which periods each definition judges, why it changed, who recorded it and when
    initial = r"(\d{4}-\d\d) to 2026-05 ≥ 95%; warning ≥ 90% initial definition Priya Raman, (\d{4}-\d\d)-\d\d"
    first = re.search(initial, section)
    assert first is not None and first[1] == first[2]  # recorded when measurement began
    assert "2026-06 onwards ≥ 97%; warning ≥ 93% New patch tooling [rollout done] Ann Officer, 2026-11-28" in section
    # the same value, judged by the target of its own period
    assert re.search(r"2026-03 96% ✔ on target", section), section[:3000]
    # (the table's header repeats when a page break falls there)
    assert re.search(r"2026-07 (?:Value Status )?96% ▲ warning", section), section[:3000]
    assert "target ≥ 97%, warning ≥ 93% from 2026-06" in section
    assert "target ≥ 97% from 2026-06" in section and "earlier: the target then in force" in section  # the legend
