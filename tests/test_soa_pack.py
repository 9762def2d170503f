"""The statement of applicability where a certification auditor reads it: the Clause 9 pack
(its summary, the excluded controls with their justification, the programme's planning and
reporting) and the management review's risk input."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from isms_tui.services import programme, soa, workspace
from isms_tui.services.programme import ProgrammeInput
from isms_tui.services.review_risks import risk_input
from isms_tui.services.soa import SoaInput

from .db_helpers import fresh_engine, workspace_session, write
from .pack_helpers import flat, pdf_pages

TODAY = date(2026, 11, 28)
REMOTE = "Fully remote company without premises of its own."


def decide(session) -> None:
    workspace.save_workspace(session, "Example Ltd")
    programme.save_programme(
        session,
        ProgrammeInput(
            "Audits 2026-2028",
            date(2026, 1, 1),
            3,
            planning="Audits are planned a month ahead by the CISO.",
            reporting="Reports go to the MD within two weeks.",
        ),
    )
    soa.save_entry(session, SoaInput("A.7.4", False, REMOTE))
    soa.save_entry(session, SoaInput("A.5.1", True, "ISMS policy", "implemented"))
    soa.save_entry(session, SoaInput("A.8.13", True, "", "planned"))


def test_the_pack_shows_the_soa_summary_and_the_programme_s_requirements(tmp_path: Path) -> None:
    from isms_tui.reports.pack import build_pack

    db = tmp_path / "w.db"
    with fresh_engine(db):
        pass
    write(db, decide)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISMS_TODAY", TODAY.isoformat())
        with workspace_session(db, "tester") as session:
            content = build_pack(session, "clause9", signer="Example Ltd", fingerprint="ab" * 32, issued_by="Ann")
    text = flat(" ".join(pdf_pages(content.pdf)))
    assert "Statement of applicability" in text
    assert (
        "93 Annex A controls: 2 applicable, 1 not applicable, 90 not yet decided; "
        "of the applicable: 1 implemented, 1 planned." in text
    )
    assert f"A.7.4 Physical security monitoring {REMOTE}" in text
    assert "Not yet decided (90):" in text
    assert "Audits are planned a month ahead by the CISO." in text
    assert "Reports go to the MD within two weeks." in text
    assert "1 control excluded by the statement of applicability needs no audit" in text


def test_review_input_f_carries_the_soa_summary(session) -> None:
    decide(session)
    data = risk_input(session, date(2026, 1, 1), date(2026, 11, 30), TODAY)
    assert data["soa"] == soa.summary(session).sentence
    assert data["soa"].startswith("93 Annex A controls: 2 applicable, 1 not applicable, 90 not yet decided")


def test_the_review_screen_shows_the_soa_line_of_input_f() -> None:
    from rich.console import Console

    from isms_tui.widgets.review_render import render_f

    console = Console(width=120, record=True)
    console.print(render_f({"open": 0, "appetite": 9, "risks": [], "soa": "93 Annex A controls: 93 applicable."}))
    text = console.export_text()
    assert "Statement of applicability: 93 Annex A controls: 93 applicable." in text
    console.print(render_f({"open": 0, "appetite": 9, "risks": []}))  # a review frozen before the SoA existed
    assert console.export_text().count("Statement of applicability") == 0
