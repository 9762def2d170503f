"""The look of the packs: page geometry, the palette and status tones, the fonts (DejaVu when
installed, Helvetica otherwise), escaping of user text and the paragraph styles.

Every piece of user text goes through `esc` (reportlab's paragraph mini-markup would otherwise
read "<b>" or "&amp;" in an audit note as markup); `P` is the only way user text becomes a
Paragraph."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    Paragraph,
)

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


_NAME_BREAK = re.compile(r"(?<=[-_/])")


def name_lines(text: Any, font: str, size: float, width: float) -> str:
    """A file name as escaped markup broken only after "-", "_" or "/" (never inside a
    word, as "report-v7.t / xt"), each line within `width`; a piece longer than a line is cut."""
    pieces = [p for p in _NAME_BREAK.split(clean(text)) if p]
    lines: list[str] = []
    line = ""
    for piece in pieces:
        if pdfmetrics.stringWidth(line + piece, font, size) <= width:
            line += piece
            continue
        if line:
            lines.append(line)
        line = piece
        while pdfmetrics.stringWidth(line, font, size) > width and len(line) > 1:
            cut = len(line)
            while cut > 1 and pdfmetrics.stringWidth(line[:cut], font, size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    return "<br/>".join(esc(part) for part in lines)


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
