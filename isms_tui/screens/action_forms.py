"""The two forms of the action register: the action itself (10.2 a–f) and its effectiveness check.

Both validate through the services (actions.update_action / record_effectiveness) so the rules
live in one place; the forms only turn typed text into dates and show the services' sentences.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static, TextArea

from isms_tui.models import require_id
from isms_tui.models.enums import ActionStatus, Effectiveness
from isms_tui.services import clock
from isms_tui.widgets.form import FormField, FormModal, person_select
from isms_tui.widgets.form_parts import FORM_CONTEXT_CSS, NOTES_CSS, notes_area

from .base import workspace_session

_ACTION_FORM_CSS = (
    NOTES_CSS
    + FORM_CONTEXT_CSS
    + """
.form-readonly { color: $warning; text-style: bold; padding: 0 0 1 0; height: auto; }
"""
)


def _message(errors: dict[str, str], fallback: str) -> str:
    """One sentence for the form: the service's own when there is one problem, else a count."""
    if len(errors) > 1:
        return f"Please correct {len(errors)} fields before saving."
    return fallback or next(iter(errors.values()), "")


class ActionForm(FormModal[int]):
    """Create (action_id None, source 'other') or edit an action; dismisses with its id.

    A closed action is part of the record: the form shows it read-only and says why.
    """

    DEFAULT_CSS = _ACTION_FORM_CSS

    def __init__(self, action_id: int | None, *, source: tuple[str, int] | None = None) -> None:
        super().__init__()
        from isms_tui.services import action_register, actions, workspace
        from isms_tui.services.actions import ActionInput

        self.action_id = action_id
        self.source = source  # (kind, id) a new action is raised from, e.g. ("risk", 3)
        self.closed_sentence = ""
        self.context: Text | None = None
        with workspace_session(self) as session:
            people = workspace.list_people(session, include_inactive=True)
            if action_id is None:
                self.data = ActionInput(title="")
                self.form_title = (
                    "New action" if source is None else f"New treatment action for {source[0]} {source[1]}"
                )
            else:
                action = actions.get_action(session, action_id)
                self.data = ActionInput(
                    title=action.title,
                    owner_id=action.owner_id,
                    due_date=action.due_date,
                    correction=action.correction,
                    root_cause=action.root_cause,
                    corrective_action=action.corrective_action,
                )
                row = action_register.action_row(session, action_id, clock.today())
                self.form_title = f"Action #{action_id} · {row.source_label} · {action.status.value}"
                if row.finding is not None:
                    f = row.finding
                    self.context = Text.assemble(("Finding: ", "bold"), f"{f.grading.value} on {f.ref}. ", f.statement)
                elif row.review is not None:
                    rv = row.review
                    self.context = Text.assemble((f"Review decision ({rv.kind.value}): ", "bold"), rv.decision)
                if action.status == ActionStatus.CLOSED:
                    closed = f" on {action.closed_on.isoformat()}" if action.closed_on else ""
                    self.closed_sentence = (
                        f"This action was closed{closed} after an effective check; "
                        "its record is kept as it is and can no longer change."
                    )
                    check = Text.assemble(
                        ("Effectiveness check: ", "bold"),
                        f"{row.checked_by or 'unknown'} found it effective: ",
                        action.effectiveness_notes,
                    )
                    self.context = check if self.context is None else Text("\n").join([self.context, check])
        # Inactive people cannot take new actions, but an action they own still shows its owner.
        self.people = [
            (p.name if p.active else f"{p.name} (inactive)", p.id)
            for p in people
            if p.active or p.id == self.data.owner_id
        ]

    @property
    def read_only(self) -> bool:
        return bool(self.closed_sentence)

    def fields(self) -> Iterable[Widget]:
        d = self.data
        if self.closed_sentence:
            yield Static(self.closed_sentence, classes="form-readonly", markup=False)
        if self.context is not None:
            yield Static(self.context, classes="form-context")
        yield FormField("Title", Input(d.title), key="title")
        yield FormField("Owner", person_select(self.people, d.owner_id, prompt="nobody yet"), key="owner_id")
        yield FormField(
            "Due date (YYYY-MM-DD)",
            Input(d.due_date.isoformat() if d.due_date else "", placeholder="YYYY-MM-DD"),
            key="due_date",
        )
        yield FormField("Correction (contain it now)", notes_area(d.correction), key="correction")
        yield FormField("Root cause (why it happened)", notes_area(d.root_cause), key="root_cause")
        yield FormField(
            "Corrective action",
            notes_area(d.corrective_action),
            key="corrective_action",
            hint="What removes the root cause. A nonconformity's action needs both "
            "before it can be marked implemented.",
        )

    def on_mount(self) -> None:
        title = self.query_one("#field-title", FormField).control
        assert isinstance(title, Input)
        title.cursor_position = 0  # show a long title from its start
        if not self.read_only:
            title.focus()
            return
        for field in self.query(FormField):
            control = field.control
            if isinstance(control, TextArea):
                control.read_only = True
            else:
                control.disabled = True
        self.query_one("#form-save", Button).display = False
        self.query_one("#form-cancel", Button).label = "Close"
        self.query_one("#form-cancel", Button).focus()

    def submit(self) -> int:
        from isms_tui.services import actions
        from isms_tui.services.actions import ActionInput
        from isms_tui.services.errors import InputError
        from isms_tui.services.form_values import parse_date

        errors: dict[str, str] = {}
        due = parse_date(self.value("due_date"), "due_date", errors)
        data = ActionInput(
            title=self.value("title"),
            owner_id=self.value("owner_id"),
            due_date=due,
            correction=self.value("correction"),
            root_cause=self.value("root_cause"),
            corrective_action=self.value("corrective_action"),
        )
        with workspace_session(self) as session:
            try:
                if self.action_id is None:
                    kind, source_id = self.source or ("other", None)
                    action = actions.create_action(session, kind, source_id, data)
                else:
                    action = actions.update_action(session, actions.get_action(session, self.action_id), data)
            except InputError as exc:
                merged = {**exc.fields, **errors}
                raise InputError(_message(merged, str(exc) if len(merged) <= 1 else ""), merged) from None
            if errors:  # the service accepted the rest, but nothing is saved while a date is wrong
                raise InputError(_message(errors, ""), errors)
            return require_id(action)


class EffectivenessForm(FormModal[ActionStatus]):
    """Record who checked an implemented action, when, and whether it worked (10.2 d).

    Effective closes the action; not effective sends it back to work. Dismisses with the
    action's new status.
    """

    DEFAULT_CSS = _ACTION_FORM_CSS

    def __init__(self, action_id: int) -> None:
        super().__init__()
        from isms_tui.services import actions, workspace

        self.action_id = action_id
        with workspace_session(self) as session:
            action = actions.get_action(session, action_id)
            self.people = [(p.name, p.id) for p in workspace.list_people(session)]
            self.summary = Text.assemble(("Corrective action: ", "bold"), action.corrective_action or "—")
            self.form_title = f"Effectiveness check · action #{action_id}: {action.title}"

    def fields(self) -> Iterable[Widget]:
        yield Static(self.summary, classes="form-context")
        yield FormField("Checked by", person_select(self.people, prompt="choose a person"), key="effectiveness_by_id")
        yield FormField("Checked on (YYYY-MM-DD)", Input(clock.today().isoformat()), key="effectiveness_on")
        yield FormField(
            "Result",
            Select(
                [("effective", Effectiveness.EFFECTIVE), ("not effective", Effectiveness.NOT_EFFECTIVE)],
                value=Effectiveness.EFFECTIVE,
                allow_blank=False,
            ),
            key="result",
            hint="Effective closes the action; not effective sends it back to in progress.",
        )
        yield FormField("What was checked and seen", notes_area(""), key="effectiveness_notes")

    def on_mount(self) -> None:
        self.query_one("#field-effectiveness_by_id", FormField).control.focus()

    def submit(self) -> ActionStatus:
        from isms_tui.services import actions
        from isms_tui.services.errors import InputError
        from isms_tui.services.form_values import parse_date

        errors: dict[str, str] = {}
        checked_on: date | None = parse_date(self.value("effectiveness_on"), "effectiveness_on", errors, required=True)
        with workspace_session(self) as session:
            try:
                action = actions.record_effectiveness(
                    session,
                    self.action_id,
                    self.value("effectiveness_by_id"),
                    self.value("result"),
                    self.value("effectiveness_notes"),
                    checked_on,
                )
            except InputError as exc:
                merged = {**exc.fields, **errors}
                raise InputError(_message(merged, str(exc) if len(merged) <= 1 else ""), merged) from None
            if errors:
                raise InputError(_message(errors, ""), errors)
            return action.status
