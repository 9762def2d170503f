"""`isms nc raise` and `isms nc reopen`: the CLI over the nonconformity services."""

from __future__ import annotations

from click.testing import CliRunner
from sqlmodel import select

from isms_tui.cli import main
from isms_tui.models import Action, ActionReopen, ActionStatus, Effectiveness
from isms_tui.services import actions, workspace

from .conftest import TODAY
from .db_helpers import read, workspace_session


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_raise_then_reopen_with_one_sentence_on_bad_input(db_path):
    with workspace_session(db_path, "seed") as s:
        workspace.save_workspace(s, "Acme Ltd", "All information systems")
        ann = workspace.save_person(s, "Ann Officer").id
    missing = run("nc", "raise", "--db", db_path, "--source", "complaint", "--description", " ", "--title", "Fix")
    assert missing.exit_code == 1 and "Say what happened." in missing.output and "Traceback" not in missing.output
    done = run(
        "nc", "raise", "--db", db_path, "--source", "complaint", "--ref", "CMP-1", "--title", "Answer on time",
        "--description", "A client waited three weeks.", "--owner", "ann officer", "--settling-days", "14",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "action #1 is open" in done.output
    action = read(db_path, lambda s: s.exec(select(Action)).one())
    assert (action.source, action.source_ref, action.owner_id, action.detected_on, action.settling_days) == (
        "complaint",
        "CMP-1",
        ann,
        TODAY,
        14,
    )
    refused = run("nc", "reopen", "1", "--db", db_path, "--reason", "again")
    assert refused.exit_code == 1 and "only a closed action is reopened" in refused.output
    with workspace_session(db_path, "seed") as s:
        a = actions.get_action(s, 1)
        a.root_cause, a.corrective_action, a.settling_days = "No rota.", "A rota.", 0
        s.add(a)
        actions.set_status(s, 1, ActionStatus.IMPLEMENTED)
        actions.record_effectiveness(s, 1, ann, Effectiveness.EFFECTIVE, "Seen", checker_reason="Only Ann.")
    reopened = run("nc", "reopen", "1", "--db", db_path, "--reason", "A second client waited.")
    assert reopened.exit_code == 0, reopened.output
    kept = read(db_path, lambda s: s.exec(select(ActionReopen)).one())
    assert kept.reason == "A second client waited." and kept.checker_reason == "Only Ann."
