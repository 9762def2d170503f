"""How to reach every screen and every form of the demo workspace by keys, for the snapshots at
80x24 and 120x40 (tests/test_small_terminal_snapshots.py, tests/test_form_snapshots.py) and the
walk through the sections at 80x24 (tests/test_small_terminal.py).

A route is a list of steps: the keys a user presses, then the screen that must be on top before
the next step. Each snapshot is taken once the screen's workers have finished, the tables are
sized, every text cursor has stopped blinking and the screen has been repainted whole.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static, TextArea

from .snapshot_helpers import on_dashboard
from .tui_helpers import loaded, settle, wait_for

SMALL = (80, 24)
LARGE = (120, 40)
SIZES = {"80x24": SMALL, "120x40": LARGE}

Step = tuple[str, str]  # keys pressed (space-separated), the screen class then on top

# The sections and the screens under them, on the demo workspace.
DASHBOARD: list[Step] = []
MONITORING = [("m", "KpiListScreen")]
KPI_DETAIL = [*MONITORING, ("enter", "KpiDetailScreen")]  # the first by urgency: SUPP-01
EVALUATIONS = [*MONITORING, ("E", "IsmsEvaluationsScreen")]
AUDITS = [("a", "AuditsScreen")]  # opens on its list of audits
PROGRAMME = [*AUDITS, ("1", "AuditsScreen")]
COVERAGE = [*AUDITS, ("2", "AuditsScreen")]
PRIORITIES = [*AUDITS, ("3", "AuditsScreen")]
SOA = [*AUDITS, ("S", "SoaScreen")]
AUDIT = [*AUDITS, ("down down enter", "AuditDetailScreen")]  # #3, in progress
COMPLETED_AUDIT = [*AUDITS, ("down enter", "AuditDetailScreen")]  # #2, completed
WORKING_PAPER = [*AUDIT, ("w", "WorkingPaperScreen")]
AUDIT_REPORT = [*COMPLETED_AUDIT, ("v", "AuditReportScreen")]
ACTIONS = [("c", "ActionsScreen")]
RISKS = [("g", "RisksScreen")]
REVIEWS = [("v", "ReviewsScreen")]
PREPARATION = [*REVIEWS, ("enter", "ReviewPrepareScreen")]  # the draft of 2026
MINUTES = [*REVIEWS, ("down M", "ReviewMinutesScreen")]  # last year's, approved
SETTINGS = [("s", "SettingsScreen")]
PEOPLE = [*SETTINGS, ("escape 2", "SettingsScreen")]  # escape leaves the organisation's name
OBJECTIVES = [*SETTINGS, ("escape 3", "SettingsScreen")]
COMPETENCE = [*PEOPLE, ("c", "PersonRecordsScreen")]
DUE_READINGS = [("r", "DueReadingsScreen")]
INTEGRITY = [*SETTINGS, ("escape i", "IntegrityScreen")]
PORTFOLIO = [("ctrl+o", "WorkspacePicker"), ("ctrl+o", "PortfolioScreen")]  # the demo: open now

SCREENS: dict[str, list[Step]] = {
    "dashboard": DASHBOARD,
    "monitoring": MONITORING,
    "kpi_detail": KPI_DETAIL,
    "isms_evaluations": EVALUATIONS,
    "due_readings": DUE_READINGS,
    "audits": AUDITS,
    "programme": PROGRAMME,
    "coverage": COVERAGE,
    "priorities": PRIORITIES,
    "soa": SOA,
    "audit_detail": AUDIT,
    "working_paper": WORKING_PAPER,
    "audit_report": AUDIT_REPORT,
    "actions": ACTIONS,
    "risks": RISKS,
    "reviews": REVIEWS,
    "review_preparation": PREPARATION,
    "review_minutes": MINUTES,
    "settings": SETTINGS,
    "settings_people": PEOPLE,
    "settings_objectives": OBJECTIVES,
    "competence": COMPETENCE,
    "integrity": INTEGRITY,
    "portfolio": PORTFOLIO,
}

# Every form and modal, opened where a user opens it.
FORMS: dict[str, list[Step]] = {
    "kpi": [*MONITORING, ("n", "KpiForm")],
    "kpi_edit": [*MONITORING, ("e", "KpiForm")],
    "reading": [*MONITORING, ("r", "ReadingForm")],
    "analysis": [*KPI_DETAIL, ("a", "AnalysisForm")],
    "void_reading": [*KPI_DETAIL, ("v", "VoidReadingForm")],
    "correct_reading": [*KPI_DETAIL, ("c", "CorrectReadingForm")],
    "isms_evaluation": [*EVALUATIONS, ("n", "IsmsEvaluationForm")],
    "evaluation_frequency": [*EVALUATIONS, ("f", "EvaluationFrequencyForm")],
    "programme": [*PROGRAMME, ("e", "ProgrammeForm")],
    "area": [*PRIORITIES, ("n", "AreaForm")],
    "audit_plan": [*AUDITS, ("n", "AuditPlanForm")],
    "finding": [*AUDIT, ("f", "FindingForm")],
    "complete_audit": [*AUDIT, ("c", "CompleteForm")],
    "reported": [*COMPLETED_AUDIT, ("p", "ReportingForm")],
    "item": [*WORKING_PAPER, ("n", "ItemForm")],
    "assessor": [*WORKING_PAPER, ("a", "AssessorForm")],
    "soa_control": [*SOA, ("e", "SoaForm")],
    "action": [*ACTIONS, ("n", "ActionForm")],
    "nonconformity": [*ACTIONS, ("N", "ActionForm")],
    "risk": [*RISKS, ("n", "RiskForm")],
    "appetite": [*RISKS, ("A", "AppetiteForm")],
    "review": [*REVIEWS, ("n", "ReviewForm")],
    "commentary": [*PREPARATION, ("e", "CommentaryForm")],
    "hold": [*PREPARATION, ("h", "HoldForm")],
    "person": [*PEOPLE, ("n", "PersonForm")],
    "objective": [*OBJECTIVES, ("n", "ObjectiveForm")],
    "competence_record": [*COMPETENCE, ("n", "RecordForm")],
    "areas": [*COMPETENCE, ("r", "AreasForm")],
    "process": [*COMPETENCE, ("p", "ProcessForm")],
    "delete_entry": [*PREPARATION, ("down", "ReviewPrepareScreen"), ("x", "ConfirmModal")],  # b's entry
    "full_text": [("tab tab tab enter", "FullTextScreen")],  # the latest analysis, in full
    "export": [("P", "ExportScreen")],
    "help": [("f1", "HelpScreen")],
    "import_file": [*MONITORING, ("I", "RegisterImportScreen")],
    "export_file": [*RISKS, ("X", "RegisterExportScreen")],
    "import_package": [*AUDITS, ("K", "ImportPackageForm")],
    "integrity_backup": [*INTEGRITY, ("b", "BackupForm")],
    "issue_kit": [*AUDITS, ("down down down enter", "AuditDetailScreen"), ("K", "IssueKitForm")],  # #4, planned
    "oscal": [*COMPLETED_AUDIT, ("O", "OscalExportScreen")],
}


def _review_form(name: str) -> Callable[[Screen[Any]], Screen[Any]]:
    def make(screen: Screen[Any]) -> Screen[Any]:
        from isms_tui.screens import review_forms, review_meeting

        form = getattr(review_forms, name, None) or getattr(review_meeting, name)
        made: Screen[Any] = form(screen.review_id)  # type: ignore[attr-defined]
        return made

    return make


def _action_form(name: str) -> Callable[[Screen[Any]], Screen[Any]]:
    def make(screen: Screen[Any]) -> Screen[Any]:
        from isms_tui.screens import action_forms
        from isms_tui.widgets.tables import cursor_id

        action_id = cursor_id(screen.query_one("#actions", DataTable))
        form = getattr(action_forms, name)
        made: Screen[Any] = form(action_id) if name == "EffectivenessForm" else form(action_id, "Title")
        return made

    return make


# Forms a key opens only in a state the demo does not have at the moment the snapshot is taken
# (a decision or conclusions before the draft review is held; a check before implementation):
# pushed over the screen they belong to, as that screen would push them.
def _spreadsheet(_screen: Screen[Any]) -> Screen[Any]:
    from isms_tui.screens.spreadsheet import SpreadsheetExport

    return SpreadsheetExport()


PUSHED: dict[str, tuple[list[Step], Callable[[Screen[Any]], Screen[Any]]]] = {
    "decision": (PREPARATION, _review_form("DecisionForm")),
    "conclusions": (PREPARATION, _review_form("ConclusionsForm")),
    "effectiveness": (ACTIONS, _action_form("EffectivenessForm")),
    "reopen": (ACTIONS, _action_form("ReopenForm")),
    "spreadsheet": (DASHBOARD, _spreadsheet),  # from the command palette
}


def on_top(pilot: Pilot) -> str:
    return type(pilot.app.screen).__name__


# Values that differ from run to run, replaced before the snapshot: the default files of the
# pack, the import and export dialogs and the workbook lie in the test's or the run's folder.
# (The workspace picker lists that folder and the time of day, and the history modal the
# journal's times, which are when the demo was made: their layout is checked in
# tests/test_small_terminal.py instead. The approval form is left
# out because it is only ever opened on a held review, which the demo's draft is not.)
FIXED_VALUES = {  # (the screen on top, the field): the value shown
    ("ExportScreen", "#field-out Input"): "northwind-pack.pdf",
    ("RegisterImportScreen", "#transfer-path"): "northwind-readings.csv",
    ("RegisterExportScreen", "#transfer-path"): "northwind-risks.csv",
    ("SpreadsheetExport", "#xlsx-path"): "northwind-registers.xlsx",
    ("BackupForm", "#field-out Input"): "/home/officer/isms/northwind.db.backup-20261127-160500.zip",
    ("OscalExportScreen", "#oscal-path"): "northwind-audit-2-results.json",
}


def fixed_integrity_facts() -> Any:
    """The Integrity screen's facts name the test's folder, the journal's head (the demo's entries
    carry the time they were made) and files of the moment: shown with fixed ones instead."""
    from datetime import datetime
    from pathlib import Path

    from isms_tui.services.integrity import BackupFact, CheckpointFact, Facts

    name = "northwind.db.backup-20261127-160500.zip"
    return Facts(
        Path("/home/officer/isms/northwind.db"),
        1189,
        "3f1c2a9d7e5b60c4a18f2d93b7e0c5a1d6f4b8e2c9a7d3f1b5e8c2a4d6f0b9e1",
        CheckpointFact("2026-11-27T16:05:00.000000+00:00", "backup", name, 1189),
        BackupFact(Path("/home/officer/isms") / name, datetime(2026, 11, 27, 16, 5), 228_761),
        "Northwind Analytics Ltd",
        True,
    )


# Lines that name the workspace's folder (the test's own): shown with a fixed folder instead.
FIXED_FOLDER = {("PortfolioScreen", "#portfolio-detail"): "/home/officer/clients"}


async def still(pilot: Pilot) -> None:
    """Let the screen finish loading, stop every text cursor blinking, repaint it whole."""
    await loaded(pilot)
    for screen in pilot.app.screen_stack:  # on top, or behind one of its forms
        if type(screen).__name__ == "IntegrityScreen":
            screen.show_facts(fixed_integrity_facts())  # type: ignore[attr-defined]
    for (screen, selector), folder in FIXED_FOLDER.items():
        if on_top(pilot) == screen:
            for line in pilot.app.screen.query(selector):
                if isinstance(line, Static):
                    line.update(str(line.render()).replace(str(pilot.app.db_path.parent), folder))
    for (screen, selector), value in FIXED_VALUES.items():
        if on_top(pilot) != screen:
            continue
        for field in pilot.app.screen.query(selector):
            if isinstance(field, Input):
                field.value = value
    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False
    await settle(pilot)


def route(
    steps: list[Step], push: Callable[[Screen[Any]], Screen[Any]] | None = None
) -> Callable[[Pilot], Awaitable[None]]:
    """A `run_before` for the snapshot: the dashboard, then each step's keys and screen, then
    the screen `push` makes over the last one."""

    async def run(pilot: Pilot) -> None:
        await on_dashboard(pilot)
        await loaded(pilot)
        for keys, screen in steps:
            await pilot.press(*keys.split())
            await wait_for(pilot, lambda screen=screen: on_top(pilot) == screen, screen)  # type: ignore[misc]
            await loaded(pilot)
        if push is not None:
            pushed = push(pilot.app.screen)
            pilot.app.push_screen(pushed)
            await wait_for(pilot, lambda: pilot.app.screen is pushed, type(pushed).__name__)
        await still(pilot)

    return run
