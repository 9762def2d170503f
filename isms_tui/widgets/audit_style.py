"""How audit results, statuses and gradings look: one place, so the working paper, the coverage
matrix, the audit screen and the report all agree (and colour is never the only signal)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from isms_tui.models.enums import ActionStatus, AuditResult, AuditStatus, Grading

# result -> (mark, short label, style); the short labels fit a 10-column matrix cell.
RESULT_STYLE: dict[AuditResult, tuple[str, str, str]] = {
    AuditResult.CONFORMING: ("✔", "conforming", "green"),
    AuditResult.MAJOR_NC: ("✖", "major NC", "bold red"),
    AuditResult.MINOR_NC: ("▲", "minor NC", "dark_orange"),
    AuditResult.OBSERVATION: ("◆", "observation", "yellow"),
    AuditResult.OFI: ("✚", "OFI", "cyan"),
    AuditResult.NOT_APPLICABLE: ("–", "n/a", "dim"),
    AuditResult.NOT_AUDITED: ("?", "not audited", "magenta"),
}
PLANNED = ("○", "planned", "#5f87d7")
# A 'not applicable' line with no note: it says nothing about why, so it covers nothing.
UNJUSTIFIED_STYLE = ("!", "n/a?", "magenta")
UNJUSTIFIED = "not applicable, no justification"  # = services.programme.UNJUSTIFIED, kept free of the data layer
# Some lines of a requirement answered, not all: it is not audited yet.
PARTLY_STYLE = ("◐", "partly", "#d7af5f")
PARTLY = "partly audited"  # = services.programme.PARTLY, kept free of the data layer
UNANSWERED = ("·", "", "dim")
# Labels of at most ten characters for the coverage matrix cells.
MATRIX_LABEL: dict[AuditResult, str] = {
    AuditResult.CONFORMING: "conforming",
    AuditResult.MAJOR_NC: "major NC",
    AuditResult.MINOR_NC: "minor NC",
    AuditResult.OBSERVATION: "observ.",
    AuditResult.OFI: "OFI",
    AuditResult.NOT_APPLICABLE: "n/a",
    AuditResult.NOT_AUDITED: "not aud.",
}

STATUS_STYLE: dict[AuditStatus, str] = {
    AuditStatus.PLANNED: "#5f87d7",
    AuditStatus.IN_PROGRESS: "yellow",
    AuditStatus.COMPLETED: "green",
    AuditStatus.REPORTED: "dim green",
}
GRADING_STYLE: dict[Grading, str] = {
    Grading.MAJOR_NC: "bold red",
    Grading.MINOR_NC: "dark_orange",
    Grading.OBSERVATION: "yellow",
    Grading.OFI: "cyan",
}
ACTION_STYLE: dict[ActionStatus, str] = {
    ActionStatus.OPEN: "red",
    ActionStatus.IN_PROGRESS: "yellow",
    ActionStatus.IMPLEMENTED: "cyan",
    ActionStatus.CLOSED: "green",
}
METHOD_LETTER = {"interview": "I", "observation": "O", "document review": "D", "re-performance": "R"}


def result_text(result: AuditResult | None, *, short: bool = False) -> Text:
    """'✔ conforming' for a recorded result, a dim dot for a line not answered yet."""
    mark, label, style = RESULT_STYLE[result] if result is not None else UNANSWERED
    if not short and result is not None:
        label = result.value if result != AuditResult.OFI else "OFI"
    return Text(f"{mark} {label}".rstrip(), style=style, no_wrap=True, overflow="ellipsis")


def cell_text(cell: str) -> Text:
    """A coverage-matrix cell: '' (not in scope), 'planned' or a result value."""
    if not cell:
        return Text("")
    if cell == "planned":
        mark, label, style = PLANNED
    elif cell == UNJUSTIFIED:
        mark, label, style = UNJUSTIFIED_STYLE
    elif cell == PARTLY:
        mark, label, style = PARTLY_STYLE
    else:
        result = AuditResult(cell)
        mark, _, style = RESULT_STYLE[result]
        label = MATRIX_LABEL[result]
    return Text(f"{mark} {label}", style=style, no_wrap=True, overflow="ellipsis")


def status_text(status: AuditStatus) -> Text:
    return Text(status.value, style=STATUS_STYLE[status])


def grading_text(grading: Grading) -> Text:
    label = "OFI" if grading == Grading.OFI else grading.value
    return Text(label, style=GRADING_STYLE[grading])


def action_text(status: ActionStatus | None) -> Text:
    if status is None:
        return Text("no action needed", style="dim")
    return Text(status.value, style=ACTION_STYLE[status])


def methods_text(methods: Sequence[str]) -> str:
    """Interview, observation, document review, re-performance as 'IODR' initials."""
    return "".join(METHOD_LETTER.get(str(m), "?") for m in methods)


def progress_bar(done: int, total: int, width: int = 32) -> Text:
    """'━━━━━━━━━━━━━━━  42%' drawn as text: static (no animation while loading) and cheaper
    to repaint after every recorded result than a ProgressBar widget."""
    filled = round(width * done / total) if total else 0
    percent = round(100 * done / total) if total else 0
    return Text.assemble(
        ("━" * filled, "green" if total and done == total else "#5f87d7"),
        ("━" * (width - filled), "grey30"),
        f" {percent:>3}%",
    )
