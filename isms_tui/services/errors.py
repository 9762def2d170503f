"""Errors services raise for input a user can fix; their text is shown as is."""

from __future__ import annotations

from collections.abc import Callable

from isms_tui.errors import InputError as InputError


class NotFound(LookupError):
    """A record named by the user does not exist."""


class Cancelled(Exception):
    """The user stopped a long job (a pack, an import) before it finished; what it would have
    written was not kept."""


def cancellable(
    report: Callable[[float, str], None], cancelled: Callable[[], bool] | None
) -> Callable[[float, str], None]:
    """`report` that first raises Cancelled once `cancelled()` is true: a long job that reports
    its progress often stops at its next step, with no flag threaded through each step."""
    if cancelled is None:
        return report

    def checked(fraction: float, message: str) -> None:
        if cancelled():
            raise Cancelled("Cancelled.")
        report(fraction, message)

    return checked
