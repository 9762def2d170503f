"""Control characters never enter the workspace.

An ESC in a KPI name would reach the terminal as an escape sequence and NUL or other C0/C1
controls confuse CSV, PDF and terminal output alike; no ISMS record needs them. Every text
column is cleaned as it is flushed, so no write path can skip it; bulk importers call
`clean` themselves. Tabs and newlines stay. Bidirectional overrides (used to disguise text)
are removed too; ordinary right-to-left text needs none of them.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import String, TypeDecorator, event, inspect
from sqlalchemy.orm import Session as OrmSession

_UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """`text` without control characters (tab, newline and carriage return stay)."""
    return _UNWANTED.sub("", text) if _UNWANTED.search(text) else text


def _clean_object(obj: Any) -> None:
    mapper = inspect(obj).mapper
    for attr in mapper.column_attrs:
        kind = attr.columns[0].type
        if isinstance(kind, TypeDecorator):  # SQLModel's AutoString wraps String
            kind = kind.impl
        if isinstance(kind, String):
            value = getattr(obj, attr.key)
            if isinstance(value, str):
                cleaned = clean(value)
                if cleaned != value:
                    setattr(obj, attr.key, cleaned)


@event.listens_for(OrmSession, "before_flush")
def _clean_text_columns(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    from .records import JournalEntry

    for obj in [*session.new, *session.dirty]:
        if not isinstance(obj, JournalEntry):
            _clean_object(obj)
