"""Review input d1 in the pack: nonconformities of every source, per source and quarter, and
where their corrective actions stand."""

from __future__ import annotations

from typing import Any

from isms_tui.reports import layout as L
from isms_tui.reports.layout import NEUTRAL
from isms_tui.services.nonconformities import d1_sentence

from .cells import RESULT_TONE, bold_cell, text_cell, tone_label
from .context import Context


def render_d1(ctx: Context, data: dict[str, Any]) -> None:
    s = ctx.story
    ca = data.get("corrective_actions", {})
    s.para(
        f"{d1_sentence(data)} "
        f"Corrective actions{' on ' + ca['as_of'] if ca.get('as_of') else ''}: {ca.get('open', 0)} open, "
        f"{ca.get('overdue', 0)} overdue, {ca.get('closed_in_period', 0)} closed in the period, "
        f"{ca.get('not_effective_checks', 0)} found not effective."
    )
    trend = data.get("trend") or []
    if trend:
        rows = [["Raised"] + [str(q["raised"]) for q in trend], ["Closed"] + [str(q["closed"]) for q in trend]]
        if "by_source" in trend[0]:
            for source in trend[0]["by_source"]:
                if any(q["by_source"].get(source) for q in trend):
                    rows.append(
                        [f"  {source[:1].upper()}{source[1:]}"] + [str(q["by_source"].get(source, 0)) for q in trend]
                    )
        s.add(
            L.data_table(
                ["Quarter"] + [q["quarter"] for q in trend],
                rows,
                [1.6] + [1] * len(trend),
                align_right=tuple(range(1, len(trend) + 1)),
            )
        )
        s.space(4)
    if data.get("findings"):
        rows, tones = [], []
        for i, f in enumerate(data["findings"]):
            tone = RESULT_TONE.get(f["grading"], NEUTRAL)
            rows.append(
                [f["raised_on"], bold_cell(f["ref"]), tone_label(tone, f["grading"]), text_cell(f["statement"])]
            )
            tones.append((2, i, tone))
        s.add(L.data_table(["Raised", "Ref", "Grading", "Statement"], rows, [0.95, 0.75, 1.2, 6.5], tones=tones))
        s.space(4)
    if data.get("other_sources"):
        rows = [
            [
                o["detected_on"] or "—",
                bold_cell(f"{o['source'][:1].upper()}{o['source'][1:]} {o['ref']}".strip()),
                text_cell(o["description"]),
                text_cell(f"#{o['id']} {o['status']}"),
            ]
            for o in data["other_sources"]
        ]
        s.add(L.data_table(["Detected", "Source", "What happened", "Action"], rows, [0.95, 1.6, 5.0, 1.35]))
