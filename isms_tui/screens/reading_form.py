"""Entering a reading (with evidence files) and recording an analysis.

A duplicate period is not an error the user has to work around: the form says what is
there and a second ctrl+s replaces it (the old value stays in the journal). An off-target
reading is followed by the analysis form, as 9.1 expects results to be analysed. A period
still running takes a value only when "partial" is ticked. The value and note shown are
always those of the period in the form: changing the period never carries another period's
note over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from textual import on
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Input

from isms_tui.models import require_id
from isms_tui.models.enums import Status
from isms_tui.services import clock, periods
from isms_tui.services.form_values import DATE_HINT
from isms_tui.services.formatting import number, target_text
from isms_tui.widgets.form import FormField, FormModal, person_select
from isms_tui.widgets.form_parts import fields_error, split_paths
from isms_tui.widgets.tickbox import TickBox

from .base import current_actor, workspace_session


@dataclass(frozen=True)
class ReadingSaved:
    kpi_id: int
    period: date
    value: float
    status: Status
    unit: str = ""
    target: str = ""  # as target_text writes it, e.g. '≥ 95%'


class ReadingForm(FormModal[ReadingSaved]):
    """Record the value of one KPI for one period."""

    HELP = (
        "The value of one KPI for one period (9.1), with a note and evidence; an off-target value asks for "
        "its analysis."
    )

    def __init__(self, kpi_id: int, period: date | None = None) -> None:
        super().__init__()
        from isms_tui.services import kpis, readings, targets

        self.kpi_id = kpi_id
        with workspace_session(self) as session:
            self.kpi = kpis.get_kpi(session, kpi_id)
            self.targets = targets.targets_for(session, self.kpi)
            start = period or periods.last_closed_period(clock.today(), self.kpi.frequency)
            self.existing = readings.find_reading(session, kpi_id, start)
        self.period = start
        self.replace_armed = False
        self.form_title = f"Reading for {self.kpi.code} {self.kpi.name} · target {self._target(start)}"

    def _target(self, start: date) -> str:
        """The target in force for the period, which judges the value."""
        from isms_tui.services.targets import stated

        return target_text(stated(self.targets.at(start), self.kpi.unit), strip=True)

    def fields(self) -> Iterable[Widget]:
        label = periods.period_label(self.period, self.kpi.frequency)
        existing = self.existing
        yield FormField("Period", Input(label, placeholder="e.g. 2026-10 or a date in the period"), key="period")
        yield FormField(
            f"Value ({self.kpi.unit or 'number'})",
            Input(f"{existing.value:g}" if existing else ""),
            key="value",
            hint=f"Method: {self.kpi.method}" if self.kpi.method else "",
        )
        yield FormField("Note", Input(existing.note if existing else ""), key="note")
        yield FormField(
            "Partial period",
            TickBox("value taken before the period ends", existing.partial if existing else False),
            key="partial",
            hint="Only for a period still running; the value is marked partial wherever it shows.",
        )
        yield FormField("Evidence files (paths separated by ';')", Input(""), key="evidence")

    def on_mount(self) -> None:
        self.query_one("#field-value", FormField).control.focus()

    @on(Input.Changed, "#field-period Input")
    def period_changed(self, event: Input.Changed) -> None:
        """Show the reading of the period now typed; what was shown for another period goes."""
        from isms_tui.services import readings

        try:
            start = periods.parse_period(event.value, self.kpi.frequency)
        except ValueError:
            return
        if start == self.period:
            return
        old = self.existing
        with workspace_session(self) as session:
            self.existing = readings.find_reading(session, self.kpi_id, start)
        self.period, self.replace_armed = start, False
        new = self.existing
        for key, was, now in (
            ("value", f"{old.value:g}" if old else "", f"{new.value:g}" if new else ""),
            ("note", old.note if old else "", new.note if new else ""),
        ):
            control = self.query_one(f"#field-{key}", FormField).control
            if isinstance(control, Input) and (control.value == was or key == "note"):
                control.value = now
        partial = self.query_one("#field-partial", FormField).control
        if isinstance(partial, Checkbox):
            partial.value = new.partial if new else False

    def submit(self) -> ReadingSaved:
        from isms_tui.services import evaluation, readings
        from isms_tui.services.errors import InputError

        try:
            start = periods.parse_period(self.value("period"), self.kpi.frequency)
        except ValueError as exc:
            raise InputError(str(exc), {"period": "Not a period of this KPI."}) from None
        value = readings.parse_value(self.value("value"))
        if self.replace_armed and start != self.period:
            self.replace_armed = False
        self.period = start
        try:
            with workspace_session(self) as session:
                readings.record_reading(
                    session,
                    self.kpi_id,
                    start,
                    value,
                    entered_by=current_actor(self),
                    note=self.value("note"),
                    replace=self.replace_armed,
                    attachments=split_paths(self.value("evidence")),
                    partial=bool(self.value("partial")),
                )
        except readings.DuplicateReading as dup:
            self.replace_armed = True
            raise InputError(f"{dup} Press ctrl+s again to replace it.", {"period": "Already recorded."}) from None
        return ReadingSaved(
            self.kpi_id,
            start,
            value,
            evaluation.evaluate_value(self.targets.at(start), value),
            self.kpi.unit,
            self._target(start),
        )


class AnalysisForm(FormModal[int]):
    """Record who analysed a KPI's results for a period, the conclusion and the follow-up."""

    HELP = (
        "The analysis of a KPI's results (9.1 d): who analysed them, for which periods, the conclusion and "
        "the follow-up."
    )

    def __init__(self, kpi_id: int, period: date, reason: str = "") -> None:
        super().__init__()
        from isms_tui.services import kpis, workspace

        self.kpi_id = kpi_id
        with workspace_session(self) as session:
            self.kpi = kpis.get_kpi(session, kpi_id)
            self.people = [(p.name, p.id) for p in workspace.list_people(session)]
        self.period = periods.period_start(period, self.kpi.frequency)
        label = periods.period_label(self.period, self.kpi.frequency)
        self.form_title = reason or f"Analysis of {self.kpi.code} for {label}"

    def fields(self) -> Iterable[Widget]:
        label = periods.period_label(self.period, self.kpi.frequency)
        yield FormField("Period", Input(label), key="period")
        analyst = self.kpi.analyst_id if any(pid == self.kpi.analyst_id for _, pid in self.people) else None
        yield FormField("Analyst", person_select(self.people, analyst), key="analyst_id")
        yield FormField(
            "Conclusion", Input(placeholder="What the results mean, why, is it acceptable?"), key="conclusion"
        )
        yield FormField("Follow-up action", Input(placeholder="What will be done, by whom (optional)"), key="follow_up")
        yield FormField("Analysed on (YYYY-MM-DD)", Input(clock.today().isoformat()), key="analysed_on")

    def on_mount(self) -> None:
        self.query_one("#field-conclusion", FormField).control.focus()

    def submit(self) -> int:
        from isms_tui.services import analysis

        errors: dict[str, str] = {}
        try:
            start = periods.parse_period(self.value("period"), self.kpi.frequency)
        except ValueError:
            errors["period"] = "Not a period of this KPI."
            start = self.period
        try:
            when = date.fromisoformat(self.value("analysed_on").strip())
        except ValueError:
            errors["analysed_on"] = DATE_HINT
            when = None
        if not self.value("conclusion").strip():
            errors["conclusion"] = "An analysis needs a conclusion."
        if errors:
            raise fields_error(errors)
        with workspace_session(self) as session:
            recorded = analysis.record_analysis(
                session,
                self.kpi_id,
                start,
                self.value("conclusion"),
                analyst_id=self.value("analyst_id"),
                follow_up=self.value("follow_up"),
                analysed_on=when,
            )
            return require_id(recorded)


def open_reading_form(
    screen: Screen[Any], kpi_id: int, on_done: Callable[[], object], period: date | None = None
) -> None:
    """Push the reading form; an off-target result then asks for the analysis."""

    def saved(result: ReadingSaved | None) -> None:
        if result is None:
            return
        on_done()
        if result.status == Status.OFF_TARGET:
            ask_for_analysis(screen, result, on_done)
        else:
            screen.notify(
                f"Saved: {number(result.value, result.unit, strip=True)} is {result.status.value}.", markup=False
            )

    screen.app.push_screen(ReadingForm(kpi_id, period), saved)


def ask_for_analysis(screen: Screen[Any], result: ReadingSaved, on_done: Callable[[], object]) -> None:
    def analysed(record_id: int | None) -> None:
        if record_id is None:
            screen.notify("Off-target reading saved without an analysis yet.", severity="warning")
        else:
            on_done()

    screen.app.push_screen(
        AnalysisForm(
            result.kpi_id,
            result.period,
            reason=f"{number(result.value, result.unit, strip=True)} is off target"
            + (f" ({result.target})" if result.target else "")
            + ": record the analysis (escape to skip)",
        ),
        analysed,
    )
