"""Reading values typed into forms, with the problem recorded under the field, never raised.

Forms collect every field's problem before saving anything, so these helpers add to an
`errors` dict (field key → one sentence) instead of raising on the first bad value.
"""

from __future__ import annotations

from datetime import date

DATE_HINT = "A date as YYYY-MM-DD."


def parse_date(text: str, key: str, errors: dict[str, str], *, required: bool = False) -> date | None:
    """The YYYY-MM-DD date in `text`, or None (empty or invalid; invalid and required are recorded)."""
    text = text.strip()
    if not text:
        if required:
            errors[key] = DATE_HINT
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[key] = DATE_HINT
        return None
