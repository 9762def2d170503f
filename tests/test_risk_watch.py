"""The risks a KPI watches: one service answer, shown on the KPI detail and in the pack's 9.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from isms_tui.cli import main
from isms_tui.services import kpi_report, kpis, risks, workspace
from isms_tui.services.clock import today
from isms_tui.services.kpis import KpiInput
from isms_tui.services.risk_watch import watched_risks
from isms_tui.services.risks import RiskInput

from .pack_helpers import DEMO_TODAY, copy_workspace, flat, make_demo, pdftotext


def _kpi(session, code: str) -> int:
    return kpis.save_kpi(session, KpiInput(code=code, name=f"KPI {code}", target=95.0, unit="%")).id


def _risk(session, ref: str, likelihood: int, impact: int, codes: list[str], **kw) -> None:
    data = RiskInput(ref=ref, title=f"Risk {ref}", likelihood=likelihood, impact=impact, kpis=codes, **kw)
    risks.save_risk(session, data)


def test_a_kpis_watched_risks_come_highest_first_with_their_band_and_appetite(session) -> None:
    workspace.save_workspace(session, "Acme Ltd")
    patch = _kpi(session, "PATCH-01")
    _kpi(session, "MFA-01")
    _risk(session, "R-02", 2, 3, ["PATCH-01"])  # 6: medium, within the appetite of 9
    _risk(session, "R-01", 4, 4, ["PATCH-01", "MFA-01"])  # 16: high, above it
    # treated: it stands at its residual level (4, low), not the 20 it started at
    _risk(session, "R-03", 4, 5, ["PATCH-01"], status="treated", residual_likelihood=2, residual_impact=2)
    _risk(session, "R-04", 5, 5, ["MFA-01"], status="accepted")  # accepted: a decision, not an excess
    _risk(session, "R-05", 1, 1, [])
    by_code = watched_risks(session)
    assert set(by_code) == {"PATCH-01", "MFA-01"}
    patch_rows = by_code["PATCH-01"]
    assert [(w.ref, w.level, w.band, w.above_appetite) for w in patch_rows] == [
        ("R-01", 16, "high", True),
        ("R-02", 6, "medium", False),
        ("R-03", 4, "low", False),
    ]
    assert patch_rows[0].summary() == "R-01 Risk R-01: level 16 high, open, above appetite"
    assert [(w.ref, w.above_appetite) for w in by_code["MFA-01"]] == [("R-04", False), ("R-01", True)]
    assert set(watched_risks(session, ["MFA-01"])) == {"MFA-01"}
    risks.set_appetite(session, 20)
    assert not any(w.above_appetite for w in watched_risks(session)["PATCH-01"])
    # the KPI detail reads the same answer
    report = kpi_report.kpi_report(session, patch, today())
    assert [w.ref for w in report.risks] == ["R-01", "R-02", "R-03"]
    assert kpi_report.kpi_report(session, _kpi(session, "NEW-01"), today()).risks == []


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("demo") / "demo.db")


def test_the_pack_names_the_risks_each_kpi_watches(demo_template, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ISMS_TODAY", DEMO_TODAY.isoformat())
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("ISMS_PASSPHRASE", "Velvet-Quarry-Lantern-1987-mosaic")
    db = copy_workspace(demo_template, tmp_path / "ws")
    out = tmp_path / "pack.pdf"
    issued = CliRunner().invoke(main, ["pack", "--out", str(out), "--db", str(db)])
    assert issued.exit_code == 0, issued.output
    text = flat(pdftotext(out))
    vuln = text[text.index("VULN-01 Mean time to remediate high and critical vulnerabilities ✖ off target") :]
    assert vuln.index("Watches risks (the register on 2026-11-28): R-02 Internet-facing systems exploited") < 900
    assert (
        "R-02 Internet-facing systems exploited through unpatched flaws: level 16 high, in treatment, ✖ above appetite."
        in vuln
    )
    assert "R-05 Security logs lost before an incident is investigated: level 6 medium, accepted." in text
    assert "Watches risks: no risk in the register names this KPI." in text
