"""Pilot flow: recording an evaluation of the ISMS as a whole from Monitoring (E, then n),
with a refusal first (nothing saved), a follow-up raised as an action, and the frequency set."""

from __future__ import annotations

from datetime import date

from sqlmodel import select
from textual.widgets import Checkbox, DataTable, Input, Select, Static, TextArea

from isms_tui.models import Action, Frequency, IsmsEvaluation, Workspace
from isms_tui.services import kpis, workspace
from isms_tui.services.kpis import KpiInput

from .db_helpers import read, write
from .tui_helpers import make_app, opened, wait_for

SIZE = (120, 40)


def _seed(s) -> int:
    workspace.save_workspace(s, "Acme Ltd", current_user="Ann Officer")
    ann = workspace.save_person(s, "Ann Officer").id
    kpis.save_kpi(s, KpiInput(code="MFA", name="MFA coverage", target=99, started_on=date(2026, 1, 1)))
    return ann


def _screen(app) -> str:
    return type(app.screen).__name__


def _control(app, key: str):
    return app.screen.query_one(f"#field-{key}").control


async def _fill(pilot, values: dict[str, object]) -> None:
    for key, value in values.items():
        widget = _control(pilot.app, key)
        if isinstance(widget, TextArea):
            widget.text = str(value)
        elif isinstance(widget, Select | Checkbox):
            widget.value = value
        else:
            assert isinstance(widget, Input)
            widget.value = str(value)
    await pilot.pause()


async def test_record_an_isms_evaluation(db_path):
    ann = write(db_path, _seed, "seed")
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("m")
        await wait_for(pilot, lambda: app.current_mode == "monitoring")
        await pilot.pause()
        await pilot.press("E")
        await wait_for(pilot, lambda: _screen(app) == "IsmsEvaluationsScreen" and app.screen.frequency != "")
        due = str(app.screen.query_one("#evaluations-due", Static).render())
        assert "Evaluated quarterly. The evaluation of 2026-Q1 is due since 2026-04-01." in due

        await pilot.press("n")
        await wait_for(pilot, lambda: _screen(app) == "IsmsEvaluationForm")
        # pre-filled: from the first day not evaluated to the last closed quarter, the acting
        # person, the facts of that period
        assert (_control(app, "period_from").value, _control(app, "period_to").value) == ("2026-01-01", "2026-09-30")
        assert _control(app, "evaluator_id").value == ann
        assert _control(app, "basis").text.startswith("Period 2026-01-01 to 2026-09-30.\nKPIs: 1 active KPI")

        await _fill(pilot, {"performance": "MFA was not measured in Q3.", "raise_actions": True})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert _screen(app) == "IsmsEvaluationForm"
        assert "effectiveness of the ISMS" in str(app.screen.query_one("#form-message", Static).render())
        assert read(db_path, lambda s: s.exec(select(IsmsEvaluation)).all()) == []

        await _fill(
            pilot,
            {
                "effectiveness": "Not shown: a KPI without readings cannot tell.",
                "follow_up": "Start measuring MFA coverage monthly",
                "action_due": "2026-12-31",
            },
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: _screen(app) == "IsmsEvaluationsScreen")
        table = app.screen.query_one("#evaluations", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert "next: 2026-q4" in str(app.screen.query_one("#evaluations-due", Static).render()).lower()

        def saved(s):
            [e] = s.exec(select(IsmsEvaluation)).all()
            [a] = s.exec(select(Action).where(Action.source == "evaluation")).all()
            return (e.period_from, e.period_to, e.evaluator_id, e.effectiveness), (a.title, a.owner_id, a.due_date)

        assert read(db_path, saved) == (
            (date(2026, 1, 1), date(2026, 9, 30), ann, "Not shown: a KPI without readings cannot tell."),
            ("Start measuring MFA coverage monthly", ann, date(2026, 12, 31)),
        )

        await pilot.press("f")
        await wait_for(pilot, lambda: _screen(app) == "EvaluationFrequencyForm")
        await _fill(pilot, {"frequency": "monthly"})
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: _screen(app) == "IsmsEvaluationsScreen" and app.screen.frequency == "monthly")
        assert read(db_path, lambda s: s.exec(select(Workspace)).one().evaluation_frequency) == Frequency.MONTHLY
