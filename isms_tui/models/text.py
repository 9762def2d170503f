"""Cleaning text of what no ISMS record needs, without the data layer (`sanitize` applies it on
every flush; tables on screen apply it to what they show, before SQLAlchemy is imported)."""

from __future__ import annotations

import re

# C0/C1 controls but tab, newline and carriage return; bidi overrides; lone surrogates (a JSON
# "\\ud800" escape decodes to one, and SQLite cannot store it: UTF-8 has no encoding for it).
_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def clean(text: str) -> str:
    """`text` without control characters, bidi overrides or lone surrogates (tab, newline and
    carriage return stay)."""
    return _UNWANTED.sub("", text) if _UNWANTED.search(text) else text
