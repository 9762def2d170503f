"""Errors services raise for input a user can fix; their text is shown as is."""

from __future__ import annotations

from isms_tui.errors import InputError as InputError


class NotFound(LookupError):
    """A record named by the user does not exist."""
