"""The meeting of a management review (9.3): who took part, top management's conclusions on the
ISMS, and approval of the minutes by a top-management attendee.

Forms only turn what was typed or chosen into values; the rules (somebody present, three
conclusions with reasons, who may approve) live in services/review_people.py and
services/review.py, whose per-field errors are shown under the fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Select, Static

from isms_tui.models.enums import Attendance, ConclusionAspect, Verdict
from isms_tui.services import clock
from isms_tui.services.form_values import parse_date
from isms_tui.widgets.form import FormField, FormModal, person_select
from isms_tui.widgets.form_parts import FORM_CONTEXT_CSS, FORM_CSS, merging_field_errors, notes_area
from isms_tui.widgets.tickbox import TickBox

from .base import workspace_session

if TYPE_CHECKING:
    from isms_tui.services.review_people import AttendeeInput

MEETING_CSS = (
    FORM_CSS
    + FORM_CONTEXT_CSS
    + """
HoldForm > #form-box { width: 112; }
HoldForm FormField .field-label { width: 22; }
AttendeeRow { height: auto; width: 1fr; }
AttendeeRow > Select { width: 16; }
AttendeeRow > Checkbox { width: 20; padding: 0; border: none; height: 1; }
AttendeeRow > Input { width: 1fr; background: $boost; }
AttendeeRow > Input:focus { background: $primary 25%; }
"""
)


class AttendeeRow(Horizontal):
    """One person's line of the attendance: present or apologies, top management, role."""

    def __init__(self, person_id: int, attendance: Attendance | None, top: bool, role: str) -> None:
        super().__init__(id=f"attendee-{person_id}")
        self.person_id = person_id
        self._attendance, self._top, self._role = attendance, top, role

    def compose(self) -> ComposeResult:
        choice: Select[Attendance] = Select(
            [(a.value, a) for a in Attendance],
            value=self._attendance if self._attendance is not None else Select.NULL,
            prompt="not there",
            compact=True,
        )
        yield choice
        yield TickBox("top management", self._top, compact=True)
        yield Input(self._role, placeholder="role at the meeting", compact=True)

    @property
    def value(self) -> AttendeeInput | None:
        """The row as an attendee, or None for somebody who was not there at all."""
        from isms_tui.services.review_people import AttendeeInput

        choice = self.query_one(Select).value
        if choice is Select.NULL:
            return None
        return AttendeeInput(
            self.person_id,
            self.query_one(Input).value,
            self.query_one(Checkbox).value,
            Attendance(str(choice)),
        )


class HoldForm(FormModal[int]):
    """Record that the review took place: the day, and each person's part in it."""

    HELP = "Record that the review took place: the day, and who attended, in which role, as top management or not."

    DEFAULT_CSS = MEETING_CSS

    def __init__(self, review_id: int) -> None:
        super().__init__()
        from isms_tui.services import review, review_people, workspace

        self.review_id = review_id
        with workspace_session(self) as session:
            r = review.get_review(session, review_id)
            self.held_on = r.held_on or min(r.planned_on, clock.today())
            recorded = {a.person_id: a for a in review_people.attendees(session, review_id)}
            people = [p for p in workspace.list_people(session, include_inactive=True) if p.active or p.id in recorded]
            # The chair first, then those recorded, then everyone else: ticking is quicker than typing.
            people.sort(key=lambda p: (p.id != r.chair_id, p.id not in recorded, p.name))
            self.rows: list[tuple[int, str, Attendance | None, bool, str]] = []
            for p in people:
                assert p.id is not None
                a = recorded.get(p.id)
                if a is not None:
                    self.rows.append((p.id, p.name, a.attendance, a.top_management, a.meeting_role))
                elif p.id == r.chair_id and not recorded:
                    self.rows.append((p.id, p.name, Attendance.PRESENT, True, "chair"))
                else:
                    top = "Top management" in (p.areas or [])
                    self.rows.append((p.id, p.name, None, top, ""))
            self.form_title = f"Hold {r.title}"

    def fields(self) -> Iterable[Widget]:
        yield FormField("Held on (YYYY-MM-DD)", Input(self.held_on.isoformat()), key="held_on")
        yield Static(
            "For each person: present or apologies (leave 'not there' for those not invited), whether they "
            "attend as top management (only they may approve the minutes), and their role at the meeting.",
            classes="form-context",
            markup=False,
        )
        for person_id, name, attendance, top, role in self.rows:
            yield FormField(name, AttendeeRow(person_id, attendance, top, role), key=f"p{person_id}")

    def attendance(self) -> list[AttendeeInput]:
        return [row.value for row in self.query(AttendeeRow) if row.value is not None]

    def submit(self) -> int:
        from isms_tui.services import review

        errors: dict[str, str] = {}
        held_on = parse_date(self.value("held_on"), "held_on", errors, required=True)
        with workspace_session(self) as session, merging_field_errors(errors):
            if held_on is not None:
                review.hold(session, self.review_id, held_on, self.attendance())
            elif not self.attendance():
                errors["attendees"] = "Who attended?"
        return self.review_id


class ConclusionsForm(FormModal[int]):
    """Top management's conclusions on the ISMS's suitability, adequacy and effectiveness."""

    HELP = (
        "Top management's conclusions (9.3.3): is the ISMS suitable, adequate and effective (yes, partly or "
        "no, and why)."
    )

    DEFAULT_CSS = MEETING_CSS + "ConclusionsForm FormField .field-row > TextArea { height: 4; }"

    def __init__(self, review_id: int) -> None:
        super().__init__()
        from isms_tui.services import review, review_people

        self.review_id = review_id
        with workspace_session(self) as session:
            r = review.get_review(session, review_id)
            self.stored = {
                a: (c.verdict, c.rationale) for a, c in review_people.conclusions(session, review_id).items()
            }
            self.form_title = f"Top management's conclusions · {r.title}"
        self.questions = review_people.ASPECT_QUESTIONS

    def fields(self) -> Iterable[Widget]:
        for aspect in ConclusionAspect:
            verdict, rationale = self.stored.get(aspect, (None, ""))
            key = aspect.value
            yield FormField(
                f"{key.capitalize()}",
                Select(
                    [(v.value, v) for v in Verdict],
                    value=verdict if verdict is not None else Select.NULL,
                    prompt="choose",
                ),
                key=f"{key}_verdict",
                hint=self.questions[aspect],
            )
            yield FormField("Why", notes_area(rationale), key=f"{key}_rationale")

    def submit(self) -> int:
        from isms_tui.services import review
        from isms_tui.services.review_people import ConclusionInput

        data = [
            ConclusionInput(a, self.value(f"{a.value}_verdict"), self.value(f"{a.value}_rationale"))
            for a in ConclusionAspect
        ]
        with workspace_session(self) as session:
            review.conclude(session, self.review_id, data)
        return self.review_id


class ApproveForm(FormModal[str]):
    """Approve the minutes: a top-management attendee approves; the record is then frozen."""

    HELP = "Approve the minutes: a present top-management attendee approves, and the record is frozen."

    DEFAULT_CSS = MEETING_CSS

    def __init__(self, review_id: int) -> None:
        super().__init__()
        from isms_tui.services import review, review_people

        self.review_id = review_id
        with workspace_session(self) as session:
            r = review.get_review(session, review_id)
            self.title_text = r.title
            self.approvers = [(Text(p.name), p.id) for p in review_people.approvers(session, review_id)]
            chair = next((pid for _, pid in self.approvers if pid == r.chair_id), None)
            self.names = {pid: str(name) for name, pid in self.approvers}
        self.approver = chair if chair is not None else (self.approvers[0][1] if len(self.approvers) == 1 else None)
        self.form_title = f"Approve the minutes of {self.title_text}"

    def fields(self) -> Iterable[Widget]:
        yield Static(self._consequence(self.approver), id="approve-consequence", classes="form-context", markup=False)
        yield FormField(
            "Approved by",
            person_select(self.approvers, self.approver, prompt="a top-management attendee"),
            key="approved_by",
            hint="Only attendees who were present as top management are offered.",
        )

    def on_mount(self) -> None:
        self.query_one("#form-save", Button).label = "Approve  ctrl+s"

    def _consequence(self, person_id: int | None) -> str:
        who = self.names.get(person_id, "Nobody yet") if person_id is not None else "Nobody yet"
        return (
            f"{who} approves these minutes. The record, the attendance, the conclusions, the inputs as "
            "assembled now, the commentary, the decisions and their actions are frozen with a SHA-256 and "
            "can no longer change."
        )

    @on(Select.Changed, "#field-approved_by Select")
    def _approver_changed(self, event: Select.Changed) -> None:
        value = None if event.value is Select.NULL else event.value
        self.query_one("#approve-consequence", Static).update(self._consequence(value))  # type: ignore[arg-type]

    def submit(self) -> str:
        from isms_tui.services import review

        with workspace_session(self) as session:
            return str(review.approve(session, self.review_id, self.value("approved_by")).snapshot_sha256)
