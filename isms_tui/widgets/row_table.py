"""A RecordTable whose cursor moves cheaply (the working paper's 120-line table).

DataTable keys each row's cached render on the cursor position, so when the cursor moves
and the view scrolls (every key near the bottom of the view) every visible row is assembled
again. With a row cursor only the cursor's own row looks different, so the other rows are
rendered as if the cursor were elsewhere and their cached renders are reused. Recording a
result redraws one row through RecordTable.update_row (on the working paper, 30 visible rows
of 9 cells, update_cell's full redraw cost ~100 ms per result).

It relies on DataTable's private caches, which is acceptable because Textual is pinned exactly
(see DESIGN.md).
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from textual._types import SegmentLines
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.strip import Strip
from textual.widgets.data_table import RowKey

from .tables import RecordTable

_NOWHERE = Coordinate(-2, -2)  # a location no cell has: nothing highlighted


class RowTable(RecordTable):
    """A RecordTable whose cursor moves cheaply: rows away from the cursor keep their renders."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Finished lines keyed by row (not by screen line and cursor position as DataTable's
        # own cache is), so scrolling by one line reuses every line but the cursor's.
        self._row_lines: LRUCache[tuple[object, ...], Strip] = LRUCache(2000)

    def move_cursor_paged(self, row: int, context: int = 2) -> None:
        """Move the row cursor; when `row` is below the view, scroll a page at once (keeping
        `context` rows above it) rather than a line per move, since each scroll repaints every
        visible line and stepping down a long table would otherwise scroll on every key."""
        visible = self.scrollable_content_region.height - (self.header_height if self.show_header else 0)
        if visible > 0 and not self.scroll_y <= row < self.scroll_y + visible:
            self.scroll_to(y=max(0, row - context), animate=False, immediate=True)
        self.move_cursor(row=row, animate=False)

    def _row_caches(self) -> tuple[LRUCache[Any, Any], ...]:
        return (*super()._row_caches(), self._row_lines)

    def _render_line_in_row(
        self,
        row_key: RowKey,
        line_no: int,
        base_style: Style,
        cursor_location: Coordinate,
        hover_location: Coordinate,
    ) -> tuple[SegmentLines, SegmentLines]:
        """Render a row with the cursor and hover moved away unless they are on this row, so
        the cached render of an unhighlighted row survives cursor moves."""
        if self.cursor_type == "row":
            row_index = self._row_locations.get(row_key) if row_key in self._row_locations else -1
            if cursor_location.row != row_index:
                cursor_location = _NOWHERE
            if hover_location.row != row_index:
                hover_location = _NOWHERE
        return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """DataTable's line render, cached per row and per 'is the cursor/hover on it'."""
        if self.cursor_type != "row":
            return super()._render_line(y, x1, x2, base_style)
        try:
            row_key, line_no = self._get_offsets(y)
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        row_index = self._row_locations.get(row_key) if row_key in self._row_locations else -1
        cache_key = (
            row_key,
            line_no,
            row_index,
            x1,
            x2,
            self.size.width,
            base_style,
            self.cursor_coordinate.row == row_index,
            self.hover_coordinate.row == row_index,
            self.show_cursor,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        strip = self._row_lines.get(cache_key)
        if strip is None:
            strip = super()._render_line(y, x1, x2, base_style)
            self._row_lines[cache_key] = strip
        return strip
