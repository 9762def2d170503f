"""A DataTable whose rows can be redrawn one at a time, and whose cursor moves cheaply.

DataTable.update_cell bumps a table-wide counter that every render cache is keyed on, so after
changing one cell Textual re-renders every visible cell: on the working paper (30 visible rows
of 9 cells) that is ~100 ms per recorded result. `update_row` instead puts the new values in
place and forgets only that row's cached renders, then repaints only that row's region.

DataTable also keys each row's cached render on the cursor position, so when the cursor moves
and the view scrolls (every key near the bottom of the view) every visible row is assembled
again. With a row cursor only the cursor's own row looks different, so the other rows are
rendered as if the cursor were elsewhere and their cached renders are reused.

It relies on DataTable's private caches, which is acceptable because Textual is pinned exactly
(see DESIGN.md); if they ever change shape it falls back to the public update_cell.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.strip import Strip
from textual.widgets._data_table import RowKey

from .tables import RecordTable

_NOWHERE = Coordinate(-2, -2)  # a location no cell has: nothing highlighted


class RowTable(RecordTable):
    """DataTable plus `update_row`: new values for one row, repainting only that row."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # Finished lines keyed by row (not by screen line and cursor position as DataTable's
        # own cache is), so scrolling by one line reuses every line but the cursor's.
        self._row_lines: LRUCache[tuple[object, ...], Strip] = LRUCache(2000)

    def update_row(self, row_key: str, values: Sequence[object]) -> None:
        """Replace the values of row `row_key` (one per column, in column order).

        Column widths are not recomputed: use it with fixed-width columns.
        """
        columns = list(self.columns)
        if len(values) != len(columns):
            raise ValueError(f"{len(values)} values for {len(columns)} columns")
        try:
            row_index = self._row_locations.get(RowKey(row_key))
            if row_index is None:
                raise KeyError(row_key)
            key = self._row_locations.get_key(row_index)  # the very object the caches hold
            row = self._data[key]
            for column, value in zip(columns, values, strict=True):
                row[column] = value
            self._forget_row(key, row_index)
        except (AttributeError, KeyError, TypeError):  # DataTable internals changed: the slow, public way
            for column, value in zip(columns, values, strict=True):
                self.update_cell(row_key, column, value)
            return
        self.refresh_row(row_index)

    def move_cursor_paged(self, row: int, context: int = 2) -> None:
        """Move the row cursor; when `row` is below the view, scroll a page at once (keeping
        `context` rows above it) rather than a line per move, since each scroll repaints every
        visible line and stepping down a long table would otherwise scroll on every key."""
        visible = self.scrollable_content_region.height - (self.header_height if self.show_header else 0)
        if visible > 0 and not self.scroll_y <= row < self.scroll_y + visible:
            self.scroll_to(y=max(0, row - context), animate=False, immediate=True)
        self.move_cursor(row=row, animate=False)

    def _forget_row(self, key: RowKey, row_index: int | None) -> None:
        """Drop the cached renders of one row; other rows keep theirs.

        The caches hold the table's own RowKey object, so identity finds the row's entries
        (RowKey's __eq__ is Python code, and the cell cache holds thousands of keys)."""
        for cache in (self._cell_render_cache, self._row_render_cache, self._row_lines):
            for cache_key in [k for k in cache.keys() if k[0] is key]:
                cache.discard(cache_key)
        for cache_key in [k for k in self._row_renderable_cache.keys() if k[1] == row_index]:
            self._row_renderable_cache.discard(cache_key)
        self._line_cache.clear()  # DataTable's own, keyed by screen line: cheap to rebuild

    def _render_line_in_row(
        self, row_key: RowKey, line_no: int, base_style: Style, cursor_location: Coordinate,
        hover_location: Coordinate,
    ):  # type: ignore[no-untyped-def]
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
            row_key, line_no, row_index, x1, x2, self.size.width, base_style,
            self.cursor_coordinate.row == row_index, self.hover_coordinate.row == row_index,
            self.show_cursor, self._show_hover_cursor, self._update_count, self._pseudo_class_state,
        )
        strip = self._row_lines.get(cache_key)
        if strip is None:
            strip = super()._render_line(y, x1, x2, base_style)
            self._row_lines[cache_key] = strip
        return strip
