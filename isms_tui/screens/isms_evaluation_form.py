"""The form recording an evaluation of the ISMS as a whole (9.1), and the one setting how often
it is due. Validation is the service's (`isms_evaluation.record_evaluation`); the form only
turns typed dates into dates and pre-fills the basis with the period's facts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input, Select, TextArea

from isms_tui.models import Frequency, require_id
from isms_tui.services import clock
from isms_tui.widgets.form import FormField, FormModal, person_select
from isms_tui.widgets.form_parts import NOTES_CSS, merging_field_errors, notes_area
from isms_tui.widgets.tickbox import TickBox

from .base import current_person, workspace_session


class IsmsEvaluationForm(FormModal[int]):
    """Dismisses with the new evaluation's id."""

    HELP = (
        "Record an evaluation of the ISMS as a whole (9.1): the period, its basis (pre-filled from the data),"
        " the conclusions on performance and effectiveness, and follow-ups."
    )

    DEFAULT_CSS = NOTES_CSS + "IsmsEvaluationForm TextArea { height: 4; }"
    BINDINGS = [Binding("ctrl+b", "fill_basis", "Basis from the data", priority=True)]
    form_title = "Evaluation of the ISMS as a whole (9.1) · ctrl+b fills the basis from the data"

    def __init__(self) -> None:
        super().__init__()
        from isms_tui.services import evaluation_basis, isms_evaluation, periods, workspace

        today = clock.today()
        with workspace_session(self) as session:
            due = isms_evaluation.evaluation_due(session, today)
            freq = isms_evaluation.evaluation_frequency(session)
            # From the first day not evaluated to the end of the last closed period, so an
            # evaluation that catches up covers everything since the last one.
            last_closed = periods.last_closed_period(today, freq)
            start = periods.previous_period(due.due_on, freq) if due is not None else last_closed
            end = periods.period_end(last_closed, freq)
            self.start, self.end = start, end if end >= start else min(periods.period_end(start, freq), today)
            self.basis = evaluation_basis.period_summary(session, self.start, self.end)
            people = workspace.list_people(session)
            self.people = [(p.name, p.id) for p in people]
            me = current_person(self)
            self.evaluator = next((p.id for p in people if p.name == me), None)

    def fields(self) -> Iterable[Widget]:
        yield FormField("Period from (YYYY-MM-DD)", Input(self.start.isoformat()), key="period_from")
        yield FormField("Period to (YYYY-MM-DD)", Input(self.end.isoformat()), key="period_to")
        yield FormField(
            "Evaluated by", person_select(self.people, self.evaluator, prompt="choose a person"), key="evaluator_id"
        )
        yield FormField("Evaluated on (YYYY-MM-DD)", Input(clock.today().isoformat()), key="evaluated_on")
        yield FormField(
            "Information security performance",
            notes_area(""),
            key="performance",
            hint="What the results say about how well information security performed.",
        )
        yield FormField(
            "Effectiveness of the ISMS",
            notes_area(""),
            key="effectiveness",
            hint="Whether the ISMS achieves its intended outcomes, and where it does not.",
        )
        yield FormField("Basis (what was looked at)", notes_area(self.basis), key="basis")
        yield FormField("Follow-ups (one a line)", notes_area(""), key="follow_up")
        yield FormField("Raise them as actions", TickBox("owned by the evaluator", value=False), key="raise_actions")
        yield FormField("Actions due (YYYY-MM-DD)", Input("", placeholder="optional"), key="action_due")

    def action_fill_basis(self) -> None:
        """Replace the basis with the facts of the period typed above."""
        from isms_tui.services import evaluation_basis
        from isms_tui.services.form_values import parse_date

        errors: dict[str, str] = {}
        start = parse_date(self.value("period_from"), "period_from", errors, required=True)
        end = parse_date(self.value("period_to"), "period_to", errors, required=True)
        if start is None or end is None or end < start:
            errors.setdefault("period_to", "The period cannot end before it starts.")
            self.show_errors("Type the period first: the basis is taken from its data.", errors)
            return
        with workspace_session(self) as session:
            text = evaluation_basis.period_summary(session, start, end)
        basis = self.query_one("#field-basis", FormField).control
        assert isinstance(basis, TextArea)
        basis.text = text
        self.show_errors("", {})

    def submit(self) -> int:
        from isms_tui.services import isms_evaluation
        from isms_tui.services.form_values import parse_date

        errors: dict[str, str] = {}
        dates: dict[str, date | None] = {
            key: parse_date(self.value(key), key, errors, required=key.startswith("period"))
            for key in ("period_from", "period_to", "evaluated_on", "action_due")
        }
        data = isms_evaluation.EvaluationInput(
            dates["period_from"],
            dates["period_to"],
            self.value("performance"),
            self.value("effectiveness"),
            basis=self.value("basis"),
            follow_up=self.value("follow_up"),
            evaluator_id=self.value("evaluator_id"),
            evaluated_on=dates["evaluated_on"],
            raise_actions=bool(self.value("raise_actions")),
            action_due=dates["action_due"],
        )
        with workspace_session(self) as session, merging_field_errors(errors):
            return require_id(isms_evaluation.record_evaluation(session, data))


class EvaluationFrequencyForm(FormModal[str]):
    """How often the ISMS as a whole is evaluated; dismisses with the frequency chosen."""

    HELP = "How often the ISMS as a whole is evaluated (9.1); the dashboard says when the next one is due."

    form_title = "How often the ISMS as a whole is evaluated (9.1)"

    def __init__(self, current: Frequency) -> None:
        super().__init__()
        self.current = current

    def fields(self) -> Iterable[Widget]:
        choices = [(f.value, f.value) for f in Frequency]
        yield FormField(
            "Frequency",
            Select(choices, value=self.current.value, allow_blank=False),
            key="frequency",
            hint="The next evaluation is due once the period after the last evaluated day has closed.",
        )

    def submit(self) -> str:
        from isms_tui.services import isms_evaluation

        with workspace_session(self) as session:
            isms_evaluation.set_evaluation_frequency(session, str(self.value("frequency")))
        return str(self.value("frequency"))
