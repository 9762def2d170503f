"""Nonconformities in the packs: review input d1 per source and quarter, and section 10.2 with
each nonconformity's record, the checker's reason and the reopen history."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from isms_tui.models import ActionStatus, Effectiveness, Person
from isms_tui.services import actions, nonconformities
from isms_tui.services.actions import ActionInput

from .db_helpers import workspace_session
from .pack_helpers import DEMO_TODAY, copy_workspace, flat, make_demo, pdf_pages

FINGERPRINT = "0123456789abcdef" * 4


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, plus a complaint its owner checked himself, with his reason."""
    demo = make_demo(tmp_path_factory.mktemp("demo") / "demo.db")
    db = copy_workspace(demo, tmp_path_factory.mktemp("nc"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISMS_TODAY", DEMO_TODAY.isoformat())
        with workspace_session(db, "tester") as s:
            hannah = s.exec(select(Person).where(Person.name == "Hannah Schmidt")).one().id
            action = nonconformities.raise_nonconformity(
                s,
                "complaint",
                ActionInput(
                    title="Escort visitors to the server room",
                    owner_id=hannah,
                    source_ref="CMP-2026-009",
                    description="A visitor was left alone near the server room door.",
                    detected_on=date(2026, 9, 7),
                    extent="Both office floors use the same visitor routine.",
                    root_cause="Reception hands visitors over without a named host.",
                    corrective_action="Visitor badges name the host, who signs them out.",
                ),
            )
            actions.set_status(s, action.id, ActionStatus.IMPLEMENTED)
            actions.record_effectiveness(
                s,
                action.id,
                hannah,
                Effectiveness.EFFECTIVE,
                "Ten visits sampled, every badge signed out by its host.",
                checked_on=DEMO_TODAY - timedelta(days=1),
                checker_reason="Hannah is the only person who keeps the visitor book.",
            )
    return db


def _pack_text(db: Path, kind: str = "clause9", **kwargs) -> str:
    from isms_tui.reports.pack import build_pack

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISMS_TODAY", DEMO_TODAY.isoformat())
        with workspace_session(db, "tester") as session:
            content = build_pack(
                session, kind, signer="Northwind Analytics Ltd", fingerprint=FINGERPRINT, issued_by="t", **kwargs
            )
    return flat(" ".join(pdf_pages(content.pdf)))


def test_section_10_2_shows_every_source_with_its_record(workspace: Path) -> None:
    text = _pack_text(workspace, period_from=date(2025, 12, 1), period_to=date(2026, 11, 27))
    section = text[text.index("10.2 Nonconformity and corrective action Each nonconformity") :]
    for expected in (
        "incident INC-2026-031",
        "The ticketing system's nightly backup failed for nine nights",
        "Extent of condition: All 14 backup jobs checked",
        "Root cause: Failure alerts were set per job by hand",
        "Change to the ISMS: Operations procedure OPS-04",
        "complaint CMP-2026-007",
        "check planned for 2026-12-18 (30 days settling)",
        "KPI breach VULN-01",
        "complaint CMP-2026-009",
        "Checked by its owner because: Hannah is the only person who keeps the visitor book.",
    ):
        assert expected in section, expected
    reopened = section[section.index("Reopened 2026-09-29 by Priya Raman") :]
    assert reopened.startswith("Reopened 2026-09-29 by Priya Raman: The cloud backup target added last month")
    assert "(it had been closed 2026-09-04 after a check by Priya Raman on 2026-09-04)" in reopened


def test_review_input_d1_counts_each_source_per_quarter(workspace: Path) -> None:
    text = _pack_text(workspace, "review", review_id=2)
    d1 = text[text.index("d) 1) Performance: nonconformities") :]
    d1 = d1[: d1.index("d) 2) Performance")]
    assert "nonconformities raised in the period: " in d1
    assert "1 KPI breach" in d1 and "1 incident" in d1 and "2 complaints" in d1
    # the per-source rows of the quarterly table (2025-Q4 to 2026-Q4)
    assert "Audit finding 0 0 0 3 0" in d1
    assert "Incident 0 0 0 1 0" in d1
    assert "Complaint 0 0 0 1 1" in d1
    assert "KPI breach 0 0 0 0 1" in d1
    assert "KPI breach VULN-01 2026-10" in d1
    assert "CMP-2026-007" in d1 and "A client complained that a maintenance window was not announced" in d1
