"""Pilot flows over the 9.3 screens, asserting on the database: a review from planning to
approval through the forms, and the refusal of every edit key once it is approved."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from sqlmodel import select
from textual.widgets import Checkbox, DataTable, Input, Select, Static, TextArea

from isms_tui.models import (
    Action,
    ActionStatus,
    Attendance,
    ConclusionAspect,
    DecisionKind,
    ManagementReview,
    ReviewAttendee,
    ReviewConclusion,
    ReviewDecision,
    ReviewEntry,
    ReviewNote,
    ReviewStatus,
    Verdict,
)
from isms_tui.models.review import FROZEN
from isms_tui.screens.review_meeting import AttendeeRow
from isms_tui.services.review_people import AttendeeInput

from .conftest import TODAY
from .db_helpers import read
from .review_seed import seed_people, seed_reviews
from .tui_helpers import make_app, notifications, opened, wait_for

SIZE = (120, 40)


def screen_name(app) -> str:
    return type(app.screen).__name__


def message(app) -> str:
    return str(app.screen.query_one("#prep-message", Static).render())


def plain(static: Static, width: int = 160) -> str:
    """What a Static shows, as plain text (its content may be any Rich renderable)."""
    console = Console(width=width, color_system=None)
    with console.capture() as captured:
        console.print(static.content)
    return captured.get()


def control(app, key: str):
    return app.screen.query_one(f"#field-{key}").control


async def fill(pilot, values: dict[str, object]) -> None:
    """Set form controls by field key: text for inputs and text areas, a value for selects."""
    for key, value in values.items():
        widget = control(pilot.app, key)
        if isinstance(widget, TextArea):
            widget.text = str(value)
        elif isinstance(widget, Select):
            widget.value = value
        else:
            assert isinstance(widget, Input)
            widget.value = str(value)
    await pilot.pause()


async def save(pilot, expect_screen: str = "ReviewPrepareScreen") -> None:
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: screen_name(pilot.app) == expect_screen)
    await pilot.pause()


async def open_reviews(pilot):
    app = await opened(pilot)
    await pilot.press("v")
    await wait_for(pilot, lambda: app.current_mode == "review" and app.screen.summary != {})
    await pilot.pause()
    return app


async def loaded(pilot, predicate=lambda data: True) -> None:
    """Wait until the preparation screen has (re)loaded data satisfying `predicate`."""
    app = pilot.app
    await wait_for(
        pilot,
        lambda: (
            screen_name(app) == "ReviewPrepareScreen" and app.screen.data is not None and predicate(app.screen.data)
        ),
    )
    await pilot.pause()


async def open_review(pilot, review_id: int):
    app = await open_reviews(pilot)
    table = app.screen.query_one("#reviews", DataTable)
    table.move_cursor(row=table.get_row_index(str(review_id)))
    await pilot.press("enter")
    await loaded(pilot)
    return app


async def select_input(pilot, key: str) -> None:
    inputs = pilot.app.screen.query_one("#inputs")
    inputs.focus()
    inputs.highlighted = inputs.get_option_index(key)
    await pilot.pause()
    assert pilot.app.screen.section == key


async def test_from_preparation_to_approval(db_path):
    ids = seed_people(db_path)
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        app = await open_reviews(pilot)
        assert "No management review yet" in str(app.screen.query_one("#reviews-summary", Static).render())

        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "ReviewForm")
        await fill(
            pilot,
            {
                "title": "Review [2026]",
                "planned_on": "2026-12-01",
                "period_from": "2025-12-01",
                "period_to": "2026-11-28",
                "chair_id": ids["bea"],
            },
        )
        await save(pilot)
        await loaded(pilot)
        [r] = read(db_path, lambda s: s.exec(select(ManagementReview)).all())
        assert (r.title, r.planned_on, r.period_from, r.period_to, r.chair_id, r.status) == (
            "Review [2026]",
            date(2026, 12, 1),
            date(2025, 12, 1),
            TODAY,
            ids["bea"],
            ReviewStatus.DRAFT,
        )
        assert "first management review" in str(app.screen.query_one("#input-data", Static).render())

        # b) an entry, with brackets that must stay text
        await select_input(pilot, "b")
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "EntryForm")
        await fill(
            pilot,
            {"title": "NIS2 [scope] change", "detail": "Clients are essential entities.", "source": "Counsel [memo]"},
        )
        await save(pilot)
        await loaded(pilot, lambda d: len(d.section("b")["entries"]) == 1)
        [entry] = read(db_path, lambda s: s.exec(select(ReviewEntry)).all())
        assert (entry.review_id, entry.section, entry.title, entry.source) == (
            r.id,
            "b",
            "NIS2 [scope] change",
            "Counsel [memo]",
        )
        assert app.screen.query_one("#entries", DataTable).row_count == 1

        # a) commentary, first on the agenda
        await select_input(pilot, "a")
        await pilot.press("e")
        await wait_for(pilot, lambda: screen_name(app) == "CommentaryForm")
        await fill(pilot, {"commentary": "Nothing to follow up [first review]."})
        await save(pilot)
        await loaded(pilot, lambda d: d.section("a")["commentary"] != "")
        [note] = read(db_path, lambda s: s.exec(select(ReviewNote)).all())
        assert (note.section, note.commentary) == ("a", "Nothing to follow up [first review].")

        # decisions wait for the meeting
        await pilot.press("o")
        assert screen_name(app) == "ReviewPrepareScreen"
        assert "once the review has been held" in message(app)

        # hold: the date and each person's part; the chair comes prefilled as top management
        await pilot.press("h")
        await wait_for(pilot, lambda: screen_name(app) == "HoldForm")
        assert control(app, "held_on").value == TODAY.isoformat()
        bea = app.screen.query_one(f"#attendee-{ids['bea']}", AttendeeRow)
        assert bea.value == AttendeeInput(ids["bea"], "chair", True, Attendance.PRESENT)
        bea.query_one(Checkbox).value = False  # first recorded without anyone as top management
        ann = app.screen.query_one(f"#attendee-{ids['ann']}", AttendeeRow)
        assert ann.value is None  # not there unless chosen
        ann.query_one(Select).value = Attendance.PRESENT
        ann.query_one(Input).value = "secretary [minutes]"
        app.screen.query_one(f"#attendee-{ids['olly']}", AttendeeRow).query_one(Select).value = Attendance.APOLOGIES
        await save(pilot)
        await loaded(pilot, lambda d: d.status == "held")
        held = read(db_path, lambda s: s.get(ManagementReview, r.id))
        assert (held.status, held.held_on) == (ReviewStatus.HELD, TODAY)
        rows = read(
            db_path,
            lambda s: [
                (a.person_id, a.meeting_role, a.top_management, a.attendance) for a in s.exec(select(ReviewAttendee))
            ],
        )
        assert rows == [
            (ids["bea"], "chair", False, Attendance.PRESENT),
            (ids["ann"], "secretary [minutes]", False, Attendance.PRESENT),
            (ids["olly"], "", False, Attendance.APOLOGIES),
        ]
        assert app.screen.section == "out"
        pane = plain(app.screen.query_one("#input-data", Static))
        assert "Present: Bea Boss · chair, Ann Officer · secretary [minutes]" in pane
        assert "Apologies: Olly Ops" in pane and "t records top management's conclusions" in pane

        # the kind of a decision is always chosen: none is assumed
        await pilot.press("o")
        await wait_for(pilot, lambda: screen_name(app) == "DecisionForm")
        assert control(app, "kind").value is Select.NULL
        await fill(pilot, {"text": "Keep the scope as it is."})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen_name(app) == "DecisionForm"
        assert app.screen.query_one("#field-kind").has_class("-invalid")
        await pilot.press("escape")
        await loaded(pilot)

        # a decision with one action: the owner is missing first, then given
        await pilot.press("o")
        await wait_for(pilot, lambda: screen_name(app) == "DecisionForm")
        await fill(
            pilot,
            {
                "kind": DecisionKind.RESOURCES,
                "text": "Hire a security engineer [0.5 FTE].",
                "a0_title": "Recruit the engineer",
                "a0_due": "2027-03-31",
            },
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen_name(app) == "DecisionForm"
        assert app.screen.query_one("#field-a0_owner").has_class("-invalid")
        assert read(db_path, lambda s: s.exec(select(ReviewDecision)).all()) == []
        await fill(pilot, {"a0_owner": ids["olly"]})
        await save(pilot)
        await loaded(pilot, lambda d: len(d.record["decisions"]) == 1)
        [decision] = read(db_path, lambda s: s.exec(select(ReviewDecision)).all())
        assert (decision.kind, decision.text) == (DecisionKind.RESOURCES, "Hire a security engineer [0.5 FTE].")
        [action] = read(db_path, lambda s: s.exec(select(Action)).all())
        assert (action.source, action.source_id, action.title, action.owner_id, action.due_date, action.status) == (
            "review",
            decision.id,
            "Recruit the engineer",
            ids["olly"],
            date(2027, 3, 31),
            ActionStatus.OPEN,
        )

        # approval is refused without a top-management attendee and top management's conclusions
        await pilot.press("A")
        await pilot.pause()
        assert screen_name(app) == "ReviewPrepareScreen"
        assert "No attendee present is marked as top management" in message(app)
        assert "conclusion on suitability, adequacy, effectiveness" in message(app)

        # the chair attends as top management after all
        await pilot.press("h")
        await wait_for(pilot, lambda: screen_name(app) == "HoldForm")
        app.screen.query_one(f"#attendee-{ids['bea']}", AttendeeRow).query_one(Checkbox).value = True
        await save(pilot)
        await loaded(pilot, lambda d: d.record["review"]["attendees"][0]["top_management"])

        # top management's conclusions: a verdict and a reason for each
        await pilot.press("t")
        await wait_for(pilot, lambda: screen_name(app) == "ConclusionsForm")
        await fill(
            pilot,
            {
                "suitability_verdict": Verdict.PARTLY,
                "suitability_rationale": "NIS2 must come into scope [clients].",
                "adequacy_verdict": Verdict.YES,
                "effectiveness_verdict": Verdict.YES,
                "effectiveness_rationale": "Targets met.",
            },
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen_name(app) == "ConclusionsForm"
        assert app.screen.query_one("#field-adequacy_rationale").has_class("-invalid")
        assert read(db_path, lambda s: s.exec(select(ReviewConclusion)).all()) == []
        await fill(pilot, {"adequacy_rationale": "Budget and people suffice."})
        await save(pilot)
        await loaded(pilot, lambda d: len(d.record["conclusions"]) == 3)
        stored = read(db_path, lambda s: [(c.aspect, c.verdict) for c in s.exec(select(ReviewConclusion))])
        assert stored == [
            (ConclusionAspect.SUITABILITY, Verdict.PARTLY),
            (ConclusionAspect.ADEQUACY, Verdict.YES),
            (ConclusionAspect.EFFECTIVENESS, Verdict.YES),
        ]

        # approve: offered only to top-management attendees, the chair by default; frozen with its hash
        await pilot.press("A")
        await wait_for(pilot, lambda: screen_name(app) == "ApproveForm")
        approver = control(app, "approved_by")
        assert approver.value == ids["bea"]
        assert [str(label) for label, _ in approver._options if _ is not Select.NULL] == ["Bea Boss"]
        assert "Bea Boss approves these minutes" in str(app.screen.query_one("#approve-consequence").render())
        await save(pilot)
        await loaded(pilot, lambda d: d.status == "approved")
        approved = read(db_path, lambda s: s.get(ManagementReview, r.id))
        assert approved.status == ReviewStatus.APPROVED
        assert (approved.approved_by, approved.approved_by_id) == ("Bea Boss", ids["bea"])
        assert len(approved.snapshot_sha256) == 64 and "NIS2 [scope] change" in approved.snapshot
        assert "NIS2 must come into scope [clients]." in approved.snapshot
        head = plain(app.screen.query_one("#review-head", Static))
        assert head.startswith(f"#{r.id} ")
        assert "frozen" in head and approved.snapshot_sha256 in head and "Approved by Bea Boss" in head


async def test_every_edit_key_is_refused_after_approval(db_path):
    ids = seed_reviews(db_path)

    def state(s):
        r = s.get(ManagementReview, ids["last"])
        return (
            r.title,
            r.status,
            r.held_on,
            r.approved_by_id,
            r.snapshot_sha256,
            sorted((a.person_id, a.top_management, a.attendance) for a in s.exec(select(ReviewAttendee))),
            sorted((c.aspect, c.verdict, c.rationale) for c in s.exec(select(ReviewConclusion))),
            sorted((n.section, n.commentary) for n in s.exec(select(ReviewNote))),
            sorted((e.id, e.title) for e in s.exec(select(ReviewEntry))),
            len(s.exec(select(ReviewDecision)).all()),
            len(s.exec(select(Action)).all()),
        )

    before = read(db_path, state)
    app = make_app(db_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app = await open_review(pilot, ids["last"])
        assert app.screen.data.status == "approved"
        await select_input(pilot, "b")
        for key in ("n", "x", "e", "h", "t", "o", "A"):
            app.screen.query_one("#prep-message", Static).update("")
            await pilot.press(key)
            await pilot.pause()
            assert screen_name(app) == "ReviewPrepareScreen", key  # no form was opened
            assert message(app) == FROZEN, key
        assert any(n.message == FROZEN for n in notifications(app))
        # the minutes still open (reading is not editing)
        await pilot.press("M")
        await wait_for(pilot, lambda: screen_name(app) == "ReviewMinutesScreen" and app.screen.record is not None)
    assert read(db_path, state) == before


async def test_editing_an_approved_review_from_the_list_is_refused(db_path):
    ids = seed_reviews(db_path)
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        app = await open_reviews(pilot)
        table = app.screen.query_one("#reviews", DataTable)
        assert [k.value for k in table.rows] == [str(ids["current"]), str(ids["last"])]  # newest first
        # The first column is the number `isms pack --review` takes; the summary names reviews by it.
        assert [str(table.get_row_at(i)[0]) for i in range(2)] == [str(ids["current"]), str(ids["last"])]
        summary_line = str(app.screen.query_one("#reviews-summary", Static).render())
        assert f"(#{ids['last']} " in summary_line and f"(#{ids['current']} " in summary_line
        table.move_cursor(row=1)
        await pilot.press("e")
        await pilot.pause()
        assert screen_name(app) == "ReviewsScreen"
        assert str(app.screen.query_one("#reviews-message", Static).render()) == FROZEN
        table.move_cursor(row=0)
        await pilot.press("e")
        await wait_for(pilot, lambda: screen_name(app) == "ReviewForm")
        assert control(app, "title").value == "Management review 2026"


async def test_entries_are_deleted_after_confirmation_and_only_in_entry_inputs(db_path):
    ids = seed_reviews(db_path)
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        app = await open_review(pilot, ids["current"])
        await select_input(pilot, "d2")
        await pilot.press("n")
        await pilot.pause()
        assert screen_name(app) == "ReviewPrepareScreen"
        assert "assembled from the workspace" in message(app)
        await select_input(pilot, "b")
        await pilot.press("x")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmModal")
        await pilot.press("n")  # no: nothing happens
        await pilot.pause()
        assert (
            read(
                db_path, lambda s: len(s.exec(select(ReviewEntry).where(ReviewEntry.review_id == ids["current"])).all())
            )
            == 1
        )
        await pilot.press("x")
        await wait_for(pilot, lambda: screen_name(app) == "ConfirmModal")
        await pilot.press("y")
        await loaded(pilot, lambda d: d.section("b")["entries"] == [])
    assert (
        read(db_path, lambda s: s.exec(select(ReviewEntry).where(ReviewEntry.review_id == ids["current"])).all()) == []
    )


async def test_minutes_show_the_frozen_record_and_the_actions_now(db_path):
    ids = seed_reviews(db_path)
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        app = await open_reviews(pilot)
        table = app.screen.query_one("#reviews", DataTable)
        table.move_cursor(row=table.get_row_index(str(ids["last"])))
        await pilot.press("M")
        await wait_for(pilot, lambda: screen_name(app) == "ReviewMinutesScreen" and app.screen.record is not None)
        await pilot.pause()
        text = plain(app.screen.query_one("#minutes", Static))
        sha = read(db_path, lambda s: s.get(ManagementReview, ids["last"]).snapshot_sha256)
        assert sha in text and "Present: Bea Boss · chair [CEO] · top management, Ann Officer · secretary" in text
        assert "Apologies: Olly Ops" in text and "Approved          by Bea Boss on 2025-12-10" in text
        assert "Top management's conclusions on the ISMS (9.3)" in text
        assert "Continuing suitability partly NIS2 must come into scope [clients]." in text
        assert "Effectiveness          yes    Targets met; audit findings corrected." in text
        assert "NIS2 applies to us [via clients]" in text and "nis2-memo.txt" in text
        assert "Bring NIS2 into scope [before the audit]." in text
        assert "Update scope and SoA [NIS2]" in text and "in progress · overdue" in text  # its status now
