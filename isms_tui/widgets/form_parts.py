"""What the modal forms share besides FormField and FormModal: the CSS of multi-line fields,
the notes box, splitting typed lists, and one error carrying every field's problem.

Forms parse what they must (dates, names, lists) and leave the rules to the services; merging
the two sets of per-field errors lets the user see every problem at once.
"""

from __future__ import annotations

from textual.widgets import TextArea

from isms_tui.services.errors import InputError

# A multi-line field takes four lines and looks like the one-line inputs around it.
NOTES_CSS = """
FormField .field-row > TextArea { width: 1fr; height: 4; background: $boost; }
FormField .field-row > TextArea:focus { background: $primary 25%; }
"""
FORM_CSS = (
    NOTES_CSS
    + """
FormField .field-row > Input:disabled { color: $text-muted; }
"""
)
# A line of context above the fields (the finding an action answers, what is approved).
FORM_CONTEXT_CSS = """
.form-context { color: $text-muted; padding: 0 0 1 0; height: auto; }
"""


def notes_area(text: str) -> TextArea:
    """A short multi-line text box; tab moves on, as in every other field."""
    return TextArea(text, soft_wrap=True, tab_behavior="focus", show_line_numbers=False)


def split_list(text: str) -> list[str]:
    """Comma-separated entries, trimmed, empty ones dropped, order kept."""
    return [part.strip() for part in text.split(",") if part.strip()]


def split_paths(text: str) -> list[str]:
    """Evidence paths typed in one field, separated by ';' (paths may contain commas)."""
    return [p.strip() for p in text.split(";") if p.strip()]


def fields_error(errors: dict[str, str]) -> InputError:
    """The form's own parsing errors, counted in one sentence."""
    return InputError(f"Please correct {len(errors)} field(s) before saving.", errors)


def with_field_errors(exc: InputError, extra: dict[str, str]) -> InputError:
    """The service's refusal, its sentence kept, with the form's own field errors added."""
    return InputError(str(exc), {**exc.fields, **extra})


def merged_error(exc: InputError | None, extra: dict[str, str]) -> InputError | None:
    """One InputError carrying the service's field errors and the form's own parsing errors."""
    if exc is not None:
        return with_field_errors(exc, extra)
    return fields_error(extra) if extra else None
