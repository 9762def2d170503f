"""Pilot flow of a nonconformity raised from an incident: through to a closed action, reopened
with a reason and closed again, each close confirmed; asserting on the database."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from textual.widgets import DataTable, Select, Static, TextArea

from isms_tui.models import Action, ActionReopen, ActionStatus, Effectiveness
from isms_tui.services import workspace

from .conftest import TODAY
from .db_helpers import read, workspace_session
from .tui_helpers import make_app, notifications, opened, type_into, wait_for

SIZE = (120, 40)


def seed(db_path) -> dict[str, int]:
    with workspace_session(db_path, "seed") as s:
        workspace.save_workspace(s, "Acme Ltd", "All information systems")
        return {
            "ann": workspace.save_person(s, "Ann Officer").id,
            "bob": workspace.save_person(s, "Bob Owner").id,
        }


def nc_actions(db_path) -> list[Action]:
    return read(db_path, lambda s: list(s.exec(select(Action).where(Action.nonconformity == True))))  # noqa: E712


def reopens(db_path) -> list[ActionReopen]:
    return read(db_path, lambda s: list(s.exec(select(ActionReopen))))


async def check(pilot, checker: int, notes: str, *, reason: str = "") -> None:
    """Fill the effectiveness form as effective and confirm it with the second ctrl+s."""
    app = pilot.app
    await pilot.press("k")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "EffectivenessForm")
    app.screen.query_one("#field-effectiveness_by_id Select", Select).value = checker
    app.screen.query_one("#field-result Select", Select).value = Effectiveness.EFFECTIVE
    app.screen.query_one("#field-effectiveness_notes TextArea", TextArea).text = notes
    if reason:
        app.screen.query_one("#field-checker_reason TextArea", TextArea).text = reason
    await pilot.press("ctrl+s")
    await pilot.pause()
    message = str(app.screen.query_one("#form-message", Static).render())
    assert "Press ctrl+s again to confirm" in message, message
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "ActionsScreen")


async def test_incident_nonconformity_closed_reopened_and_closed_again(db_path):
    ids = seed(db_path)
    async with make_app(db_path).run_test(size=SIZE, notifications=True) as pilot:
        app = pilot.app
        await opened(pilot)
        await pilot.press("c")
        await opened(pilot, "actions")
        table = app.screen.query_one("#actions", DataTable)

        # raise it: the form asks what happened before it saves anything
        await pilot.press("N")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ActionForm")
        form = app.screen
        form.query_one("#field-source Select", Select).value = "incident"
        await type_into(pilot, "#field-source_ref Input", "INC-2026-014")
        await type_into(pilot, "#field-title Input", "Encrypt every laptop before issue")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Say what happened." in str(form.query_one("#form-message", Static).render())
        assert nc_actions(db_path) == []  # what happened is missing: nothing saved
        form.query_one("#field-description TextArea", TextArea).text = "A laptop was lost; its disk was not encrypted."
        await type_into(pilot, "#field-detected_on Input", (TODAY - timedelta(days=3)).isoformat())
        form.query_one("#field-owner_id Select", Select).value = ids["bob"]
        form.query_one("#field-extent TextArea", TextArea).text = "Two more laptops found unencrypted."
        form.query_one("#field-root_cause TextArea", TextArea).text = "Issued before the build was finished."
        form.query_one("#field-corrective_action TextArea", TextArea).text = "Enrolment refuses unencrypted disks."
        form.query_one("#field-isms_change TextArea", TextArea).text = "Asset procedure names the check."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(nc_actions(db_path)) == 1)
        [action] = nc_actions(db_path)
        assert (action.source, action.source_ref, action.detected_on, action.settling_days) == (
            "incident",
            "INC-2026-014",
            TODAY - timedelta(days=3),
            0,
        )
        await wait_for(pilot, lambda: table.row_count == 1)
        assert "incident INC-2026-014" in str(table.get_row(str(action.id))[1])
        detail = str(app.screen.query_one("#action-detail", Static).render())
        assert "Extent of condition: Two more laptops" in detail and "Change to the ISMS: Asset" in detail

        await pilot.press("i")
        await wait_for(pilot, lambda: read(db_path, lambda s: s.get(Action, action.id).status) == "implemented")
        await wait_for(pilot, lambda: "implemented" in str(table.get_row(str(action.id))[5]))

        # the owner checks it: refused without a reason, then closed with one, after confirming
        await pilot.press("k")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "EffectivenessForm")
        app.screen.query_one("#field-effectiveness_by_id Select", Select).value = ids["bob"]
        app.screen.query_one("#field-effectiveness_notes TextArea", TextArea).text = "Enrolment refused a test disk."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "say why nobody else can" in str(app.screen.query_one("#form-message", Static).render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ActionsScreen")
        await check(pilot, ids["bob"], "Enrolment refused a test disk.", reason="Bob alone runs enrolment.")
        await wait_for(pilot, lambda: read(db_path, lambda s: s.get(Action, action.id).status) == "closed")
        assert "Action #1 is effective and now closed." in [str(n.message) for n in notifications(app)]

        # reopen: refused without a reason, then back in progress with it kept
        await pilot.press("f", "f")  # the closed filter
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("R")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ReopenForm")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Say why the action is reopened." in str(app.screen.query_one("#form-message", Static).render())
        app.screen.query_one("#field-reason TextArea", TextArea).text = "A third laptop was found unencrypted."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(reopens(db_path)) == 1)
        await pilot.press("f")  # all actions
        await wait_for(pilot, lambda: table.row_count == 1 and "in progress" in str(table.get_row(str(action.id))[5]))
        assert "Reopened 2026-11-28 by " in str(app.screen.query_one("#action-detail", Static).render())

        # closes again only through a new check
        await pilot.press("i")
        await wait_for(pilot, lambda: "implemented" in str(table.get_row(str(action.id))[5]))
        await check(pilot, ids["ann"], "All laptops in the asset list encrypted.")
        await wait_for(pilot, lambda: read(db_path, lambda s: s.get(Action, action.id).status) == "closed")

    [kept] = reopens(db_path)
    assert kept.reason == "A third laptop was found unencrypted."
    assert (kept.effectiveness_by_id, kept.checker_reason) == (ids["bob"], "Bob alone runs enrolment.")
    final = read(db_path, lambda s: s.get(Action, action.id))
    assert (final.status, final.effectiveness_by_id, final.checker_reason) == (ActionStatus.CLOSED, ids["ann"], "")
