"""The one rule for a number typed by a user: in a form, a reading or a CSV file.

Reading values, KPI thresholds and imported CSV values must accept the same texts, or a
value typed in one place is refused in another.
"""

from __future__ import annotations

import math

from .errors import InputError


def parse_number(text: str, field: str = "value") -> float:
    """A finite number from user text; anything else raises InputError with one sentence.

    The rule: surrounding whitespace is ignored; an optional leading sign, digits with a dot
    for decimals and an optional exponent ('12', '-2.5', '.5', '1e3'); no thousands
    separators (no comma, no underscore, no space) and no decimal comma; finite only ('nan'
    and 'inf' are refused). `field` names the form field that gets the short message.
    """
    cleaned = text.strip()
    if not cleaned:
        raise InputError("Enter a number.", {field: "Required."})
    if "," in cleaned:
        raise InputError(
            f"'{cleaned}' is not a number: use a dot for decimals and no thousands separator.",
            {field: "Use a dot for decimals."},
        )
    try:
        if "_" in cleaned:  # float() would read '1_000' as 1000
            raise ValueError(cleaned)
        value = float(cleaned)
    except ValueError:
        raise InputError(f"'{cleaned}' is not a number.", {field: "Not a number."}) from None
    if not math.isfinite(value):
        raise InputError("The value must be a finite number.", {field: "Not finite."})
    return value
