"""`isms export xlsx`: the registers auditors ask for, as one workbook.

Sheets: About (whose record, when, the journal head it was read at), KPIs, Readings (every
reading, voided ones included and marked, each judged by the target in force for its period:
`targets.all_targets` and `evaluation.evaluate_value`, as everywhere else), Analyses, Audits,
Audit lines (the working papers), Findings, Actions (the one register, nonconformity fields
included), and Risks and Statement of applicability when the workspace has any.

Everything is read inside one read transaction (`snapshot`), so the sheets agree with each
other and with the journal head on the About sheet even while another isms writes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, col

from isms_tui.files import check_target
from isms_tui.models import Analysis, Kpi, Person, Reading, Status
from isms_tui.models.db import hold_snapshot

from . import clock, periods, xlsx_sheets
from .evaluation import evaluate_value, is_late
from .formatting import target_text, warning_text
from .journal import head
from .targets import all_targets, stated, targets_of
from .workbook import Column, Sheet, Value, write_workbook
from .workspace import get_workspace

VOIDED = "voided"


def export_xlsx(session: Session, path: Path | str, today: date | None = None) -> dict[str, int]:
    """Write the workbook to `path`; returns the rows written per sheet."""
    path = Path(path)
    check_target(path)
    hold_snapshot(session)
    today = today or clock.today()
    people = {p.id: p.name for p in session.scalars(select(Person))}
    kpis = {k.id: k for k in session.scalars(select(Kpi).order_by(col(Kpi.code)))}
    sheets: list[Sheet | None] = [
        _about(session, today),
        _kpis(kpis, people),
        _readings(session, kpis),
        _analyses(session, kpis, people),
        xlsx_sheets.audits(session, people),
        xlsx_sheets.audit_lines(session, people),
        xlsx_sheets.findings(session),
        xlsx_sheets.actions(session, today),
        xlsx_sheets.risk_register(session, people),  # None when there are no risks
        xlsx_sheets.statement(session),  # None when no control has been decided
    ]
    return write_workbook(path, [s for s in sheets if s is not None])


def _about(session: Session, today: date) -> Sheet:
    ws = get_workspace(session)
    entries, last_hash = head(session)
    rows: list[Sequence[Value]] = [
        ("Organisation", ws.org_name if ws else ""),
        ("ISMS scope", ws.scope if ws else ""),
        ("Exported on", today),
        ("Journal entries", entries),
        ("Journal head (SHA-256)", last_hash),
        ("Times", "dates are calendar dates; times of day (entered at, recorded at) are UTC"),
        ("Statuses", "each reading is judged by the target in force for its period; a voided reading counts nowhere"),
    ]
    return Sheet("About", [Column("Item", 24), Column("Value", 90)], rows)


def _kpis(kpis: dict[int | None, Kpi], people: dict[int | None, str]) -> Sheet:
    columns = [
        Column("KPI", 12),
        Column("Name", 40),
        Column("Type", 14),
        Column("Unit", 10),
        Column("Direction", 10),
        Column("Target now", 14),
        Column("Warning now", 14),
        Column("Frequency", 11),
        Column("Grace days", 8),
        Column("Analysis frequency", 11),
        Column("Collector", 18),
        Column("Analyst", 18),
        Column("Started on", 12),
        Column("Active", 8),
        Column("Requirements", 16),
        Column("Information need", 40),
        Column("Method", 40),
        Column("Data source", 24),
    ]
    rows = (
        (
            k.code,
            k.name,
            k.kpi_type.value,
            k.unit,
            k.direction.value,
            target_text(k, strip=True),
            warning_text(k, strip=True),
            k.frequency.value,
            k.grace_days,
            k.analysis_frequency.value,
            people.get(k.collector_id, ""),
            people.get(k.analyst_id, ""),
            k.started_on,
            k.active,
            k.requirements,
            k.information_need,
            k.method,
            k.data_source,
        )
        for k in kpis.values()
    )
    return Sheet("KPIs", columns, rows)


READING_COLUMNS = [
    Column("KPI", 12),
    Column("KPI name", 36),
    Column("Period", 10),
    Column("Period start", 12),
    Column("Period end", 12),
    Column("Value", 12),
    Column("Unit", 10),
    Column("Target", 14),
    Column("Target value", 10),
    Column("Warning value", 10),
    Column("Status", 11),
    Column("Partial", 8),
    Column("Late", 8),
    Column("Voided", 8),
    Column("Voided at (UTC)", 19),
    Column("Voided by", 16),
    Column("Void reason", 30),
    Column("Corrected from", 12),
    Column("Corrected at (UTC)", 19),
    Column("Corrected by", 16),
    Column("Correction reason", 30),
    Column("Note", 40),
    Column("Entered by", 16),
    Column("Entered at (UTC)", 19),
]


def _readings(session: Session, kpis: dict[int | None, Kpi]) -> Sheet:
    histories = all_targets(session)
    query = (
        select(
            col(Reading.kpi_id),
            col(Reading.period_start),
            col(Reading.value),
            col(Reading.partial),
            col(Reading.voided_at),
            col(Reading.voided_by),
            col(Reading.void_reason),
            col(Reading.corrected_from),
            col(Reading.corrected_at),
            col(Reading.corrected_by),
            col(Reading.correction_reason),
            col(Reading.note),
            col(Reading.entered_by),
            col(Reading.entered_at),
        )
        .join(Kpi, col(Kpi.id) == col(Reading.kpi_id))
        .order_by(col(Kpi.code), col(Reading.period_start), col(Reading.id))
    )

    def rows() -> Iterator[Sequence[Value]]:
        for kpi_id, start, value, partial, voided_at, *rest in session.execute(query):
            kpi = kpis[kpi_id]
            definition = targets_of(histories, kpi).at(start)
            status: Status | str = VOIDED if voided_at is not None else evaluate_value(definition, value)
            void_by, void_reason, before, corrected_at, corrected_by, reason, note, by, at = rest
            yield (
                kpi.code,
                kpi.name,
                periods.period_label(start, kpi.frequency),
                start,
                periods.period_end(start, kpi.frequency),
                value,
                kpi.unit,
                target_text(stated(definition, kpi.unit), strip=True),
                definition.target,
                definition.warning,
                str(status),
                bool(partial),
                is_late(kpi, start, at),
                voided_at is not None,
                voided_at,
                void_by,
                void_reason,
                before,
                corrected_at,
                corrected_by,
                reason,
                note,
                by,
                at,
            )

    return Sheet("Readings", READING_COLUMNS, rows())


def _analyses(session: Session, kpis: dict[int | None, Kpi], people: dict[int | None, str]) -> Sheet:
    columns = [
        Column("KPI", 12),
        Column("KPI name", 36),
        Column("Period", 10),
        Column("Period start", 12),
        Column("Analysed on", 12),
        Column("Analyst", 18),
        Column("Conclusion", 60),
        Column("Follow-up", 40),
    ]
    query = select(Analysis).order_by(col(Analysis.analysed_on), col(Analysis.id))

    def rows() -> Iterator[Sequence[Value]]:
        for a in session.scalars(query):
            kpi = kpis.get(a.kpi_id)
            yield (
                kpi.code if kpi else "",
                kpi.name if kpi else "",
                periods.period_label(a.period_start, kpi.frequency) if kpi else "",
                a.period_start,
                a.analysed_on,
                people.get(a.analyst_id, ""),
                a.conclusion,
                a.follow_up,
            )

    return Sheet("Analyses", columns, rows())
