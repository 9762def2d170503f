"""The forms of a management review (9.3): plan it, collect entries and commentary, record its
decisions with their actions (the meeting itself, conclusions and approval: review_meeting.py).

Forms only turn typed text into values (dates, lists, ids); the rules live in
services/review.py, whose per-field errors are shown under the fields, merged with the form's
own parsing errors so the user sees every problem at once.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from isms_tui.models import require_id
from isms_tui.models.enums import DecisionKind
from isms_tui.services import clock
from isms_tui.services.errors import InputError
from isms_tui.services.form_values import parse_date
from isms_tui.widgets.form import FormField, FormModal, person_select
from isms_tui.widgets.form_parts import (
    FORM_CONTEXT_CSS,
    FORM_CSS,
    attach_evidence,
    fields_error,
    merging_field_errors,
    notes_area,
    split_paths,
    with_field_errors,
)

from .base import current_actor, workspace_session

if TYPE_CHECKING:
    from isms_tui.models.db import Session
    from isms_tui.services.actions import ActionInput

REVIEW_FORM_CSS = (
    FORM_CSS
    + FORM_CONTEXT_CSS
    + """
.action-row { height: auto; border-top: hkey $panel-lighten-2; padding-top: 1; }
.action-row-title { color: $primary; text-style: bold; height: 1; }
#add-action { margin: 0 0 1 32; }
"""
)


def _people(session: Session, include: int | None = None) -> list[tuple[Text, int | None]]:
    """Active people as Select options (Text: names are never read as markup)."""
    from isms_tui.services import workspace

    return [
        (Text(p.name), p.id)
        for p in workspace.list_people(session, include_inactive=True)
        if p.active or p.id == include
    ]


class ReviewForm(FormModal[int]):
    """Plan a review (or edit a review not yet approved); dismisses with its id."""

    HELP = (
        "Plan a management review (9.3.1): its title, the day it is planned for, the period it covers and who"
        " chairs it."
    )

    DEFAULT_CSS = REVIEW_FORM_CSS

    def __init__(self, review_id: int | None = None) -> None:
        super().__init__()
        from isms_tui.services import review, review_records
        from isms_tui.services.review import ReviewInput

        self.review_id = review_id
        today = clock.today()
        with workspace_session(self) as session:
            if review_id is None:
                earlier = review_records.list_reviews(session)
                planned = today + timedelta(days=28)
                # Continue where the last review's period ended, else cover the last twelve months.
                after_last = max((r.period_to for r in earlier), default=None)
                start = (
                    after_last + timedelta(days=1)
                    if after_last and after_last < today
                    else _year_before(today) + timedelta(days=1)
                )
                self.data = ReviewInput(
                    f"Management review {calendar.month_name[planned.month]} {planned.year}",
                    planned,
                    start,
                    today,
                    _default_chair(session),
                )
            else:
                r = review.get_review(session, review_id)
                self.data = ReviewInput(r.title, r.planned_on, r.period_from, r.period_to, r.chair_id)
            self.people = _people(session, self.data.chair_id)
        self.form_title = "Plan a management review" if review_id is None else "Edit the management review"

    def fields(self) -> Iterable[Widget]:
        d = self.data
        yield FormField("Title", Input(d.title), key="title")
        yield FormField("Planned on (YYYY-MM-DD)", Input(_iso(d.planned_on)), key="planned_on")
        yield FormField(
            "Period from (YYYY-MM-DD)",
            Input(_iso(d.period_from)),
            key="period_from",
            hint="The inputs are assembled from the workspace's data for this period.",
        )
        yield FormField("Period to (YYYY-MM-DD)", Input(_iso(d.period_to)), key="period_to")
        yield FormField(
            "Chair",
            person_select(self.people, d.chair_id, prompt="nobody yet"),
            key="chair_id",
            hint="Top management: whoever chairs the review and approves its minutes.",
        )

    def on_mount(self) -> None:
        self.query_one("#field-title", FormField).control.focus()

    def submit(self) -> int:
        from isms_tui.services import review
        from isms_tui.services.review import ReviewInput

        errors: dict[str, str] = {}

        def day(key: str) -> date | None:
            return parse_date(self.value(key), key, errors, required=True)

        data = ReviewInput(
            self.value("title"), day("planned_on"), day("period_from"), day("period_to"), self.value("chair_id")
        )
        with workspace_session(self) as session, merging_field_errors(errors):
            saved = review.save_review(session, data, self.review_id)
        return require_id(saved)


class EntryForm(FormModal[int]):
    """A structured entry for an input whose facts live elsewhere (b, c, e, f, g), with files."""

    HELP = "An entry for a review input whose facts live elsewhere (b, c, e, f, g), with its source and files."

    DEFAULT_CSS = REVIEW_FORM_CSS

    def __init__(self, review_id: int, section: str) -> None:
        super().__init__()
        from isms_tui.services.review import SECTION_TITLES

        self.review_id, self.section = review_id, section
        self.form_title = f"New entry for {section}) {SECTION_TITLES[section]}"

    def fields(self) -> Iterable[Widget]:
        yield FormField("Title", Input(""), key="title")
        yield FormField("Detail", notes_area(""), key="detail")
        yield FormField("Source", Input("", placeholder="a register, a survey, a client, a report…"), key="source")
        yield FormField(
            "Evidence files",
            Input("", placeholder="Paths separated by ';'"),
            key="evidence",
            hint="Copied into the workspace's evidence store and frozen with the review.",
        )

    def submit(self) -> int:
        from isms_tui.services import review

        errors: dict[str, str] = {}
        with workspace_session(self) as session:
            try:
                entry = review.add_entry(
                    session,
                    self.review_id,
                    self.section,
                    self.value("title"),
                    self.value("detail"),
                    self.value("source"),
                )
            except InputError as exc:
                raise InputError(str(exc), exc.fields) from None
            paths = split_paths(self.value("evidence"))
            attach_evidence(session, paths, current_actor(self), review.ENTRY_EVIDENCE, require_id(entry), errors)
            if errors:
                raise InputError(errors["evidence"], errors)  # nothing is saved: the entry rolls back too
            return require_id(entry)


class CommentaryForm(FormModal[str]):
    """Management's commentary and discussion on one input; dismisses with the text saved."""

    HELP = "Management's commentary and discussion on one review input."

    DEFAULT_CSS = (
        REVIEW_FORM_CSS
        + """
    CommentaryForm FormField .field-row > TextArea { height: 10; }
    """
    )

    def __init__(self, review_id: int, section: str, current: str) -> None:
        super().__init__()
        from isms_tui.services.review import SECTION_TITLES

        self.review_id, self.section, self.current = review_id, section, current
        self.form_title = f"Commentary on {section}) {SECTION_TITLES[section]}"

    def fields(self) -> Iterable[Widget]:
        yield FormField(
            "Commentary",
            notes_area(self.current),
            key="commentary",
            hint="What management concluded on this input; empty removes the commentary.",
        )

    def submit(self) -> str:
        from isms_tui.services import review

        with workspace_session(self) as session:
            return review.set_commentary(session, self.review_id, self.section, self.value("commentary")).commentary


@dataclass(frozen=True)
class _ActionRow:
    index: int
    title: str
    owner_id: int | None
    due_text: str


class DecisionForm(FormModal[int]):
    """An output of 9.3.3 with one or more actions (owner, due date) for the shared register."""

    HELP = "A review output (9.3.3): a decision of its kind, with actions for the shared register."

    DEFAULT_CSS = REVIEW_FORM_CSS
    BINDINGS = [Binding("ctrl+n", "add_action", "Another action", priority=True)]

    def __init__(self, review_id: int) -> None:
        super().__init__()
        self.review_id = review_id
        self.rows = 1
        with workspace_session(self) as session:
            self.people = _people(session)
        self.form_title = "Record a decision and its actions"

    def fields(self) -> Iterable[Widget]:
        yield FormField(
            "Kind",
            Select([(k.value, k) for k in DecisionKind], prompt="choose the kind"),
            key="kind",
            hint="Continual improvement, a change to the ISMS, or a resource need (9.3.3): always chosen.",
        )
        yield FormField("Decision", notes_area(""), key="text")
        yield self._action_row(0)
        yield Button("Add another action  ctrl+n", id="add-action")

    def _action_row(self, i: int) -> Vertical:
        return Vertical(
            Static(f"Action {i + 1}", classes="action-row-title", markup=False),
            FormField("Action", Input("", placeholder="What is to be done"), key=f"a{i}_title"),
            FormField("Owner", person_select(self.people, prompt="who"), key=f"a{i}_owner"),
            FormField("Due date (YYYY-MM-DD)", Input("", placeholder="YYYY-MM-DD"), key=f"a{i}_due"),
            classes="action-row",
            id=f"action-row-{i}",
        )

    def on_mount(self) -> None:
        self.query_one("#field-kind", FormField).control.focus()

    @on(Button.Pressed, "#add-action")
    async def _add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.action_add_action()

    async def action_add_action(self) -> None:
        row = self._action_row(self.rows)
        self.rows += 1
        await self.query_one("#form-fields").mount(row, before="#add-action")
        row.query_one(FormField).control.focus()
        row.scroll_visible()

    def _rows(self) -> list[_ActionRow]:
        """The action rows the user filled in at all (blank rows are ignored)."""
        out = []
        for i in range(self.rows):
            row = _ActionRow(
                i, self.value(f"a{i}_title").strip(), self.value(f"a{i}_owner"), self.value(f"a{i}_due").strip()
            )
            if row.title or row.owner_id is not None or row.due_text:
                out.append(row)
        return out

    def submit(self) -> int:
        from isms_tui.services import review
        from isms_tui.services.actions import ActionInput

        errors: dict[str, str] = {}
        rows = self._rows()
        data = [
            ActionInput(r.title, r.owner_id, parse_date(r.due_text, f"a{r.index}_due", errors, required=False))
            for r in rows
        ]
        with workspace_session(self) as session:
            try:
                decision = review.add_decision(session, self.review_id, self.value("kind"), self.value("text"), data)
            except InputError as exc:
                raise with_field_errors(_located(exc, rows, data), errors) from None
            if errors:
                raise fields_error(errors)
            return require_id(decision)


def _located(exc: InputError, rows: list[_ActionRow], data: list[ActionInput]) -> InputError:
    """Point the service's action errors (title, owner, due date) at the row they concern."""
    fields = dict(exc.fields)
    checks: tuple[tuple[str, str, Callable[[ActionInput], bool]], ...] = (
        ("owner_id", "owner", lambda a: a.owner_id is None or a.due_date is None),
        ("due_date", "due", lambda a: a.owner_id is None or a.due_date is None),
        ("title", "title", lambda a: not a.title),
    )
    for key, suffix, missing in checks:
        if key in fields:
            hit = next((r for r, a in zip(rows, data, strict=True) if missing(a)), None)
            if hit is not None:
                fields[f"a{hit.index}_{suffix}"] = fields.pop(key)
    return InputError(str(exc), fields)


def _year_before(day: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _default_chair(session: Session) -> int | None:
    """Whoever is responsible for the management review, else for top management."""
    from isms_tui.services import workspace

    people = workspace.list_people(session)
    for area in ("Management review", "Top management"):
        found = next((p.id for p in people if area in (p.areas or [])), None)
        if found is not None:
            return found
    return None
