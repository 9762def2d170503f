"""Tables with repeated headers, zebra rows and status fills; key-value tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import (
    Flowable,
    Paragraph,
    Table,
    TableStyle,
)

from .theme import FRAME_W, GRID, HEADER_BG, INK, PRIMARY, ZEBRA, Tone, esc, styles

# -- tables --------------------------------------------------------------------------------------

Cell = Any  # a Paragraph, a Flowable or a short plain string of our own


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[float],
    *,
    tones: Sequence[tuple[int, int, Tone]] = (),
    align_right: Sequence[int] = (),
    font_size: float = 7.8,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A zebra table with a repeated header row; long tables split across pages, tall rows too.

    `widths` are fractions of the frame width; `tones` colour single cells (column, row, tone)
    with row counted from 0 for the first data row.
    """
    st = styles()
    total = sum(widths)
    col_w = [FRAME_W * w / total for w in widths]
    data: list[list[Cell]] = [
        [Paragraph(esc(h), st.head_cell_right if i in align_right else st.head_cell) for i, h in enumerate(header)]
    ]
    data.extend(list(r) for r in rows)
    cmds: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), st.fonts.regular, font_size, font_size + 2),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.8),
        ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, PRIMARY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, GRID),
    ]
    if len(data) > 2:
        cmds.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]))
    for col in align_right:
        cmds.append(("ALIGN", (col, 1), (col, -1), "RIGHT"))
    cmds.extend(tone_commands([(col, row + 1, tone) for col, row, tone in tones]))
    cmds.extend(extra)
    return Table(data, colWidths=col_w, repeatRows=1, splitInRow=1, style=TableStyle(cmds), hAlign="LEFT")


def kv_table(pairs: Sequence[tuple[str, Cell]], label_width: float = 0.24, *, mono_keys: Sequence[str] = ()) -> Table:
    """Label/value lines (a plan, a record header): labels muted on the left, values wrap."""
    st = styles()
    rows = []
    for label, value in pairs:
        if not isinstance(value, Flowable):
            value = Paragraph(
                esc(value) if value not in (None, "") else "—", st.value_mono if label in mono_keys else st.value
            )
        rows.append([Paragraph(esc(label), st.label), value])
    cmds = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.4),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
    ]
    return Table(
        rows,
        colWidths=[FRAME_W * label_width, FRAME_W * (1 - label_width)],
        splitInRow=1,
        style=TableStyle(cmds),
        hAlign="LEFT",
    )


def tone_commands(cells: Sequence[tuple[int, int, Tone]], text: bool = False) -> list[tuple[Any, ...]]:
    """Table style commands colouring (column, row) cells (rows counted in the table's data,
    header included), one command per vertical run of the same tone rather than per cell."""
    out: list[tuple[Any, ...]] = []
    for col, row, tone in sorted(cells, key=lambda c: (c[0], c[1])):
        if out and out[-1][0] == "BACKGROUND" and out[-1][2] == (col, row - 1) and out[-1][3] == tone.fill:
            out[-1] = ("BACKGROUND", out[-1][1], (col, row), tone.fill)
            if text:
                out[-2] = ("TEXTCOLOR", out[-2][1], (col, row), tone.text)
            continue
        if text:
            out.append(("TEXTCOLOR", (col, row), (col, row), tone.text))
        out.append(("BACKGROUND", (col, row), (col, row), tone.fill))
    return out
