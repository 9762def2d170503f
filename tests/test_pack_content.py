"""The content of the evidence packs (reports/pack/), built unsigned from the demo workspace:
sections, KPIs, audits, reviews, contents page numbers, page x of y, escaping of user text,
attachments, the three kinds, and the refusals."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from isms_tui.models import (
    Analysis,
    Audit,
    Evidence,
    Finding,
    Kpi,
    ManagementReview,
    Reading,
    ReviewDecision,
    ReviewStatus,
)
from isms_tui.services.errors import InputError

from .db_helpers import read, workspace_session
from .pack_helpers import DEMO_TODAY, copy_workspace, flat, make_demo, pdf_pages, pdftotext, require_tool

FINGERPRINT = "0123456789abcdef" * 4


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("demo") / "demo.db")


def build(db: Path, kind: str = "clause9", **kwargs):
    from isms_tui.reports.pack import build_pack

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISMS_TODAY", DEMO_TODAY.isoformat())
        with workspace_session(db, "tester") as session:
            return build_pack(
                session,
                kind,
                signer="Northwind Analytics Ltd",
                fingerprint=FINGERPRINT,
                issued_by="tester",
                **kwargs,
            )


@pytest.fixture(scope="module")
def clause9(demo_template: Path):
    content = build(demo_template)
    return content, pdf_pages(content.pdf)


def test_clause9_pack_has_the_sections_of_the_standard(clause9) -> None:
    content, pages = clause9
    text = flat(" ".join(pages))
    for heading in (
        "Contents",
        "Summary of the period",
        "9.1 Monitoring, measurement, analysis and evaluation",
        "Monitoring plan",
        "Results by KPI",
        "Analysis and evaluation",
        "9.2 Internal audit",
        "9.2.2 Internal audit programme",
        "Coverage of the requirements",
        "Audits in the period",
        "9.3 Management review",
        "9.3.2 Management review inputs",
        "9.3.3 Management review results",
        "Evidence register",
        "Manifest of embedded files",
    ):
        assert heading in text, heading
    assert content.title == "Clause 9 evidence pack: Performance evaluation"
    # the last twelve closed months before 2026-11-28
    assert (content.period_from, content.period_to) == (date(2025, 11, 1), date(2026, 10, 31))
    assert content.pages == len(pages)


def test_cover_names_organisation_period_signer_and_journal_head(clause9, demo_template: Path) -> None:
    from isms_tui.services.journal import head

    _content, pages = clause9
    cover = flat(pages[0])
    count, digest = read(demo_template, head)
    assert "Northwind Analytics Ltd" in cover
    assert "1 November 2025 to 31 October 2026" in cover
    assert " ".join(FINGERPRINT[i : i + 4] for i in range(0, 64, 4)) in cover
    grouped = " ".join(digest[i : i + 4] for i in range(0, 64, 4))
    assert grouped in cover and f"{count} changes recorded" in cover


def test_every_page_says_page_x_of_y(clause9) -> None:
    _content, pages = clause9
    n = len(pages)
    assert n > 20
    for i, text in enumerate(pages, 1):
        assert f"Page {i} of {n}" in text


def test_contents_page_numbers_point_at_the_headings(clause9) -> None:
    _content, pages = clause9
    contents = pages[1]
    for title, follows in (
        ("9.2 Internal audit", "The audit programme and its risk-based priorities"),
        ("Evidence register", "evidence files back the records of this pack"),
        ("9.3 Management review", "Each management review of the period"),
    ):
        match = re.search(re.escape(title) + r"[\s.]*?(\d+)\s*$", contents, re.MULTILINE)
        assert match, title
        page = int(match.group(1))
        assert follows in flat(pages[page - 1]), (title, page)


def test_every_kpi_audit_finding_and_review_decision_is_in_the_pack(clause9, demo_template: Path) -> None:
    _content, pages = clause9
    text = flat(" ".join(pages))

    def facts(session):
        codes = [k.code for k in session.exec(select(Kpi).where(Kpi.active == True))]  # noqa: E712
        audit2 = session.exec(select(Audit).where(Audit.status != "PLANNED")).all()
        findings = [f.statement for f in session.exec(select(Finding).where(Finding.audit_id == 2))]
        approved = session.exec(select(ManagementReview).where(ManagementReview.status == ReviewStatus.APPROVED)).one()
        decisions = [
            d.text for d in session.exec(select(ReviewDecision).where(ReviewDecision.review_id == approved.id))
        ]
        return codes, audit2, findings, decisions

    codes, _audits, findings, decisions = read(demo_template, facts)
    for code in codes:
        assert code in text
    assert findings and decisions
    for statement in findings:
        assert flat(statement) in text
    for decision in decisions:
        assert flat(decision) in text
    assert "Technological and operational controls audit" in text
    assert "Independence declaration" in text


def test_attachments_are_the_evidence_files_of_the_records(clause9, demo_template: Path) -> None:
    content, pages = clause9
    stored = read(demo_template, lambda s: {e.sha256: e.original_name for e in s.exec(select(Evidence))})
    names = [a.name for a in content.attachments]
    assert names == sorted(names) and len(set(names)) == len(names)
    assert content.attachments
    for a in content.attachments:
        digest = hashlib.sha256(a.data).hexdigest()
        assert digest in stored
        assert a.name == f"evidence-{digest[:8]}-{stored[digest]}"
        assert "/" not in a.name
    register = flat(" ".join(pages[-2:]))
    for a in content.attachments:
        assert a.name in register.replace(" ", "") or a.name in register
        assert a.sha256[:32] in register and a.sha256[32:] in register


def test_structure_passes_qpdf_and_pdftotext_reads_it(clause9, tmp_path: Path) -> None:
    content, pages = clause9
    path = tmp_path / "pack.pdf"
    path.write_bytes(content.pdf)
    qpdf = require_tool("qpdf")
    result = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    text = pdftotext(path)
    assert f"Page 1 of {len(pages)}" in text
    assert "9.1 Monitoring, measurement, analysis and evaluation" in text


def test_user_text_with_markup_characters_renders_as_written(demo_template: Path, tmp_path: Path) -> None:
    db = copy_workspace(demo_template, tmp_path / "w")
    tricky = "[bold]not bold[/bold] <b>nor this</b> & AT&T &amp; &lt;x&gt; {a} $x *y*"
    long_word = "Supercalifragilistic" * 12  # 240 characters without a space
    with workspace_session(db, "tester") as s:
        finding = s.get(Finding, 4)
        finding.statement = f"{tricky} bell\x07ring {long_word}"
        kpi = s.exec(select(Kpi).where(Kpi.code == "PATCH-01")).one()
        kpi.name = "Patches <i>in time</i> & [red]fast[/red]"
        reading = s.exec(select(Reading).where(Reading.kpi_id == kpi.id).order_by(Reading.period_start.desc())).first()
        reading.note = "note <br/> with <font size=40>tags</font>"
        analysis = s.exec(select(Analysis).order_by(Analysis.analysed_on.desc())).first()
        analysis.conclusion = "Conclusion with ]]> and <![CDATA[ and &#x41; entity"
    content = build(db, period_to=DEMO_TODAY)  # up to today: the latest analysis is of this month
    text = flat(" ".join(pdf_pages(content.pdf)))
    assert tricky in text
    assert "bellring" in text  # the control character is dropped, nothing else
    assert long_word in "".join(text.split())  # wrapped across lines, every character kept
    assert "Patches <i>in time</i> & [red]fast[/red]" in text
    assert "note <br/> with <font size=40>tags</font>" in text
    assert "Conclusion with ]]> and <![CDATA[ and &#x41; entity" in text


def test_audit_report_kind(demo_template: Path) -> None:
    content = build(demo_template, "audit", audit_id=2)
    text = flat(" ".join(pdf_pages(content.pdf)))
    assert content.title == "Internal audit report: Technological and operational controls audit"
    assert (content.kind, content.subject_id) == ("audit", 2)
    assert (content.period_from, content.period_to) == (date(2026, 9, 14), date(2026, 9, 17))
    for heading in (
        "9.2 Internal audit: Technological and operational controls audit",
        "Plan",
        "Impartiality",
        "Results by requirement",
        "Findings and corrective actions",
        "Evidence register",
    ):
        assert heading in text
    statements = read(
        demo_template, lambda s: [f.statement for f in s.exec(select(Finding).where(Finding.audit_id == 2))]
    )
    for statement in statements:
        assert flat(statement) in text
    assert "9.1 Monitoring" not in text and "9.3 Management review" not in text


def test_review_minutes_kind(demo_template: Path) -> None:
    content = build(demo_template, "review", review_id=1)
    text = flat(" ".join(pdf_pages(content.pdf)))
    assert content.title == "Management review minutes: Management review December 2025"
    assert (content.period_from, content.period_to) == (date(2024, 11, 29), date(2025, 11, 28))
    decisions = read(
        demo_template, lambda s: [d.text for d in s.exec(select(ReviewDecision).where(ReviewDecision.review_id == 1))]
    )
    for decision in decisions:
        assert flat(decision) in text
    for heading in (
        "9.3.2 Management review inputs",
        "a) Status of actions from previous management reviews",
        "d) 2) Performance: monitoring and measurement results",
        "9.3.3 Management review results",
    ):
        assert heading in text
    assert [a.name.split("-", 2)[2] for a in content.attachments] == ["risk-report-v7.txt"]


def test_a_period_limits_the_readings(demo_template: Path) -> None:
    content = build(demo_template, period_from=date(2026, 7, 1), period_to=date(2026, 9, 30))
    text = flat(" ".join(pdf_pages(content.pdf)))
    assert "1 July 2026 to 30 September 2026" in text
    assert "2026-08" in text and "2026-05 " not in text.split("Results by KPI")[1].split("Analysis and evaluation")[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "annual"}, "Unknown pack kind"),
        ({"period_from": date(2026, 6, 1), "period_to": date(2026, 5, 1)}, "cannot end before it starts"),
        ({"period_to": date(2027, 1, 1)}, "cannot end after today"),
        ({"kind": "audit", "audit_id": 999}, "No audit with id 999"),
        ({"kind": "review", "review_id": 999}, "No management review with id 999"),
        ({"kind": "audit"}, "Choose the audit"),
    ],
)
def test_bad_requests_are_refused_with_one_sentence(demo_template: Path, kwargs: dict, message: str) -> None:
    kind = kwargs.pop("kind", "clause9")
    with pytest.raises(InputError, match=message) as info:
        build(demo_template, kind, **kwargs)
    assert "\n" not in str(info.value)


def test_a_missing_evidence_file_stops_the_pack(demo_template: Path, tmp_path: Path) -> None:
    from isms_tui.services import evidence

    db = copy_workspace(demo_template, tmp_path / "w")

    def first_reading_file(session):
        ev = session.exec(select(Evidence).where(Evidence.original_name == "restore-test-2026-10.txt")).one()
        return evidence.stored_path(session, ev.sha256)

    read(db, first_reading_file).unlink()
    with pytest.raises(
        InputError,
        match=r"'restore-test-2026-10.txt' \(linked to Reading BACKUP-01 2026-10\) is "
        r"missing from the store",
    ):
        build(db)


def test_an_altered_evidence_file_stops_the_pack(demo_template: Path, tmp_path: Path) -> None:
    from isms_tui.services import evidence

    db = copy_workspace(demo_template, tmp_path / "w")
    path = read(
        db,
        lambda s: evidence.stored_path(
            s, s.exec(select(Evidence).where(Evidence.original_name == "risk-report-v7.txt")).one().sha256
        ),
    )
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(InputError, match="was altered in the store"):
        build(db, "review", review_id=1)


def test_helvetica_fallback_without_the_dejavu_font(demo_template: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No fonts-dejavu-core: the standard fonts are used and the pack still builds (in a fresh process)."""
    code = (
        "import sys, io\n"
        "from pathlib import Path\n"
        "import isms_tui.reports.layout as L\n"
        "import isms_tui.reports.layout.theme\n"
        "isms_tui.reports.layout.theme.DEJAVU_DIR = Path('/nonexistent')\n"
        "from isms_tui.models.db import open_engine, session_scope\n"
        "from isms_tui.reports.pack import build_pack\n"
        f"e = open_engine(Path({str(demo_template)!r}))\n"
        "with session_scope(e) as s:\n"
        "    c = build_pack(s, 'review', review_id=1, signer='S', fingerprint='ab' * 32)\n"
        "assert not L.fonts().unicode\n"
        "from pypdf import PdfReader\n"
        "t = ' '.join(p.extract_text() for p in PdfReader(io.BytesIO(c.pdf)).pages)\n"
        "assert 'Management review December 2025' in t, t[:500]\n"
        "print('ok')\n"
    )
    monkeypatch.setenv("ISMS_TODAY", DEMO_TODAY.isoformat())
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-2000:]


def test_pdf_metadata(clause9) -> None:
    from pypdf import PdfReader

    content, _pages = clause9
    info = PdfReader(io.BytesIO(content.pdf)).metadata
    assert info.title == "Clause 9 evidence pack: Performance evaluation"
    assert info.author == "Northwind Analytics Ltd"


def test_audit_headings_use_the_2022_lettering_of_9_2_2(demo_template: Path) -> None:
    """ISO/IEC 27001:2022 9.2.2 lists a) criteria and scope, b) objectivity and impartiality,
    c) results reported to management; other letters must not appear."""
    text = flat(" ".join(pdf_pages(build(demo_template, "audit", audit_id=2).pdf)))
    assert "9.2.2 a) and b)" in text and "9.2.2 b)" in text and "9.2.2 c)" in text
    assert "9.2.2 d)" not in text and "9.2.2 e)" not in text
