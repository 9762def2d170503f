"""Who assesses one working-paper line (9.2.2 b): a member of the audit team, never someone
responsible for the line's requirement (the service refuses it, and says why, under the field)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Select

from isms_tui.widgets.form import FormField, FormModal
from isms_tui.widgets.form_parts import FORM_CSS, with_field_errors

from .base import workspace_session

if TYPE_CHECKING:
    from isms_tui.models import AuditItem


class AssessorForm(FormModal["AuditItem"]):
    HELP = "Who assesses this working-paper line; impartiality is checked against their responsibilities."

    DEFAULT_CSS = FORM_CSS
    form_title = "Who assesses this line"

    def __init__(self, item: AuditItem, choices: list[tuple[int, str, str]], current: int | None) -> None:
        """`choices`: (person id, name and role in the audit, the responsibility that covers the line or '')."""
        super().__init__()
        self.item = item
        self.choices = choices
        self.current = current
        self.form_title = f"Who assesses {item.ref} {item.title}"[:80]

    def fields(self) -> Iterable[Widget]:
        options = [
            (Text(label + (f"  ✗ responsible for {why}" if why else ""), style="red" if why else ""), pid)
            for pid, label, why in self.choices
        ]
        yield FormField(
            "Assessed by",
            Select(options, value=self.current if self.current is not None else Select.NULL, allow_blank=False),
            key="assessed_by",
            hint="Not in their own area or process; whoever runs the ISMS assesses no clause 9 or 10.",
        )

    def submit(self) -> AuditItem:
        from isms_tui.services import impartiality

        assert self.item.id is not None
        from isms_tui.services.errors import InputError

        try:
            with workspace_session(self) as session:
                return impartiality.assign(session, self.item.id, self.value("assessed_by"))
        except InputError as exc:
            raise with_field_errors(exc, {"assessed_by": str(exc)}) from None
