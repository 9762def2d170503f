"""What was sampled and seen on one working-paper line: notes, sample, methods and evidence files.

The result itself is recorded with one key on the working paper; this form keeps it as it is.
Evidence files are copied into the workspace's store and linked to the line in the same
transaction as the notes, so either everything is saved or nothing is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.widget import Widget
from textual.widgets import Input, SelectionList

from isms_tui.models import require_id
from isms_tui.models.enums import AuditMethod
from isms_tui.widgets.form import FormField, FormModal
from isms_tui.widgets.form_parts import (
    FORM_CSS,
    attach_evidence,
    fields_error,
    notes_area,
    split_paths,
    with_field_errors,
)

from .base import current_actor, workspace_session

if TYPE_CHECKING:
    from isms_tui.models import AuditItem


@dataclass(frozen=True)
class ItemSaved:
    item: AuditItem
    files: list[str]  # names of every evidence file now linked to the line


class ItemForm(FormModal[ItemSaved]):
    """Edit the notes, sample, methods and files of one line; dismisses with the saved line."""

    HELP = "One working-paper line: notes, sample, methods and evidence files."

    DEFAULT_CSS = (
        FORM_CSS
        + """
    ItemForm FormField .field-row > SelectionList { width: 1fr; height: 4; background: $boost; }
    ItemForm FormField .field-row > SelectionList:focus { background: $primary 25%; }
    """
    )

    def __init__(self, item: AuditItem, files: list[str]) -> None:
        super().__init__()
        self.item = item
        self.files = files
        self.form_title = f"{item.ref} {item.title}: what was sampled and seen"

    def fields(self) -> Iterable[Widget]:
        item = self.item
        chosen = {str(m) for m in item.methods}
        methods: SelectionList[str] = SelectionList(*((m.value, m.value, m.value in chosen) for m in AuditMethod))
        yield FormField(
            "Notes",
            notes_area(item.notes),
            key="notes",
            hint="What was seen, asked and checked. Brackets are fine: this is plain text.",
        )
        yield FormField("Methods (space toggles)", methods, key="methods")
        yield FormField(
            "Sample: population", Input(item.sample_population, placeholder="e.g. 212 servers"), key="sample_population"
        )
        yield FormField(
            "Sample: size", Input("" if item.sample_size is None else str(item.sample_size)), key="sample_size"
        )
        yield FormField(
            "Sample: items", Input(item.sample_items, placeholder="e.g. srv-01, srv-17, srv-40"), key="sample_items"
        )
        attached = f"Attached: {', '.join(self.files)}." if self.files else "No files attached yet."
        yield FormField(
            "Add evidence files",
            Input("", placeholder="Paths separated by ';'"),
            key="evidence",
            hint=f"Copied into the workspace's evidence store. {attached}",
        )

    def on_mount(self) -> None:
        self.query_one("#field-notes", FormField).control.focus()

    def submit(self) -> ItemSaved:
        from isms_tui.services import audits
        from isms_tui.services.audit_views import EVIDENCE_ENTITY, item_evidence
        from isms_tui.services.errors import InputError

        errors: dict[str, str] = {}
        size_text = self.value("sample_size").strip()
        size: int | None = None
        if size_text:
            try:
                size = int(size_text)
            except ValueError:
                errors["sample_size"] = "A whole number."
        methods = self.query_one("#field-methods", FormField).control
        assert isinstance(methods, SelectionList)
        order = [m.value for m in AuditMethod]
        chosen = sorted(methods.selected, key=order.index)
        with workspace_session(self) as session:
            try:
                saved = audits.record_result(
                    session,
                    require_id(self.item),
                    self.item.result,
                    notes=self.value("notes"),
                    methods=[AuditMethod(m) for m in chosen],
                    sample_population=self.value("sample_population"),
                    sample_size=size,
                    sample_items=self.value("sample_items"),
                )
            except InputError as exc:
                raise with_field_errors(exc, errors) from None
            paths = split_paths(self.value("evidence"))
            attach_evidence(session, paths, current_actor(self), EVIDENCE_ENTITY, require_id(saved), errors)
            if errors:
                raise fields_error(errors)
            return ItemSaved(saved, item_evidence(session, require_id(saved)))
