"""Section 10.2 of the Clause 9 pack, and the corrective-action cell the audit report shares:
each nonconformity of the period, whatever its source, with its full record."""

from __future__ import annotations

from reportlab.platypus import Paragraph

from isms_tui.models import Action, ActionReopen, ActionStatus
from isms_tui.reports import layout as L
from isms_tui.reports.layout import BAD, NEUTRAL, M, esc
from isms_tui.services import actions as actions_service
from isms_tui.services import evidence as evidence_service
from isms_tui.services import nonconformities
from isms_tui.services.action_register import ActionRow
from isms_tui.services.formatting import iso, plural

from .cells import ACTION_TONE, bold_cell, lines_cell
from .context import Context


def _line(parts: list[str], label: str, value: object) -> None:
    if value not in (None, ""):
        parts.append(f'<font color="{L.MUTED.hexval()}">{esc(label)}:</font> {esc(value)}')


def action_cell(ctx: Context, act: Action, owner: str, reopens: list[ActionReopen] | None = None) -> Paragraph:
    """Status, owner, due; the cause, the action, the change to the ISMS; the evidence; the
    effectiveness check with its planned day and any reason the owner checked it; each reopening."""
    overdue = actions_service.is_overdue(act, ctx.period_to)
    tone = BAD if overdue else ACTION_TONE.get(act.status.value, NEUTRAL)
    label = act.status.value + (" · overdue" if overdue else "")
    parts = [f'<font color="{tone.text.hexval()}"><b>{esc(L.symbol(tone) + label)}</b></font>  #{act.id}']
    parts.append(esc(act.title))
    _line(parts, "Owner", owner or "—")
    _line(parts, "Due", iso(act.due_date) if act.due_date else "")
    _line(parts, "Correction", act.correction)
    if act.nonconformity:
        _line(parts, "Extent of condition", act.extent)
    _line(parts, "Root cause", act.root_cause)
    _line(parts, "Corrective action", act.corrective_action)
    if act.nonconformity:
        _line(parts, "Change to the ISMS", act.isms_change)
    files = evidence_service.linked(ctx.session, "action", act.id or 0)
    for ev in files:
        ctx.evidence.add(ev, f"Action {act.id}")
    _line(parts, "Evidence", ", ".join(ev.original_name for ev in files))
    planned = actions_service.planned_check_on(act)
    if act.status == ActionStatus.IMPLEMENTED and planned is not None:
        settling = f"{plural(act.settling_days, 'day')} settling"
        _line(parts, "Implemented", f"{iso(act.implemented_on)}; check planned for {iso(planned)} ({settling})")
    if act.effectiveness:
        checked = f"checked by {ctx.person(act.effectiveness_by_id)} on {iso(act.effectiveness_on)}"
        _line(parts, "Effectiveness", f"{act.effectiveness.value}, {checked}: {act.effectiveness_notes}")
        _line(parts, "Checked by its owner because", act.checker_reason)
    _line(parts, "Closed", iso(act.closed_on) if act.closed_on else "")
    for r in reopens or []:
        earlier = f"closed {iso(r.closed_on)}" if r.closed_on else "closed"
        if r.effectiveness_on:
            earlier += f" after a check by {ctx.person(r.effectiveness_by_id)} on {iso(r.effectiveness_on)}"
        _line(parts, f"Reopened {iso(r.reopened_on)} by {r.reopened_by}", f"{r.reason} (it had been {earlier})")
    return M("<br/>".join(parts), L.styles().cell)


def _nonconformity_cell(row: ActionRow) -> Paragraph:
    a = row.action
    when = nonconformities.detected(row)
    if row.finding is not None:
        f = row.finding
        what = f"{f.grading.value} on {f.ref} (audit {f.audit_id}): {f.statement}"
    else:
        what = a.description
    return lines_cell(what, ("Detected", iso(when) if when else ""))


def write_section_102(ctx: Context) -> None:
    """Every nonconformity the period saw (detected by its end, not closed before its start)."""
    s = ctx.story
    rows = nonconformities.for_period(ctx.session, ctx.period_from, ctx.period_to, ctx.today)
    s.heading(0, "10.2 Nonconformity and corrective action", new_page=True)
    s.para(
        "Each nonconformity the period saw, whatever its source (audit finding, KPI breach, incident, complaint, "
        "management review or other): what happened and when it was detected, the correction, whether it exists "
        "or could occur elsewhere, its root cause, the corrective action, any change to the ISMS, the evidence, "
        "and the effectiveness check. A reopened action lists each reopening with its reason."
    )
    if not rows:
        s.para("No nonconformity was open or raised in the period.")
        return
    table = [
        [
            bold_cell(row.source_label),
            _nonconformity_cell(row),
            action_cell(ctx, row.action, row.owner, list(row.reopens)),
        ]
        for row in rows
    ]
    s.add(L.data_table(["Source", "Nonconformity", "Corrective action"], table, [1.6, 3.6, 4.4]))
