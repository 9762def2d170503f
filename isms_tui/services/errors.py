"""Errors services raise for input a user can fix; their text is shown as is."""

from __future__ import annotations


class InputError(ValueError):
    """Rejected input. `fields` maps a field name to its one-sentence problem."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class NotFound(LookupError):
    """A record named by the user does not exist."""
