"""The shared action register (10.2, 9.3.3): every corrective action, review action and follow-up.

One list so nothing falls between audits and reviews: who owns what, by when, how far it got,
and whether it was shown to work. An action closes only through its effectiveness check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, DataTable, Select, Static

from isms_tui.models.enums import ActionStatus, Effectiveness
from isms_tui.services import clock
from isms_tui.widgets.footer import NARROW_WIDTH
from isms_tui.widgets.tables import RecordTable, cursor_key, sync_rows
from isms_tui.widgets.tickbox import TickBox

from .base import SectionScreen, WriteBinding

# (title, width, width below NARROW_WIDTH columns)
COLUMNS = (
    ("#", 4, 4),  # the number `isms nc reopen` takes
    ("Source", 20, 14),
    ("Title", 30, 16),
    ("Owner", 15, 10),
    ("Due", 12, 10),
    ("Status", 11, 11),
    ("Effectiveness", 13, 13),
)

if TYPE_CHECKING:
    from isms_tui.services.action_register import ActionRow

STATUS_FILTERS = [("open actions", "open"), ("all actions", "all"), ("closed actions", "closed")]
NO_OWNER = 0  # owner filter value for actions nobody owns yet (actions raised from findings start so)
ACTION_STATUS_STYLE = {
    ActionStatus.OPEN: "bold",
    ActionStatus.IN_PROGRESS: "cyan",
    ActionStatus.IMPLEMENTED: "yellow",
    ActionStatus.CLOSED: "green",
}
EFFECT_STYLE = {Effectiveness.EFFECTIVE: "green", Effectiveness.NOT_EFFECTIVE: "red"}


def status_cell(status: ActionStatus) -> Text:
    return Text(status.value, style=ACTION_STATUS_STYLE[status])


def due_cell(row: ActionRow) -> Text:
    due = row.action.due_date
    if due is None:
        return Text("—", style="dim")
    return Text(due.isoformat() + (" !" if row.overdue else ""), style="bold red" if row.overdue else "")


def effect_cell(row: ActionRow) -> Text:
    result = row.action.effectiveness
    if result is None:
        return Text("—", style="dim")
    return Text(result.value, style=EFFECT_STYLE[result])


def detail_text(row: ActionRow) -> Text:
    """Everything about one action, with the finding it corrects, as plain (unparsed) text."""
    a = row.action
    text = Text()
    text.append(f"#{row.id} ", style="bold")
    text.append(a.title, style="bold")
    text.append(f"\n{row.source_label} · owner {row.owner or 'nobody yet'} · due ", style="dim")
    text.append(a.due_date.isoformat() if a.due_date else "—", style="bold red" if row.overdue else "dim")
    text.append(f" · {a.status.value}", style="dim")
    if row.finding is not None:
        f = row.finding
        text.append(
            f"\nFinding #{f.id} ({f.grading.value}, {f.ref}, audit #{f.audit_id} “{f.audit_title}”, "
            f"raised {f.raised_on.isoformat()}): ",
            style="bold",
        )
        text.append(f.statement)
        if f.evidence:
            text.append("\nEvidence: ", style="bold")
            text.append(f.evidence)
    if row.review is not None:
        rv = row.review
        when = f"held {rv.review_date.isoformat()}" if rv.held else f"planned {rv.review_date.isoformat()}"
        text.append(
            f"\nDecision ({rv.kind.value}) of the management review #{rv.review_id} “{rv.review_title}”, {when}: ",
            style="bold",
        )
        text.append(rv.decision)
    if a.nonconformity and row.finding is None:
        detected = a.detected_on.isoformat() if a.detected_on else "—"
        text.append(f"\nNonconformity (detected {detected}): ", style="bold")
        text.append(a.description or "—")
    fields = [("Correction", a.correction)]
    if a.nonconformity:
        fields.append(("Extent of condition", a.extent))
    fields += [("Root cause", a.root_cause), ("Corrective action", a.corrective_action)]
    if a.nonconformity:
        fields.append(("Change to the ISMS", a.isms_change))
    for label, value in fields:
        if not value and not a.nonconformity:
            continue  # 10.2's fields are only expected of corrective actions
        text.append(f"\n{label}: ", style="bold")
        text.append(value or "—", style="" if value else "dim")
    planned = row.check_planned
    if a.status == ActionStatus.IMPLEMENTED and planned is not None:
        text.append(
            f"\nImplemented {a.implemented_on}; effectiveness check planned for {planned.isoformat()}"
            f" ({a.settling_days} days to settle).",
            style="yellow",
        )
    if a.effectiveness is not None:
        text.append("\nEffectiveness: ", style="bold")
        text.append(a.effectiveness.value, style=EFFECT_STYLE[a.effectiveness])
        by = f" — checked by {row.checked_by or 'unknown'}"
        on_ = f" on {a.effectiveness_on.isoformat()}" if a.effectiveness_on else ""
        text.append(by + on_ + ": ")
        text.append(a.effectiveness_notes)
        if a.checker_reason:
            text.append("\nChecked by its owner because: ", style="bold")
            text.append(a.checker_reason)
    if a.closed_on:
        text.append(f"\nClosed on {a.closed_on.isoformat()}.", style="green")
    for r in row.reopens:
        text.append(f"\nReopened {r.reopened_on.isoformat()} by {r.reopened_by}: ", style="bold yellow")
        text.append(r.reason)
        if r.closed_on:
            checked = f", checked by {row.name(r.effectiveness_by_id)}" if r.effectiveness_on else ""
            text.append(f" (it had been closed {r.closed_on.isoformat()}{checked})", style="dim")
    return text


class ActionsScreen(SectionScreen):
    """The register as a filterable table with the selected action's details below it."""

    HELP = (
        "The action register (10.2, 9.3.3): corrective actions for nonconformities of every source, review "
        "actions and follow-ups, from open to an effectiveness check that closes them."
    )

    CSS_PATH = "actions.tcss"
    BINDINGS = [
        WriteBinding("n", "new_action", "New"),
        WriteBinding("N", "new_nonconformity", "Nonconformity"),
        WriteBinding("e", "edit_action", "Edit"),
        WriteBinding("p", "set_status('in progress')", "In progress"),
        WriteBinding("i", "set_status('implemented')", "Implemented"),
        WriteBinding("k", "check_effectiveness", "Check"),
        WriteBinding("R", "reopen", "Reopen"),
        Binding("f", "cycle_status_filter", "Open/all", show=False),
        Binding("o", "toggle_overdue", "Overdue", show=False),
        Binding("escape", "focus_table", "Table", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ActionRow] = []
        self.select_after_load: int | None = None  # a just-saved action the cursor should land on

    def body(self) -> ComposeResult:
        with Horizontal(id="action-filters"):
            yield Select(STATUS_FILTERS, value="open", allow_blank=False, id="filter-action-status")
            yield Select([], prompt="any owner", id="filter-action-owner")
            yield TickBox("Overdue only", id="filter-overdue")
        yield Static("", id="action-summary", markup=False)
        yield RecordTable(id="actions", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="action-detail-box"):
            yield Static("", id="action-detail", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#actions", DataTable)
        for title, width, _ in COLUMNS:
            table.add_column(title, key=title.lower(), width=width)
        table.focus()

    def on_resize(self) -> None:
        """Below 100 columns source, title and owner narrow so that due and status stay in
        view (the line under the table gives the highlighted action in full)."""
        table = self.query_one("#actions", RecordTable)
        for title, wide, narrow in COLUMNS:
            table.set_column_width(title.lower(), narrow if self.size.width < NARROW_WIDTH else wide)

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="actions")
    def load(self) -> None:
        """Read the whole register off the main thread; filtering happens on screen."""
        from isms_tui.services import action_register, workspace

        with self.isms.session() as session:
            rows = action_register.register(session, clock.today())
            people = [(p.name, p.id) for p in workspace.list_people(session, include_inactive=True)]
        self.app.call_from_thread(self.show, rows, people)

    def show(self, rows: list[ActionRow], people: list[tuple[str, int]]) -> None:
        self.rows = rows
        owners = {r.action.owner_id for r in rows}
        options = [(name, pid) for name, pid in people if pid in owners]
        if None in owners:
            options.append(("(nobody yet)", NO_OWNER))
        select = self.query_one("#filter-action-owner", Select)
        current = select.value
        with select.prevent(Select.Changed):
            select.set_options(options)
            if current in {pid for _, pid in options}:
                select.value = current
        self.render_table()

    def visible_rows(self) -> list[ActionRow]:
        status = self.query_one("#filter-action-status", Select).value
        owner = self.query_one("#filter-action-owner", Select).value
        overdue_only = self.query_one("#filter-overdue", Checkbox).value
        out = []
        for r in self.rows:
            if status == "open" and not r.is_open or status == "closed" and r.is_open:
                continue
            if owner is not Select.NULL and (r.action.owner_id or NO_OWNER) != owner:
                continue
            if overdue_only and not r.overdue:
                continue
            out.append(r)
        return out

    def render_table(self) -> None:
        table = self.query_one("#actions", DataTable)
        rows = self.visible_rows()
        sync_rows(
            table,
            [
                (
                    str(r.id),
                    [
                        str(r.id),
                        Text(r.source_label, overflow="ellipsis", no_wrap=True),
                        Text(r.action.title, overflow="ellipsis", no_wrap=True),
                        Text(r.owner or "—", style="" if r.owner else "dim", overflow="ellipsis", no_wrap=True),
                        due_cell(r),
                        status_cell(r.action.status),
                        effect_cell(r),
                    ],
                )
                for r in rows
            ],
        )
        if self.select_after_load is not None:
            keys = [str(r.id) for r in rows]
            if str(self.select_after_load) in keys:
                table.move_cursor(row=keys.index(str(self.select_after_load)))
            self.select_after_load = None
        overdue = sum(r.overdue for r in self.rows)
        summary = Text(f"{len(rows)} shown · {sum(r.is_open for r in self.rows)} open of {len(self.rows)}", style="dim")
        if overdue:
            summary.append(f" · {overdue} overdue", style="bold red")
        summary.append(" · f open/all/closed · o overdue only · enter edits · k effectiveness check", style="dim")
        self.query_one("#action-summary", Static).update(summary)
        self.show_detail()

    def selected_row(self) -> ActionRow | None:
        key = cursor_key(self.query_one("#actions", DataTable))
        if key is None:
            return None
        return next((r for r in self.rows if str(r.id) == key), None)

    def show_detail(self) -> None:
        row = self.selected_row()
        if row is None:
            empty = "No action matches the filters." if self.rows else "No actions yet · n adds one."
            self.query_one("#action-detail", Static).update(Text(empty, style="dim"))
        else:
            self.query_one("#action-detail", Static).update(detail_text(row))

    @on(DataTable.RowHighlighted, "#actions")
    def _highlighted(self) -> None:
        self.show_detail()

    @on(DataTable.RowSelected, "#actions")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_action()

    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _filters_changed(self) -> None:
        self.render_table()

    # -- actions ---------------------------------------------------------------------------

    def action_focus_table(self) -> None:
        self.query_one("#actions", DataTable).focus()

    def action_cycle_status_filter(self) -> None:
        select = self.query_one("#filter-action-status", Select)
        values = [v for _, v in STATUS_FILTERS]
        select.value = values[(values.index(str(select.value)) + 1) % len(values)]

    def action_toggle_overdue(self) -> None:
        box = self.query_one("#filter-overdue", Checkbox)
        box.value = not box.value

    def action_new_action(self) -> None:
        from .action_forms import ActionForm

        self.app.push_screen(ActionForm(None), self._saved)

    def action_new_nonconformity(self) -> None:
        from .action_forms import ActionForm

        self.app.push_screen(ActionForm(None, nonconformity=True), self._saved)

    def action_reopen(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if row.action.status != ActionStatus.CLOSED:
            self.notify(
                f"Action #{row.id} is {row.action.status.value}; only a closed action is reopened.", markup=False
            )
            return
        from .action_forms import ReopenForm

        def reopened(action_id: int | None) -> None:
            if action_id is not None:
                self.notify(f"Action #{action_id} is reopened: in progress again.", markup=False)
                self.load()

        self.app.push_screen(ReopenForm(row.id, row.action.title), reopened)

    def action_edit_action(self) -> None:
        row = self.selected_row()
        if row is not None:
            from .action_forms import ActionForm

            self.app.push_screen(ActionForm(row.id), self._saved)

    def _saved(self, action_id: int | None) -> None:
        if action_id is not None:
            self.notify(f"Action #{action_id} saved.", markup=False)
            self.select_after_load = action_id
            self.load()

    def action_set_status(self, status: str) -> None:
        """Move the selected action along; the service's refusal is shown as its own sentence."""
        from isms_tui.services import actions
        from isms_tui.services.errors import InputError

        row = self.selected_row()
        if row is None:
            return
        target = ActionStatus(status)
        if row.action.status == target:
            self.notify(f"Action #{row.id} is already {target.value}.", markup=False)
            return
        try:
            with self.isms.session() as session:
                actions.set_status(session, row.id, target)
        except InputError as exc:
            self.notify(
                str(exc), title=f"Action #{row.id} stays {row.action.status.value}", severity="error", markup=False
            )
            return
        hint = " · k records the effectiveness check" if target == ActionStatus.IMPLEMENTED else ""
        self.notify(f"Action #{row.id} is {target.value}{hint}.", markup=False)
        self.load()

    def action_check_effectiveness(self) -> None:
        from isms_tui.services.action_register import check_effectiveness_allowed
        from isms_tui.services.errors import InputError

        row = self.selected_row()
        if row is None:
            return
        try:
            check_effectiveness_allowed(row.action)
        except InputError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        from .action_forms import EffectivenessForm

        def checked(status: ActionStatus | None) -> None:
            if status is None:
                return
            if status == ActionStatus.CLOSED:
                self.notify(f"Action #{row.id} is effective and now closed.", markup=False)
            else:
                self.notify(
                    f"Action #{row.id} was not effective: it is back {status.value}.", severity="warning", markup=False
                )
            self.load()

        self.app.push_screen(EffectivenessForm(row.id), checked)
