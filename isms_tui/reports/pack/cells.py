"""How the packs write values in table cells: status tones, labelled lines, KPI targets."""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Paragraph

from isms_tui.models import ActionStatus, AuditResult, AuditStatus, Status
from isms_tui.reports import layout as L
from isms_tui.reports.layout import BAD, GOOD, INFO, LATE, NEUTRAL, PLANNED, SEVERE, WARN, M, P, Tone, esc
from isms_tui.services.formatting import Targeted, target_text, warning_text

STATUS_TONE: dict[Status, Tone] = {
    Status.ON_TARGET: GOOD,
    Status.WARNING: WARN,
    Status.OFF_TARGET: BAD,
    Status.OVERDUE: LATE,
    Status.NO_DATA: NEUTRAL,
}
RESULT_TONE: dict[str, Tone] = {
    AuditResult.CONFORMING.value: GOOD,
    AuditResult.MAJOR_NC.value: SEVERE,
    AuditResult.MINOR_NC.value: BAD,
    AuditResult.OBSERVATION.value: WARN,
    AuditResult.OFI.value: INFO,
    AuditResult.NOT_APPLICABLE.value: NEUTRAL,
    AuditResult.NOT_AUDITED.value: NEUTRAL,
    "planned": PLANNED,
    "not applicable, no justification": WARN,
    "partly audited": WARN,
}
RESULT_CODE: dict[str, str] = {
    AuditResult.CONFORMING.value: "C",
    AuditResult.MAJOR_NC.value: "MAJ",
    AuditResult.MINOR_NC.value: "MIN",
    AuditResult.OBSERVATION.value: "OBS",
    AuditResult.OFI.value: "OFI",
    AuditResult.NOT_APPLICABLE.value: "N/A",
    AuditResult.NOT_AUDITED.value: "NOT AUD",
    "planned": "PLAN",
    "not applicable, no justification": "N/A?",
    "partly audited": "PART",
}
ACTION_TONE = {
    ActionStatus.OPEN.value: WARN,
    ActionStatus.IN_PROGRESS.value: INFO,
    ActionStatus.IMPLEMENTED.value: PLANNED,
    ActionStatus.CLOSED.value: GOOD,
}
AUDIT_TONE = {
    AuditStatus.PLANNED: PLANNED,
    AuditStatus.IN_PROGRESS: INFO,
    AuditStatus.COMPLETED: GOOD,
    AuditStatus.REPORTED: GOOD,
}
REVIEW_TONE = {"draft": WARN, "held": INFO, "approved": GOOD}
VERDICT_TONE = {"met": GOOD, "partly met": WARN, "not met": BAD, "not measured": NEUTRAL}


def tone_label(tone: Tone, label: str) -> Paragraph:
    return L.tone_cell(tone, label)


def text_cell(text: Any) -> Paragraph:
    return P(text if text not in (None, "") else "—", L.styles().cell)


def muted_cell(text: Any) -> Paragraph:
    return P(text, L.styles().cell_muted)


def bold_cell(text: Any) -> Paragraph:
    return P(text, L.styles().cell_bold)


def lines_cell(*parts: tuple[str, Any] | str) -> Paragraph:
    """A cell of several labelled lines ("Method: …"); user text escaped, empty parts skipped."""
    out = []
    for part in parts:
        if isinstance(part, str):
            if part:
                out.append(esc(part))
            continue
        label, value = part
        if value in (None, ""):
            continue
        out.append(f'<font color="{L.MUTED.hexval()}">{esc(label)}:</font> {esc(value)}')
    return M("<br/>".join(out) or "—", L.styles().cell)


def kpi_target(kpi: Targeted) -> str:
    """The target as the packs write it: '>=' and '<=' when the font lacks the signs, a range with 'to'."""
    return target_text(kpi, unicode=L.fonts().unicode, range_sep=" to ")


def kpi_warning(kpi: Targeted) -> str:
    """The warning threshold, written like `kpi_target`."""
    return warning_text(kpi, unicode=L.fonts().unicode, range_sep=" to ")
