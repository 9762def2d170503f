"""Raising a finding, blank or from a working-paper line (requirement, grading and evidence
pre-filled from what was recorded there), so the auditor only sharpens the statement."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Input, Select

from isms_tui.models import require_id
from isms_tui.models.enums import Grading
from isms_tui.widgets.form import FormField, FormModal
from isms_tui.widgets.form_parts import FORM_CSS, notes_area, with_field_errors

from .base import workspace_session

if TYPE_CHECKING:
    from isms_tui.models import AuditItem

GRADINGS = [
    (Text("major nonconformity"), Grading.MAJOR_NC),
    (Text("minor nonconformity"), Grading.MINOR_NC),
    (Text("observation"), Grading.OBSERVATION),
    (Text("opportunity for improvement"), Grading.OFI),
]


@dataclass(frozen=True)
class FindingSaved:
    finding_id: int
    ref: str
    action_id: int | None  # the corrective action a nonconformity opened


def finding_message(saved: object) -> str:
    """'Finding raised on A.8.13; corrective action #4 opened.' for the toast after the form."""
    assert isinstance(saved, FindingSaved)
    action = f"; corrective action #{saved.action_id} opened" if saved.action_id else ""
    return f"Finding raised on {saved.ref}{action}."


def statement_skeleton(item: AuditItem) -> str:
    """Requirement first, then what was seen (the notes), as a finding is usually written."""
    seen = item.notes.strip()
    return f"{item.ref} {item.title}: {seen}" if seen else f"{item.ref} {item.title}: "


def evidence_skeleton(item: AuditItem, files: list[str]) -> str:
    """The sample and files behind the finding, from the working-paper line."""
    parts = []
    if item.sample_population or item.sample_size is not None or item.sample_items:
        size = f"{item.sample_size} sampled" if item.sample_size is not None else "sampled"
        population = f" of {item.sample_population}" if item.sample_population else ""
        listed = f": {item.sample_items}" if item.sample_items else ""
        parts.append(f"{size}{population}{listed}.")
    if item.methods:
        parts.append("Method: " + ", ".join(str(m) for m in item.methods) + ".")
    if files:
        parts.append("Files: " + ", ".join(files) + ".")
    return " ".join(parts)


class FindingForm(FormModal[FindingSaved]):
    """Statement, grading and evidence of a finding; a nonconformity opens a corrective action."""

    HELP = "A finding of the audit (9.2.2): statement, grading and evidence; a nonconformity opens a corrective action."

    DEFAULT_CSS = FORM_CSS

    def __init__(self, audit_id: int, item: AuditItem | None = None, files: list[str] | None = None) -> None:
        super().__init__()
        self.audit_id = audit_id
        self.item = item
        self.files = files or []
        where = f" from {item.ref} {item.title}" if item else ""
        self.form_title = f"Raise a finding{where}"

    def fields(self) -> Iterable[Widget]:
        from isms_tui.services.audits import RESULT_TO_GRADING

        item = self.item
        grading = RESULT_TO_GRADING.get(item.result) if item and item.result else None
        yield FormField(
            "Requirement",
            Input(item.ref if item else "", disabled=item is not None, placeholder="e.g. A.8.13"),
            key="ref",
        )
        yield FormField(
            "Grading",
            Select(GRADINGS, value=grading or Select.NULL),
            key="grading",
            hint="A nonconformity opens a corrective action in the action register.",
        )
        yield FormField(
            "Statement",
            notes_area(statement_skeleton(item) if item else ""),
            key="statement",
            hint="Which requirement is not met, and what was seen.",
        )
        yield FormField("Evidence", notes_area(evidence_skeleton(item, self.files) if item else ""), key="evidence")

    def on_mount(self) -> None:
        key = "grading" if self.item and self.value("grading") is None else "statement" if self.item else "ref"
        control = self.query_one(f"#field-{key}", FormField).control
        control.focus()
        if key == "statement":
            control.action_cursor_line_end()  # type: ignore[attr-defined]

    def submit(self) -> FindingSaved:
        from isms_tui.services import audits
        from isms_tui.services.errors import InputError

        grading = self.value("grading")
        with workspace_session(self) as session:
            try:
                finding = audits.raise_finding(
                    session,
                    self.audit_id,
                    grading or Grading.MINOR_NC,
                    self.value("statement"),
                    self.value("evidence"),
                    item_id=self.item.id if self.item else None,
                    ref=self.value("ref"),
                )
            except InputError as exc:
                if grading is None:
                    raise with_field_errors(exc, {"grading": "Choose a grading."}) from None
                raise
            if grading is None:
                raise InputError("Choose a grading.", {"grading": "Choose a grading."})
            finding_id = require_id(finding)
            action = audits.action_for_finding(session, finding_id)
            return FindingSaved(finding_id, finding.ref, action.id if action else None)
