"""Section 9.3: each management review with its inputs (9.3.2) and results (9.3.3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from reportlab.platypus import CondPageBreak

from isms_tui.models import ManagementReview, ReviewStatus, Status, require_id
from isms_tui.reports import layout as L
from isms_tui.reports.layout import BAD, GOOD, NEUTRAL, WARN, esc
from isms_tui.services import pack_data, review_records, review_views
from isms_tui.services import review as review_service
from isms_tui.services.formatting import grading_count, grouped_hex, iso, long_date, number, plural

from .cells import (
    ACTION_TONE,
    REVIEW_TONE,
    STATUS_TONE,
    VERDICT_TONE,
    bold_cell,
    lines_cell,
    muted_cell,
    text_cell,
    tone_label,
)
from .context import Context
from .evaluations import review_evaluations
from .review_d1 import render_d1
from .review_meeting import attendance_table, conclusions_block


def gather_reviews(ctx: Context) -> list[ManagementReview]:
    return [
        r
        for r in review_records.list_reviews(ctx.session)
        if ctx.period_from <= (r.held_on or r.planned_on) <= ctx.period_to
    ]


def write_section_93(ctx: Context, reviews: list[ManagementReview]) -> None:
    s = ctx.story
    s.heading(0, "9.3 Management review", new_page=True)
    s.para(
        "Each management review of the period: its inputs (9.3.2), assembled from the workspace's data for the "
        "review's period and commented by management, and its results (9.3.3): decisions and actions with "
        "owners and due dates. An approved review is shown exactly as frozen at approval."
    )
    if not reviews:
        s.para("No management review was held or planned in the period.")
    for i, r in enumerate(reviews):
        review_block(ctx, r, title_level=1, sub_level=2)
        ctx.progress(0.45 + 0.05 * (i + 1) / len(reviews), "Writing the management reviews")


def review_block(ctx: Context, review: ManagementReview, *, title_level: int | None, sub_level: int) -> None:
    """One review: its record, the inputs a to g, decisions and actions (as frozen when approved)."""
    s = ctx.story
    st = L.styles()
    record = review_service.minutes(ctx.session, review)
    live = review_views.current_actions(ctx.session, require_id(review), ctx.today)
    info = record["review"]
    if title_level is not None:
        s.heading(title_level, info["title"], ref="9.3.1", keep=70 * L.mm)
    status = review.status.value
    pairs: list[tuple[str, Any]] = [
        ("Status", tone_label(REVIEW_TONE.get(status, NEUTRAL), status)),
        ("Planned", long_date(review.planned_on)),
        ("Held", long_date(review.held_on) if review.held_on else "not held yet"),
        ("Chair", info.get("chair") or "—"),
        (
            "Period reviewed",
            f"{long_date(date.fromisoformat(info['period'][0]))} to {long_date(date.fromisoformat(info['period'][1]))}",
        ),
    ]
    if review.status == ReviewStatus.APPROVED:
        pairs += [
            ("Approved", f"by {info.get('approved_by') or review.approved_by} on {iso(review.approved_at)}"),
            ("Frozen record SHA-256", grouped_hex(review.snapshot_sha256 or "")),
        ]
    s.add(L.kv_table(pairs, mono_keys=("Frozen record SHA-256",)))
    s.space(4)
    attendance_table(ctx, info.get("attendees") or [])
    sub = sub_level
    conclusions_block(ctx, record.get("conclusions"), approved=review.status == ReviewStatus.APPROVED, level=sub)
    s.heading(sub, "9.3.2 Management review inputs", toc=sub <= 2, keep=50 * L.mm)
    for inp in record["inputs"]:
        key = inp["section"]
        letter = key[0] + (f") {key[1:]}" if len(key) > 1 else "")
        s.heading(3, f"{letter}) {inp['title']}", keep=35 * L.mm, toc=False)
        renderer = _INPUT_RENDERERS.get(key)
        if inp.get("data") is not None and renderer is not None:
            renderer(ctx, inp["data"])
        if key in review_service.ENTRY_SECTIONS or inp.get("entries"):
            _entries(ctx, review, key, inp.get("entries") or [])
        if inp.get("commentary"):
            s.add(L.kv_table([("Management's commentary", inp["commentary"])]))
        else:
            s.para("No commentary recorded.", st.muted)
    s.heading(sub, "9.3.3 Management review results", ref="decisions and actions", toc=sub <= 2, keep=40 * L.mm)
    decisions = record.get("decisions") or []
    if not decisions:
        s.para(
            "No decisions recorded."
            if review.status != ReviewStatus.DRAFT
            else "The review has not been held yet: no decisions.",
            st.muted,
        )
    for n, d in enumerate(decisions, 1):
        s.add(CondPageBreak(30 * L.mm))
        s.markup(f"<b>Decision {n}</b> · <i>{esc(d['kind'])}</i><br/>{esc(d['text'])}", st.body)
        if not d["actions"]:
            s.para("No action needed.", st.muted)
            continue
        rows, tones = [], []
        for i, a in enumerate(d["actions"]):
            now = live.get(a["id"])
            rec_tone = ACTION_TONE.get(a["status"], NEUTRAL)
            cells = [
                str(a["id"]),
                text_cell(a["title"]),
                text_cell(a.get("owner") or "—"),
                a.get("due") or "—",
                tone_label(rec_tone, a["status"]),
            ]
            if now:
                now_tone = BAD if now["overdue"] else ACTION_TONE.get(now["status"], NEUTRAL)
                cells.append(tone_label(now_tone, now["status"] + (" · overdue" if now["overdue"] else "")))
                tones.append((5, i, now_tone))
            else:
                cells.append(muted_cell("removed"))
            tones.append((4, i, rec_tone))
            rows.append(cells)
        s.add(
            L.data_table(
                ["#", "Action", "Owner", "Due", "Recorded", f"On {iso(ctx.today)}"],
                rows,
                [0.4, 3.6, 1.4, 1.0, 1.3, 1.5],
                tones=tones,
            )
        )
        s.space(6)


def _entries(ctx: Context, review: ManagementReview, section: str, entries: list[dict[str, Any]]) -> None:
    s = ctx.story
    st = L.styles()
    if not entries:
        s.para("No entries.", st.muted)
        return
    s.space(4)
    shas = [f["sha256"] for e in entries for f in e.get("evidence", [])]
    known = pack_data.evidence_by_sha(ctx.session, shas)
    rows = []
    for i, e in enumerate(entries, 1):
        names = []
        for f in e.get("evidence", []):
            ev = known.get(f["sha256"])
            if ev is not None:
                ctx.evidence.add(ev, f"Management review {review.id}, input {section}): {L.clean(e['title'])}")
            names.append(f["name"])
        rows.append(
            [
                str(i),
                bold_cell(e["title"]),
                lines_cell(e.get("detail") or "", ("Source", e.get("source"))),
                text_cell(", ".join(names) or "—"),
            ]
        )
    s.add(L.data_table(["#", "Entry", "Detail and source", "Evidence"], rows, [0.35, 2.4, 4.6, 2.0]))


def _render_a(ctx: Context, data: dict[str, Any]) -> None:
    s = ctx.story
    if data.get("first_review"):
        s.para(
            "This is the first management review recorded: there are no actions of previous reviews to follow up.",
            L.styles().muted,
        )
        return
    rows = data.get("actions", [])
    overdue = sum(1 for r in rows if r.get("overdue"))
    s.para(
        f"{plural(len(rows), 'action')} decided at previous reviews: {data.get('closed', 0)} closed, "
        f"{data.get('open', 0)} open ({overdue} overdue)."
    )
    if rows:
        table, tones = [], []
        for i, r in enumerate(rows):
            tone = BAD if r.get("overdue") else ACTION_TONE.get(r["status"], NEUTRAL)
            origin = f"{r.get('review', '')} ({r.get('review_date', '')})"
            table.append(
                [
                    str(r["id"]),
                    text_cell(r["title"]),
                    text_cell(origin),
                    text_cell(r.get("owner") or "—"),
                    r.get("due") or "—",
                    tone_label(tone, r["status"] + (" · overdue" if r.get("overdue") else "")),
                    f"×{r['carried_over']}" if r.get("carried_over") else "—",
                ]
            )
            tones.append((5, i, tone))
        s.add(
            L.data_table(
                ["#", "Action", "Decided at", "Owner", "Due", "Status", "Carried"],
                table,
                [0.4, 3.0, 2.0, 1.2, 0.95, 1.3, 0.7],
                tones=tones,
            )
        )


def _render_d2(ctx: Context, data: dict[str, Any]) -> None:
    s = ctx.story
    kpis = data.get("kpis", [])
    total = sum(k["readings"] for k in kpis)
    on = sum(k["on_target"] for k in kpis)
    share = f"{round(100 * on / total)}% of readings on target" if total else "no readings"
    s.para(
        f"{plural(len(kpis), 'KPI')}, {plural(total, 'reading')} in the period; {share}; "
        f"{plural(data.get('analyses_recorded', 0), 'analysis record')}."
    )
    shares = data.get("on_target_share_by_quarter") or []
    if shares:
        s.add(
            L.data_table(
                ["Quarter"] + [q["quarter"] for q in shares],
                [["on target"] + [f"{q['share']}%" if q["share"] is not None else "—" for q in shares]],
                [1.2] + [1] * len(shares),
                align_right=tuple(range(1, len(shares) + 1)),
            )
        )
        s.space(4)
    if kpis:
        rows, tones = [], []
        for i, k in enumerate(kpis):
            stt = Status(k["last_status"])
            rows.append(
                [
                    bold_cell(k["code"]),
                    text_cell(k["name"]),
                    str(k["on_target"]),
                    str(k["warning"]),
                    str(k["off_target"]),
                    number(k["last"], k.get("unit", "")),
                    tone_label(STATUS_TONE[stt], stt.value),
                    k.get("trend") or "—",
                ]
            )
            tones.append((6, i, STATUS_TONE[stt]))
        s.add(
            L.data_table(
                ["KPI", "Name", "On", "Warn", "Off", "Last", "Last status", "Trend"],
                rows,
                [1.2, 3.1, 0.5, 0.62, 0.5, 1.05, 1.3, 1.0],
                tones=tones,
                align_right=(2, 3, 4, 5),
            )
        )
    review_evaluations(ctx, data.get("isms_evaluations"))


def _render_d3(ctx: Context, data: dict[str, Any]) -> None:
    s = ctx.story
    audits = data.get("audits", [])
    s.para(
        f"{plural(len(audits), 'audit')} completed in the period; {data.get('planned_or_running', 0)} planned "
        "or running."
    )
    if audits:
        rows = []
        for a in audits:
            results = ", ".join(grading_count(n, r) for r, n in a.get("results", {}).items()) or "no results recorded"
            found = ", ".join(grading_count(n, g) for g, n in a.get("findings", {}).items()) or "no findings"
            rows.append(
                [
                    bold_cell(a["title"]),
                    a["ended"],
                    text_cell(results),
                    text_cell(found),
                    text_cell(a.get("conclusion") or "—"),
                ]
            )
        s.add(L.data_table(["Audit", "Ended", "Results", "Findings", "Conclusion"], rows, [2.0, 0.95, 2.1, 1.6, 2.8]))


def _render_d4(ctx: Context, data: dict[str, Any]) -> None:
    s = ctx.story
    objectives = data.get("objectives", [])
    if not objectives:
        s.para("No objectives recorded.", L.styles().muted)
        return
    rows, tones = [], []
    for i, o in enumerate(objectives):
        kpis = "; ".join(_kpi_over_period(k) for k in o.get("kpis", [])) or "no KPI"
        tone = VERDICT_TONE.get(o["verdict"], NEUTRAL)
        rows.append(
            [
                bold_cell(o["code"]),
                lines_cell(
                    o["statement"], ("Target", o.get("target")), ("Owner", o.get("owner")), ("Due", o.get("due"))
                ),
                text_cell(kpis),
                tone_label(tone, o["verdict"]),
            ]
        )
        tones.append((3, i, tone))
    if data.get("period_from"):
        s.para(
            f"Each objective judged on every reading of its KPIs from {data['period_from']} to {data['period_to']}: "
            "met when every KPI was measured and every reading was on target, not met when none was."
        )
    s.add(
        L.data_table(["Code", "Objective", "KPIs over the period", "Verdict"], rows, [0.8, 4.1, 3.1, 1.3], tones=tones)
    )


def _kpi_over_period(k: dict[str, Any]) -> str:
    """'PATCH-01 9 of 12 on target, improving'; a review approved before judging over the
    period froze only each KPI's last status."""
    if k.get("readings") is None:
        return f"{k['code']} ({k['status']})"
    retired = "" if k.get("active", True) else " (retired)"
    if not k["readings"]:
        return f"{k['code']} no readings{retired}"
    trend = f", {k['trend']}" if k.get("trend") else ""
    return f"{k['code']} {k['on_target']} of {k['readings']} on target{trend}{retired}"


def _render_g(ctx: Context, data: dict[str, Any]) -> None:
    s = ctx.story
    ofis, follow = data.get("audit_opportunities", []), data.get("analysis_follow_ups", [])
    s.para(
        f"{plural(len(ofis), 'opportunity', 'opportunities')} for improvement from audits; "
        f"{plural(len(follow), 'follow-up')} proposed by KPI analyses."
    )
    if ofis:
        s.add(
            L.data_table(
                ["Ref", "Opportunity raised by an audit"],
                [[bold_cell(o["ref"]), text_cell(o["statement"])] for o in ofis],
                [0.9, 8.5],
            )
        )
        s.space(4)
    if follow:
        s.add(
            L.data_table(
                ["KPI", "Analysed", "Follow-up proposed"],
                [[bold_cell(f["kpi"]), f["analysed_on"], text_cell(f["follow_up"])] for f in follow],
                [1.1, 1.0, 7.3],
            )
        )


BAND_TONE = {"low": GOOD, "medium": WARN, "high": BAD, "critical": BAD}


def _render_f(ctx: Context, data: dict[str, Any]) -> None:
    s = ctx.story
    risks, plan = data.get("risks", []), data.get("actions", {})
    above, overdue = data.get("above_appetite", []), data.get("treatment_overdue", [])
    s.para(
        f"{plural(data.get('open', 0), 'open risk')}; risk appetite: level {data.get('appetite')}; "
        f"{len(above)} above it{' (' + ', '.join(above) + ')' if above else ''}; "
        f"{plural(len(overdue), 'treatment')} overdue. Treatment actions: {plan.get('open', 0)} open, "
        f"{plan.get('done', 0)} done, {plan.get('overdue', 0)} overdue."
    )
    if data.get("soa"):
        s.para(f"Statement of applicability: {data['soa']}", L.styles().muted)
    if not risks:
        s.para("The risk register is empty.", L.styles().muted)
        return
    rows, tones = [], []
    for i, r in enumerate(risks):
        tone = BAND_TONE.get(r["band"], NEUTRAL)
        then = "—" if r.get("level_at_start") is None else str(r["level_at_start"])
        now = "—" if r.get("level_at_end") is None else str(r["level_at_end"])
        residual = "—" if r.get("residual") is None else str(r["residual"])
        status = f"{r['treatment']}, {r['status']}" + (", overdue" if r.get("treatment_overdue") else "")
        rows.append(
            [
                bold_cell(r["ref"]),
                lines_cell(r["title"], ("Owner", r.get("owner") or "—")),
                tone_label(
                    tone, f"{r['level']} {r['band']}" + (" · above appetite" if r.get("above_appetite") else "")
                ),
                f"{then} → {now}",
                residual,
                text_cell(status),
            ]
        )
        tones.append((2, i, tone))
    s.add(
        L.data_table(
            ["Ref", "Risk", "Level now", "Period start → end", "Residual", "Treatment"],
            rows,
            [0.8, 3.4, 1.6, 1.3, 0.8, 1.6],
            tones=tones,
        )
    )


_INPUT_RENDERERS: dict[str, Callable[[Context, dict[str, Any]], None]] = {
    "a": _render_a,
    "d1": render_d1,
    "d2": _render_d2,
    "d3": _render_d3,
    "d4": _render_d4,
    "f": _render_f,
    "g": _render_g,
}
