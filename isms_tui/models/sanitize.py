"""Control characters never enter the workspace.

An ESC in a KPI name would reach the terminal as an escape sequence and NUL or other C0/C1
controls confuse CSV, PDF and terminal output alike; no ISMS record needs them. Every text
column is cleaned as it is flushed, so no write path can skip it; bulk importers call
`clean` themselves. Tabs and newlines stay. Bidirectional overrides (used to disguise text)
are removed too; ordinary right-to-left text needs none of them. So are lone surrogates,
which no UTF-8 text can hold.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import String, TypeDecorator, event, inspect
from sqlalchemy.orm import Session as OrmSession

from .text import clean as clean  # re-exported: importers and services clean text through here

_SURROGATE = re.compile("[\ud800-\udfff]")

CLEANED_PARAMETERS = "isms_cleaned_parameters"
"""Execution option of a statement whose every text parameter already went through `clean`
(a bulk import's rows and their journal entries): the hook below leaves it alone, since
scanning 100,000 rows again costs more than writing them."""


def without_surrogates(
    _conn: Any, _cursor: Any, statement: str, parameters: Any, context: Any, _executemany: bool
) -> tuple[str, Any]:
    """An engine's before_cursor_execute hook: lone surrogates removed from every text
    parameter. A query (not only a write) with one would fail inside sqlite3, which cannot
    encode it, so the flush-time cleaning above comes too late for a lookup by name."""
    if context is not None and context.execution_options.get(CLEANED_PARAMETERS):
        return statement, parameters

    def fix(value: Any) -> Any:
        return _SURROGATE.sub("", value) if isinstance(value, str) and _SURROGATE.search(value) else value

    def fix_row(row: Any) -> Any:
        if isinstance(row, dict):
            return {k: fix(v) for k, v in row.items()}
        if isinstance(row, list | tuple):
            return type(row)(fix(v) for v in row)
        return row

    many = _executemany and isinstance(parameters, list | tuple)
    if not _any_surrogate(parameters if many else (parameters,)):
        return statement, parameters  # the usual case: nothing to copy
    if many:
        return statement, type(parameters)(fix_row(row) for row in parameters)
    return statement, fix_row(parameters)


def _any_surrogate(rows: Any) -> bool:
    """Whether a text value of any row holds a lone surrogate.

    A bulk import passes 100,000 rows of seven values each through the hook; an ASCII string
    (`isascii` is a flag read, not a scan) cannot hold one, so the regex runs only on the
    rare other text and rows need no copy.
    """
    return any(
        isinstance(v, str) and not v.isascii() and _SURROGATE.search(v) is not None
        for row in rows
        for v in (row.values() if isinstance(row, dict) else row if isinstance(row, list | tuple) else ())
    )


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
