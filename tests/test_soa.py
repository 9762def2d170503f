"""The statement of applicability: decisions per control, the rules, CSV import and export."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from isms_tui.cli import main
from isms_tui.models import SoaEntry
from isms_tui.services import soa
from isms_tui.services.csv_io import ImportRejected
from isms_tui.services.errors import InputError
from isms_tui.services.soa import SoaInput
from isms_tui.services.soa_csv import HEADER, export_soa, import_soa

from .db_helpers import read


def test_a_control_without_a_row_is_not_yet_decided(session) -> None:
    rows = soa.statement(session)
    assert len(rows) == 93 and {r.decision for r in rows} == {soa.UNDECIDED}
    summary = soa.summary(session)
    assert (summary.applicable, summary.not_applicable, summary.undecided) == (0, 0, 93)
    assert summary.sentence == "93 Annex A controls: 0 applicable, 0 not applicable, 93 not yet decided."


def test_not_applicable_without_a_justification_is_refused(session) -> None:
    with pytest.raises(InputError) as refused:
        soa.save_entry(session, SoaInput("A.7.4", False, "  "))
    assert "justification" in refused.value.fields
    assert session.exec(select(SoaEntry)).all() == []
    soa.save_entry(
        session, SoaInput("a.7.4", False, "No premises of our own: the office is shared and monitored by the landlord.")
    )
    row = next(r for r in soa.statement(session) if r.ref == "A.7.4")
    assert row.decision == soa.NOT_APPLICABLE and row.excluded and row.status == ""


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (SoaInput("A.9.1", True, status="implemented"), "control"),
        (SoaInput("5.1", True, status="implemented"), "control"),
        (SoaInput("A.5.1", None), "applicable"),
        (SoaInput("A.5.1", True, status="done"), "status"),
        (SoaInput("A.5.1", False, "Not needed here at all.", status="implemented"), "status"),
        (SoaInput("A.5.1", True, status="planned", notes="x" * 4001), "notes"),
    ],
)
def test_each_field_is_checked(session, data: SoaInput, field: str) -> None:
    with pytest.raises(InputError) as refused:
        soa.save_entry(session, data)
    assert field in refused.value.fields


def test_a_decision_is_changed_in_place_and_can_be_cleared(session) -> None:
    soa.save_entry(session, SoaInput("A.8.13", True, "Risk R-003 (data loss)", "planned"))
    soa.save_entry(session, SoaInput("A.8.13", True, "Risk R-003 (data loss)", "Implemented", "Nightly"))
    assert [(e.control, e.status, e.notes) for e in session.exec(select(SoaEntry))] == [
        ("A.8.13", "implemented", "Nightly")
    ]
    summary = soa.summary(session)
    assert summary.by_status == {"implemented": 1}
    assert "of the applicable: 1 implemented" in summary.sentence
    soa.clear_entry(session, "A.8.13")
    assert soa.entries(session) == {}


def test_csv_import_is_all_or_nothing_with_row_numbers(session, tmp_path: Path) -> None:
    bad = tmp_path / "soa.csv"
    bad.write_text(
        HEADER + "\n"
        "A.5.1,yes,,implemented,\n"
        "A.7.4,no,,,\n"
        "A.99.1,yes,,implemented,\n"
        "A.5.2,maybe,,,\n"
        "A.5.1,yes,,planned,\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as rejected:
        import_soa(session, bad)
    errors = rejected.value.row_errors
    assert [e.split(":")[0] for e in errors] == ["row 3", "row 4", "row 5", "row 6"]
    assert "reason it is excluded" in errors[0]
    assert "not an Annex A control" in errors[1]
    assert "must be yes or no" in errors[2]
    assert "repeated (first on row 2)" in errors[3]
    assert soa.entries(session) == {}


def test_csv_round_trip_keeps_every_decision(session, tmp_path: Path) -> None:
    src = tmp_path / "soa.csv"
    src.write_text(
        HEADER + "\n"
        "A.5.1,yes,Required by the ISMS policy,implemented,Approved 2026-01\n"
        "a.7.4,No,No premises of our own,,\n"
        'A.8.13,applicable,,partially implemented,"=cmd"\n',
        encoding="utf-8",
    )
    assert import_soa(session, src) == (3, 0)
    out = tmp_path / "out.csv"
    assert export_soa(session, out) == 93
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == HEADER + ",title"
    assert "A.7.4,no,No premises of our own,,," in text
    assert "'=cmd" in text  # formula cells are escaped
    undecided = next(line for line in text.splitlines() if line.startswith("A.5.2,"))
    assert undecided.startswith("A.5.2,,,,,")
    before = soa.statement(session)
    assert import_soa(session, out) == (3, 0)  # undecided rows stay undecided
    assert soa.statement(session) == before
    clear = tmp_path / "clear.csv"
    clear.write_text("control,applicable\nA.7.4,\n", encoding="utf-8")
    assert import_soa(session, clear) == (0, 1)
    assert "A.7.4" not in soa.entries(session)


def test_cli_import_and_export(demo_workspace: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(HEADER + "\nA.7.4,no,Fully remote company,,\n", encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(main, ["import", "soa", str(src), "--db", str(demo_workspace)])
    assert done.exit_code == 0, done.output
    assert "Recorded the decision on 1 controls" in done.output
    assert read(demo_workspace, lambda s: soa.entries(s)["A.7.4"].justification) == "Fully remote company"
    out = tmp_path / "out.csv"
    exported = runner.invoke(main, ["export", "soa", str(out), "--db", str(demo_workspace)])
    assert exported.exit_code == 0 and "Exported 93 controls" in exported.output
    assert "A.7.4,no,Fully remote company" in out.read_text(encoding="utf-8-sig")
    src.write_text(HEADER + "\nA.7.4,no,,,\n", encoding="utf-8")
    refused = runner.invoke(main, ["import", "soa", str(src), "--db", str(demo_workspace)])
    assert refused.exit_code == 1 and "row 2:" in refused.stderr
