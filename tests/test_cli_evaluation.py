"""`isms evaluation record|list|frequency` and the evaluation in `isms status --json`."""

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from isms_tui.cli import main
from isms_tui.models import Action, IsmsEvaluation
from isms_tui.services import kpis, readings, workspace
from isms_tui.services.kpis import KpiInput

from .db_helpers import read, write


def _seed(s) -> None:
    workspace.save_workspace(s, "Acme Ltd")
    workspace.save_person(s, "Ann Officer")
    k = kpis.save_kpi(s, KpiInput(code="MFA", name="MFA coverage", target=99, started_on=date(2026, 1, 1)))
    for m, v in [(7, 99.5), (8, 97), (9, 99.2)]:
        readings.record_reading(s, k.id, date(2026, m, 1), v)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "eval.db"
    write(path, _seed, "seed")
    return path


def _run(db: Path, *args: str):
    return CliRunner().invoke(main, ["--as", "Ann Officer", *args, "--db", str(db)])


def test_record_list_and_status(db):
    before = json.loads(_run(db, "status", "--json").stdout)["isms_evaluation"]
    assert before["due"] is True and before["next_period"] == "2026-Q1" and before["last_evaluated_on"] is None
    result = _run(
        db,
        "evaluation",
        "record",
        "--from", "2026-07-01",
        "--to", "2026-09-30",
        "--performance", "MFA dipped in August, otherwise on target.",
        "--effectiveness", "Effective; the August dip was found and put right by the ISMS itself.",
        "--follow-up", "Alert on MFA enrolment gaps",
        "--raise-actions",
        "--action-due", "2027-01-31",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Recorded ISMS evaluation 1 of 2026-07-01 to 2026-09-30; 1 action raised." in result.output

    def check(s):
        [e] = s.exec(select(IsmsEvaluation)).all()
        assert e.basis.splitlines()[1] == "KPIs: 1 active KPI, 3 readings, 67% on target (off target: MFA)."
        [a] = s.exec(select(Action).where(Action.source == "evaluation")).all()
        assert (a.title, a.source_id, a.due_date) == ("Alert on MFA enrolment gaps", e.id, date(2027, 1, 31))
        return e.evaluator_id is not None

    assert read(db, check)
    listed = json.loads(_run(db, "evaluation", "list", "--json").stdout)
    assert [e["evaluator"] for e in listed["evaluations"]] == ["Ann Officer"]
    status = json.loads(_run(db, "status", "--json").stdout)["isms_evaluation"]
    assert status == listed["next"]
    assert (status["evaluated_to"], status["next_period"], status["due"]) == ("2026-09-30", "2026-Q4", False)
    assert "2026-Q4, next due 2027-01-01" in _run(db, "evaluation", "list").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-07-01", "--to", "2026-13-01"], "--to takes a date as YYYY-MM-DD."),
        (["--from", "2026-09-30", "--to", "2026-07-01"], "The period cannot end before it starts."),
        (["--from", "2026-07-01", "--to", "2026-09-30", "--by", "Nobody"], "No person named 'Nobody'"),
        (["--from", "2026-07-01", "--to", "2026-09-30", "--raise-actions"], "Write the follow-ups to raise"),
    ],
)
def test_bad_input_is_one_sentence_and_saves_nothing(db, args, message):
    result = _run(db, "evaluation", "record", *args, "--performance", "p", "--effectiveness", "e")
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert read(db, lambda s: s.exec(select(IsmsEvaluation)).all()) == []


def test_frequency_is_shown_and_set(db):
    assert _run(db, "evaluation", "frequency").output.strip() == "quarterly"
    assert _run(db, "evaluation", "frequency", "Monthly").exit_code == 0
    assert json.loads(_run(db, "status", "--json").stdout)["isms_evaluation"]["frequency"] == "monthly"
    bad = _run(db, "evaluation", "frequency", "daily")
    assert bad.exit_code == 1 and "Unknown frequency 'daily'" in bad.output
