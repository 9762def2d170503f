"""A checkbox that shows its state in its character, not only in its colour.

Textual draws every checkbox as `▐X▌` and tells ticked from unticked by colour alone, which
a monochrome terminal, a colour-blind reader or a screenshot in an audit file loses. Every
checkbox in the app is a TickBox: `▐✓▌` when ticked, `▐ ▌` when not.
"""

from __future__ import annotations

from textual.widgets import Checkbox

TICKED = "✓"
UNTICKED = " "


class TickBox(Checkbox):
    """Textual's Checkbox with a tick that appears and disappears with its value."""

    @property  # Textual reads this class constant on every render
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # a constant in Textual, per value here
        return TICKED if self.value else UNTICKED
