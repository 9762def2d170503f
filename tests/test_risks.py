"""The risk register: levels, validation, CSV import and export, review input f, audit priorities."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from isms_tui.cli import main
from isms_tui.models import AuditArea, Risk
from isms_tui.models.db import session_scope
from isms_tui.services import actions, programme, risks, workspace
from isms_tui.services.actions import ActionInput
from isms_tui.services.csv_io import ImportRejected
from isms_tui.services.errors import InputError
from isms_tui.services.review_risks import risk_input
from isms_tui.services.risks import RiskInput
from isms_tui.services.risks_csv import export_risks, import_risks

from .db_helpers import read


def risk(ref: str = "R-001", likelihood: int = 4, impact: int = 5, **kw) -> RiskInput:
    return RiskInput(ref=ref, title=kw.pop("title", f"Risk {ref}"), likelihood=likelihood, impact=impact, **kw)


@pytest.fixture
def org(session):
    workspace.save_workspace(session, "Acme Ltd")
    return workspace.save_person(session, "Ann Owner")


def test_level_band_and_appetite(session, org) -> None:
    assert [risks.band(v) for v in (1, 4, 5, 9, 10, 16, 17, 25)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
        "critical",
        "critical",
    ]
    r = risks.save_risk(session, risk(owner_id=org.id, controls=["a.8.13"]))
    assert (risks.risk_level(r), r.controls) == (20, ["A.8.13"])  # refs spelled as the catalogue does
    assert risks.appetite(session) == 9 and risks.above_appetite(r, 9)
    r.status = "accepted"
    assert not risks.above_appetite(r, 9)  # an acceptance is a decision on record, not an open excess
    r.status, r.residual_likelihood, r.residual_impact = "treated", 2, 3
    assert not risks.above_appetite(r, 9)  # treated: it stands at its residual level, 6
    r.residual_impact = 5
    assert risks.above_appetite(r, 9)  # a residual of 10 still exceeds the appetite
    risks.set_appetite(session, 20)
    assert risks.appetite(session) == 20
    with pytest.raises(InputError):
        risks.set_appetite(session, 26)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (risk(ref=""), "ref"),
        (risk(likelihood=0), "likelihood"),
        (risk(impact=6), "impact"),
        (risk(treatment="ignore"), "treatment"),
        (risk(status="forgotten"), "status"),
        (risk(residual_likelihood=2), "residual_impact"),
        (risk(controls=["A.99.1"]), "controls"),
        (risk(kpis=["NOPE-1"]), "kpis"),
    ],
)
def test_validation_names_the_field_and_saves_nothing(session, org, data: RiskInput, field: str) -> None:
    with pytest.raises(InputError) as caught:
        risks.save_risk(session, data)
    assert field in caught.value.fields
    assert risks.list_risks(session) == []


def test_duplicate_ref_is_refused(session, org) -> None:
    risks.save_risk(session, risk())
    with pytest.raises(InputError, match="already used"):
        risks.save_risk(session, risk(title="Another"))


CSV_HEADER = "ref,title,owner,likelihood,impact,treatment,status,due,controls\n"


def test_csv_import_is_all_or_nothing_with_row_numbers(session, org, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        CSV_HEADER
        + "R-1,Good row,Ann Owner,2,2,modify,open,,A.5.1\n"
        + "R-2,Bad row,Nobody,7,2,fix,open,2026-13-01,A.99\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as caught:
        import_risks(session, bad)
    (line,) = caught.value.row_errors
    assert line.startswith("row 3:") and "Nobody" in line and "likelihood" in line and "A.99" in line
    assert risks.list_risks(session) == []


def test_csv_round_trip_updates_by_ref(session, org, tmp_path: Path) -> None:
    good = tmp_path / "risks.csv"
    good.write_text(
        CSV_HEADER
        + "R-1,Ransomware,Ann Owner,4,5,modify,in treatment,2026-03-31,A.8.13; A.8.7\n"
        + "R-2,Supplier breach,,3,3,share,open,,A.5.19\n",
        encoding="utf-8",
    )
    assert import_risks(session, good).created == 2
    out = tmp_path / "out.csv"
    assert export_risks(session, out) == 2
    text = out.read_text(encoding="utf-8-sig")
    assert "R-1,Ransomware,Ann Owner,4,5,modify,in treatment,2026-03-31,A.8.13; A.8.7" in text
    again = import_risks(session, out)
    assert (again.created, again.updated) == (0, 2)


def test_formula_cells_are_escaped_on_export(session, org, tmp_path: Path) -> None:
    risks.save_risk(session, risk(title='=HYPERLINK("x")'))
    out = tmp_path / "out.csv"
    export_risks(session, out)
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8-sig")


def test_export_survives_lists_edited_outside_the_app(session, org, tmp_path: Path) -> None:
    """A controls list doctored with sqlite3 (a number, a formula) is exported, escaped, not crashed on;
    `isms journal verify` is what names the edit."""
    from sqlalchemy import text

    r = risks.save_risk(session, risk())
    session.execute(
        text("UPDATE risk SET controls = :c, kpis = :k WHERE id = :id"),
        {"c": '["=cmd()", 5]', "k": "[7]", "id": r.id},
    )
    session.expire_all()
    out = tmp_path / "out.csv"
    export_risks(session, out)
    assert "'=cmd(); 5" in out.read_text(encoding="utf-8-sig")


def test_review_input_f_reads_levels_over_the_period_from_the_journal(db_path: Path) -> None:
    from isms_tui.models.db import open_engine

    engine = open_engine(db_path)
    try:
        with session_scope(engine, "t") as s:
            workspace.save_workspace(s, "Acme Ltd")
            r = risks.save_risk(s, risk(likelihood=2, impact=2))
            rid = r.id
        with session_scope(engine, "t") as s:
            r = risks.get_risk(s, rid)
            data = risks.RiskInput(**{**risk(likelihood=5, impact=5).__dict__, "due_date": date(2000, 1, 1)})
            risks.save_risk(s, data, rid)
            actions.create_action(s, "risk", rid, ActionInput(title="Offline backups", due_date=date(2000, 1, 1)))
        with session_scope(engine) as s:
            before = risk_input(s, date(1999, 1, 1), date(1999, 12, 31), date(2030, 1, 1))
            now = risk_input(s, date(2000, 1, 1), date(2099, 12, 31), date(2030, 1, 1))
    finally:
        engine.dispose()
    assert before["risks"][0]["level_at_end"] is None  # it did not exist then
    row = now["risks"][0]
    assert (row["level"], row["level_at_end"], row["band"]) == (25, 25, "critical")
    assert now["above_appetite"] == ["R-001"] and now["treatment_overdue"] == ["R-001"]
    assert now["actions"] == {"open": 1, "done": 0, "overdue": 1}


def test_audit_priorities_weigh_the_risk_levels_of_an_areas_controls(session, org) -> None:
    session.add(AuditArea(name="Backups", importance=2, refs=["A.8.13"]))
    session.add(AuditArea(name="HR", importance=2, refs=["A.6.3"]))
    session.flush()
    before = {p.area.name: p.score for p in programme.priorities(session, date(2026, 12, 1))}
    assert before["Backups"] == before["HR"]
    risks.save_risk(session, risk(controls=["A.8.13"]))
    ranked = programme.priorities(session, date(2026, 12, 1))
    assert ranked[0].area.name == "Backups"
    assert any("R-001" in reason for reason in ranked[0].reasons)


def test_cli_import_and_export(demo_workspace: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(CSV_HEADER + "R-7,Laptop theft,,3,3,modify,open,,A.8.1\n", encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(main, ["import", "risks", str(src), "--db", str(demo_workspace)])
    assert done.exit_code == 0, done.output
    assert "R-7" in read(demo_workspace, lambda s: [r.ref for r in s.exec(select(Risk))])
    out = tmp_path / "out.csv"
    exported = runner.invoke(main, ["export", "risks", str(out), "--db", str(demo_workspace)])
    assert exported.exit_code == 0 and "R-7,Laptop theft" in out.read_text(encoding="utf-8-sig")
    src.write_text(CSV_HEADER + "R-8,Bad,,9,3,modify,open,,A.8.1\n", encoding="utf-8")
    refused = runner.invoke(main, ["import", "risks", str(src), "--db", str(demo_workspace)])
    assert refused.exit_code == 1 and "row 2:" in refused.stderr


async def test_risk_screen_creates_a_risk_through_its_form(demo_workspace: Path) -> None:
    from isms_tui.app import IsmsApp

    from .tui_helpers import wait_for

    app = IsmsApp(demo_workspace)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.engine is not None and type(app.screen).__name__ == "DashboardScreen")
        await pilot.press("g")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "RisksScreen")
        await pilot.press("n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "RiskForm")
        await pilot.press(*"R-042", "tab", *"Lost laptop")
        for key in ("tab", "tab"):
            await pilot.press(key)
        await pilot.press("9")  # likelihood 9: refused, nothing saved
        await pilot.press("tab", "3", "ctrl+s")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ == "RiskForm"
        likelihood = app.screen.query_one("#field-likelihood")
        assert likelihood.has_class("-invalid")
        assert app.focused is likelihood.control  # the first field in error takes the cursor
        await pilot.press("backspace", "2", "ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "RisksScreen")

    def added(s):
        return [(r.ref, r.likelihood, r.impact) for r in s.exec(select(Risk).where(Risk.ref == "R-042"))]

    stored = read(demo_workspace, added)
    assert stored == [("R-042", 2, 3)]
