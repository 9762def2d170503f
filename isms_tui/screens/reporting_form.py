"""Reporting an audit's results (9.2.2 c): to whom, when and how. Saving marks it reported."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Input, SelectionList

from isms_tui.widgets.form import FormField, FormModal
from isms_tui.widgets.form_parts import FORM_CSS, with_field_errors

from .base import workspace_session


class ReportingForm(FormModal[bool]):
    HELP = "Record that an audit's results were reported to management (9.2.2 c): to whom, when and how."

    DEFAULT_CSS = (
        FORM_CSS
        + """
    ReportingForm SelectionList { height: auto; max-height: 10; width: 1fr; }
    """
    )
    form_title = "Report the results (9.2.2 c): to whom, when and how"
    save_label = "Reported  ctrl+s"

    def __init__(self, audit_id: int, people: list[tuple[int, str, str]], today: str) -> None:
        """`people`: (id, name, role) of everyone active in the workspace."""
        super().__init__()
        self.audit_id = audit_id
        self.people = people
        self.today = today

    def fields(self) -> Iterable[Widget]:
        yield FormField(
            "Reported to",
            SelectionList[int](*[(Text(f"{name} ({role})" if role else name), pid) for pid, name, role in self.people]),
            key="recipients",
            hint="space ticks a person; their role is kept as it is today.",
        )
        yield FormField("Reported on", Input(self.today, placeholder="YYYY-MM-DD"), key="reported_on")
        yield FormField("How", Input(placeholder="e.g. management meeting, email, written report"), key="how")

    def submit(self) -> bool:
        from isms_tui.services import audit_reporting
        from isms_tui.services.errors import InputError
        from isms_tui.services.form_values import parse_date

        errors: dict[str, str] = {}
        on = parse_date(self.value("reported_on"), "reported_on", errors)
        chosen = list(self.query_one("#field-recipients SelectionList", SelectionList).selected)
        try:
            with workspace_session(self) as session:
                audit_reporting.report_results(session, self.audit_id, chosen, on, self.value("how"))
        except InputError as exc:
            raise with_field_errors(exc, errors) from None
        return True
