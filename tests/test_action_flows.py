"""Pilot flows over the action register (10.2), asserting on the database."""

from __future__ import annotations

from datetime import date, timedelta

from textual.widgets import Button, DataTable, Input, Select, Static, TextArea

from isms_tui.models import Action, ActionStatus, Effectiveness, Grading
from isms_tui.services import actions, audits, checklists, workspace
from isms_tui.services.actions import ActionInput
from isms_tui.services.audits import AuditInput

from .conftest import TODAY
from .db_helpers import read, workspace_session, write
from .tui_helpers import make_app, notifications, opened, type_into, wait_for

SIZE = (120, 40)


def seed(db_path) -> dict[str, int]:
    """A workspace with an audit in progress, a minor NC (its action has no root cause yet)."""
    with workspace_session(db_path, "seed") as s:
        workspace.save_workspace(s, "Acme Ltd", "All information systems")
        ann = workspace.save_person(s, "Ann Auditor", areas=["Internal audit"]).id
        bob = workspace.save_person(s, "Bob Owner", areas=["IT operations"]).id
        audit = audits.plan_audit(
            s,
            AuditInput(
                title="Operations audit",
                planned_start=date(2026, 11, 2),
                planned_end=date(2026, 11, 4),
                template=checklists.BUILTIN_ANNEX_A,
                scope_refs=["A.8.13"],
                lead_auditor_id=ann,
            ),
        )
        audits.start_audit(s, audit.id)
        finding = audits.raise_finding(
            s, audit.id, Grading.MINOR_NC, "HR backups were never [restore]-tested.", ref="A.8.13"
        )
        action = audits.action_for_finding(s, finding.id)
        actions.update_action(
            s, action, ActionInput(title=action.title, owner_id=bob, due_date=TODAY - timedelta(days=5))
        )
        return {"ann": ann, "bob": bob, "audit": audit.id, "action": action.id}


def load_action(db_path, action_id: int) -> Action:
    return read(db_path, lambda s: actions.get_action(s, action_id))


def all_actions(db_path) -> list[Action]:
    return read(db_path, actions.list_actions)


async def open_register(pilot) -> DataTable:
    app = await opened(pilot)
    await pilot.press("c")
    await opened(pilot, "actions")
    table = app.screen.query_one("#actions", DataTable)
    await wait_for(pilot, lambda: table.row_count > 0)
    return table


async def select_action(pilot, table: DataTable, action_id: int) -> None:
    keys = [k.value for k in table.rows]
    table.move_cursor(row=keys.index(str(action_id)))
    table.focus()
    await pilot.pause()


async def reload_register(pilot, table: DataTable, predicate) -> None:
    """Wait for the register's worker to show the database's new state."""
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ActionsScreen")
    await wait_for(pilot, predicate)


def notes(app) -> list[str]:
    return [str(n.message) for n in notifications(app)]


async def test_create_and_edit_an_action_through_the_form(db_path):
    ids = seed(db_path)
    async with make_app(db_path).run_test(size=SIZE, notifications=True) as pilot:
        app = pilot.app
        table = await open_register(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ActionForm")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "needs a title" in str(app.screen.query_one("#form-message", Static).render())
        await type_into(pilot, "#field-title Input", "Review <supplier> [red]list[/red]")
        app.screen.query_one("#field-owner_id Select", Select).value = ids["bob"]
        await type_into(pilot, "#field-due_date Input", "2026-13-01")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "ActionForm"  # a bad date keeps the form open, nothing saved
        assert len(all_actions(db_path)) == 1
        await type_into(pilot, "#field-due_date Input", "2027-01-31")
        await pilot.press("ctrl+s")
        await reload_register(pilot, table, lambda: table.row_count == 2)
        new = next(a for a in all_actions(db_path) if a.id != ids["action"])
        assert (new.source, new.source_id, new.title, new.owner_id, new.due_date, new.status) == (
            "other",
            None,
            "Review <supplier> [red]list[/red]",
            ids["bob"],
            date(2027, 1, 31),
            ActionStatus.OPEN,
        )
        # the cursor lands on the new action and its title shows as typed, brackets included
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == str(new.id)
        assert "[red]list[/red]" in str(app.screen.query_one("#action-detail", Static).render())

        await select_action(pilot, table, ids["action"])
        detail = str(app.screen.query_one("#action-detail", Static).render())
        assert detail.startswith(f"#{ids['action']} ") and f"audit #{ids['audit']} " in detail  # numbers commands take
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ActionForm")
        assert "HR backups were never [restore]-tested." in str(app.screen.query_one(".form-context").render())
        app.screen.query_one("#field-correction TextArea", TextArea).text = "Ran a restore of HR on 11-20."
        app.screen.query_one("#field-root_cause TextArea", TextArea).text = "Restore tests had no owner."
        await type_into(pilot, "#field-due_date Input", "2026-12-15")
        await pilot.press("ctrl+s")
        await reload_register(
            pilot, table, lambda: "no owner" in str(app.screen.query_one("#action-detail", Static).render())
        )
    action = load_action(db_path, ids["action"])
    assert (action.correction, action.root_cause, action.corrective_action, action.due_date) == (
        "Ran a restore of HR on 11-20.",
        "Restore tests had no owner.",
        "",
        date(2026, 12, 15),
    )
    assert action.status == ActionStatus.OPEN


async def test_implemented_without_root_cause_is_refused_with_a_sentence(db_path):
    ids = seed(db_path)
    async with make_app(db_path).run_test(size=SIZE, notifications=True) as pilot:
        app = pilot.app
        table = await open_register(pilot)
        await select_action(pilot, table, ids["action"])
        await pilot.press("p")
        await wait_for(pilot, lambda: load_action(db_path, ids["action"]).status == ActionStatus.IN_PROGRESS)
        await pilot.press("i")
        await wait_for(pilot, lambda: any("before marking it implemented" in n for n in notes(app)))
        assert "Record the root cause and the corrective action before marking it implemented." in notes(app)
        await pilot.press("k")  # nothing to check yet: the screen says why instead of opening the form
        await pilot.pause()
        assert type(app.screen).__name__ == "ActionsScreen"
        assert any("check its effectiveness once it is implemented" in n for n in notes(app))
    assert load_action(db_path, ids["action"]).status == ActionStatus.IN_PROGRESS


async def test_effectiveness_check_reopens_then_closes_and_closed_is_read_only(db_path):
    ids = seed(db_path)
    write(
        db_path,
        lambda s: actions.update_action(
            s,
            actions.get_action(s, ids["action"]),
            ActionInput(
                title="Fix restore tests",
                owner_id=ids["bob"],
                root_cause="No owner.",
                corrective_action="Quarterly restore test per system.",
            ),
        ),
    )
    async with make_app(db_path).run_test(size=SIZE, notifications=True) as pilot:
        app = pilot.app
        table = await open_register(pilot)
        await select_action(pilot, table, ids["action"])
        await pilot.press("i")
        await wait_for(pilot, lambda: load_action(db_path, ids["action"]).status == ActionStatus.IMPLEMENTED)

        # not effective: back to work
        await reload_register(pilot, table, lambda: "implemented" in str(table.get_row(str(ids["action"]))[5]))
        await pilot.press("k")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "EffectivenessForm")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Please correct 2 fields" in str(app.screen.query_one("#form-message", Static).render())
        app.screen.query_one("#field-effectiveness_by_id Select", Select).value = ids["ann"]
        app.screen.query_one("#field-result Select", Select).value = Effectiveness.NOT_EFFECTIVE
        app.screen.query_one("#field-effectiveness_notes TextArea", TextArea).text = "HR restore [failed] again."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ActionsScreen")
        reopened = load_action(db_path, ids["action"])
        assert (reopened.status, reopened.effectiveness, reopened.effectiveness_by_id, reopened.closed_on) == (
            ActionStatus.IN_PROGRESS,
            Effectiveness.NOT_EFFECTIVE,
            ids["ann"],
            None,
        )

        # implemented again, then effective: closed
        await reload_register(pilot, table, lambda: "in progress" in str(table.get_row(str(ids["action"]))[5]))
        await pilot.press("i")
        await wait_for(pilot, lambda: load_action(db_path, ids["action"]).status == ActionStatus.IMPLEMENTED)
        await reload_register(pilot, table, lambda: "implemented" in str(table.get_row(str(ids["action"]))[5]))
        await pilot.press("k")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "EffectivenessForm")
        app.screen.query_one("#field-effectiveness_by_id Select", Select).value = ids["ann"]
        await type_into(pilot, "#field-effectiveness_on Input", (TODAY - timedelta(days=1)).isoformat())
        app.screen.query_one("#field-effectiveness_notes TextArea", TextArea).text = "Two restores seen."
        await pilot.press("ctrl+s")  # effective closes it: the form asks for confirmation first
        await pilot.pause()
        assert "Press ctrl+s again to confirm" in str(app.screen.query_one("#form-message", Static).render())
        assert load_action(db_path, ids["action"]).status == ActionStatus.IMPLEMENTED
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: load_action(db_path, ids["action"]).status == ActionStatus.CLOSED)
        assert "Action #1 is effective and now closed." in notes(app)

        # the open filter hides it; the closed filter shows it, read-only
        await wait_for(pilot, lambda: table.row_count == 0)
        await pilot.press("f", "f")
        assert app.screen.query_one("#filter-action-status", Select).value == "closed"
        await wait_for(pilot, lambda: table.row_count == 1)
        await select_action(pilot, table, ids["action"])
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ActionForm")
        form = app.screen
        assert "can no longer change" in str(form.query_one(".form-readonly", Static).render())
        assert form.query_one("#field-title Input", Input).disabled
        assert form.query_one("#field-root_cause TextArea", TextArea).read_only
        assert not form.query_one("#form-save", Button).display
        form.query_one("#field-root_cause TextArea", TextArea).text = "Tampered."  # even if text got in
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "This action is closed" in str(form.query_one("#form-message", Static).render())
        await pilot.press("escape")
    closed = load_action(db_path, ids["action"])
    assert (closed.status, closed.effectiveness, closed.closed_on, closed.root_cause) == (
        ActionStatus.CLOSED,
        Effectiveness.EFFECTIVE,
        TODAY - timedelta(days=1),
        "No owner.",
    )


async def test_filters_by_owner_and_overdue(db_path):
    ids = seed(db_path)
    write(
        db_path,
        lambda s: [
            actions.create_action(
                s, "other", None, ActionInput(title="Later", owner_id=ids["ann"], due_date=TODAY + timedelta(days=30))
            ),
            actions.create_action(s, "review", 1, ActionInput(title="Nobody's", due_date=TODAY + timedelta(days=3))),
        ],
    )
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = pilot.app
        table = await open_register(pilot)
        await wait_for(pilot, lambda: table.row_count == 3)
        await pilot.press("o")
        await wait_for(pilot, lambda: table.row_count == 1)
        assert [k.value for k in table.rows] == [str(ids["action"])]
        assert "!" in str(table.get_row(str(ids["action"]))[4])  # the overdue due date is marked
        assert str(table.get_row(str(ids["action"]))[0]) == str(ids["action"])  # what `isms nc reopen` takes
        await pilot.press("o")
        owner = app.screen.query_one("#filter-action-owner", Select)
        owner.value = 0  # nobody owns it yet
        await wait_for(pilot, lambda: table.row_count == 1)
        assert "Nobody's" in str(table.get_row(table.ordered_rows[0].key)[2])
        owner.value = ids["ann"]
        await wait_for(pilot, lambda: [str(c) for c in table.get_row(table.ordered_rows[0].key)][2] == "Later")


async def test_dashboard_shows_the_overdue_action(db_path):
    ids = seed(db_path)
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await opened(pilot)
        panel = app.screen.query_one("#actions-panel", Static)
        await wait_for(pilot, lambda: "overdue" in str(panel.render()))
        text = str(panel.render())
        assert "1 open · 1 overdue" in text
        assert f"#{ids['action']} {(TODAY - timedelta(days=5)).isoformat()} Bob O." in text
        assert panel.has_class("-overdue")
        await pilot.click("#actions-panel")
        await opened(pilot, "actions")
