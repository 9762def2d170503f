"""The story a pack is written into, and the build of the PDF from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
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
)

from .pages import Decor, Heading, PackCanvas, ReservedPage, TocEntry, toc_page_count
from .theme import FRAME_H, FRAME_W, MARGIN_B, MARGIN_L, MARGIN_R, MARGIN_T, MUTED, M, P, clean, esc, fonts, styles

# Page streams are deflated; ASCII85 on top only makes them 25% larger and costs time (its
# encoder is pure Python without reportlab's optional accelerator).
rl_config.useA85 = 0

LANG = "en-GB"  # the catalogue's /Lang: the language screen readers and PDF/A validators are told


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
        head = Heading(markup, st.h[min(level, 3)], key, level, self.decor, self._section if level == 0 else None)
        if new_page:  # a new page unless this one is still empty
            self.flow.append(CondPageBreak(FRAME_H - 2))
        else:
            self.flow.append(HeadRoom(keep, head))
        self.flow.append(head)

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
        for i, item in enumerate(flow):
            if isinstance(item, HeadRoom):
                item.following = flow[i + 2 : i + 5]
        if self._contents_at is not None:
            pages = toc_page_count(len(self.decor.entries))
            reserved: list[Flowable] = [ReservedPage(self.decor) for _ in range(pages)]
            flow[self._contents_at : self._contents_at] = reserved
        return flow


class HeadRoom(CondPageBreak):  # type: ignore[misc]  # reportlab has no type stubs
    """Moves on to a new page unless the heading, its introduction and the first lines of what
    it heads (a table's header and first row, a chart) fit on this one: a heading never stands
    alone at the foot of a page."""

    def __init__(self, keep: float, heading: Flowable) -> None:
        super().__init__(keep)
        self.keep = keep
        self.heading = heading
        self.following: list[Flowable] = []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.height = min(max(self.keep, self._needed(availWidth)), FRAME_H - 2)
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        return size

    def _needed(self, width: float) -> float:
        need = _height(self.heading, width)
        for item in self.following:
            if isinstance(item, (Heading, HeadRoom, CondPageBreak)):
                break
            if isinstance(item, (Paragraph, Spacer)):
                need += _height(item, width)
                continue
            need += _first_piece(item, width)
            break
        return need


def _height(item: Flowable, width: float) -> float:
    h = float(item.wrap(width, FRAME_H)[1])
    return h + float(item.getSpaceBefore()) + float(item.getSpaceAfter())


def _first_piece(item: Flowable, width: float) -> float:
    """The height of what must follow a heading on its page: a table's header and first row,
    the first item kept together, or the whole of anything else (a chart) up to a third of a page."""
    if isinstance(item, Table):
        item.wrap(width, FRAME_H)
        heights = list(item._rowHeights)
        repeat = item.repeatRows if isinstance(item.repeatRows, int) else len(item.repeatRows)
        return float(sum(heights[: repeat + 1]))
    if isinstance(item, KeepTogether):
        content: list[Flowable] = list(item._content)
        return _first_piece(content[0], width) if content else 0.0
    return min(_height(item, width), float(FRAME_H) / 3)


@dataclass(frozen=True)
class PdfMeta:
    title: str
    author: str
    subject: str
    keywords: str = ""


def build_pdf(story: Story, meta: PdfMeta, progress: Callable[[float, int], None] | None = None) -> bytes:
    """Lay the story out once and return the PDF bytes (pages finished by PackCanvas).

    `progress(fraction of the story laid out, pages begun)` is called for every flowable; an
    exception it raises (a cancelled job) ends the build with nothing written."""
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
        lang=LANG,
        # reportlab opens every page with its base font (Helvetica, never embedded) unless told
        # otherwise; the pack's own font keeps every font in the file embedded.
        initialFontName=fonts().regular,
    )
    frame = Frame(
        MARGIN_L, MARGIN_B, FRAME_W, FRAME_H, id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    flow = story.finish()
    if progress is not None:
        total = max(len(flow), 1)
        pages = 0

        def on_progress(kind: str, value: int) -> None:
            nonlocal pages
            if kind == "PAGE":
                pages = value
            elif kind == "PROGRESS":
                progress(min(value / total, 1.0), pages)

        doc.setProgressCallBack(on_progress)
    doc.build(flow, canvasmaker=functools.partial(PackCanvas, decor=story.decor))
    return buf.getvalue()
