"""The risk register (6.1.2, 8.2, 8.3): what review input 9.3.2 f and the audit programme draw on.

A filterable table, highest level first, with the selected risk's treatment and its actions
below it. Risks above the appetite are marked; treatment actions go to the shared register.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, DataTable, Input, Static

from isms_tui.services import clock
from isms_tui.widgets.footer import NARROW_WIDTH
from isms_tui.widgets.tables import RecordTable, cursor_key, sync_rows
from isms_tui.widgets.tickbox import TickBox

from .base import SectionScreen, WriteBinding
from .transfer import TransferKeys, transfer_bindings

# (title, width, width below NARROW_WIDTH columns)
COLUMNS = (
    ("Ref", 7, 7),
    ("Risk", 34, 17),
    ("Owner", 14, 9),
    ("Level", 13, 13),
    ("Residual", 8, 8),
    ("Treatment", 20, 12),
    ("Due", 12, 10),
)

if TYPE_CHECKING:
    from isms_tui.models import Action, Risk

BAND_STYLE = {"low": "green", "medium": "yellow", "high": "red", "critical": "bold red"}


@dataclass(frozen=True)
class RiskRow:
    """One risk as the screen shows it."""

    risk: Risk
    owner: str
    level: int
    band: str
    residual: int | None
    above: bool
    overdue: bool
    actions: list[Action]


class RisksScreen(TransferKeys, SectionScreen):
    """List, filter and edit risks; set the appetite; raise treatment actions."""

    HELP = (
        "The risk register (6.1.2, review input f): likelihood times impact gives the level, the appetite "
        "marks what needs treatment, and treatment actions go to the shared register."
    )

    DEFAULT_CSS = """
    #risk-filters { height: 3; padding: 0 1; }
    #risk-filter-text { width: 1fr; }
    #risk-filters Checkbox { width: auto; }
    #risk-summary { padding: 0 1; height: 1; }
    #risks { height: 1fr; min-height: 6; }
    #risk-detail-box { height: 10; border-top: solid $panel-lighten-2; padding: 0 1; }
    #risk-detail { height: auto; }
    RisksScreen.-short #risk-detail-box { height: 7; }  /* under 32 rows the table gets room */
    """
    BINDINGS = [
        WriteBinding("n", "new_risk", "New"),
        WriteBinding("e", "edit_risk", "Edit"),
        WriteBinding("t", "treatment_action", "Treatment action"),
        WriteBinding("A", "appetite", "Appetite"),
        Binding("slash", "focus_filter", "Filter", show=False),
        Binding("escape", "focus_table", "Table", show=False),
        *transfer_bindings(),
    ]
    transfer_register = "risks"

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[RiskRow] = []
        self.appetite = 9
        self.select_after_load: int | None = None

    def body(self) -> ComposeResult:
        with Horizontal(id="risk-filters"):
            yield Input(placeholder="filter: ref, title, owner or control", id="risk-filter-text")
            yield TickBox("Above appetite", id="risk-filter-above")
            yield TickBox("Overdue", id="risk-filter-overdue")
            yield TickBox("Closed too", id="risk-filter-closed")
        yield Static("", id="risk-summary", markup=False)
        yield RecordTable(id="risks", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="risk-detail-box"):
            yield Static("", id="risk-detail", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#risks", DataTable)
        for title, width, _ in COLUMNS:
            table.add_column(title, key=title.lower(), width=width)
        table.focus()

    def on_resize(self) -> None:
        """Below 100 columns the risk, owner and treatment narrow so that the levels stay in
        view (the line under the table gives the highlighted risk in full)."""
        table = self.query_one("#risks", RecordTable)
        for title, wide, narrow in COLUMNS:
            table.set_column_width(title.lower(), narrow if self.size.width < NARROW_WIDTH else wide)

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="risks")
    def load(self) -> None:
        from isms_tui.services import risks, workspace

        today = clock.today()
        with self.isms.session() as session:
            limit = risks.appetite(session)
            people = {p.id: p.name for p in workspace.list_people(session, include_inactive=True)}
            plan = risks.treatment_actions(session)
            rows = [
                RiskRow(
                    r,
                    people.get(r.owner_id, ""),
                    risks.risk_level(r),
                    risks.band(risks.risk_level(r)),
                    risks.residual_level(r),
                    risks.above_appetite(r, limit),
                    risks.treatment_overdue(r, today),
                    plan.get(r.id or 0, []),
                )
                for r in risks.list_risks(session)
            ]
        self.app.call_from_thread(self.show, rows, limit)

    def show(self, rows: list[RiskRow], limit: int) -> None:
        self.rows, self.appetite = rows, limit
        self.render_table()

    def visible_rows(self) -> list[RiskRow]:
        text = self.query_one("#risk-filter-text", Input).value.strip().casefold()
        above = self.query_one("#risk-filter-above", Checkbox).value
        overdue = self.query_one("#risk-filter-overdue", Checkbox).value
        closed = self.query_one("#risk-filter-closed", Checkbox).value
        out = []
        for row in self.rows:
            r = row.risk
            if not closed and r.status == "closed":
                continue
            if above and not row.above or overdue and not row.overdue:
                continue
            haystack = " ".join([r.ref, r.title, row.owner, *r.controls]).casefold()
            if text and text not in haystack:
                continue
            out.append(row)
        return out

    def render_table(self) -> None:
        table = self.query_one("#risks", DataTable)
        rows = self.visible_rows()
        sync_rows(table, [(str(row.risk.id), _cells(row)) for row in rows])
        if self.select_after_load is not None:
            keys = [str(row.risk.id) for row in rows]
            if str(self.select_after_load) in keys:
                table.move_cursor(row=keys.index(str(self.select_after_load)))
            self.select_after_load = None
        above = sum(r.above for r in self.rows)
        summary = Text(f"{len(rows)} shown of {len(self.rows)} · appetite: level {self.appetite}", style="dim")
        if above:
            summary.append(f" · {above} above it", style="bold red")
        summary.append(" · / filter · n new · enter edits · t treatment action · A appetite", style="dim")
        self.query_one("#risk-summary", Static).update(summary)
        self.show_detail()

    def selected_row(self) -> RiskRow | None:
        key = cursor_key(self.query_one("#risks", DataTable))
        return next((r for r in self.rows if str(r.risk.id) == key), None) if key is not None else None

    def show_detail(self) -> None:
        row = self.selected_row()
        detail = self.query_one("#risk-detail", Static)
        if row is None:
            empty = "No risk matches the filters." if self.rows else "The risk register is empty · n adds a risk."
            detail.update(Text(empty, style="dim"))
            return
        detail.update(detail_text(row, clock.today()))

    @on(DataTable.RowHighlighted, "#risks")
    def _highlighted(self) -> None:
        self.show_detail()

    @on(DataTable.RowSelected, "#risks")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_risk()

    @on(Input.Changed, "#risk-filter-text")
    @on(Checkbox.Changed)
    def _filters_changed(self) -> None:
        self.render_table()

    @on(Input.Submitted, "#risk-filter-text")
    def _filter_done(self) -> None:
        self.action_focus_table()

    # -- actions ---------------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        self.query_one("#risk-filter-text", Input).focus()

    def action_focus_table(self) -> None:
        self.query_one("#risks", DataTable).focus()

    def action_new_risk(self) -> None:
        from .risk_forms import RiskForm

        self.app.push_screen(RiskForm(None), self._saved)

    def action_edit_risk(self) -> None:
        row = self.selected_row()
        if row is not None:
            from .risk_forms import RiskForm

            self.app.push_screen(RiskForm(row.risk.id), self._saved)

    def action_appetite(self) -> None:
        from .risk_forms import AppetiteForm

        def done(value: int | None) -> None:
            if value is not None:
                self.notify(f"Risk appetite set to level {value}.", markup=False)
                self.load()

        self.app.push_screen(AppetiteForm(self.appetite), done)

    def action_treatment_action(self) -> None:
        row = self.selected_row()
        if row is None or row.risk.id is None:
            return
        from .action_forms import ActionForm

        def done(action_id: int | None) -> None:
            if action_id is not None:
                self.notify(f"Action #{action_id} raised for {row.risk.ref}; it is in Actions (c).", markup=False)
                self.load()

        self.app.push_screen(ActionForm(None, source=("risk", row.risk.id)), done)

    def _saved(self, risk_id: int | None) -> None:
        if risk_id is not None:
            self.notify("Risk saved.", markup=False)
            self.select_after_load = risk_id
            self.load()


def _cells(row: RiskRow) -> list[Text | str]:
    r = row.risk
    level = Text(f"{row.level} {row.band}" + (" !" if row.above else ""), style=BAND_STYLE.get(row.band, ""))
    due = r.due_date.isoformat() if r.due_date else "—"
    return [
        r.ref,
        Text(r.title, overflow="ellipsis", no_wrap=True),
        Text(row.owner or "—", style="" if row.owner else "dim", overflow="ellipsis", no_wrap=True),
        level,
        "—" if row.residual is None else str(row.residual),
        Text(f"{r.treatment} · {r.status}", overflow="ellipsis", no_wrap=True),
        Text(due + (" !" if row.overdue else ""), style="bold red" if row.overdue else ""),
    ]


def detail_text(row: RiskRow, today: date) -> Text:
    r = row.risk
    text = Text()
    text.append(f"{r.ref} {r.title}", style="bold")
    text.append(f"\nowner {row.owner or 'nobody'} · likelihood {r.likelihood} × impact {r.impact} = {row.level}")
    text.append(f" ({row.band})", style=BAND_STYLE.get(row.band, ""))
    if row.above:
        text.append(" · above the appetite", style="bold red")
    if r.description:
        text.append(f"\n{r.description}")
    text.append("\nControls: ", style="bold")
    text.append(", ".join(r.controls) or "—")
    text.append("   KPIs: ", style="bold")
    text.append(", ".join(r.kpis) or "—")
    if r.next_review:
        late = r.next_review < today
        text.append(f"\nNext review {r.next_review.isoformat()}", style="bold red" if late else "dim")
    text.append("\nTreatment actions: ", style="bold")
    if not row.actions:
        text.append("none yet · t raises one", style="dim")
    for a in row.actions:
        text.append(f"\n  #{a.id} {a.title} · {a.status.value}" + (f" · due {a.due_date}" if a.due_date else ""))
    return text
