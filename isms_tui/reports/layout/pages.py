"""Headings, the contents and the page canvas that numbers pages ("page x of y") and fills in
the contents after one layout pass.

Why one layout pass: a contents page with page numbers normally needs reportlab's multiBuild,
which lays the whole document out twice. Here the contents pages are reserved up front (every
entry is exactly one line, so their number is known from the number of headings), headings
record their page as they are drawn, and `PackCanvas` holds each finished page back until the
end, when the page total, the headers, the contents and the bookmarks are drawn onto the held
pages. The cost of the second "pass" is a few canvas operations per page, not a re-layout."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Paragraph,
)

from .theme import (
    FRAME_H,
    FRAME_W,
    INK,
    MARGIN_B,
    MARGIN_L,
    MARGIN_R,
    MARGIN_T,
    MUTED,
    PAGE_H,
    PAGE_W,
    PRIMARY,
    RULE,
    fonts,
    truncate,
)

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
    draft: str = ""  # why the pack is a draft (an audit not completed, a review not approved), or ""
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


class Heading(Paragraph):  # type: ignore[misc]  # reportlab has no type stubs
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


class ReservedPage(Flowable):  # type: ignore[misc]  # reportlab has no type stubs
    """A page kept free for the contents, which the canvas draws once every page is known."""

    def __init__(self, decor: Decor) -> None:
        super().__init__()
        self.decor = decor

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return availWidth, availHeight - 1

    def draw(self) -> None:
        self.decor.toc_pages.append(self.canv.getPageNumber())


DRAFT_MARK = "DRAFT"
DRAFT_INK = colors.HexColor("#B0202C")

TOC_LINE = 13.5
TOC_TITLE = 46.0


def toc_page_count(entries: int) -> int:
    first = int((FRAME_H - TOC_TITLE) // TOC_LINE)
    rest = int(FRAME_H // TOC_LINE)
    if entries <= first:
        return 1
    return 1 + math.ceil((entries - first) / rest)


class PackCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type stubs
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
            if decor.draft:
                self._draw_watermark()
            if page > 1 or decor.draft:
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
        left = MARGIN_L
        if d.draft:
            self.setFont(f.bold, 7.2)
            self.setFillColor(DRAFT_INK)
            self.drawString(left, y, DRAFT_MARK)
            left += pdfmetrics.stringWidth(DRAFT_MARK + "  ", f.bold, 7.2)
            self.setFont(f.regular, 7.2)
            self.setFillColor(MUTED)
        self.drawString(left, y, truncate(d.org, f.regular, 7.2, FRAME_W * 0.45 + MARGIN_L - left))
        right = section or d.title
        self.drawRightString(PAGE_W - MARGIN_R, y, truncate(right, f.regular, 7.2, FRAME_W * 0.5))
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN_L, y - 3.5, PAGE_W - MARGIN_R, y - 3.5)
        self.restoreState()

    def _draw_watermark(self) -> None:
        """DRAFT across the page, pale and translucent, so the text under it stays readable."""
        f = fonts()
        self.saveState()
        self.setFillColor(DRAFT_INK)
        self.setFillAlpha(0.10)
        self.setFont(f.bold, 120)
        self.translate(PAGE_W / 2, PAGE_H / 2)
        self.rotate(55)
        self.drawCentredString(0, -42, DRAFT_MARK)
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
