"""The pack's 9.3 meeting record: attendance by person and top management's conclusions."""

from __future__ import annotations

from pathlib import Path

import pytest

from .db_helpers import workspace_session
from .pack_helpers import DEMO_TODAY, flat, make_demo, pdf_pages

FINGERPRINT = "ab" * 32


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("demo") / "demo.db")


def text_of(db: Path, review_id: int) -> str:
    from isms_tui.reports.pack import build_pack

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISMS_TODAY", DEMO_TODAY.isoformat())
        with workspace_session(db, "tester") as session:
            content = build_pack(
                session, "review", signer="Northwind", fingerprint=FINGERPRINT, issued_by="tester", review_id=review_id
            )
    return flat(" ".join(pdf_pages(content.pdf)))


def test_an_approved_review_shows_who_attended_and_what_top_management_concluded(demo: Path) -> None:
    text = text_of(demo, 1)
    assert "Attendee Role at the meeting Top management Attendance" in text
    assert "Tom Okafor chair yes ✔ present" in text
    assert "Aisha Bello secure development no ○ apologies" in text
    assert "Top management's conclusions on the ISMS" in text
    assert "Is the ISMS… Verdict Why" in text
    assert "Continuing suitability ▲ partly Right for the analytics platform as it stands" in text
    assert "Adequacy ▲ partly Controls and budget are sufficient" in text
    assert "Effectiveness ✔ yes Most measures met their targets" in text
    assert "Approved by Tom Okafor on" in text
    # the conclusions come before the inputs they sum up, the decisions after
    assert text.index("Top management's conclusions") < text.index("9.3.2 Management review inputs")


def test_a_draft_review_says_what_is_not_recorded_yet(demo: Path) -> None:
    text = text_of(demo, 2)
    assert "Attendance: not recorded yet." in text
    assert text.count("not recorded") >= 4  # attendance and each of the three conclusions
    assert "Continuing suitability ▲ not recorded" in text
