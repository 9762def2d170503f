"""widgets/tables.py: column widths follow the values shown, and no stale line outlives them."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from isms_tui.widgets.tables import RecordTable, sync_rows


class _OneTable(App[None]):
    def __init__(self, table_class: type[DataTable]) -> None:
        super().__init__()
        self.table_class = table_class

    def compose(self) -> ComposeResult:
        yield self.table_class()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Period", "Value")


async def _line_after_measuring(table_class: type[DataTable]) -> tuple[str, str]:
    """Add rows, paint a line before the table measures them (a busy event loop does that),
    then measure as the table's idle handler does, and paint the line again."""
    app = _OneTable(table_class)
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(DataTable)
        await pilot.pause()
        for i in range(5):
            table.add_row(Text(f"2026-0{i + 1}"), Text("52 days long"), key=str(i))
        early = table.render_line(1).text
        new_rows = set(table._new_rows)
        table._new_rows.clear()
        table._require_update_dimensions = False
        table._update_dimensions(new_rows)
        return early, table.render_line(1).text


async def test_a_line_painted_early_is_repainted_at_the_measured_widths():
    early, late = await _line_after_measuring(RecordTable)
    assert "52 days long" not in early  # the premise: painted at the headers' widths
    assert "2026-01" in late and "52 days long" in late


async def test_the_premise_holds_for_textual_itself():
    """If this starts failing, Textual fixed it and RecordTable's override can go."""
    _, late = await _line_after_measuring(DataTable)
    assert "52 days long" not in late


async def test_sync_rows_widens_a_column_when_a_value_grows():
    """A refresh that keeps the rows but changes a value (no data → off target) must not cut it."""
    app = _OneTable(RecordTable)
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(DataTable)
        sync_rows(table, [("k", ["—", "○ no data"])])
        await pilot.pause()
        sync_rows(table, [("k", ["2026-10", "✖ off target"])])
        await pilot.pause()
        assert [c.content_width for c in table.ordered_columns] == [7, 12]
        assert "2026-10" in table.render_line(1).text and "✖ off target" in table.render_line(1).text


async def test_sync_rows_skips_unchanged_rows_but_not_a_table_changed_behind_its_back(monkeypatch):
    app = _OneTable(RecordTable)
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(DataTable)
        rows = [(str(i), [f"2026-0{i + 1}", f"{i} days"]) for i in range(5)]
        sync_rows(table, rows)
        await pilot.pause()
        sync_rows(table, rows)  # settle: the first measuring moved the table's counter
        await pilot.pause()
        updates: list[object] = []
        original = DataTable.update_cell

        def counted(self, *args, **kwargs):
            updates.append(args)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(DataTable, "update_cell", counted)
        sync_rows(table, rows)
        assert updates == []  # nothing changed: no cell touched
        original(table, "3", list(table.columns)[1], Text("edited elsewhere"))
        sync_rows(table, rows)
        assert str(table.get_cell("3", list(table.columns)[1])) == "3 days"  # put back


async def test_a_changed_value_that_fits_redraws_only_its_row():
    """update_cell would make Textual render every visible cell again; a value that fits the
    column as it is replaces just its row."""
    app = _OneTable(RecordTable)
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(DataTable)
        rows = [(str(i), [f"2026-0{i + 1}", f"{i + 10} days"]) for i in range(5)]
        sync_rows(table, rows)
        await pilot.pause()
        counter = table._update_count
        rows[2] = ("2", ["2026-03", "99 days"])
        sync_rows(table, rows)
        await pilot.pause()
        assert table._update_count == counter  # no table-wide invalidation
        assert "99 days" in table.render_line(3).text and "10 days" in table.render_line(1).text
