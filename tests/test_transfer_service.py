"""services/transfer.py: one entry point over the registers' importers and exporters, with the
CLI's sentences; a progress callback that raises rolls a readings import back."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from isms_tui.services import transfer
from isms_tui.services.checklists import BUILTIN_CLAUSES
from isms_tui.services.csv_io import ImportRejected
from isms_tui.services.errors import InputError
from isms_tui.services.transfer import ImportCancelled, run_export, run_import

from .db_helpers import workspace_session
from .test_transfer_screen import GOOD, make_kpi


@pytest.fixture
def ws(db_path: Path) -> Path:
    return make_kpi(db_path)


def count(db: Path, table: str) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_every_register_exports_and_reads_back(ws, tmp_path):
    with workspace_session(ws, "Ann") as s:
        assert run_export(s, "soa", tmp_path / "soa.csv") == f"Exported 93 controls to {tmp_path / 'soa.csv'}."
        assert run_export(s, "risks", tmp_path / "r.csv") == f"Exported 0 risks to {tmp_path / 'r.csv'}."
        out = tmp_path / "c.json"
        assert run_export(s, "checklist", out, name=BUILTIN_CLAUSES).startswith("Exported ")
        with pytest.raises(InputError, match="Choose the checklist"):
            run_export(s, "checklist", out)
        with pytest.raises(InputError, match=r"\.csv or \.json"):
            run_export(s, "checklist", tmp_path / "c.txt", name=BUILTIN_CLAUSES)
    with workspace_session(ws, "Ann") as s:
        message = run_import(s, "checklist", out, "Ann", name="Our clauses")
        assert message.startswith("Imported checklist 'Our clauses' with ")
        assert run_import(s, "soa", tmp_path / "soa.csv", "Ann").startswith("Recorded the decision on ")
    with pytest.raises(InputError, match="no register"):
        transfer.register("payroll")


def test_a_cancelled_readings_import_leaves_nothing(ws, tmp_path):
    csv = tmp_path / "good.csv"
    csv.write_text(GOOD, encoding="utf-8")
    calls: list[tuple[int, int]] = []

    def cancel_at_the_end(done: int, total: int) -> None:
        calls.append((done, total))
        raise ImportCancelled

    with pytest.raises(ImportCancelled), workspace_session(ws, "Ann") as s:
        run_import(s, "readings", csv, "Ann", progress=cancel_at_the_end)
    assert calls == [(4, 4)]  # before writing
    calls.clear()

    def cancel_after_writing(done: int, total: int) -> None:
        calls.append((done, total))
        if len(calls) == 2:
            raise ImportCancelled

    with pytest.raises(ImportCancelled), workspace_session(ws, "Ann") as s:
        run_import(s, "readings", csv, "Ann", progress=cancel_after_writing)
    assert calls == [(4, 4), (4, 4)]  # the rows were in the transaction, and rolled back
    assert count(ws, "reading") == 0


def test_row_errors_come_back_as_the_cli_lists_them(ws, tmp_path):
    csv = tmp_path / "bad.csv"
    csv.write_text("kpi,date,value\nNOPE,2026-01-15,1\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected, workspace_session(ws, "Ann") as s:
        run_import(s, "readings", csv, "Ann")
    assert rejected.value.row_errors == ["row 2: unknown KPI code 'NOPE'"]


def test_an_export_never_writes_through_a_link_or_into_a_special_file(ws, tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    link = tmp_path / "out.csv"
    link.symlink_to(target)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with workspace_session(ws, "Ann") as s:
        with pytest.raises(InputError, match="symbolic link"):
            run_export(s, "readings", link)
        with pytest.raises(InputError, match="not a regular file"):
            run_export(s, "risks", fifo)
    assert target.read_text(encoding="utf-8") == "keep me"
