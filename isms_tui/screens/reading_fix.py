"""Putting a wrong reading right: void it or correct it, always with a reason.

Neither deletes anything: a voided reading stays in the KPI's history, marked, and counts
nowhere; a corrected one shows the value it had and why it changed. The service checks the
input (a reason, a value the KPI can take) before anything is saved.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Input, Static

from isms_tui.models import Kpi, Reading, require_id
from isms_tui.services import periods
from isms_tui.services.formatting import number
from isms_tui.widgets.form import FormField, FormModal
from isms_tui.widgets.form_parts import fields_error

from .base import current_actor, workspace_session


def _describe(kpi: Kpi, reading: Reading) -> str:
    label = periods.period_label(reading.period_start, kpi.frequency)
    by = reading.entered_by or "unknown"
    return (
        f"{kpi.code} {label}: {number(reading.value, kpi.unit, strip=True)}, "
        f"recorded by {by} on {reading.entered_at:%Y-%m-%d}"
    )


class VoidReadingForm(FormModal[int]):
    """Void one reading: it stays in the record, marked, and no longer counts."""

    HELP = "Void a wrong reading, with the reason: it stays listed, marked, and counts nowhere."

    save_label = "Void  ctrl+s"

    def __init__(self, kpi: Kpi, reading: Reading) -> None:
        super().__init__()
        self.kpi, self.reading = kpi, reading
        self.form_title = f"Void the reading {_describe(kpi, reading)}"

    def fields(self) -> Iterable[Widget]:
        yield Static(
            "The reading stays in the history and the packs, marked voided; it no longer counts in the status, "
            "trend, charts or reviews, and its period is due again.",
            markup=False,
        )
        yield FormField("Reason (required)", Input(placeholder="Why the reading is wrong"), key="reason")

    def submit(self) -> int:
        from isms_tui.services import readings

        with workspace_session(self) as session:
            readings.void_reading(session, require_id(self.reading), self.value("reason"), by=current_actor(self))
        return require_id(self.reading)


class CorrectReadingForm(FormModal[int]):
    """Correct one reading's value; the old value and the reason stay visible."""

    HELP = "Correct a reading's value, with the reason: the old value and why stay visible."

    save_label = "Correct  ctrl+s"

    def __init__(self, kpi: Kpi, reading: Reading) -> None:
        super().__init__()
        self.kpi, self.reading = kpi, reading
        self.form_title = f"Correct the reading {_describe(kpi, reading)}"

    def fields(self) -> Iterable[Widget]:
        yield FormField(f"Right value ({self.kpi.unit or 'number'})", Input(f"{self.reading.value:g}"), key="value")
        yield FormField("Reason (required)", Input(placeholder="What was wrong with the value"), key="reason")

    def submit(self) -> int:
        from isms_tui.services import readings
        from isms_tui.services.errors import InputError

        errors: dict[str, str] = {}
        value = self.reading.value
        try:
            value = readings.parse_value(self.value("value"))
            readings.check_value(self.kpi, value)
        except InputError as exc:
            errors.update(exc.fields)
        if not self.value("reason").strip():
            errors["reason"] = "Required."
        if errors:
            raise fields_error(errors)
        with workspace_session(self) as session:
            readings.correct_reading(
                session, require_id(self.reading), value, self.value("reason"), by=current_actor(self)
            )
        return require_id(self.reading)
