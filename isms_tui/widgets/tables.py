"""Keeping a DataTable in step with fresh data without rebuilding it.

Clearing and refilling a table makes Textual measure every cell again, which dominates the
refresh time of large tables; most refreshes change a row or two, so only those are touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from rich.text import Text
from textual.cache import LRUCache
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey

from isms_tui.models.text import clean

Cell = str | Text


def _as_text(cell: Cell) -> Text:
    # Text cells skip the markup parser and cannot be misread as markup; control characters
    # (kept out of the workspace, but a file edited by hand may hold them) never reach the terminal.
    if not isinstance(cell, Text):
        return Text(clean(cell))
    plain = clean(cell.plain)
    if plain != cell.plain:
        cell = cell.copy()
        cell.plain = plain
    return cell


class RecordTable(DataTable[Any]):
    """The DataTable every screen uses: one whose painted lines never outlive its column widths.

    DataTable measures new rows when idle and keys its line caches on a counter that the
    measuring does not advance, so a line painted between `add_row` and that idle kept every
    column cut to its header's width until something else changed the table (seen under
    load). Advancing the counter when the widths change makes the next paint use them.
    Relies on DataTable internals; Textual is pinned exactly (see DESIGN.md).
    """

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        widths = self._widths()
        super()._update_dimensions(new_rows)
        if self._widths() != widths:
            self._update_count += 1
            self.refresh()

    def _widths(self) -> list[int]:
        return [self._row_label_column_width] + [c.get_render_width(self) for c in self.ordered_columns]

    def set_column_width(self, key: str, width: int) -> None:
        """Give column `key` (added with that key and a fixed width) a new width, as a screen
        does when the terminal narrows; the lines painted at the old width are not reused."""
        column = self.columns.get(ColumnKey(key))
        if column is None or column.width == width:  # not added yet, or already so wide
            return
        column.width = width
        self._require_update_dimensions = True
        self._update_count += 1
        self.refresh()

    def update_row(self, row_key: str, values: Sequence[object]) -> None:
        """Replace the values of row `row_key` (one per column, in column order).

        Column widths are not recomputed: use it when the values fit the columns as they are.
        DataTable.update_cell bumps a table-wide counter every render cache is keyed on, so after
        one changed cell Textual renders every visible cell again; this forgets one row's renders.
        Relies on DataTable internals and falls back to update_cell if they change.
        """
        columns = list(self.columns)
        if len(values) != len(columns):
            raise ValueError(f"{len(values)} values for {len(columns)} columns")
        try:
            row_index = self._row_locations.get(RowKey(row_key))
            if row_index is None:
                raise KeyError(row_key)
            key = self._row_locations.get_key(row_index)  # the very object the caches hold
            if key is None:
                raise KeyError(row_key)
            row = self._data[key]
            for column, value in zip(columns, values, strict=True):
                row[column] = value
            self._forget_row(key, row_index)
        except (AttributeError, KeyError, TypeError):  # DataTable internals changed: the slow, public way
            for column, value in zip(columns, values, strict=True):
                self.update_cell(row_key, column, value)
            return
        self.refresh_row(row_index)

    def _forget_row(self, key: RowKey, row_index: int | None) -> None:
        """Drop the cached renders of one row; other rows keep theirs.

        The caches hold the table's own RowKey object, so identity finds the row's entries
        (RowKey's __eq__ is Python code, and the cell cache holds thousands of keys)."""
        for cache in self._row_caches():
            for cache_key in [k for k in cache.keys() if k[0] is key]:
                cache.discard(cache_key)
        for cache_key in [k for k in self._row_renderable_cache.keys() if k[1] == row_index]:
            self._row_renderable_cache.discard(cache_key)
        self._line_cache.clear()  # DataTable's own, keyed by screen line: cheap to rebuild

    def _row_caches(self) -> tuple[LRUCache[Any, Any], ...]:
        """The render caches keyed by row first (RowTable adds its own)."""
        return (self._cell_render_cache, self._row_render_cache)


def cursor_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor; None when the table is empty."""
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


def cursor_id(table: DataTable[Any]) -> int | None:
    """The record id keying the row under the cursor; None when the table is empty."""
    key = cursor_key(table)
    return int(key) if key is not None else None


# The cells each table was last given, and the table's update counter right after: while the
# counter has not moved nothing else changed the table, so an unchanged row is skipped without
# building and comparing its Text cells (most of a 300-row dashboard refresh).
_given: WeakKeyDictionary[DataTable[Any], tuple[int, dict[str, tuple[Cell, ...]]]] = WeakKeyDictionary()


def sync_rows(table: DataTable[Any], rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
    """Show `rows` (key, cells) in order, keeping the cursor on the same key when it survives."""
    new_keys = [key for key, _ in rows]
    old_keys = [key.value for key in table.rows]
    counter, given = _given.get(table, (None, {}))
    if counter != table._update_count:
        given = {}
    if new_keys == old_keys:
        columns = list(table.columns)
        for key, cells in rows:
            cells = tuple(cells)
            if given.get(key) == cells:
                continue
            texts = [_as_text(cell) for cell in cells]
            changed = [
                (column, new) for column, old, new in zip(columns, table.get_row(key), texts, strict=True) if old != new
            ]
            if (
                changed
                and isinstance(table, RecordTable)
                and all(new.cell_len <= table.columns[column].content_width for column, new in changed)
            ):
                table.update_row(key, texts)  # fits the columns: only this row is drawn again
            else:
                for column, new in changed:  # a longer value widens its column, as a new row would
                    table.update_cell(key, column, new, update_width=True)
            given[key] = cells
    else:
        selected = old_keys[table.cursor_row] if table.row_count and table.cursor_row < len(old_keys) else None
        table.clear()
        given = {}
        for key, cells in rows:
            given[key] = cells = tuple(cells)
            table.add_row(*(_as_text(c) for c in cells), key=key)
        if selected in new_keys:
            table.move_cursor(row=new_keys.index(selected))
    _given[table] = (table._update_count, given)
