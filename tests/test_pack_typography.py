"""The typography of the packs as a reader meets it: every font embedded, the document titled and
in a declared language, table rows kept whole on a page, headings that never stand alone at
the foot of a page, no clause number said twice, plurals that agree."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest

from .pack_helpers import flat, make_demo, pdf_pages, require_tool
from .test_pack_content import build

KINDS = {
    "clause9": {},
    "audit-reported": {"audit_id": 1},
    "audit-in-progress": {"audit_id": 3},
    "review-approved": {"review_id": 1},
    "review-draft": {"review_id": 2},
}


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[str]]]:
    """Every kind of pack the demo can issue, written to disk, with the text of each page."""
    folder = tmp_path_factory.mktemp("typography")
    db = make_demo(folder / "demo.db")
    out = {}
    for name, kwargs in KINDS.items():
        kind = "audit" if "audit_id" in kwargs else "review" if "review_id" in kwargs else "clause9"
        content = build(db, kind, **kwargs)
        path = folder / f"{name}.pdf"
        path.write_bytes(content.pdf)
        out[name] = (path, pdf_pages(content.pdf))
    return out


@pytest.mark.parametrize("name", list(KINDS))
def test_every_font_of_every_pack_is_embedded(packs, name: str) -> None:
    tool = require_tool("pdffonts")
    path, _pages = packs[name]
    listing = subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows, listing
    for row in rows:
        # name, type, encoding, emb, sub, uni, object id: "emb" is the fourth field from the right
        assert row.split()[-5] == "yes", f"{name}: a font is not embedded:\n{listing}"
        assert "Helvetica" not in row and "Courier" not in row, listing


@pytest.mark.parametrize("name", list(KINDS))
def test_every_pack_has_a_title_and_a_language(packs, name: str) -> None:
    from pypdf import PdfReader

    path, _pages = packs[name]
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    assert reader.metadata.title and reader.metadata.title.split(":")[0] in {
        "Clause 9 evidence pack",
        "Internal audit report",
        "Management review minutes",
    }
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_a_table_row_never_splits_across_pages_unless_taller_than_a_page() -> None:
    """Rows of a few lines each stay whole; the header repeats once at the top of each page and
    never in the middle of one; a row taller than a page is still cut (so the pack builds)."""
    import isms_tui.reports.layout as L

    st = L.styles()
    filler = " ".join(["word"] * 60)
    rows = [[f"R{i:02d}", L.M(f"ROWSTART{i:02d} {filler} ROWEND{i:02d}", st.cell)] for i in range(60)]
    giant = " ".join(["giant"] * 2600)
    rows.append(["R99", L.M(f"GIANTSTART {giant} GIANTEND", st.cell)])
    story = L.Story(L.Decor(title="t", org="o", footer="f"))
    story.para("Opening text. " * 40)
    story.add(L.data_table(["Number", "Long text"], rows, [1, 6]))
    pages = pdf_pages(L.build_pdf(story, L.PdfMeta("t", "a", "s")))
    assert len(pages) > 3
    for i in range(60):
        where = [n for n, text in enumerate(pages) if f"ROWSTART{i:02d}" in text or f"ROWEND{i:02d}" in text]
        assert len(where) == 1 or where[0] == where[-1], f"row {i} split over pages {where}"
    with_table = [text for text in pages if "ROWSTART" in text or "giant" in text]
    for text in with_table:
        assert text.count("Long text") == 1, text[:300]
    starts = [n for n, t in enumerate(pages) if "GIANTSTART" in t]
    ends = [n for n, t in enumerate(pages) if "GIANTEND" in t]
    assert starts and ends and ends[0] > starts[0]


def test_a_heading_stays_with_the_first_row_of_its_table() -> None:
    import isms_tui.reports.layout as L

    st = L.styles()
    for filler_lines in range(30, 70, 3):  # move the heading down the page step by step
        story = L.Story(L.Decor(title="t", org="o", footer="f"))
        for i in range(filler_lines):
            story.para(f"Filler line {i}.")
        story.heading(1, "Findings heading")
        tall = L.M("FIRSTROW " + " ".join(["text"] * 220), st.cell)
        story.add(L.data_table(["#", "Finding"], [["1", tall]], [1, 6]))
        pages = pdf_pages(L.build_pdf(story, L.PdfMeta("t", "a", "s")))
        heading_page = next(n for n, t in enumerate(pages) if "Findings heading" in t)
        row_page = next(n for n, t in enumerate(pages) if "FIRSTROW" in t)
        assert heading_page == row_page, f"{filler_lines} lines before: heading alone on page {heading_page + 1}"


def test_a_header_word_never_breaks_inside() -> None:
    import isms_tui.reports.layout as L

    story = L.Story(L.Decor(title="t", org="o", footer="f"))
    # the narrowest columns these headers have in the packs (risk-based priorities, results by KPI)
    story.add(
        L.data_table(["Area", "Importance", "Interval"], [["a", "5 of 5", "3"]], [1.9, 1.05, 0.95 + 1.1 + 1.05 + 3.45])
    )
    story.add(L.data_table(["KPI", "Name", "Readings", "Rest"], [["a", "b", "12", "c"]], [1.3, 3.0, 0.95, 6.6]))
    text = pdf_pages(L.build_pdf(story, L.PdfMeta("t", "a", "s")))[0]
    assert "Importance" in text and "Readings" in text, text


def test_a_long_plain_value_wraps_inside_its_column() -> None:
    """A plain string wider than its column wraps (it used to run on into the next column)."""
    import isms_tui.reports.layout as L

    value = "2026-11: 92.5 % on the last reading"
    table = L.data_table(["Last", "Next"], [[value, "NEXT"]], [1, 4])
    cell = table._cellvalues[1][0]
    assert not isinstance(cell, str)
    width = table._colWidths[0] - 7
    _w, height = cell.wrap(width, 1000)
    assert height > cell.style.leading  # more than one line, inside the column


def test_no_clause_number_is_said_twice_in_a_heading(packs) -> None:
    _path, pages = packs["clause9"]
    text = flat(" ".join(pages))
    for match in re.finditer(r"(\d+\.\d+(?:\.\d+)?) [A-Z][A-Za-z ,]{0,60}· \1\b", text):
        pytest.fail(f"clause repeated in a heading: {match.group(0)!r}")


def test_counts_agree_with_their_nouns(packs) -> None:
    for name, (_path, pages) in packs.items():
        text = flat(" ".join(pages))
        # "(?<!audit )": a cell ending "audit 2" beside one starting "major NC on …" is not a count.
        wrong = re.findall(r"(?<!audit )\b(?:[02-9]|\d\d+) (?:major|minor) NC\b(?!s)", text)
        assert not wrong, f"{name}: {wrong[:10]}"
        wrong = re.findall(
            r"\b1 [a-z]+s\b(?! of)|\b(?:[02-9]|\d\d+) (?:observation|incident|finding|reading|audit)\b(?! findings)",
            text,
        )
        wrong = [w for w in wrong if not w.endswith(("ss", "us", "is"))]
        assert not wrong, f"{name}: {wrong[:10]}"


@pytest.mark.parametrize("name", list(KINDS))
def test_a_draft_says_draft_on_every_page_and_a_final_pack_on_none(packs, name: str) -> None:
    """An audit not completed or a review not approved: DRAFT on every page (watermark and running
    header); a completed audit, an approved review and a Clause 9 pack: on no page."""
    _path, pages = packs[name]
    draft = name in ("audit-in-progress", "review-draft")
    marked = ["DRAFT" in page for page in pages]
    assert marked == [draft] * len(pages), (name, marked)


def test_a_date_in_a_narrow_column_stays_whole() -> None:
    """One word wider than its column (an ISO date) is set smaller on one line, not broken."""
    import isms_tui.reports.layout as L

    story = L.Story(L.Decor(title="t", org="o", footer="f"))
    story.add(L.data_table(["Analysed", "Conclusion"], [["2026-01-13", "text"]], [1.0, 8.5]))
    text = pdf_pages(L.build_pdf(story, L.PdfMeta("t", "a", "s")))[0]
    assert "2026-01-13" in text, text


def test_a_file_name_breaks_only_after_a_separator() -> None:
    import isms_tui.reports.layout as L

    st = L.styles()
    name = "evidence-bb7e177b-risk-report-v7.txt"
    for width in (50.0, 60.0, 90.0, 140.0):  # each piece ("bb7e177b-") fits on a line
        lines = L.name_lines(name, st.fonts.regular, st.cell.fontSize, width).split("<br/>")
        assert "".join(lines) == name
        assert all(line.endswith("-") for line in lines[:-1]), (width, lines)
        assert lines[-1].endswith("v7.txt")
    # markup in a name is escaped, and a piece too long for any line is still cut to fit
    assert L.name_lines("<b>-x", st.fonts.regular, 7.8, 200) == "&lt;b&gt;-x"
    cut = L.name_lines("a" * 80, st.fonts.regular, 7.8, 50).split("<br/>")
    assert len(cut) > 1 and "".join(cut) == "a" * 80
