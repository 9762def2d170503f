"""Define or edit a KPI: the full measurement construct of 9.1 (what, how, when, who).

Editing asks, besides, from which period a changed target applies and why: the readings of
earlier periods keep being judged by the target they had.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from textual.widget import Widget
from textual.widgets import Input, Select

from isms_tui.models import require_id
from isms_tui.models.enums import Direction, Frequency, KpiType
from isms_tui.services import clock, periods
from isms_tui.widgets.form import FormField, FormModal, parse_optional_float, person_select
from isms_tui.widgets.form_parts import fields_error

from .base import workspace_session

if TYPE_CHECKING:
    from isms_tui.services.targets import TargetChange

DIRECTIONS = [
    ("higher is better", Direction.HIGHER_BETTER),
    ("lower is better", Direction.LOWER_BETTER),
    ("within a range", Direction.WITHIN_RANGE),
]


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


class KpiForm(FormModal[int]):
    """Create (kpi_id None) or edit a KPI; dismisses with the KPI's id."""

    HELP = (
        "Define a KPI (9.1): what is measured and how, by whom, how often, and the target that judges it; "
        "changing the target asks from which period and why."
    )

    def __init__(self, kpi_id: int | None) -> None:
        super().__init__()
        from isms_tui.services import kpis, workspace
        from isms_tui.services.kpis import KpiInput

        self.kpi_id = kpi_id
        with workspace_session(self) as session:
            self.people = [(p.name, p.id) for p in workspace.list_people(session)]
            self.objectives = [(f"{o.code} {o.statement}"[:60], o.id) for o in workspace.list_objectives(session)]
            if kpi_id is None:
                self.data = KpiInput(code="", name="", target=None)
            else:
                self.data = KpiInput.from_kpi(kpis.get_kpi(session, kpi_id))
        self.form_title = "New KPI" if kpi_id is None else f"Edit KPI {self.data.code}"

    def fields(self) -> Iterable[Widget]:
        d = self.data
        yield FormField("Code", Input(d.code, placeholder="e.g. INC-01"), key="code")
        yield FormField("Name: what is measured", Input(d.name), key="name")
        yield FormField("Information need: why", Input(d.information_need), key="information_need")
        yield FormField(
            "Type", Select([(t.value, t) for t in KpiType], value=d.kpi_type, allow_blank=False), key="kpi_type"
        )
        yield FormField("Method or formula: how", Input(d.method), key="method")
        yield FormField("Unit", Input(d.unit, placeholder="%, days, count…"), key="unit")
        yield FormField("Direction", Select(DIRECTIONS, value=d.direction, allow_blank=False), key="direction")
        yield FormField("Target (range: lower bound)", Input(_num(d.target)), key="target")
        yield FormField(
            "Warning threshold",
            Input(_num(d.warning)),
            key="warning",
            hint="Optional. Past the target but within this is a warning; beyond it, off target.",
        )
        yield FormField("Range: upper target", Input(_num(d.target_high)), key="target_high")
        yield FormField("Range: upper warning bound", Input(_num(d.warning_high)), key="warning_high")
        if self.kpi_id is not None:
            now = periods.period_label(periods.period_start(clock.today(), d.frequency), d.frequency)
            yield FormField(
                "Target change applies from",
                Input(now, placeholder="a period, e.g. 2026-11"),
                key="from_period",
                hint="Only when direction, target or thresholds change; earlier periods keep their target.",
            )
            yield FormField(
                "Reason for the target change",
                Input("", placeholder="required when the target changes"),
                key="reason",
            )
        yield FormField(
            "Lowest value a reading may have",
            Input(_num(d.min_value), placeholder="by unit: 0 for %, counts, durations"),
            key="min_value",
        )
        yield FormField(
            "Highest value a reading may have",
            Input(_num(d.max_value), placeholder="by unit: 100 for %"),
            key="max_value",
            hint="Empty: the unit's default. A reading outside the range is refused as a typing mistake.",
        )
        yield FormField(
            "Frequency: when",
            Select([(f.value, f) for f in Frequency], value=d.frequency, allow_blank=False),
            key="frequency",
        )
        yield FormField("Grace days after period end", Input(str(d.grace_days)), key="grace_days")
        yield FormField(
            "Measured from (YYYY-MM-DD)",
            Input(d.started_on.isoformat() if d.started_on else ""),
            key="started_on",
            hint="Empty means today; periods before it are never due.",
        )
        yield FormField("Collector: who measures", person_select(self.people, d.collector_id), key="collector_id")
        yield FormField("Analyst: who evaluates", person_select(self.people, d.analyst_id), key="analyst_id")
        yield FormField(
            "Analysis frequency",
            Select([(f.value, f) for f in Frequency], value=d.analysis_frequency, allow_blank=False),
            key="analysis_frequency",
        )
        yield FormField(
            "Objective (6.2)", Select(self.objectives, value=d.objective_id or Select.NULL), key="objective_id"
        )
        yield FormField("Requirements", Input(d.requirements, placeholder="e.g. 9.1, A.5.24"), key="requirements")
        yield FormField("Data source", Input(d.data_source), key="data_source")
        yield FormField("Reporting format", Input(d.reporting_format), key="reporting_format")

    def submit(self) -> int:
        from isms_tui.services import kpis
        from isms_tui.services.kpis import KpiInput

        errors: dict[str, str] = {}
        numbers = {
            k: parse_optional_float(self.value(k), k, errors)
            for k in ("target", "warning", "target_high", "warning_high", "min_value", "max_value")
        }
        try:
            grace = int(self.value("grace_days").strip() or "0")
        except ValueError:
            errors["grace_days"] = "A whole number of days."
            grace = 0
        started_text = self.value("started_on").strip()
        started = None
        if started_text:
            try:
                started = date.fromisoformat(started_text)
            except ValueError:
                errors["started_on"] = "A date as YYYY-MM-DD."
        data = KpiInput(
            code=self.value("code"),
            name=self.value("name"),
            information_need=self.value("information_need").strip(),
            kpi_type=self.value("kpi_type"),
            method=self.value("method").strip(),
            unit=self.value("unit").strip(),
            direction=self.value("direction"),
            frequency=self.value("frequency"),
            grace_days=grace,
            started_on=started,
            collector_id=self.value("collector_id"),
            analyst_id=self.value("analyst_id"),
            analysis_frequency=self.value("analysis_frequency"),
            objective_id=self.value("objective_id"),
            requirements=self.value("requirements").strip(),
            data_source=self.value("data_source").strip(),
            reporting_format=self.value("reporting_format").strip(),
            **numbers,
        )
        problems = {**kpis.validate(data), **errors}
        with workspace_session(self) as session:
            change = None
            if kpis.definition_changes(session, data, self.kpi_id):
                assert self.kpi_id is not None  # only an edit changes a definition
                change, unread = self._target_change(data.frequency)
                problems.update(unread or kpis.change_problems(session, data, self.kpi_id, change))
            if problems:  # every field at once: the definition, the period and the reason
                raise fields_error(problems)
            return require_id(kpis.save_kpi(session, data, self.kpi_id, change))

    def _target_change(self, frequency: Frequency) -> tuple[TargetChange, dict[str, str]]:
        """The period and reason typed for a changed definition, and what could not be read."""
        from isms_tui.services.targets import TargetChange

        text, reason = self.value("from_period").strip(), self.value("reason")
        try:
            return TargetChange(periods.parse_period(text, frequency) if text else None, reason), {}
        except ValueError:
            unread = {"from_period": f"A {frequency.value} period such as 2026-11, or a date in it."}
            if not reason.strip():
                unread["reason"] = "Say why the target changes; the reason stays with the target history."
            return TargetChange(None, reason), unread
