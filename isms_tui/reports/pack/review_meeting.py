"""The meeting part of a management review in the pack (9.3): who took part, in which role and
whether as top management, and top management's conclusions on the ISMS with their reasons.

From the review's record (frozen at approval); a review approved before attendance was
recorded per person lists the names its snapshot holds.
"""

from __future__ import annotations

from typing import Any

from isms_tui.reports import layout as L
from isms_tui.reports.layout import BAD, GOOD, NEUTRAL, WARN

from .cells import bold_cell, muted_cell, text_cell, tone_label
from .context import Context

VERDICT_TONE = {"yes": GOOD, "partly": WARN, "no": BAD}
ASPECTS = (
    ("suitability", "Continuing suitability"),
    ("adequacy", "Adequacy"),
    ("effectiveness", "Effectiveness"),
)


def attendance_table(ctx: Context, attendees: list[Any]) -> None:
    s = ctx.story
    st = L.styles()
    if not attendees:
        s.para("Attendance: not recorded yet.", st.muted)
        return
    if all(isinstance(a, str) for a in attendees):
        s.para(
            "Attendance, as recorded by name before attendance was recorded per person: " + ", ".join(attendees) + ".",
            st.body,
        )
        return
    rows, tones = [], []
    ordered = sorted(attendees, key=lambda a: a["attendance"] != "present")
    for i, a in enumerate(ordered):
        present = a["attendance"] == "present"
        tone = GOOD if present else NEUTRAL
        rows.append(
            [
                bold_cell(a["name"]) if a["top_management"] else text_cell(a["name"]),
                text_cell(a["meeting_role"] or "—"),
                text_cell("yes") if a["top_management"] else muted_cell("no"),
                tone_label(tone, a["attendance"]),
            ]
        )
        tones.append((3, i, tone))
    s.add(
        L.data_table(
            ["Attendee", "Role at the meeting", "Top management", "Attendance"], rows, [3.0, 2.6, 1.5, 1.4], tones=tones
        )
    )
    s.space(4)


def conclusions_block(ctx: Context, conclusions: list[dict[str, Any]] | None, *, approved: bool, level: int) -> None:
    """The three conclusions, each with its verdict and reason; a missing one is said to be missing."""
    s = ctx.story
    st = L.styles()
    s.heading(level, "Top management's conclusions on the ISMS", ref="9.3", toc=level <= 2, keep=40 * L.mm)
    if conclusions is None or (approved and not conclusions):
        s.para(
            "This review was approved before its conclusions were recorded separately: see management's "
            "commentary on the inputs.",
            st.muted,
        )
        return
    given = {c["aspect"]: c for c in conclusions}
    rows, tones = [], []
    for i, (aspect, title) in enumerate(ASPECTS):
        c = given.get(aspect)
        if c is None:
            rows.append([bold_cell(title), tone_label(WARN, "not recorded"), muted_cell("—")])
            tones.append((1, i, WARN))
            continue
        tone = VERDICT_TONE.get(c["verdict"], NEUTRAL)
        rows.append([bold_cell(title), tone_label(tone, c["verdict"]), text_cell(c["rationale"])])
        tones.append((1, i, tone))
    s.add(L.data_table(["Is the ISMS…", "Verdict", "Why"], rows, [2.0, 1.0, 6.4], tones=tones))
    s.space(4)
