"""Form building blocks: a labelled field with its own error line, and a modal form base.

Forms validate before saving: a service raises InputError with per-field messages, the modal
shows each one under its field and keeps everything the user typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from .footer import IsmsFooter

T = TypeVar("T")


NO_PEOPLE_PROMPT = "nobody yet: add people in Settings (s)"


def person_select(
    people: Sequence[tuple[Any, int | None]], value: int | None = None, *, prompt: str = "Select"
) -> Select[int | None]:
    """A Select over (name, id) pairs; with nobody to choose, its prompt says where people are added."""
    return Select(
        people, value=value if value is not None else Select.NULL, prompt=prompt if people else NO_PEOPLE_PROMPT
    )


class FormField(Vertical):
    """One line per field: label on the left, control on the right; hint and error below.

    Controls are made compact so that a form of twenty fields fits a 40-line terminal.
    """

    DEFAULT_CSS = """
    FormField { height: auto; margin: 0 0 1 0; }
    FormField > .field-row { height: auto; }
    FormField .field-label { width: 32; color: $text-muted; padding: 0 1 0 0; }
    FormField .field-row > Input, FormField .field-row > Select { width: 1fr; }
    FormField .field-row > Input { background: $boost; }
    FormField .field-row > Input:focus { background: $primary 25%; }
    FormField > .field-hint { color: $text-muted; text-style: italic; padding-left: 32; }
    FormField > .field-error { color: $error; height: auto; display: none; padding-left: 32; }
    FormField.-invalid > .field-error { display: block; }
    FormField.-invalid .field-label { color: $error; text-style: bold; }
    """

    def __init__(self, label: str, control: Widget, *, key: str, hint: str = "") -> None:
        super().__init__(id=f"field-{key}")
        self.key = key
        self.control = control
        if hasattr(control, "compact"):
            control.compact = True
        self._label = label
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label(self._label, classes="field-label", markup=False)
            yield self.control
        if self._hint:
            yield Static(self._hint, classes="field-hint", markup=False)
        yield Static("", classes="field-error", markup=False)

    def set_error(self, message: str | None) -> None:
        self.set_class(bool(message), "-invalid")
        self.query_one(".field-error", Static).update(message or "")


def mark_field_errors(form: Widget, errors: dict[str, str]) -> FormField | None:
    """Show each error under its field (clearing the others); returns the first field in error."""
    fields = list(form.query(FormField))
    for field in fields:
        field.set_error(errors.get(field.key))
    return next((f for f in fields if f.key in errors), None)


def value_of(control: Widget) -> Any:
    """The current value of a form control, with Select's blank as None."""
    if isinstance(control, Input):
        return control.value
    if isinstance(control, TextArea):
        return control.text
    if isinstance(control, Select):
        return None if control.value is Select.NULL else control.value
    return getattr(control, "value", None)


class FormModal(ModalScreen[T | None], Generic[T]):
    """A modal form: subclasses yield FormFields and implement `submit` (raise InputError)."""

    DEFAULT_CSS = """
    FormModal { align: center middle; }
    FormModal > #form-box {
        width: 84; max-width: 95%; height: auto; max-height: 92%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FormModal #form-title { text-style: bold; padding: 0 0 1 0; }
    FormModal #form-fields { height: auto; }
    FormModal #form-message { color: $error; height: auto; }
    FormModal #form-buttons { height: auto; align-horizontal: right; }
    FormModal #form-buttons Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]
    # The first field's control, not the (focusable) scroll container around the fields.
    AUTO_FOCUS = "#form-fields FormField .field-row > *"
    form_title = "Form"
    cancel_label = "Cancel"
    save_label = "Save  ctrl+s"
    # Lines around the fields: the box's border 2, title 2, message 1 and buttons 3, plus
    # whatever `below_fields` adds.
    chrome_lines = 8

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(self.form_title, id="form-title", markup=False)
            with VerticalScroll(id="form-fields"):
                yield from self.fields()
            yield from self.below_fields()
            yield Static("", id="form-message", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button(self.cancel_label, id="form-cancel")
                yield Button(self.save_label, id="form-save", variant="primary")
        yield IsmsFooter()

    def on_resize(self, event: events.Resize) -> None:
        """Cap the scrolling fields by the screen height so the buttons always stay visible."""
        fields = self.query_one("#form-fields", VerticalScroll)
        fields.styles.max_height = max(3, int(event.size.height * 0.92) - self.chrome_lines)
        self.call_after_refresh(self._fit_fields)

    def _fit_fields(self, tries: int = 5) -> None:
        """Cap the fields again by what the box around them really takes once laid out: a title
        that wraps on a narrow terminal, a message, the rows below the fields. Without this a
        form at 80x24 could push its buttons below the screen."""
        box = self.query_one("#form-box", Vertical)
        fields = self.query_one("#form-fields", VerticalScroll)
        laid_out = self.query_one("#form-title").outer_size.height and self.query_one("#form-buttons").outer_size.height
        if not laid_out and tries:
            self.call_after_refresh(self._fit_fields, tries - 1)  # measure once it is laid out
            return
        around = sum(
            child.outer_size.height + child.styles.margin.height
            for child in box.children
            if child is not fields and child.display
        )
        room = int(self.size.height * 0.92) - around - box.styles.gutter.height
        cap = max(3, room)
        if fields.styles.max_height is None or fields.styles.max_height.value != cap:
            fields.styles.max_height = cap

    def fields(self) -> Iterable[Widget]:
        raise NotImplementedError  # every concrete form defines its fields

    def below_fields(self) -> Iterable[Widget]:
        """Widgets between the fields and the message, for a form that reports progress."""
        return ()

    def submit(self) -> T:
        raise NotImplementedError  # every concrete form defines how it saves

    def value(self, key: str) -> Any:
        return value_of(self.query_one(f"#field-{key}", FormField).control)

    def show_errors(self, message: str, errors: dict[str, str]) -> None:
        first = mark_field_errors(self, errors)
        self.query_one("#form-message", Static).update(message)
        self.call_after_refresh(self._fit_fields)  # the message takes lines from the fields
        if first is not None:
            first.control.focus(scroll_visible=False)
            first.scroll_visible()  # the whole field, so its error line shows too

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        from isms_tui.services.errors import InputError

        try:
            result = self.submit()
        except InputError as exc:
            self.show_errors(str(exc), exc.fields)
            return
        self.dismiss(result)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-save":
            self.action_save()
        elif event.button.id == "form-cancel":
            self.action_cancel()


def parse_optional_float(text: str, key: str, errors: dict[str, str]) -> float | None:
    """A number from a form field by the rule of `parse_number`, None when empty.

    A text that breaks the rule records its short message in `errors[key]` and gives None.
    """
    from isms_tui.services.errors import InputError
    from isms_tui.services.numbers import parse_number

    if not text.strip():
        return None
    try:
        return parse_number(text, key)
    except InputError as exc:
        errors.update(exc.fields)
        return None
