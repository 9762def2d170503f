"""The one error a user can fix by changing what they asked for; its text is shown as is.

It lives at the bottom of the package so that the file writer (`isms_tui.files`), which the
data layer, the services and the reports all use, can raise it without importing them.
`isms_tui.services.errors` re-exports it under the same name.
"""

from __future__ import annotations


class InputError(ValueError):
    """Rejected input. `fields` maps a field name to its one-sentence problem."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}
