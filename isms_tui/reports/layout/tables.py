"""Tables with repeated headers, zebra rows and status fills; key-value tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    Flowable,
    Paragraph,
    Table,
    TableStyle,
)

from .theme import FRAME_H, FRAME_W, GRID, HEADER_BG, INK, PRIMARY, ZEBRA, Tone, esc, styles

# -- tables --------------------------------------------------------------------------------------

Cell = Any  # a Paragraph, a Flowable or a short plain string of our own

PAD_X = 3.5  # left and right cell padding of a data table
MIN_HEAD_SIZE = 5.8  # a header shrinks to fit its longest word, never below this


class PackTable(Table):  # type: ignore[misc]  # reportlab has no type stubs
    """A table whose rows stay whole: a page ends between rows, and a row is cut only when it is
    taller than a whole page (reportlab's own in-row splitting also cuts rows that would fit on
    the next page, and can repeat the header in the middle of a page)."""

    def split(self, availWidth: float, availHeight: float) -> list[Table]:
        self._calc(availWidth, availHeight)
        if self.splitInRow and self.row_outgrows_page(self._getFirstPossibleSplitRowPosition(availHeight)):
            cut: list[Table] = self._splitRows(availHeight, doInRowSplit=1)
            return cut
        parts: list[Table] = self._splitRows(availHeight, doInRowSplit=0)
        return parts

    def row_outgrows_page(self, row: int) -> bool:
        """Whether `row`, under the repeated header, is too tall for an empty page."""
        heights = self._rowHeights
        if row >= len(heights):
            return False
        repeat = self.repeatRows if isinstance(self.repeatRows, int) else len(self.repeatRows)
        head = sum(heights[:repeat]) if row >= repeat else 0.0
        return bool(head + heights[row] > FRAME_H - 2)


def _head_size(text: str, width: float, font: str, size: float) -> float:
    """The header's font size: its longest word fits the column, so no word breaks mid-way."""
    longest = max((pdfmetrics.stringWidth(w, font, size) for w in text.split()), default=0.0)
    room = width - 2 * PAD_X - 0.5
    if longest <= room:
        return size
    return max(MIN_HEAD_SIZE, size * room / longest)


def _fit_cell(cell: Cell, width: float, font: str, size: float, style: ParagraphStyle) -> Cell:
    """A plain string wider than its column no longer runs into the next column: one word (a date,
    a number with its unit) is set a little smaller so it stays whole on its line; longer text
    wraps. Strings that fit stay strings: they are much cheaper to lay out."""
    if not isinstance(cell, str):
        return cell
    needed = pdfmetrics.stringWidth(cell, font, size)
    room = width - 2 * PAD_X - 0.5
    if needed <= room:
        return cell
    if " " not in cell.strip() and size * room / needed >= MIN_HEAD_SIZE:
        return Paragraph(esc(cell), _sized(style, size * room / needed))
    return Paragraph(esc(cell), style)


def _sized(style: ParagraphStyle, size: float) -> ParagraphStyle:
    size = math.floor(size * 10) / 10
    return ParagraphStyle(f"{style.name}_{size:.1f}", parent=style, fontSize=size, leading=size + 2)


def column_widths(widths: Sequence[float]) -> list[float]:
    """The widths in points of a data table's columns given as fractions, as `data_table` sets them."""
    total = sum(widths)
    return [FRAME_W * w / total for w in widths]


def text_width(widths: Sequence[float], column: int) -> float:
    """The room for text in a data table's column (its width less the cell padding)."""
    return column_widths(widths)[column] - 2 * PAD_X - 0.5


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
    col_w = column_widths(widths)
    heads = []
    for i, h in enumerate(header):
        base = st.head_cell_right if i in align_right else st.head_cell
        size = _head_size(h, col_w[i], base.fontName, base.fontSize)
        if size != base.fontSize:
            base = _sized(base, size)
        heads.append(Paragraph(esc(h), base))
    data: list[list[Cell]] = [heads]
    font = st.fonts.regular
    styles_of = [st.cell_right if i in align_right else st.cell for i in range(len(col_w))]
    for r in rows:
        data.append([_fit_cell(c, col_w[i], font, font_size, styles_of[i]) for i, c in enumerate(r)])
    cmds: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), st.fonts.regular, font_size, font_size + 2),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.8),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD_X),
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
    return PackTable(data, colWidths=col_w, repeatRows=1, splitInRow=1, style=TableStyle(cmds), hAlign="LEFT")


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
        ("FONT", (0, 0), (-1, -1), st.fonts.regular, st.value.fontSize, st.value.leading),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.4),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
    ]
    return PackTable(
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
