"""The app's entries in the command palette: help, every key of the screen in front (by name),
and the dialogs and screens that are not one section's keys (the Integrity screen among them).

What a workspace offers depends on whether one is open and whether it can be written: a pack
records its checkpoint, an import writes, so a read-only workspace offers neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from textual.app import App, SystemCommand
from textual.screen import Screen


def screen_commands(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """Help, then every key the screen (and the app) offers now, run on the node that binds it."""
    from functools import partial

    from textual.actions import parse

    from .help import screen_keys

    yield SystemCommand(
        "Help for this screen", "What this screen is for and its keys (F1, ?)", partial(app.run_action, "help")
    )
    offered = {"quit", "help", "export_pack", "command_palette"}  # Textual's own, or offered below
    for key in screen_keys(screen):
        if key.enabled and parse(key.action)[1] not in offered:
            yield SystemCommand(
                key.description, f"{key.key} · {key.help}", partial(app.run_action, key.action, key.namespace)
            )


def open_integrity(app: App[Any]) -> None:
    """The Integrity screen (checks, backup, seal, CA export), unless it is already in front."""
    from .integrity import IntegrityScreen

    if not isinstance(app.screen, IntegrityScreen):
        app.push_screen(IntegrityScreen())


def workspace_commands(app: App[Any], *, opened: bool, read_only: bool) -> Iterator[SystemCommand]:
    """The portfolio always; with a workspace open, the integrity tools, the exports, and the pack
    and import when it is writable."""
    from functools import partial

    act: Any = app  # the actions are the app's own (`action_portfolio`, …)
    yield SystemCommand(
        "Portfolio",
        "Every workspace on this machine at a glance: KPIs off target, readings due, audits, NCs, reviews",
        act.action_portfolio,
    )
    if not opened:
        return
    yield SystemCommand(
        "Integrity: verify the journal and evidence, back up, seal",
        "Check the journal and the evidence files, back up, seal the journal, export the CA certificate",
        partial(open_integrity, app),
    )
    yield SystemCommand(
        "Export the registers as a spreadsheet",
        "One .xlsx workbook: KPIs, readings, analyses, audits and lines, findings, actions, risks, SoA",
        act.action_export_xlsx,
    )
    yield SystemCommand(
        "Export the catalogue as OSCAL JSON",
        "Every ISO/IEC 27001:2022 requirement with our questions, as an OSCAL catalog (O on an audit: its results)",
        lambda: app.push_screen(oscal_catalogue()),
    )
    if not read_only:
        yield SystemCommand(
            "Issue evidence pack",
            "Build and sign a PDF evidence pack (Clause 9, an audit, a review)",
            act.action_export_pack,
        )
        yield SystemCommand(
            "Import a file",
            "Readings, risks, the SoA or a checklist from CSV: all rows or none (I in their sections)",
            lambda: act.action_transfer(True),
        )
    yield SystemCommand(
        "Export to a file",
        "Readings, risks, the SoA or a checklist to CSV (X in their sections)",
        lambda: act.action_transfer(False),
    )


def oscal_catalogue() -> Screen[Any]:
    """The OSCAL export dialog on the catalogue (the screen, and trestle, load only now)."""
    from .oscal_export import OscalExportScreen

    return OscalExportScreen()
