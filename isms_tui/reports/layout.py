"""The typographic toolkit of the evidence packs: fonts, styles, escaping, tables, charts and a
canvas that numbers pages ("page x of y") and fills in the contents after one layout pass.

Why one layout pass: a contents page with page numbers normally needs reportlab's multiBuild,
which lays the whole document out twice. Here the contents pages are reserved up front (every
entry is exactly one line, so their number is known from the number of headings), headings
record their page as they are drawn, and `PackCanvas` holds each finished page back until the
end, when the page total, the headers, the contents and the bookmarks are drawn onto the held
pages. The cost of the second "pass" is a few canvas operations per page, not a re-layout.

Every piece of user text goes through `esc` (reportlab's paragraph mini-markup would otherwise
read "<b>" or "&amp;" in an audit note as markup); `P` is the only way user text becomes a
Paragraph. This module is imported lazily, only when a pack is built.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

# Page streams are deflated; ASCII85 on top only makes them 25% larger and costs time (its
# encoder is pure Python without reportlab's optional accelerator).
rl_config.useA85 = 0

# -- page geometry -------------------------------------------------------------------------------

PAGE_W, PAGE_H = A4
MARGIN_L = MARGIN_R = 18 * mm
MARGIN_T = 22 * mm
MARGIN_B = 20 * mm
FRAME_W = PAGE_W - MARGIN_L - MARGIN_R
FRAME_H = PAGE_H - MARGIN_T - MARGIN_B

# -- colours (one palette: print-friendly, every status also carries a text label) ---------------

INK = colors.HexColor("#1B1F24")
MUTED = colors.HexColor("#5B6570")
PRIMARY = colors.HexColor("#1F3A5F")
RULE = colors.HexColor("#B8C4D0")
HEADER_BG = colors.HexColor("#E3E9F0")
ZEBRA = colors.HexColor("#F4F6F9")
GRID = colors.HexColor("#CED6DF")
NOTE_BG = colors.HexColor("#F2F5F8")


@dataclass(frozen=True)
class Tone:
    """A status look: pale fill for the cell, dark text colour, a symbol and the label."""

    fill: colors.Color
    text: colors.Color
    symbol: str


GOOD = Tone(colors.HexColor("#DCEFDC"), colors.HexColor("#1D5E2A"), "✔")
WARN = Tone(colors.HexColor("#FBF0C4"), colors.HexColor("#6B5200"), "▲")
BAD = Tone(colors.HexColor("#F6D5D8"), colors.HexColor("#8A1C24"), "✖")
SEVERE = Tone(colors.HexColor("#EDB9BE"), colors.HexColor("#6E0F17"), "✖✖")
LATE = Tone(colors.HexColor("#E8DDF3"), colors.HexColor("#55307A"), "◔")
INFO = Tone(colors.HexColor("#DCE9F7"), colors.HexColor("#1C4A7A"), "◆")
NEUTRAL = Tone(colors.HexColor("#ECEEF0"), colors.HexColor("#4A525A"), "○")
PLANNED = Tone(colors.HexColor("#E6EEF7"), colors.HexColor("#34506E"), "◇")

# -- fonts ---------------------------------------------------------------------------------------

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FONT_FILES = {
    "PackSans": "DejaVuSans.ttf",
    "PackSans-Bold": "DejaVuSans-Bold.ttf",
    "PackSans-Oblique": "DejaVuSans-Oblique.ttf",
    "PackSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
    "PackMono": "DejaVuSansMono.ttf",
}
_HELVETICA = {
    "PackSans": "Helvetica",
    "PackSans-Bold": "Helvetica-Bold",
    "PackSans-Oblique": "Helvetica-Oblique",
    "PackSans-BoldOblique": "Helvetica-BoldOblique",
    "PackMono": "Courier",
}


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    italic: str
    mono: str
    unicode: bool  # False with the Helvetica fallback: symbols outside Latin-1 are avoided


_fonts: Fonts | None = None
_fonts_lock = threading.Lock()


def fonts() -> Fonts:
    """Register DejaVu Sans once per process (good Unicode coverage, embedded as a subset);
    fall back to the standard Helvetica family when the Debian font package is absent."""
    global _fonts
    with _fonts_lock:
        if _fonts is None:
            _fonts = _register_fonts()
        return _fonts


def _register_fonts() -> Fonts:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        for name, file in _FONT_FILES.items():
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(DEJAVU_DIR / file)))
    except Exception:
        f = _HELVETICA
        return Fonts(f["PackSans"], f["PackSans-Bold"], f["PackSans-Oblique"], f["PackMono"], unicode=False)
    family = "PackSans"
    addMapping(family, 0, 0, "PackSans")
    addMapping(family, 1, 0, "PackSans-Bold")
    addMapping(family, 0, 1, "PackSans-Oblique")
    addMapping(family, 1, 1, "PackSans-BoldOblique")
    return Fonts("PackSans", "PackSans-Bold", "PackSans-Oblique", "PackMono", unicode=True)


def symbol(tone: Tone) -> str:
    """The tone's symbol where the font has it (the Helvetica fallback has no such glyphs)."""
    return tone.symbol + " " if fonts().unicode else ""


# -- text ----------------------------------------------------------------------------------------

_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\ufffe\uffff\ud800-\udfff]"
)


def clean(text: Any) -> str:
    """Printable text: control characters and lone surrogates removed, tabs as spaces, NFC."""
    s = "" if text is None else str(text)
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    s = _CONTROL.sub("", s)
    return unicodedata.normalize("NFC", s)


def esc(text: Any) -> str:
    """User text made safe for reportlab's paragraph mini-markup: it renders as written."""
    s = _xml_escape(clean(text))
    return s.replace("\n", "<br/>")


def hash_lines(digest: str) -> str:
    """A SHA-256 as two escaped lines of 32 hex digits: fits a narrow column, easy to compare."""
    half = len(digest) // 2
    return esc(digest[:half]) + "<br/>" + esc(digest[half:]) if len(digest) > 40 else esc(digest)


def truncate(text: str, font: str, size: float, width: float) -> str:
    """`text` cut with an ellipsis so it fits `width` points on one line."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdfmetrics.stringWidth(text[:mid] + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


# -- paragraph styles ----------------------------------------------------------------------------


class Styles:
    """Every style of the pack, derived from one base so the typography stays consistent."""

    def __init__(self) -> None:
        f = fonts()
        self.fonts = f
        base = ParagraphStyle(
            "base",
            fontName=f.regular,
            fontSize=9.2,
            leading=12.6,
            textColor=INK,
            splitLongWords=1,
            allowWidows=0,
            allowOrphans=0,
        )
        self.body = ParagraphStyle("body", parent=base, spaceAfter=4)
        self.muted = ParagraphStyle("muted", parent=base, textColor=MUTED, fontSize=8.4, leading=11.2)
        self.note = ParagraphStyle(
            "note",
            parent=base,
            fontSize=8.6,
            leading=11.6,
            textColor=MUTED,
            backColor=NOTE_BG,
            borderPadding=(5, 6, 5, 6),
            spaceBefore=6,
            spaceAfter=10,
        )
        self.cell = ParagraphStyle("cell", parent=base, fontSize=7.8, leading=9.8)
        self.cell_bold = ParagraphStyle("cell_bold", parent=self.cell, fontName=f.bold)
        self.cell_muted = ParagraphStyle("cell_muted", parent=self.cell, textColor=MUTED)
        self.cell_right = ParagraphStyle("cell_right", parent=self.cell, alignment=TA_RIGHT)
        self.cell_mono = ParagraphStyle("cell_mono", parent=self.cell, fontName=f.mono, fontSize=7.2, leading=9.4)
        self.head_cell = ParagraphStyle("head_cell", parent=self.cell, fontName=f.bold, textColor=PRIMARY)
        self.head_cell_right = ParagraphStyle("head_cell_right", parent=self.head_cell, alignment=TA_RIGHT)
        self.label = ParagraphStyle(
            "label", parent=self.cell, fontName=f.bold, textColor=MUTED, fontSize=8.2, leading=10.6
        )
        self.value = ParagraphStyle("value", parent=self.cell, fontSize=8.6, leading=11.2)
        self.value_mono = ParagraphStyle("value_mono", parent=self.value, fontName=f.mono, fontSize=8.2)
        self.h = [
            ParagraphStyle(
                "h0",
                parent=base,
                fontName=f.bold,
                fontSize=17,
                leading=21,
                textColor=PRIMARY,
                spaceBefore=18,
                spaceAfter=10,
            ),
            ParagraphStyle(
                "h1",
                parent=base,
                fontName=f.bold,
                fontSize=12.6,
                leading=16,
                textColor=PRIMARY,
                spaceBefore=12,
                spaceAfter=6,
            ),
            ParagraphStyle(
                "h2",
                parent=base,
                fontName=f.bold,
                fontSize=10.6,
                leading=13.6,
                textColor=INK,
                spaceBefore=10,
                spaceAfter=5,
            ),
            ParagraphStyle(
                "h3",
                parent=base,
                fontName=f.bold,
                fontSize=9.4,
                leading=12.4,
                textColor=MUTED,
                spaceBefore=8,
                spaceAfter=3,
            ),
        ]
        self.title = ParagraphStyle(
            "title", parent=base, fontName=f.bold, fontSize=25, leading=30, textColor=PRIMARY, spaceAfter=6
        )
        self.subtitle = ParagraphStyle("subtitle", parent=base, fontSize=13, leading=17, textColor=MUTED, spaceAfter=18)


_styles: Styles | None = None


def styles() -> Styles:
    global _styles
    if _styles is None:
        _styles = Styles()
    return _styles


def P(text: Any, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of user (or any) text, escaped: it renders exactly as written."""
    return Paragraph(esc(text), style or styles().body)


def M(markup: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of markup built here, whose user-text pieces went through `esc`."""
    return Paragraph(markup, style or styles().body)


def tone_cell(tone: Tone, label: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A status label in its colour, with a symbol: readable in greyscale and by colour-blind readers."""
    st = style or styles().cell_bold
    return Paragraph(f'<font color="{tone.text.hexval()}">{esc(symbol(tone) + label)}</font>', st)


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
    extra: Sequence[tuple] = (),
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
    cmds: list[tuple] = [
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


def tone_commands(cells: Sequence[tuple[int, int, Tone]], text: bool = False) -> list[tuple]:
    """Table style commands colouring (column, row) cells (rows counted in the table's data,
    header included), one command per vertical run of the same tone rather than per cell."""
    out: list[tuple] = []
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


# -- charts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartLine:
    """A horizontal reference line: a target (solid) or a threshold (dashed)."""

    value: float
    label: str
    colour: colors.Color
    dashed: bool = False


GREEN_LINE = colors.HexColor("#2E8B3E")
AMBER_LINE = colors.HexColor("#D9A400")
SERIES = colors.HexColor("#1F4E8C")


class TrendChart(Flowable):
    """Readings over the periods of the pack against the target and the warning threshold.

    Drawn straight onto the canvas (a few dozen operations per chart): hundreds of KPIs must
    not each pay for a graphics tree. Points carry their status colour and the legend names
    every line with its value, so the chart reads without colour too.
    """

    def __init__(
        self,
        labels: Sequence[str],
        values: Sequence[float | None],
        lines: Sequence[ChartLine],
        point_tones: Sequence[Tone | None],
        *,
        unit: str = "",
        height: float = 48 * mm,
        width: float | None = None,
    ) -> None:
        super().__init__()
        self.labels = list(labels)
        self.values = list(values)
        self.lines = list(lines)
        self.point_tones = list(point_tones)
        self.unit = unit
        self.width = width or FRAME_W
        self.height = height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def _range(self) -> tuple[float, float]:
        vals = [v for v in self.values if v is not None] + [ln.value for ln in self.lines]
        if not vals:
            return 0.0, 1.0
        lo, hi = min(vals), max(vals)
        if hi == lo:
            pad = abs(hi) * 0.1 or 1.0
            return lo - pad, hi + pad
        pad = (hi - lo) * 0.12
        lo2 = lo - pad
        if lo >= 0 > lo2:
            lo2 = 0.0
        return lo2, hi + pad

    def draw(self) -> None:
        c = self.canv
        f = fonts()
        left, right, bottom, top = 34.0, 8.0, 24.0, 6.0
        pw, ph = self.width - left - right, self.height - bottom - top
        lo, hi = self._range()
        ticks = _nice_ticks(lo, hi)
        lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])

        def y_of(v: float) -> float:
            return bottom + (v - lo) / (hi - lo) * ph

        c.saveState()
        # grid and y-axis labels
        c.setLineWidth(0.3)
        c.setStrokeColor(GRID)
        c.setFont(f.regular, 6.4)
        c.setFillColor(MUTED)
        for t in ticks:
            y = y_of(t)
            c.line(left, y, left + pw, y)
            c.drawRightString(left - 3, y - 2.2, _fmt_tick(t))
        c.setStrokeColor(RULE)
        c.setLineWidth(0.6)
        c.line(left, bottom, left + pw, bottom)
        # reference lines
        for ln in self.lines:
            c.setStrokeColor(ln.colour)
            c.setLineWidth(1.1)
            c.setDash(3, 2) if ln.dashed else c.setDash()
            y = y_of(ln.value)
            c.line(left, y, left + pw, y)
        c.setDash()
        n = len(self.values)
        step = pw / max(n - 1, 1) if n > 1 else 0.0
        xs = [left + (i * step if n > 1 else pw / 2) for i in range(n)]
        # the series: a line through the readings, broken where a period has no reading
        c.setStrokeColor(SERIES)
        c.setLineWidth(1.3)
        path = c.beginPath()
        pen = False
        for x, v in zip(xs, self.values, strict=True):
            if v is None:
                pen = False
                continue
            if pen:
                path.lineTo(x, y_of(v))
            else:
                path.moveTo(x, y_of(v))
                pen = True
        c.drawPath(path, stroke=1, fill=0)
        # Points in their status colour: a zero-length stroke with round caps is a dot, and one
        # path per colour costs a fraction of a circle per point.
        c.setLineCap(1)
        c.setLineWidth(4.2 if n <= 26 else 3.0)
        by_colour: dict[str, tuple[colors.Color, list[tuple[float, float]]]] = {}
        for x, v, tone in zip(xs, self.values, self.point_tones, strict=True):
            if v is not None:
                colour = tone.text if tone else SERIES
                by_colour.setdefault(colour.hexval(), (colour, []))[1].append((x, y_of(v)))
        for colour, points in by_colour.values():
            c.setStrokeColor(colour)
            dots = c.beginPath()
            for x, y in points:
                dots.moveTo(x, y)
                dots.lineTo(x, y)
            c.drawPath(dots, stroke=1, fill=0)
        c.setLineCap(0)
        # period labels: at most about ten, always the first and the last
        c.setFillColor(MUTED)
        c.setFont(f.regular, 6.2)
        every = max(1, math.ceil(n / 10))
        shown = list(range(0, n, every))
        if shown and shown[-1] != n - 1:
            if (n - 1) - shown[-1] < every and len(shown) > 1:
                shown[-1] = n - 1  # too close to the last label: show the last period instead
            else:
                shown.append(n - 1)
        for i in shown:
            c.drawCentredString(xs[i], bottom - 9, self.labels[i])
        # legend
        c.setFont(f.regular, 6.8)
        x = left
        y = 3.0
        x = _legend_item(c, x, y, SERIES, False, "readings" + (f" ({self.unit})" if self.unit else ""), dot=True)
        for ln in self.lines:
            x = _legend_item(c, x, y, ln.colour, ln.dashed, ln.label)
        c.restoreState()


def _legend_item(
    c: Canvas, x: float, y: float, colour: colors.Color, dashed: bool, label: str, dot: bool = False
) -> float:
    c.setStrokeColor(colour)
    c.setLineWidth(1.2)
    c.setDash(3, 2) if dashed else c.setDash()
    c.line(x, y + 2.4, x + 14, y + 2.4)
    c.setDash()
    if dot:
        c.setFillColor(colour)
        c.circle(x + 7, y + 2.4, 1.8, stroke=0, fill=1)
    c.setFillColor(INK)
    c.drawString(x + 17, y, label)
    return x + 17 + pdfmetrics.stringWidth(label, c._fontname, c._fontsize) + 12


def _nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    span = hi - lo
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    out = []
    t = start
    while t <= hi + step * 0.001:
        out.append(round(t, 10))
        t += step
    if out[-1] < hi:
        out.append(round(out[-1] + step, 10))
    return out


def _fmt_tick(v: float) -> str:
    if abs(v) >= 10000:
        return f"{v:,.0f}"
    return f"{v:g}"


# -- headings, contents, decorations -------------------------------------------------------------


@dataclass
class TocEntry:
    key: str
    level: int
    text: str
    page: int | None = None


@dataclass
class Decor:
    """What the canvas needs to finish each page, shared between the story and the canvas."""

    title: str
    org: str
    footer: str
    entries: list[TocEntry] = field(default_factory=list)
    toc_pages: list[int] = field(default_factory=list)
    sections: dict[int, list[str]] = field(default_factory=dict)  # page -> top-level sections begun on it
    marks: dict[int, list[tuple[str, float]]] = field(default_factory=dict)  # page -> [(key, y)]
    by_key: dict[str, TocEntry] = field(default_factory=dict)
    page_count: int = 0

    def find(self, key: str) -> TocEntry | None:
        return self.by_key.get(key)

    def index(self) -> None:
        self.by_key = {e.key: e for e in self.entries}


class Heading(Paragraph):
    """A section heading that tells the canvas where it landed (for contents and bookmarks)."""

    def __init__(
        self, markup: str, style: ParagraphStyle, key: str, level: int, decor: Decor, section: str | None
    ) -> None:
        super().__init__(markup, style)
        self.key = key
        self.level = level
        self.decor = decor
        self.section = section

    def draw(self) -> None:
        super().draw()
        page = self.canv.getPageNumber()
        _x, y = self.canv.absolutePosition(0, self.height + self.style.fontSize * 0.4)
        self.decor.marks.setdefault(page, []).append((self.key, y))
        entry = self.decor.find(self.key)
        if entry is not None and entry.page is None:
            entry.page = page
        if self.section is not None:
            self.decor.sections.setdefault(page, []).append(self.section)


class ReservedPage(Flowable):
    """A page kept free for the contents, which the canvas draws once every page is known."""

    def __init__(self, decor: Decor) -> None:
        super().__init__()
        self.decor = decor

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return availWidth, availHeight - 1

    def draw(self) -> None:
        self.decor.toc_pages.append(self.canv.getPageNumber())


TOC_LINE = 13.5
TOC_TITLE = 46.0


def toc_page_count(entries: int) -> int:
    first = int((FRAME_H - TOC_TITLE) // TOC_LINE)
    rest = int(FRAME_H // TOC_LINE)
    if entries <= first:
        return 1
    return 1 + math.ceil((entries - first) / rest)


class PackCanvas(Canvas):
    """Holds every page back until the end, then draws headers, footers with "Page x of y",
    the contents and the bookmarks onto them (see the module docstring)."""

    def __init__(self, *args: Any, decor: Decor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pack_decor = decor
        self._pack_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pack_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        decor = self._pack_decor
        total = len(self._pack_pages)
        decor.page_count = total
        carried = ""  # the top-level section running at the end of the previous page
        toc_index = {p: i for i, p in enumerate(decor.toc_pages)}
        for state in self._pack_pages:
            self.__dict__.update(state)
            page = self._pageNumber
            if page in toc_index:
                self._draw_contents(toc_index[page])
            for key, y in decor.marks.get(page, ()):
                self.bookmarkHorizontal(key, 0, y)
            if page > 1:
                self._draw_header(decor.sections[page][0] if _starts_page(decor, page) else carried)
            carried = decor.sections.get(page, [carried])[-1]
            self._draw_footer(page, total)
            Canvas.showPage(self)
        level = -1
        for e in decor.entries:
            if e.page is None:
                continue
            lvl = min(e.level, level + 1)
            self.addOutlineEntry(e.text, e.key, lvl, closed=lvl >= 1)
            level = lvl
        self.showOutline()
        Canvas.save(self)

    def _draw_header(self, section: str) -> None:
        f = fonts()
        d = self._pack_decor
        y = PAGE_H - MARGIN_T + 8 * mm
        self.saveState()
        self.setFont(f.regular, 7.2)
        self.setFillColor(MUTED)
        self.drawString(MARGIN_L, y, truncate(d.org, f.regular, 7.2, FRAME_W * 0.45))
        right = section or d.title
        self.drawRightString(PAGE_W - MARGIN_R, y, truncate(right, f.regular, 7.2, FRAME_W * 0.5))
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN_L, y - 3.5, PAGE_W - MARGIN_R, y - 3.5)
        self.restoreState()

    def _draw_footer(self, page: int, total: int) -> None:
        f = fonts()
        d = self._pack_decor
        y = MARGIN_B - 10 * mm
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN_L, y + 9, PAGE_W - MARGIN_R, y + 9)
        self.setFont(f.regular, 7.2)
        self.setFillColor(MUTED)
        self.drawString(MARGIN_L, y, truncate(d.footer, f.regular, 7.2, FRAME_W * 0.75))
        self.setFont(f.bold, 7.4)
        self.setFillColor(INK)
        self.drawRightString(PAGE_W - MARGIN_R, y, f"Page {page} of {total}")
        self.restoreState()

    def _draw_contents(self, index: int) -> None:
        f = fonts()
        d = self._pack_decor
        first = int((FRAME_H - TOC_TITLE) // TOC_LINE)
        rest = int(FRAME_H // TOC_LINE)
        if index == 0:
            start, count = 0, first
        else:
            start, count = first + (index - 1) * rest, rest
        entries = d.entries[start : start + count]
        top = PAGE_H - MARGIN_T
        self.saveState()
        if index == 0:
            self.setFont(f.bold, 17)
            self.setFillColor(PRIMARY)
            self.drawString(MARGIN_L, top - 17, "Contents")
            self.bookmarkHorizontal("contents", 0, top + 4)
            y = top - TOC_TITLE
        else:
            y = top - TOC_LINE
        num_w = 28.0
        for e in entries:
            indent = 14.0 * e.level
            font, size = (f.bold, 9.0) if e.level == 0 else (f.regular, 8.6 if e.level == 1 else 8.0)
            self.setFillColor(PRIMARY if e.level == 0 else INK)
            self.setFont(font, size)
            room = FRAME_W - indent - num_w - 10
            text = truncate(e.text, font, size, room)
            x = MARGIN_L + indent
            self.drawString(x, y, text)
            page = str(e.page) if e.page is not None else "—"
            # dot leader between the title and the page number (drawn in reading order, so text
            # extraction gives "title . . . page")
            tw = pdfmetrics.stringWidth(text, font, size)
            dots_from = x + tw + 4
            dots_to = PAGE_W - MARGIN_R - pdfmetrics.stringWidth(page, font, size) - 4
            if dots_to - dots_from > 6:
                self.setFillColor(RULE)
                self.setFont(f.regular, size)
                dot_w = pdfmetrics.stringWidth(". ", f.regular, size)
                n = int((dots_to - dots_from) / dot_w)
                self.drawRightString(dots_to, y, ". " * n)
            self.setFont(font, size)
            self.setFillColor(PRIMARY if e.level == 0 else INK)
            self.drawRightString(PAGE_W - MARGIN_R, y, page)
            if e.page is not None:
                self.linkRect(
                    "", e.key, (MARGIN_L + indent, y - 3, PAGE_W - MARGIN_R, y + size), relative=0, thickness=0
                )
            y -= TOC_LINE
        self.restoreState()


def _starts_page(decor: Decor, page: int) -> bool:
    """Whether a top-level section begins at the top of `page` (its header then names it)."""
    marks = decor.marks.get(page, [])
    if not marks:
        return False
    first_key, y = marks[0]
    entry = decor.find(first_key)
    return entry is not None and entry.level == 0 and y > PAGE_H - MARGIN_T - 30


# -- the story and the build ---------------------------------------------------------------------


class Story:
    """The flowables of one pack, with its headings registered for the contents."""

    def __init__(self, decor: Decor) -> None:
        self.decor = decor
        self.flow: list[Flowable] = []
        self._keys = 0
        self._contents_at: int | None = None
        self._section: str | None = None

    def add(self, *items: Flowable) -> None:
        self.flow.extend(items)

    def contents_here(self) -> None:
        """Reserve the contents pages at this point (their number is settled in `finish`)."""
        self._contents_at = len(self.flow)

    def heading(
        self,
        level: int,
        text: str,
        *,
        ref: str = "",
        toc: bool = True,
        keep: float = 60 * mm,
        toc_text: str | None = None,
        new_page: bool = False,
    ) -> None:
        """A heading that never ends a page: it moves on when less than `keep` points remain.

        `ref` (a clause of the standard) shows after the title in a lighter tone.
        """
        st = styles()
        self._keys += 1
        key = f"h{self._keys}"
        markup = esc(text)
        if ref:
            markup += (
                f'<font color="{MUTED.hexval()}" size="{st.h[min(level, 3)].fontSize * 0.78:.1f}">'
                f"  ·  {esc(ref)}</font>"
            )
        if level <= 2 and toc:
            self.decor.entries.append(TocEntry(key, level, clean(toc_text or text)))
        if level == 0:
            self._section = clean(text)
        if new_page:  # a new page unless this one is still empty
            self.flow.append(CondPageBreak(FRAME_H - 2))
        else:
            self.flow.append(CondPageBreak(keep))
        self.flow.append(
            Heading(markup, st.h[min(level, 3)], key, level, self.decor, self._section if level == 0 else None)
        )

    def para(self, text: Any, style: ParagraphStyle | None = None) -> None:
        self.flow.append(P(text, style))

    def markup(self, markup: str, style: ParagraphStyle | None = None) -> None:
        self.flow.append(M(markup, style))

    def note(self, text: Any) -> None:
        self.flow.append(P(text, styles().note))

    def space(self, height: float = 6) -> None:
        self.flow.append(Spacer(1, height))

    def keep(self, *items: Flowable) -> None:
        self.flow.append(KeepTogether(list(items)))

    def finish(self) -> list[Flowable]:
        """The flowables with the contents pages reserved."""
        self.decor.index()
        flow = list(self.flow)
        if self._contents_at is not None:
            pages = toc_page_count(len(self.decor.entries))
            reserved: list[Flowable] = [ReservedPage(self.decor) for _ in range(pages)]
            flow[self._contents_at : self._contents_at] = reserved
        return flow


@dataclass(frozen=True)
class PdfMeta:
    title: str
    author: str
    subject: str
    keywords: str = ""


def build_pdf(story: Story, meta: PdfMeta, progress: Callable[[float], None] | None = None) -> bytes:
    """Lay the story out once and return the PDF bytes (pages finished by PackCanvas)."""
    import functools
    import io

    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_L,
        rightMargin=MARGIN_R,
        topMargin=MARGIN_T,
        bottomMargin=MARGIN_B,
        title=meta.title,
        author=meta.author,
        subject=meta.subject,
        keywords=meta.keywords,
        creator="isms-tui",
        producer="isms-tui (reportlab)",
        allowSplitting=1,
    )
    frame = Frame(
        MARGIN_L, MARGIN_B, FRAME_W, FRAME_H, id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    flow = story.finish()
    if progress is not None:
        total = max(len(flow), 1)

        def on_progress(kind: str, value: int) -> None:
            if kind == "PROGRESS":
                progress(min(value / total, 1.0))

        doc.setProgressCallBack(on_progress)
    doc.build(flow, canvasmaker=functools.partial(PackCanvas, decor=story.decor))
    return buf.getvalue()


def today_label(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"
