"""What the modal forms share besides FormField and FormModal: the CSS of multi-line fields,
the notes box, splitting typed lists, and one error carrying every field's problem.

Forms parse what they must (dates, names, lists) and leave the rules to the services; merging
the two sets of per-field errors lets the user see every problem at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from textual.widgets import TextArea

from isms_tui.services.errors import InputError

if TYPE_CHECKING:
    from isms_tui.models.db import Session

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


@contextmanager
def merging_field_errors(errors: dict[str, str]) -> Iterator[None]:
    """Around a service call: its refusal is raised with the form's own field errors added, and
    when it accepts, the form's errors (even those found inside the block) are raised alone.

    Used inside the form's transaction, so either raise rolls the save back."""
    try:
        yield
    except InputError as exc:
        raise with_field_errors(exc, errors) from None
    if errors:
        raise fields_error(errors)


def attach_evidence(
    session: Session, paths: list[str], actor: str, entity: str, entity_id: int, errors: dict[str, str]
) -> None:
    """Copy each file into the workspace's evidence store and link it to the record; the first file
    refused is reported under the 'evidence' field (the form then rolls everything back)."""
    from isms_tui.services import evidence

    for path in paths:
        try:
            ev = evidence.add_file(session, path, actor)
        except InputError as exc:
            errors["evidence"] = str(exc)
            return
        evidence.link(session, ev, entity, entity_id)
