"""The two forms of the action register: the action itself (10.2 a–f) and its effectiveness check.

Both validate through the services (actions.update_action / record_effectiveness) so the rules
live in one place; the forms only turn typed text into dates and show the services' sentences.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static, TextArea

from isms_tui.models import require_id
from isms_tui.models.enums import ActionStatus, Effectiveness
from isms_tui.services import clock
from isms_tui.services.actions import ActionInput
from isms_tui.widgets.form import FormField, FormModal, person_select
from isms_tui.widgets.form_parts import FORM_CONTEXT_CSS, NOTES_CSS, attach_evidence, notes_area, split_paths

from .base import current_actor, workspace_session

if TYPE_CHECKING:
    from isms_tui.models import Action
    from isms_tui.models.db import Session

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


def nc_record_fields(d: ActionInput, *, choose_source: bool) -> Iterable[Widget]:
    """What happened, where it came from and when: the nonconformity's own record."""
    from isms_tui.services.nonconformities import RAISED_BY_HAND, SOURCES

    if choose_source:
        yield FormField(
            "Source",
            Select([(SOURCES[k], k) for k in RAISED_BY_HAND], value="incident", allow_blank=False),
            key="source",
        )
    yield FormField(
        "Source reference",
        Input(d.source_ref, placeholder="e.g. INC-2026-014"),
        key="source_ref",
        hint="The incident's, complaint's or review's own reference, if it has one.",
    )
    yield FormField("What happened", notes_area(d.description), key="description")
    yield FormField(
        "Detected on (YYYY-MM-DD)",
        Input(d.detected_on.isoformat() if d.detected_on else "", placeholder="YYYY-MM-DD"),
        key="detected_on",
    )


class ActionForm(FormModal[int]):
    """Create (action_id None, source 'other') or edit an action; dismisses with its id.

    A closed action is part of the record: the form shows it read-only and says why.
    """

    HELP = (
        "An action in the shared register (10.2, 9.3.3): what, who owns it and by when; for a nonconformity "
        "its root cause, correction and corrective action."
    )

    DEFAULT_CSS = _ACTION_FORM_CSS

    def __init__(
        self, action_id: int | None, *, source: tuple[str, int] | None = None, nonconformity: bool = False
    ) -> None:
        super().__init__()
        from isms_tui.services import action_register, actions, workspace

        self.action_id = action_id
        self.source = source  # (kind, id) a new action is raised from, e.g. ("risk", 3)
        self.closed_sentence = ""
        self.context: Text | None = None
        self.nc = nonconformity  # a new nonconformity (kind chosen in the form), or an NC's action
        self.nc_source = ""  # the fixed source of an existing NC; "" for a finding (it has its own record)
        with workspace_session(self) as session:
            people = workspace.list_people(session, include_inactive=True)
            if action_id is None:
                self.data = ActionInput(title="", detected_on=clock.today() if nonconformity else None)
                self.form_title = self._new_title(session, source, nonconformity)
            else:
                action = actions.get_action(session, action_id)
                self.nc = action.nonconformity
                self.nc_source = action.source if action.nonconformity and action.source != "finding" else ""
                self.data = ActionInput(
                    title=action.title,
                    owner_id=action.owner_id,
                    due_date=action.due_date,
                    correction=action.correction,
                    root_cause=action.root_cause,
                    corrective_action=action.corrective_action,
                    description=action.description,
                    detected_on=action.detected_on,
                    extent=action.extent,
                    isms_change=action.isms_change,
                    source_ref=action.source_ref,
                    settling_days=action.settling_days,
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

    def _new_title(self, session: Session, source: tuple[str, int] | None, nonconformity: bool) -> str:
        from isms_tui.models import Analysis
        from isms_tui.services import nonconformities

        if source is None:
            return "New nonconformity (10.2)" if nonconformity else "New action"
        kind, source_id = source
        if kind == "analysis":
            analysis = session.get(Analysis, source_id)
            if analysis is not None:
                self.nc = nonconformities.analysis_breach(session, analysis)
                label = nonconformities.analysis_label(session, analysis)
                self.context = Text.assemble(("Analysis: ", "bold"), analysis.conclusion)
                if self.nc:
                    return f"New corrective action for the KPI breach {label}"
                return f"New follow-up action from the analysis of {label}"
        return f"New treatment action for {kind} {source_id}"

    @property
    def read_only(self) -> bool:
        return bool(self.closed_sentence)

    @property
    def asks_for_nc_record(self) -> bool:
        """What happened and when: typed for an NC raised here, not for a finding's or a breach's."""
        return self.nc and (self.action_id is None and self.source is None or bool(self.nc_source))

    def fields(self) -> Iterable[Widget]:
        d = self.data
        if self.closed_sentence:
            yield Static(self.closed_sentence, classes="form-readonly", markup=False)
        if self.context is not None:
            yield Static(self.context, classes="form-context")
        if self.asks_for_nc_record:
            yield from nc_record_fields(d, choose_source=self.action_id is None)
        yield FormField("Title", Input(d.title), key="title")
        yield FormField("Owner", person_select(self.people, d.owner_id, prompt="nobody yet"), key="owner_id")
        yield FormField(
            "Due date (YYYY-MM-DD)",
            Input(d.due_date.isoformat() if d.due_date else "", placeholder="YYYY-MM-DD"),
            key="due_date",
        )
        yield FormField("Correction (contain it now)", notes_area(d.correction), key="correction")
        if self.nc:
            yield FormField(
                "Extent of condition",
                notes_area(d.extent),
                key="extent",
                hint="Does it exist elsewhere, or could it occur elsewhere?",
            )
        yield FormField("Root cause (why it happened)", notes_area(d.root_cause), key="root_cause")
        yield FormField(
            "Corrective action",
            notes_area(d.corrective_action),
            key="corrective_action",
            hint="What removes the root cause. A nonconformity's action needs both "
            "before it can be marked implemented.",
        )
        if self.nc:
            yield FormField("Change needed to the ISMS", notes_area(d.isms_change), key="isms_change")
        yield FormField(
            "Settling period (days)",
            Input(str(d.settling_days)),
            key="settling_days",
            hint="How long after it is implemented the effectiveness check is due.",
        )
        if not self.read_only:
            yield FormField(
                "Attach evidence files",
                Input(placeholder="paths, separated by commas"),
                key="evidence",
                hint="Copied into the workspace's evidence store and linked to this action.",
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
        from isms_tui.services.errors import InputError
        from isms_tui.services.form_values import parse_date

        errors: dict[str, str] = {}
        due = parse_date(self.value("due_date"), "due_date", errors)
        settling = self.value("settling_days").strip() or "0"
        if not settling.isdigit():
            errors["settling_days"] = "Give the settling period as a whole number of days."
        nc_record = self.asks_for_nc_record
        data = ActionInput(
            title=self.value("title"),
            owner_id=self.value("owner_id"),
            due_date=due,
            correction=self.value("correction"),
            root_cause=self.value("root_cause"),
            corrective_action=self.value("corrective_action"),
            extent=self.value("extent") if self.nc else "",
            isms_change=self.value("isms_change") if self.nc else "",
            settling_days=int(settling) if settling.isdigit() else 0,
            description=self.value("description") if nc_record else self.data.description,
            detected_on=parse_date(self.value("detected_on"), "detected_on", errors) if nc_record else None,
            source_ref=self.value("source_ref") if nc_record else self.data.source_ref,
        )
        if not nc_record:
            data.detected_on = self.data.detected_on
        with workspace_session(self) as session:
            try:
                action = self._save(session, data)
                paths = [] if self.read_only else split_paths(self.value("evidence"))
                attach_evidence(session, paths, current_actor(self), "action", require_id(action), errors)
            except InputError as exc:
                merged = {**exc.fields, **errors}
                raise InputError(_message(merged, str(exc) if len(merged) <= 1 else ""), merged) from None
            if errors:  # the service accepted the rest, but nothing is saved while a field is wrong
                raise InputError(_message(errors, ""), errors)
            return require_id(action)

    def _save(self, session: Session, data: ActionInput) -> Action:
        from isms_tui.services import actions, nonconformities

        if self.action_id is not None:
            return actions.update_action(session, actions.get_action(session, self.action_id), data)
        if self.source is not None and self.source[0] == "analysis":
            return nonconformities.raise_from_analysis(session, self.source[1], data)
        if self.nc:
            return nonconformities.raise_nonconformity(session, self.value("source"), data)
        kind, source_id = self.source or ("other", None)
        return actions.create_action(session, kind, source_id, data)


class EffectivenessForm(FormModal[ActionStatus]):
    """Record who checked an implemented action, when, and whether it worked (10.2 d).

    Effective closes the action, so it is asked for twice: the first ctrl+s checks everything
    and says what it will do, the second records it. Not effective sends it back to work.
    Dismisses with the action's new status.
    """

    HELP = (
        "The effectiveness check of an implemented action (10.2 d): effective closes it, not effective sends it back."
    )

    DEFAULT_CSS = _ACTION_FORM_CSS

    def __init__(self, action_id: int) -> None:
        super().__init__()
        from isms_tui.services import actions, workspace

        self.action_id = action_id
        self.confirmed: tuple[object, ...] | None = None  # the values the user confirmed as effective
        with workspace_session(self) as session:
            action = actions.get_action(session, action_id)
            self.people = [(p.name, p.id) for p in workspace.list_people(session)]
            planned = actions.planned_check_on(action)
            owner = next((name for name, pid in self.people if pid == action.owner_id), "")
            lines = [Text.assemble(("Corrective action: ", "bold"), action.corrective_action or "—")]
            if planned is not None:
                lines.append(
                    Text.assemble(
                        ("Check planned for: ", "bold"),
                        f"{planned.isoformat()} (implemented {action.implemented_on}, "
                        f"{action.settling_days} days to settle)",
                    )
                )
            if owner:
                lines.append(Text(f"Owner: {owner}. The owner checks it only with a reason.", style="dim"))
            self.summary = Text("\n").join(lines)
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
        yield FormField(
            "Why the owner checks it",
            notes_area(""),
            key="checker_reason",
            hint="Only when the checker is the action's owner: say why nobody else can.",
        )

    def on_mount(self) -> None:
        self.query_one("#field-effectiveness_by_id", FormField).control.focus()

    def submit(self) -> ActionStatus:
        from isms_tui.services import actions
        from isms_tui.services.errors import InputError
        from isms_tui.services.form_values import parse_date

        errors: dict[str, str] = {}
        checked_on: date | None = parse_date(self.value("effectiveness_on"), "effectiveness_on", errors, required=True)
        values = tuple(
            self.value(k) for k in ("effectiveness_by_id", "effectiveness_on", "result", "effectiveness_notes")
        )
        with workspace_session(self) as session:
            try:
                action = actions.record_effectiveness(
                    session,
                    self.action_id,
                    self.value("effectiveness_by_id"),
                    self.value("result"),
                    self.value("effectiveness_notes"),
                    checked_on,
                    checker_reason=self.value("checker_reason"),
                )
            except InputError as exc:
                merged = {**exc.fields, **errors}
                raise InputError(_message(merged, str(exc) if len(merged) <= 1 else ""), merged) from None
            if errors:
                raise InputError(_message(errors, ""), errors)
            if action.status == ActionStatus.CLOSED and self.confirmed != values:
                self.confirmed = values  # raising rolls the check back until it is confirmed
                raise InputError(
                    f"Effective closes action #{self.action_id}; it can then only be reopened with a reason. "
                    "Press ctrl+s again to confirm."
                )
            return action.status


class ReopenForm(FormModal[int]):
    """Reopen a closed action with the reason; the check that closed it stays on record."""

    HELP = "Reopen a closed action, with the reason; the check that closed it stays on record."

    DEFAULT_CSS = _ACTION_FORM_CSS

    def __init__(self, action_id: int, title: str) -> None:
        super().__init__()
        self.action_id = action_id
        self.form_title = f"Reopen action #{action_id}: {title}"

    def fields(self) -> Iterable[Widget]:
        yield Static(
            "It goes back in progress and closes again only through a new effectiveness check. "
            "The reason and the earlier check are kept and shown with the action and in packs.",
            classes="form-context",
        )
        yield FormField("Why it is reopened", notes_area(""), key="reason")

    def submit(self) -> int:
        from isms_tui.services import actions

        with workspace_session(self) as session:
            actions.reopen_action(session, self.action_id, self.value("reason"), current_actor(self))
        return self.action_id
