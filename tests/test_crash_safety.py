"""Kill -9 at random moments: the workspace stays sound, acknowledged writes survive, imports are atomic.

Each run copies a prepared workspace, starts a child process that either imports a CSV of
20,000 readings in one transaction or loops over small edits (printing each edit's id
only after its commit), SIGKILLs it after a random delay, then checks the file:
`PRAGMA integrity_check` is ok, the import is either entirely present or entirely absent
(entirely present whenever the child acknowledged it), every acknowledged edit is present,
and the journal verifies. A first, unkilled import measures how long an import takes here,
so the kill delays cover the whole import, its commit included. The seed of a failing run
is in the message; ISMS_CRASH_SEED picks another series.

What this covers is a crashed or killed process (the OS still has the page cache). Power loss
is what `synchronous=FULL` is for and cannot be simulated here.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import select
import shutil
import signal
import sqlite3
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from isms_tui.models import Frequency
from isms_tui.models.db import open_engine, session_scope
from isms_tui.services import journal_verify, kpis, workspace
from isms_tui.services.kpis import KpiInput

from .conftest import TODAY
from .db_helpers import read, workspace_session

IMPORT_RUNS = 15
EDIT_RUNS = 15
KPIS = 40
WEEKS = 500  # 40 KPIs x 500 weeks = 20,000 readings
SEED = int(os.environ.get("ISMS_CRASH_SEED", "20261128"))


def child_main(mode: str, db: str, csv: str, fd: int) -> None:
    """The killed process: an import in one transaction, or edits acknowledged after each commit.

    It runs in a process forked from the test (the data layer is already imported, so a run
    costs no interpreter start-up) and reports through a pipe with single small writes, which
    the kernel keeps even when the writer is killed right after.
    """
    from isms_tui.services import analysis, readings_csv

    def say(text: str) -> None:
        os.write(fd, (text + "\n").encode())

    engine = open_engine(Path(db))
    say("start")
    if mode == "import":
        with session_scope(engine, "crash-test") as s:
            result = readings_csv.import_readings(s, csv, entered_by="crash-test")
        say(f"committed {result.count}")
        return
    n = 0
    while True:
        n += 1
        with session_scope(engine, "crash-test") as s:
            a = analysis.record_analysis(s, 1 + n % KPIS, date(2026, 1, 1), f"edit {n}")
            data = kpis.KpiInput.from_kpi(kpis.get_kpi(s, 1))
            data.name = f"edit {n}"
            kpis.save_kpi(s, data, kpi_id=1)
            analysis_id = a.id
        say(f"{analysis_id} {n}")  # acknowledged only once committed


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A workspace with 40 weekly KPIs and a CSV of 20,000 readings for them."""
    folder = tmp_path_factory.mktemp("crash-template")
    db = folder / "template.db"
    with workspace_session(db, "setup") as s:
        workspace.save_workspace(s, "Crash Test Ltd")
        for i in range(KPIS):
            kpis.save_kpi(
                s,
                KpiInput(
                    code=f"K{i:02d}",
                    name=f"KPI {i}",
                    target=50.0,
                    frequency=Frequency.WEEKLY,
                    started_on=date(2010, 1, 4),
                ),
            )
    monday = TODAY - timedelta(days=TODAY.weekday() + 7)
    lines = ["kpi,date,value,note"]
    for i in range(KPIS):
        for w in range(WEEKS):
            lines.append(f"K{i:02d},{(monday - timedelta(weeks=w)).isoformat()},{(i * w) % 97}.5,row {w}")
    csv = folder / "readings.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return db, csv


@dataclass
class Outcome:
    seed: int
    mode: str
    delay: float
    output: list[str]
    db: Path
    elapsed: float  # from the child's 'start' to its end


def _read_line(fd: int, timeout: float) -> str:
    """The first line the child writes, or '' if it writes none within `timeout` seconds."""
    data = b""
    deadline = time.monotonic() + timeout
    while not data.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return ""
        chunk = os.read(fd, 1)  # one byte at a time: nothing after the line is consumed
        if not chunk:
            break
        data += chunk
    return data.decode().strip()


def _read_all(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 65536):  # EOF once the (dead) child's end is closed
        chunks.append(chunk)
    return b"".join(chunks).decode()


def one_run(mode: str, seed: int, template_db: Path, csv: Path, folder: Path, span: float | None) -> Outcome:
    """One child, SIGKILLed after a random delay in [0, span) from its 'start' (None: never)."""
    from isms_tui.services import analysis, readings_csv  # noqa: F401  (imported before forking)

    rng = random.Random(seed)
    db = folder / f"run-{mode}-{seed}.db"
    shutil.copyfile(template_db, db)
    read_fd, write_fd = os.pipe()
    child = multiprocessing.get_context("fork").Process(
        target=child_main, args=(mode, str(db), str(csv), write_fd), daemon=True
    )
    child.start()
    os.close(write_fd)
    try:
        first = _read_line(read_fd, timeout=60)  # a child stuck before 'start' fails, never hangs
        if first != "start":
            child.join(timeout=30)
            raise AssertionError(f"child did not start ({first!r}, exit code {child.exitcode})")
        began = time.monotonic()
        if span is None:
            delay = 0.0
            child.join(timeout=120)
            assert child.exitcode == 0, f"calibration run failed with exit code {child.exitcode}"
        else:
            delay = rng.uniform(0.0, span)
            time.sleep(delay)
            os.kill(child.pid, signal.SIGKILL)
            child.join(timeout=30)
        elapsed = time.monotonic() - began
        rest = _read_all(read_fd)
    finally:
        os.close(read_fd)
        if child.is_alive():
            child.kill()
            child.join()
    return Outcome(seed, mode, delay, rest.splitlines(), db, elapsed)


def check(outcome: Outcome) -> str:
    """'all', 'none' or the number of acknowledged edits; raises AssertionError on any violation."""
    label = f"{outcome.mode} run seed={outcome.seed} delay={outcome.delay:.3f}s"
    con = sqlite3.connect(outcome.db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)], label
        readings = con.execute("SELECT count(*) FROM reading").fetchone()[0]
        analyses = dict(con.execute("SELECT id, conclusion FROM analysis").fetchall())
        kpi_name = con.execute("SELECT name FROM kpi WHERE id = 1").fetchone()[0]
    finally:
        con.close()
    report = read(outcome.db, journal_verify.verify)
    assert report.ok, (label, [p.message for p in report.problems[:5]])
    if outcome.mode == "import":
        committed = any(line.startswith("committed") for line in outcome.output)
        assert readings in (0, KPIS * WEEKS), f"{label}: partial import of {readings} rows"
        if committed:
            assert readings == KPIS * WEEKS, f"{label}: acknowledged import lost"
        return "all" if readings else "none"
    acked = [tuple(map(int, line.split())) for line in outcome.output]
    for analysis_id, n in acked:
        assert analyses.get(analysis_id) == f"edit {n}", f"{label}: acknowledged edit {n} lost"
    if acked:
        last = acked[-1][1]
        assert kpi_name.startswith("edit ") and int(kpi_name.split()[1]) >= last, f"{label}: {kpi_name!r}"
        # Commits are ordered: nothing beyond the last acknowledged edit but, at most, one more.
        assert len(analyses) <= len(acked) + 1, label
    return str(len(acked))


def test_sigkill_at_random_moments_never_corrupts_or_loses_acknowledged_writes(template, tmp_path):
    template_db, csv = template
    started = time.monotonic()
    # Calibrate: how long does the whole import take here, from 'start' to its commit?
    calibration = one_run("import", SEED - 1, template_db, csv, tmp_path, None)
    assert check(calibration) == "all"
    span = {"import": 1.3 * calibration.elapsed, "edits": 0.6}
    jobs = [("import", SEED + i) for i in range(IMPORT_RUNS)] + [("edits", SEED + 1000 + i) for i in range(EDIT_RUNS)]
    outcomes = [one_run(mode, seed, template_db, csv, tmp_path, span[mode]) for mode, seed in jobs]
    results = [(o.mode, check(o)) for o in outcomes]
    imports = [r for m, r in results if m == "import"]
    edits = [int(r) for m, r in results if m == "edits"]
    # The random delays must actually exercise both sides of the import's commit, and edits.
    assert len(results) == IMPORT_RUNS + EDIT_RUNS
    assert "none" in imports, f"no import was interrupted: {imports}"
    assert sum(edits) > 0, "no edit was ever acknowledged"
    assert time.monotonic() - started < 120
