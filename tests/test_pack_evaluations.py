"""The Clause 9 pack shows the evaluations of the ISMS of its period and each objective
judged over the period, by the same rule as the management review's input d4."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from isms_tui.services import clock, isms_evaluation, kpis, readings, review, review_inputs, workspace
from isms_tui.services.isms_evaluation import EvaluationInput
from isms_tui.services.kpis import KpiInput
from isms_tui.services.review import ReviewInput

from .db_helpers import workspace_session
from .pack_helpers import flat, pdf_pages

TODAY = date(2026, 12, 2)  # the default pack: 2025-12-01 to 2026-11-30


def _make(path: Path) -> None:
    with workspace_session(path, "setup") as s, clock.pinned(TODAY):
        workspace.save_workspace(s, "Example Ltd", current_user="Ann Officer")
        ann = workspace.save_person(s, "Ann Officer").id
        obj = workspace.save_objective(s, "OBJ-1", "Patch fast", "95 % in SLA", owner_id=ann).id
        patch = kpis.save_kpi(
            s,
            KpiInput(
                code="PATCH", name="Patches", target=95, warning=90, started_on=date(2025, 1, 1), objective_id=obj
            ),
        )
        for m, v in [(1, 80), (2, 82), (3, 85), (4, 88), (5, 96), (6, 97)]:
            readings.record_reading(s, patch.id, date(2026, m, 1), v)
        old = kpis.save_kpi(
            s, KpiInput(code="OLDPATCH", name="Old", target=95, started_on=date(2024, 1, 1), objective_id=obj)
        )
        readings.record_reading(s, old.id, date(2025, 12, 1), 99)
        kpis.set_active(s, old.id, False)
        isms_evaluation.record_evaluation(
            s,
            EvaluationInput(
                date(2026, 4, 1),
                date(2026, 6, 30),
                "Patching recovered in May after two bad quarters.",
                "Effective: the drop was detected by the ISMS and corrected.",
                basis="KPI readings, audit report",
                follow_up="Automate patch reporting",
                evaluator_id=ann,
                evaluated_on=date(2026, 7, 10),
                raise_actions=True,
                action_due=date(2026, 12, 31),
            ),
        )
        isms_evaluation.record_evaluation(  # of a period before the pack's: not in it
            s, EvaluationInput(date(2025, 1, 1), date(2025, 3, 31), "Old", "Old", evaluated_on=date(2025, 4, 5))
        )


def test_pack_shows_evaluations_and_objectives_over_the_period(tmp_path: Path) -> None:
    from isms_tui.reports.pack import build_pack

    db = tmp_path / "w.db"
    _make(db)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISMS_TODAY", TODAY.isoformat())
        with workspace_session(db, "tester") as session:
            content = build_pack(session, "clause9", signer="Example Ltd", fingerprint="ab" * 32, issued_by="Ann")
            r = review.save_review(session, ReviewInput("Review", TODAY, content.period_from, content.period_to))
            d4 = review_inputs.assemble(session, r)["d4"]
    text = flat(" ".join(pdf_pages(content.pdf)))
    assert "9.1 Evaluations of the ISMS as a whole 1" in text  # the summary table
    assert "6.2 Objectives over the period 1 partly met" in text
    assert "Evaluations of the ISMS as a whole" in text
    assert "1 evaluation covers part or all of this period" in text
    assert "Patching recovered in May after two bad quarters." in text
    assert "Effective: the drop was detected by the ISMS and corrected." in text
    assert "2026-07-10 by Ann Officer" in text
    assert "Automate patch reporting (open)" in text
    assert "Old Old" not in text and "2025-04-05" not in text
    assert "Fulfilment of information security objectives" in text
    assert "PATCH: 2 of 6 on target, improving" in text
    assert "OLDPATCH: 1 of 1 on target (retired)" in text
    # the review of the same period judges the same KPIs the same way
    [o] = d4["objectives"]
    assert [(k["code"], k["on_target"], k["readings"]) for k in o["kpis"]] == [("OLDPATCH", 1, 1), ("PATCH", 2, 6)]
    assert o["verdict"] == "partly met" and "partly met" in text
