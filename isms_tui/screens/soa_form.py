"""The form for one control's line of the statement of applicability."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.widget import Widget
from textual.widgets import Input, Select

from isms_tui.models.soa import IMPLEMENTATION_STATUSES
from isms_tui.widgets.form import FormField, FormModal

from .base import workspace_session

if TYPE_CHECKING:
    from isms_tui.services.soa import SoaRow

APPLIES = [("applicable", "applicable"), ("not applicable", "not applicable")]


class SoaForm(FormModal[str]):
    """Whether a control applies, why, and how far it is implemented; dismisses with its ref."""

    HELP = (
        "The decision on one Annex A control: applicable or not (with a justification), and how far it is implemented."
    )

    def __init__(self, row: SoaRow) -> None:
        super().__init__()
        self.row = row
        self.form_title = f"{row.ref} {row.title}"

    def fields(self) -> Iterable[Widget]:
        row = self.row
        decided = row.decision if row.decision in ("applicable", "not applicable") else Select.NULL
        status = row.status if row.status in IMPLEMENTATION_STATUSES else Select.NULL
        yield FormField(
            "Applies",
            Select(APPLIES, value=decided, prompt="not yet decided"),
            key="applicable",
            hint="Not applicable needs the reason it is excluded.",
        )
        yield FormField(
            "Implementation",
            Select([(s, s) for s in IMPLEMENTATION_STATUSES], value=status, prompt="—"),
            key="status",
            hint="For an applicable control only.",
        )
        yield FormField(
            "Justification",
            Input(row.justification, placeholder="why it is excluded, or the risk or requirement that calls for it"),
            key="justification",
        )
        yield FormField("Notes", Input(row.notes, placeholder="where it is documented, who owns it"), key="notes")

    def submit(self) -> str:
        from isms_tui.services import soa
        from isms_tui.services.errors import InputError
        from isms_tui.services.soa import SoaInput

        applies = self.value("applicable")
        applicable = None if applies is None else applies == "applicable"
        data = SoaInput(
            control=self.row.ref,
            applicable=applicable,
            justification=str(self.value("justification")),
            # A control that does not apply has no implementation status: what the field holds is set aside.
            status=str(self.value("status") or "") if applicable is not False else "",
            notes=str(self.value("notes")),
        )
        problems = soa.validate(data)
        if problems:
            raise InputError(next(iter(problems.values())), problems)
        with workspace_session(self) as session:
            soa.save_entry(session, data)
        return self.row.ref
