"""Pilot flows over the 9.2 screens, asserting on the database: planning an audit, the
impartiality block, running a checklist by keys, raising a finding and resuming mid-audit."""

from __future__ import annotations

from datetime import date

from sqlmodel import select
from textual.widgets import DataTable, Input, Select, Static, TextArea

from isms_tui.models import Action, Audit, AuditItem, AuditResult, AuditStatus, Finding, Grading
from isms_tui.services import audits, checklists, programme
from isms_tui.services.audits import AuditInput

from .audit_seed import OPS_REFS, seed_audits, seed_people_and_programme
from .db_helpers import read, write
from .tui_helpers import make_app, notifications, opened, type_into, wait_for

SIZE = (120, 40)


def screen_name(app) -> str:
    return type(app.screen).__name__


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_audits(pilot):
    app = await opened(pilot)
    await pilot.press("a")
    await wait_for(pilot, lambda: app.current_mode == "audits" and app.screen.data is not None)
    await pilot.pause()
    return app


async def open_audit(pilot, audit_id: int):
    """From the dashboard: the audit list, highlight the audit and press enter."""
    await open_audits(pilot)
    return await enter_audit(pilot, audit_id)


async def enter_audit(pilot, audit_id: int):
    """On the audit list: highlight the audit and press enter."""
    app = pilot.app
    table = app.screen.query_one("#audit-table", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(str(audit_id)))
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen_name(app) == "AuditDetailScreen" and app.screen.view is not None)
    return app


async def open_working_paper(pilot, audit_id: int):
    app = await open_audit(pilot, audit_id)
    await pilot.press("w")
    await wait_for(pilot, lambda: screen_name(app) == "WorkingPaperScreen" and bool(app.screen.items))
    await pilot.pause()
    return app


def plan_started(db_path, refs: list[str], **kw) -> int:
    """An audit in progress over `refs` of the Annex A checklist, led by Ada."""
    ids = seed_people_and_programme(db_path)

    def go(s):
        audit = audits.plan_audit(
            s,
            AuditInput(
                "Operations audit",
                date(2026, 11, 23),
                date(2026, 11, 27),
                checklists.BUILTIN_ANNEX_A,
                scope_refs=refs,
                lead_auditor_id=ids["ada"],
                programme_id=ids["programme"],
                **kw,
            ),
        )
        audits.start_audit(s, audit.id)
        return audit.id

    return write(db_path, go)


async def test_plan_an_audit_through_the_form(db_path):
    ids = seed_people_and_programme(db_path)
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await open_audits(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: screen_name(app) == "AuditPlanForm")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen_name(app) == "AuditPlanForm"  # nothing typed: the form stays with its errors
        assert "Required." in str(app.screen.query_one("#field-title .field-error", Static).render())
        assert "lead auditor" in str(app.screen.query_one("#field-lead_auditor_id .field-error", Static).render())
        await type_into(pilot, "#field-title Input", "Backups [CRM] and logging")
        await type_into(pilot, "#field-planned_start Input", "2027-03-01")
        await type_into(pilot, "#field-planned_end Input", "2027-02-01")
        app.screen.query_one("#field-template Select", Select).value = checklists.BUILTIN_ANNEX_A
        await type_into(pilot, "#field-scope_refs Input", "A.8.13, A.8.15")
        await type_into(pilot, "#field-scope_areas Input", "IT operations")
        app.screen.query_one("#field-lead_auditor_id Select", Select).value = ids["ada"]
        await type_into(pilot, "#field-team_ids Input", "bea boss, Zed Nobody")
        await type_into(pilot, "#field-auditees Input", "Olly Ops")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen_name(app) == "AuditPlanForm"
        assert "before it starts" in str(app.screen.query_one("#field-planned_end .field-error", Static).render())
        assert "Zed Nobody" in str(app.screen.query_one("#field-team_ids .field-error", Static).render())
        assert read(db_path, lambda s: s.exec(select(Audit)).all()) == []  # nothing saved until valid
        await type_into(pilot, "#field-planned_end Input", "2027-03-02")
        await type_into(pilot, "#field-team_ids Input", "bea boss")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "AuditsScreen")
        table = app.screen.query_one("#audit-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
    [audit] = read(db_path, lambda s: s.exec(select(Audit)).all())
    assert (audit.title, audit.planned_start, audit.planned_end) == (
        "Backups [CRM] and logging",
        date(2027, 3, 1),
        date(2027, 3, 2),
    )
    assert (audit.lead_auditor_id, audit.team_ids, audit.programme_id) == (ids["ada"], [ids["bea"]], ids["programme"])
    assert (audit.scope_refs, audit.scope_areas, audit.status) == (
        ["A.8.13", "A.8.15"],
        ["IT operations"],
        AuditStatus.PLANNED,
    )
    lines = read(db_path, lambda s: audits.items(s, audit.id))
    assert [i.ref for i in lines] == ["A.8.13", "A.8.15"]


async def test_impartiality_blocks_the_start_until_declared(db_path):
    ids = seed_audits(db_path)  # "People controls" is led by Hana, who is responsible for HR
    async with make_app(db_path).run_test(size=SIZE, notifications=True) as pilot:
        app = await open_audit(pilot, ids["hr"])
        assert "Hana HR (lead auditor) is to assess A.6.1, A.6.2" in text_of(app, "#impartiality")
        assert "covered by the area Human resources" in text_of(app, "#impartiality")
        await pilot.press("s")
        await wait_for(pilot, lambda: screen_name(app) == "IndependenceForm")
        assert "covered by the area Human resources they are responsible for" in text_of(app, "#conflicts")
        await pilot.press("escape")  # declined: the audit does not start
        await wait_for(pilot, lambda: screen_name(app) == "AuditDetailScreen")
        await pilot.pause()
        assert any("Not started" in (n.title or "") for n in notifications(app))
        assert read(db_path, lambda s: audits.get_audit(s, ids["hr"]).status) == AuditStatus.PLANNED
        await pilot.press("s")
        await wait_for(pilot, lambda: screen_name(app) == "IndependenceForm")
        area = app.screen.query_one("#field-independence_declaration TextArea", TextArea)
        area.text = "too short"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen_name(app) == "IndependenceForm"
        assert "At least" in str(app.screen.query_one("#field-independence_declaration .field-error").render())
        area.text = "Hana only joined HR in October; the screening audited [2025 hires] was run by her predecessor."
        declared_by = app.screen.query_one("#field-declared_by Input", Input)
        assert declared_by.value == ""  # nobody named in Settings: the login name is not put forward
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen_name(app) == "IndependenceForm"  # a declaration names the person who makes it
        declared_by.value = "Bea Boss"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "AuditDetailScreen")
        await wait_for(pilot, lambda: app.screen.view.audit.status == AuditStatus.IN_PROGRESS)
        assert "[2025 hires]" in text_of(app, "#impartiality")  # shown as typed, brackets and all
    audit = read(db_path, lambda s: audits.get_audit(s, ids["hr"]))
    assert audit.status == AuditStatus.IN_PROGRESS and audit.declared_by == "Bea Boss"
    assert audit.independence_declaration.startswith("Hana only joined HR")


async def test_changing_the_auditor_clears_the_conflict(db_path):
    ids = seed_audits(db_path)
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await open_audit(pilot, ids["hr"])
        await pilot.press("e")
        await wait_for(pilot, lambda: screen_name(app) == "AuditPlanForm")
        app.screen.query_one("#field-lead_auditor_id Select", Select).value = ids["ada"]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "AuditDetailScreen")
        await wait_for(pilot, lambda: app.screen.view.lead == "Ada Auditor")
        assert "Nobody assesses a line their own responsibility covers" in text_of(app, "#impartiality")
        await pilot.press("s")
        await wait_for(pilot, lambda: app.screen.view.audit.status == AuditStatus.IN_PROGRESS)
    assert read(db_path, lambda s: audits.get_audit(s, ids["hr"]).independence_declaration) == ""


async def test_run_a_20_item_checklist_by_keys(db_path):
    audit_id = plan_started(db_path, OPS_REFS)
    keys = "13111242115161117113"
    assert len(keys) == 20 == len(OPS_REFS)
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await open_working_paper(pilot, audit_id)
        table = app.screen.query_one("#items", DataTable)
        assert table.row_count == 20 and table.cursor_row == 0
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        counts = text_of(app, "#wp-counts")
        assert "conforming 12" in counts and "minor NC 2" in counts and "major NC 2" in counts
        assert "observation 1" in counts and "OFI 1" in counts and "n/a 1" in counts and "not audited 1" in counts
        assert "20 of 20 answered" in text_of(app, "#wp-done")
        await pilot.press("up", "0")  # clearing reopens the line and keeps the cursor on it
        await pilot.pause()
        assert "19 of 20 answered" in text_of(app, "#wp-done") and table.cursor_row == 18
        await pilot.press(keys[18])
        await pilot.pause()
        assert "20 of 20 answered" in text_of(app, "#wp-done") and table.cursor_row == 19
    lines = read(db_path, lambda s: audits.items(s, audit_id))
    results = list(AuditResult)
    assert [i.result for i in lines] == [results[int(k) - 1] for k in keys]
    assert all(i.recorded_at is not None for i in lines)


async def test_raise_a_finding_from_an_item(db_path):
    audit_id = plan_started(db_path, ["A.8.8", "A.8.13", "A.8.15"])

    def note(s):
        item = audits.items(s, audit_id)[1]
        audits.record_result(
            s, item.id, None, notes="Restore of [CRM] never tested", sample_population="12 jobs", sample_size=3
        )

    write(db_path, note)
    async with make_app(db_path).run_test(size=SIZE, notifications=True) as pilot:
        app = await open_working_paper(pilot, audit_id)
        table = app.screen.query_one("#items", DataTable)
        assert table.cursor_row == 0
        await pilot.press("1")  # A.8.8 conforming, on to A.8.13
        await pilot.press("3")  # A.8.13 minor NC, on to A.8.15
        await pilot.pause()
        assert "A.8.13 is a minor NC: ↑ then f raises its finding" in notifications(app)[-1].message
        await pilot.press("up", "f")
        await wait_for(pilot, lambda: screen_name(app) == "FindingForm")
        form = app.screen
        assert form.value("ref") == "A.8.13"
        assert form.value("grading") == Grading.MINOR_NC
        assert form.value("statement") == "A.8.13 Information backup: Restore of [CRM] never tested"
        assert "3 sampled of 12 jobs" in form.value("evidence")
        form.query_one("#field-statement TextArea", TextArea).text += "; no restore test since June."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "WorkingPaperScreen")
        await pilot.pause()
        assert str(table.get_cell("2", "f")) == "1"  # the line shows its finding
        assert any("corrective action" in n.message for n in notifications(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "AuditDetailScreen")
        findings = app.screen.query_one("#findings", DataTable)
        await wait_for(pilot, lambda: findings.row_count == 1)
        row = [str(c) for c in findings.get_row_at(0)]
        assert row[1] == "A.8.13" and row[2] == "minor NC" and row[5].endswith(" open")
    [finding] = read(db_path, lambda s: s.exec(select(Finding)).all())
    [action] = read(
        db_path,
        lambda s: s.exec(select(Action).where(Action.source == "finding", Action.source_id == finding.id)).all(),
    )
    assert row[0] == str(finding.id)  # the finding's number
    assert row[5] == f"#{action.id} open"  # the number `isms nc reopen` takes
    assert (finding.ref, finding.grading, finding.item_id) == (
        "A.8.13",
        Grading.MINOR_NC,
        read(db_path, lambda s: audits.items(s, audit_id)[1].id),
    )
    assert finding.statement.endswith("no restore test since June.")
    [action] = read(
        db_path,
        lambda s: s.exec(select(Action).where(Action.source == "finding", Action.source_id == finding.id)).all(),
    )
    assert (action.source, action.source_id) == ("finding", finding.id)


async def test_quit_mid_audit_and_resume_on_the_first_unanswered_line(db_path):
    audit_id = plan_started(db_path, OPS_REFS)
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await open_working_paper(pilot, audit_id)
        for key in "1111111":
            await pilot.press(key)
        await pilot.press("down", "down", "2")  # line 10 answered out of order; line 8 stays open
        await pilot.pause()
        await app.action_quit()
    lines = read(db_path, lambda s: audits.items(s, audit_id))
    assert [i.result is not None for i in lines[:10]] == [True] * 7 + [False, False, True]
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await open_working_paper(pilot, audit_id)
        table = app.screen.query_one("#items", DataTable)
        assert table.cursor_row == 7  # the first line without a result
        assert app.screen.current_item().ref == "A.8.9"
        assert "8 of 20 answered" in text_of(app, "#wp-done")


async def test_results_are_refused_before_the_audit_starts(db_path):
    ids = seed_audits(db_path)
    async with make_app(db_path).run_test(size=SIZE, notifications=True) as pilot:
        app = await open_working_paper(pilot, ids["hr"])
        await pilot.press("1")
        await pilot.pause()
        assert any("in progress" in n.message for n in notifications(app))
        assert app.screen.query_one("#items", DataTable).cursor_row == 0
    assert all(i.result is None for i in read(db_path, lambda s: audits.items(s, ids["hr"])))


async def test_coverage_tab_filters_to_uncovered_requirements(db_path):
    seed_audits(db_path)
    cov = read(db_path, lambda s: programme.coverage(s, programme.current_programme(s, date(2026, 11, 28)).id))
    missing = len(cov.uncovered)
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await open_audits(pilot)
        await pilot.press("2")
        await pilot.pause()
        table = app.screen.query_one("#coverage-table", DataTable)
        assert table.row_count == 123
        assert f"{123 - missing} of 123 requirements audited this cycle" in text_of(app, "#coverage-headline")
        assert f"{missing} not audited yet ({len(cov.planned_only)} planned)" in text_of(app, "#coverage-headline")
        await pilot.press("u")
        await pilot.pause()
        assert table.row_count == missing and "A.5.1" in table.rows and "4.1" not in table.rows
        assert read(db_path, lambda s: s.exec(select(AuditItem)).first()) is not None


async def test_finding_complete_report_and_report_view(db_path):
    ids = seed_audits(db_path)  # "Operations and backups" is in progress
    async with make_app(db_path).run_test(size=SIZE, notifications=True) as pilot:
        app = await open_audit(pilot, ids["ops"])
        await pilot.press("f")
        await wait_for(pilot, lambda: screen_name(app) == "FindingForm")
        await type_into(pilot, "#field-ref Input", "A.8.15")
        app.screen.query_one("#field-grading Select", Select).value = Grading.OBSERVATION
        app.screen.query_one("#field-statement TextArea", TextArea).text = "Log review is informal [no record]"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "AuditDetailScreen")
        findings = app.screen.query_one("#findings", DataTable)
        await wait_for(pilot, lambda: findings.row_count == 1)
        assert str(findings.get_row_at(0)[5]) == "no action needed"  # an observation opens no action
        await pilot.press("c")  # the minor NC line A.8.8 has no finding yet: refused before any typing
        await pilot.pause()
        assert screen_name(app) == "AuditDetailScreen"
        assert "A.8.8 is graded as a nonconformity without a finding" in notifications(app)[-1].message
        await pilot.press("f")
        await wait_for(pilot, lambda: screen_name(app) == "FindingForm")
        await type_into(pilot, "#field-ref Input", "A.8.8")
        app.screen.query_one("#field-grading Select", Select).value = Grading.MINOR_NC
        app.screen.query_one("#field-statement TextArea", TextArea).text = "Two servers missed the patch window."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "AuditDetailScreen")
        await wait_for(pilot, lambda: findings.row_count == 2)
        await pilot.press("c")
        await wait_for(pilot, lambda: screen_name(app) == "CompleteForm")
        assert app.screen.form_title == (
            "Complete the audit: answered 7 of 20; 13 line(s) without a result will be recorded as not audited"
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "conclusion" in str(app.screen.query_one("#form-message").render())
        app.screen.query_one("#field-conclusion TextArea", TextArea).text = "Operations conform [mostly]."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "AuditDetailScreen")
        await wait_for(pilot, lambda: app.screen.view.audit.status == AuditStatus.COMPLETED)
        await pilot.press("p")
        await wait_for(pilot, lambda: screen_name(app) == "ReportingForm")
        await type_into(pilot, "#field-how Input", "management meeting")
        await pilot.press("ctrl+s")  # nobody ticked: refused under the field, nothing marked
        await pilot.pause()
        assert screen_name(app) == "ReportingForm"
        assert "at least one person" in str(app.screen.query_one("#field-recipients .field-error").render())
        app.screen.query_one("#field-recipients SelectionList").select(ids["bea"])
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: screen_name(app) == "AuditDetailScreen" and app.screen.view.audit.status == AuditStatus.REPORTED,
        )
        await pilot.press("v")
        await wait_for(pilot, lambda: screen_name(app) == "AuditReportScreen" and app.screen.view is not None)
        await pilot.pause()
        text = "\n".join(
            line.text
            for line in app.screen.query_one("#report", Static).render_lines(
                app.screen.query_one("#report", Static).region.reset_offset
            )
        )
        assert "Operations conform [mostly]." in text and "Log review is informal [no record]" in text
        assert "A.8.8" in text  # the minor NC line is listed by requirement
        assert "by management meeting to Bea Boss (CEO)" in text
    audit = read(db_path, lambda s: audits.get_audit(s, ids["ops"]))
    assert audit.status == AuditStatus.REPORTED and audit.conclusion == "Operations conform [mostly]."
    lines = read(db_path, lambda s: audits.items(s, ids["ops"]))
    assert sum(i.result == AuditResult.NOT_AUDITED for i in lines) == 13


async def test_markup_in_user_text_is_shown_as_typed(db_path):
    """Closing tags with nothing open make Rich's markup parser raise: every screen must take
    user text literally."""
    ids = seed_people_and_programme(db_path)

    def hostile(s):
        programme.save_area(s, "[/] ops [b]", 3, ["A.8.13"])
        audit = audits.plan_audit(
            s,
            AuditInput(
                "[/] Backups [red]audit",
                date(2026, 11, 23),
                date(2026, 11, 27),
                checklists.BUILTIN_ANNEX_A,
                scope_refs=["A.8.13"],
                scope_areas=["[/] ops [b]"],
                auditees="[/i]",
                lead_auditor_id=ids["ada"],
                programme_id=ids["programme"],
            ),
        )
        audits.start_audit(s, audit.id)
        item = audits.items(s, audit.id)[0]
        audits.record_result(s, item.id, AuditResult.MINOR_NC, notes="[/] seen [link=x]", sample_items="[/]")
        audits.raise_finding(s, audit.id, Grading.MINOR_NC, "[/] statement", ref="[/]")
        return audit.id

    audit_id = write(db_path, hostile)
    async with make_app(db_path).run_test(size=SIZE) as pilot:
        app = await open_audits(pilot)
        audit_row = app.screen.query_one("#audit-table", DataTable).get_row_at(0)
        assert str(audit_row[0]) == str(audit_id)  # the number `isms pack --audit` takes
        assert "[/] Backups [red]audit" in str(audit_row[1])
        for tab in "123":
            await pilot.press(tab)
            await pilot.pause()
        await pilot.press("4")
        await enter_audit(pilot, audit_id)
        await pilot.press("w")
        await wait_for(pilot, lambda: screen_name(app) == "WorkingPaperScreen" and bool(app.screen.items))
        assert str(app.screen.query_one("#items", DataTable).get_row_at(0)[7]).startswith("[/] seen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "AuditDetailScreen")
        await wait_for(pilot, lambda: app.screen.query_one("#findings", DataTable).row_count == 1)
        assert str(app.screen.query_one("#findings", DataTable).get_row_at(0)[1]) == "[/]"
        await pilot.press("v")
        await wait_for(pilot, lambda: screen_name(app) == "AuditReportScreen" and app.screen.view is not None)
        await pilot.pause()
        assert app.return_code is None  # nothing crashed


async def test_a_line_in_the_auditors_own_area_is_given_to_another_member(db_path):
    """9.2.2 b per line: Olly may not assess backups (his area); Ada takes the line, he keeps the rest."""
    ids = seed_people_and_programme(db_path)

    def plan_ops(s):
        return audits.plan_audit(
            s,
            AuditInput(
                "Logging and backups",
                date(2026, 11, 23),
                date(2026, 11, 27),
                checklists.BUILTIN_ANNEX_A,
                scope_refs=["A.8.13", "A.8.20"],
                lead_auditor_id=ids["ada"],
                team_ids=[ids["olly"]],
                programme_id=ids["programme"],
            ),
        ).id

    audit_id = write(db_path, plan_ops)
    async with make_app(db_path).run_test(size=SIZE, notifications=True) as pilot:
        app = await open_working_paper(pilot, audit_id)
        await pilot.press("a")  # A.8.13 backups: in Olly's area IT operations
        await wait_for(pilot, lambda: screen_name(app) == "AssessorForm")
        app.screen.query_one("#field-assessed_by Select", Select).value = ids["olly"]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen_name(app) == "AssessorForm"
        error = str(app.screen.query_one("#field-assessed_by .field-error").render())
        assert "Olly Ops is responsible for the area IT operations, which covers A.8.13" in error
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen_name(app) == "WorkingPaperScreen")
        await pilot.press("down", "a")  # A.8.20 networks: not his area, so he may assess it
        await wait_for(pilot, lambda: screen_name(app) == "AssessorForm")
        app.screen.query_one("#field-assessed_by Select", Select).value = ids["olly"]
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen_name(app) == "WorkingPaperScreen")
        await wait_for(pilot, lambda: app.screen.items[1].assessed_by_id == ids["olly"])
        assert str(app.screen.query_one("#items", DataTable).get_row_at(1)[3]) == "OO"
    lines = read(db_path, lambda s: audits.items(s, audit_id))
    assert [(i.ref, i.assessed_by_id) for i in lines] == [("A.8.13", None), ("A.8.20", ids["olly"])]
    view = read(db_path, lambda s: audit_views_of(s, audit_id))
    assert [(k.person, k.refs, k.assessed_by) for k in view.kept_off] == [("Olly Ops", ("A.8.13",), ("Ada Auditor",))]
    assert view.conflicts == []


def audit_views_of(s, audit_id):
    from isms_tui.services import audit_views

    return audit_views.audit_view(s, audit_id)
