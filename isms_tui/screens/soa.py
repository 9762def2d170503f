"""The statement of applicability: every Annex A control with whether it applies, why, and how
far it is implemented. Reached from Audits (S); enter edits the highlighted control.

Controls nobody has decided yet are listed as such, never shown as applicable by default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, DataTable, Input, Static

from isms_tui.widgets.tables import RecordTable, cursor_key, sync_rows
from isms_tui.widgets.tickbox import TickBox

from .base import SectionScreen, WriteBinding
from .transfer import TransferKeys, transfer_bindings

if TYPE_CHECKING:
    from isms_tui.services.soa import SoaRow, SoaSummary

DECISION_STYLE = {"applicable": "green", "not applicable": "dim", "not yet decided": "bold magenta"}
STATUS_STYLE = {
    "implemented": "green",
    "partially implemented": "yellow",
    "planned": "#5f87d7",
    "not implemented": "dark_orange",
}


class SoaScreen(TransferKeys, SectionScreen):
    """List, filter and edit the decision on each Annex A control."""

    HELP = (
        "The statement of applicability (6.1.3 d): every Annex A control, whether it applies and why, and how"
        " far it is implemented. The audit coverage counts only what applies."
    )

    DEFAULT_CSS = """
    #soa-filters { height: 3; padding: 0 1; }
    #soa-filter-text { width: 1fr; }
    #soa-filters Checkbox { width: auto; }
    #soa-summary { padding: 0 1; height: auto; }
    #soa { height: 1fr; min-height: 6; }
    #soa-detail-box { height: 8; border-top: solid $panel-lighten-2; padding: 0 1; }
    #soa-detail { height: auto; }
    /* Below 100 columns the filter and the three boxes take two rows of two; under 32 rows
       the detail gives the table room. */
    SoaScreen.-narrow #soa-filters { layout: grid; grid-size: 2; grid-columns: 1fr auto; height: 6; }
    SoaScreen.-short #soa-detail-box { height: 5; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        WriteBinding("e", "edit", "Edit"),
        Binding("slash", "focus_filter", "Filter"),
        *transfer_bindings(),
    ]
    transfer_register = "soa"

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[SoaRow] = []
        self.summary: SoaSummary | None = None
        self.select_after_load: str | None = None

    def body(self) -> ComposeResult:
        with Horizontal(id="soa-filters"):
            yield Input(placeholder="filter: ref, control, justification or notes", id="soa-filter-text")
            yield TickBox("Not yet decided", id="soa-filter-undecided")
            yield TickBox("Not applicable", id="soa-filter-excluded")
            yield TickBox("Not fully implemented", id="soa-filter-open")
        yield Static("", id="soa-summary", markup=False)
        yield RecordTable(id="soa", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="soa-detail-box"):
            yield Static("", id="soa-detail", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#soa", DataTable)
        for title, width in (("Ref", 7), ("Control", 38), ("Applies", 15), ("Implementation", 21), ("Why", 22)):
            table.add_column(title, key=title.lower(), width=width)
        table.focus()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="soa")
    def load(self) -> None:
        from isms_tui.services import soa

        with self.isms.session() as session:
            rows = soa.statement(session)
        self.app.call_from_thread(self.show, rows, soa.summarise(rows))

    def show(self, rows: list[SoaRow], summary: SoaSummary) -> None:
        self.rows, self.summary = rows, summary
        self.render_table()

    def visible_rows(self) -> list[SoaRow]:
        text = self.query_one("#soa-filter-text", Input).value.strip().casefold()
        undecided = self.query_one("#soa-filter-undecided", Checkbox).value
        excluded = self.query_one("#soa-filter-excluded", Checkbox).value
        unfinished = self.query_one("#soa-filter-open", Checkbox).value
        out = []
        for row in self.rows:
            if undecided and row.decision != "not yet decided" or excluded and row.decision != "not applicable":
                continue
            if unfinished and not (row.decision == "applicable" and row.status != "implemented"):
                continue
            if text and text not in " ".join([row.ref, row.title, row.justification, row.notes]).casefold():
                continue
            out.append(row)
        return out

    def render_table(self) -> None:
        table = self.query_one("#soa", DataTable)
        rows = self.visible_rows()
        sync_rows(table, [(row.ref, _cells(row)) for row in rows])
        if self.select_after_load is not None:
            keys = [row.ref for row in rows]
            if self.select_after_load in keys:
                table.move_cursor(row=keys.index(self.select_after_load))
            self.select_after_load = None
        summary = Text(self.summary.sentence if self.summary else "", style="bold")
        summary.append(
            f"\n{len(rows)} shown of {len(self.rows)} · / filter · enter or e edits · escape back", style="dim"
        )
        self.query_one("#soa-summary", Static).update(summary)
        self.show_detail()

    def selected_row(self) -> SoaRow | None:
        key = cursor_key(self.query_one("#soa", DataTable))
        return next((r for r in self.rows if r.ref == key), None) if key is not None else None

    def show_detail(self) -> None:
        row = self.selected_row()
        detail = self.query_one("#soa-detail", Static)
        if row is None:
            detail.update(Text("No control matches the filters.", style="dim"))
            return
        detail.update(detail_text(row))

    @on(DataTable.RowHighlighted, "#soa")
    def _highlighted(self) -> None:
        self.show_detail()

    @on(DataTable.RowSelected, "#soa")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    @on(Input.Changed, "#soa-filter-text")
    @on(Checkbox.Changed)
    def _filters_changed(self) -> None:
        self.render_table()

    @on(Input.Submitted, "#soa-filter-text")
    def _filter_done(self) -> None:
        self.query_one("#soa", DataTable).focus()

    def action_back(self) -> None:
        if self.focused is self.query_one("#soa-filter-text", Input):
            self.query_one("#soa", DataTable).focus()
        else:
            self.app.pop_screen()

    def action_focus_filter(self) -> None:
        self.query_one("#soa-filter-text", Input).focus()

    def action_edit(self) -> None:
        row = self.selected_row()
        if row is not None:
            from .soa_form import SoaForm

            self.app.push_screen(SoaForm(row), self._saved)

    def _saved(self, ref: str | None) -> None:
        if ref is not None:
            self.notify(f"{ref} saved in the statement of applicability.", markup=False)
            self.select_after_load = ref
            self.load()


def _cells(row: SoaRow) -> list[Text | str]:
    status = row.status if row.decision == "applicable" else "—"
    return [
        row.ref,
        Text(row.title, overflow="ellipsis", no_wrap=True),
        Text(row.decision, style=DECISION_STYLE.get(row.decision, "")),
        Text(status, style=STATUS_STYLE.get(row.status, "dim")),
        Text(row.justification or "—", style="" if row.justification else "dim", overflow="ellipsis", no_wrap=True),
    ]


def detail_text(row: SoaRow) -> Text:
    text = Text()
    text.append(f"{row.ref} {row.title}", style="bold")
    text.append(f" · {row.theme} control\n", style="dim")
    text.append(row.decision, style=DECISION_STYLE.get(row.decision, ""))
    if row.decision == "applicable":
        text.append(f" · {row.status}", style=STATUS_STYLE.get(row.status, ""))
    if row.decision == "not yet decided":
        text.append(" · no decision is recorded; e records one", style="dim")
    if row.justification:
        text.append("\nWhy: ", style="bold")
        text.append(row.justification)
    if row.notes:
        text.append("\nNotes: ", style="bold")
        text.append(row.notes)
    return text
