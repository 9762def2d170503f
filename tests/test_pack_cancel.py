"""Issuing a pack stops when asked to, at any step, and leaves nothing behind: no pack file, no
temporary file beside it, no IssuedPack row and no checkpoint kept for it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from isms_tui.models.db import session_scope
from isms_tui.reports.issue import issue_pack
from isms_tui.services.errors import Cancelled

from .db_helpers import fresh_engine

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def workspace(demo_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("ISMS_TODAY", "2026-11-28")
    return demo_workspace


def _issue(db: Path, out: Path, cancelled, steps: list[str]) -> None:
    with fresh_engine(db) as engine, session_scope(engine, "tester") as session:
        issue_pack(
            session,
            out,
            passphrase=PASSPHRASE,
            issued_by="tester",
            progress=lambda _f, m: steps.append(m),
            cancelled=cancelled,
        )


def _left_behind(db: Path, out: Path) -> tuple[list[str], int, int]:
    con = sqlite3.connect(db)
    try:
        packs = con.execute("SELECT count(*) FROM issuedpack").fetchone()[0]
        checkpoints = con.execute("SELECT count(*) FROM checkpoint").fetchone()[0]
    finally:
        con.close()
    return sorted(p.name for p in out.parent.iterdir() if p.name.endswith((".pdf", ".tmp"))), packs, checkpoints


@pytest.mark.parametrize(
    "when", ["Unlocking the signing key", "Charting the KPIs", "Laying out the pages", "Signing the pack"]
)
def test_a_cancelled_issue_leaves_nothing(workspace: Path, tmp_path: Path, when: str) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "pack.pdf"
    before = _left_behind(workspace, out)
    steps: list[str] = []
    # asked for once the job has reported the step `when` ("Signing the pack": while it signs)
    with pytest.raises(Cancelled):
        _issue(workspace, out, lambda: any(s.startswith(when) for s in steps), steps)
    assert any(s.startswith(when) for s in steps)
    assert _left_behind(workspace, out) == before == ([], 0, 0)


def test_once_recording_begins_the_issue_completes(workspace: Path, tmp_path: Path) -> None:
    """Past the point of no return a cancel is too late: the pack is issued whole, never half.
    The layout reports the pages it has done."""
    steps: list[str] = []
    _issue(workspace, tmp_path / "pack.pdf", lambda: "Recording the issue" in steps, steps)
    assert steps[-1] == "Pack issued"
    assert _left_behind(workspace, tmp_path / "pack.pdf")[1:] == (1, 1)
    pages = [s for s in steps if s.startswith("Laying out the pages: ")]
    assert pages and pages[-1] != pages[0]  # the count moves on as pages are laid out
    assert (tmp_path / "pack.pdf").exists()
