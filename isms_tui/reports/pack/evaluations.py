"""Section 9.1, continued: the evaluations of the ISMS as a whole and the fulfilment of the
information security objectives over the pack's period (6.2, read in 9.3.2 d) 4))."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from isms_tui.models import Action
from isms_tui.reports import layout as L
from isms_tui.reports.layout import NEUTRAL
from isms_tui.services import isms_evaluation, objective_fulfilment
from isms_tui.services.formatting import iso, plural

from .cells import VERDICT_TONE, bold_cell, lines_cell, text_cell, tone_label
from .context import Context


def write_isms_evaluations(ctx: Context) -> None:
    """Every evaluation whose period overlaps the pack's: the two conclusions, the basis and
    the follow-ups with the actions they raised and where those stand."""
    s = ctx.story
    found = isms_evaluation.evaluations_between(ctx.session, ctx.period_from, ctx.period_to)
    freq = isms_evaluation.evaluation_frequency(ctx.session)
    s.heading(2, "Evaluations of the ISMS as a whole", toc=False, keep=40 * L.mm)
    s.para(
        f"The organisation evaluates its information security performance and the effectiveness of the ISMS "
        f"{freq.value}. {plural(len(found), 'evaluation')} {'covers' if len(found) == 1 else 'cover'} part or all "
        "of this period."
    )
    if not found:
        s.para("No evaluation of the ISMS as a whole covers this period.", L.styles().muted)
        return
    raised = _actions(ctx.session, [e.id for e in found if e.id is not None])
    for e in found:
        acts = raised.get(e.id or 0, [])
        s.keep(
            L.kv_table(
                [
                    ("Period", bold_cell(f"{iso(e.period_from)} to {iso(e.period_to)}")),
                    ("Evaluated", text_cell(f"{iso(e.evaluated_on)} by {ctx.person(e.evaluator_id)}")),
                    ("Information security performance", text_cell(e.performance)),
                    ("Effectiveness of the ISMS", text_cell(e.effectiveness)),
                    ("Basis", lines_cell(*(e.basis.splitlines() or ["—"]))),
                    ("Follow-up", lines_cell(*(e.follow_up.splitlines() or ["none"]))),
                    (
                        "Actions raised",
                        lines_cell(*[f"#{a.id} {a.title} ({a.status.value})" for a in acts] or ["none"]),
                    ),
                ],
                label_width=0.26,
            )
        )
        s.space(6)


def review_evaluations(ctx: Context, rows: list[dict[str, Any]] | None) -> None:
    """The evaluations a review's input d2 froze (absent from reviews approved before them)."""
    if rows is None:
        return
    s = ctx.story
    s.space(4)
    s.para(f"{plural(len(rows), 'evaluation')} of the ISMS as a whole covering the period" + (":" if rows else "."))
    if rows:
        table = [
            [
                text_cell(f"{e['period_from']} to {e['period_to']}"),
                text_cell(f"{e['evaluated_on']}, {e['evaluator'] or '—'}"),
                text_cell(e["performance"]),
                text_cell(e["effectiveness"]),
            ]
            for e in rows
        ]
        s.add(L.data_table(["Period", "Evaluated", "Performance", "Effectiveness"], table, [1.6, 1.5, 3.2, 3.2]))


def _actions(session: Session, ids: list[int]) -> dict[int, list[Action]]:
    out: dict[int, list[Action]] = {}
    q = select(Action).where(Action.source == isms_evaluation.SOURCE, col(Action.source_id).in_(ids))
    for a in session.exec(q.order_by(col(Action.id))):
        out.setdefault(a.source_id or 0, []).append(a)
    return out


def write_objectives(ctx: Context) -> None:
    """The objectives judged on every reading of the period, by the rule the management
    review's input d4 uses (`objective_fulfilment`), so the two agree."""
    s = ctx.story
    found = objective_fulfilment.fulfilment(ctx.session, ctx.period_from, ctx.period_to)
    s.heading(1, "Fulfilment of information security objectives", ref="6.2, 9.3.2 d) 4)")
    s.para(
        f"Each objective judged on every live reading of its KPIs whose measurement period starts between "
        f"{iso(ctx.period_from)} and {iso(ctx.period_to)}: met when every KPI was measured and every reading was "
        "on target, not met when no reading was, partly met otherwise. A KPI retired since counts for the "
        "periods it was measured in."
    )
    if not found:
        s.para("No information security objective is recorded.", L.styles().muted)
        return
    rows, tones = [], []
    for i, o in enumerate(found):
        kpis = [
            f"{k.code}: "
            + (f"{k.on_target} of {k.readings} on target" if k.readings else "no readings")
            + (f", {k.trend}" if k.trend else "")
            + ("" if k.active else " (retired)")
            for k in o.kpis
        ]
        tone = VERDICT_TONE.get(o.verdict, NEUTRAL)
        rows.append(
            [
                bold_cell(o.objective.code),
                lines_cell(o.objective.statement, ("Target", o.objective.target), ("Owner", o.owner)),
                lines_cell(*kpis) if kpis else text_cell("no KPI"),
                tone_label(tone, o.verdict),
            ]
        )
        tones.append((3, i, tone))
    s.add(
        L.data_table(["Code", "Objective", "KPIs over the period", "Verdict"], rows, [0.8, 3.9, 3.3, 1.3], tones=tones)
    )
