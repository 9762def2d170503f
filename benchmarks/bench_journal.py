"""`journal verify` on a workspace of more than 150,000 journal entries, with and without the
checkpoint check, side by side in one run.

    python benchmarks/bench_journal.py         (run.py runs it too)

The workspace is built through the services, so every row is journaled and the check finds
nothing wrong: 300 weekly KPIs and 150,000 readings imported in one transaction, then three
signed checkpoints (in the workspace and beside a scratch key folder). The import journals
one reading to each `create_many` entry here, so the chain is 150,000 entries long. The baseline is the
check as it was before checkpoints (storage, schema, values, chain and every table); the
measured run adds the checkpoint check (every entry hash kept, the Merkle tree, each
signature). Target: ratio <= 1.5.
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

KPIS, WEEKS = 300, 500
PASSPHRASE = "Benchmark-Lantern-Quarry-2026"


def build(path: Path, scratch: Path) -> None:
    """A journaled workspace of KPIS x WEEKS readings and three signed checkpoints."""
    from isms_tui.models import Frequency, journal_batch
    from isms_tui.models.db import open_engine, session_scope
    from isms_tui.reports.checkpoints import seal
    from isms_tui.services import workspace
    from isms_tui.services.kpis import KpiInput, save_kpi
    from isms_tui.services.readings_csv import import_readings

    engine = open_engine(path)
    start = date(2016, 1, 4)
    try:
        with session_scope(engine, "bench") as session:
            workspace.save_workspace(session, "Benchmark Ltd")
            for i in range(KPIS):
                save_kpi(
                    session,
                    KpiInput(
                        code=f"J-{i:03d}",
                        name=f"Journal benchmark {i}",
                        target=50.0,
                        frequency=Frequency.WEEKLY,
                        unit="%",
                        started_on=start,
                    ),
                )
        csv_path = scratch / "journal-readings.csv"
        with csv_path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["kpi", "date", "value"])
            for i in range(KPIS):
                for w in range(WEEKS):
                    writer.writerow([f"J-{i:03d}", (start + timedelta(weeks=w)).isoformat(), (i + w) % 100])
        # One reading to an entry, so that the chain holds 150,000 entries, as a workspace whose
        # imports were journaled an entry per reading does: the chain walk, the entry hashes kept
        # and the Merkle tree are what this benchmark loads (5,000 to an entry would leave ~600).
        batch_rows, journal_batch.BATCH_ROWS = journal_batch.BATCH_ROWS, 1
        try:
            with session_scope(engine, "bench") as session:
                import_readings(session, csv_path, entered_by="bench")
        finally:
            journal_batch.BATCH_ROWS = batch_rows
        for _ in range(3):
            with session_scope(engine, "bench") as session:
                seal(session, path, PASSPHRASE)
    finally:
        engine.dispose()


def _timed_verify(path: Path, checkpoints: bool) -> tuple[float, int, bool]:
    from isms_tui.models.db import open_engine, session_scope
    from isms_tui.reports.checkpoints import sources
    from isms_tui.services.journal_verify import verify

    engine = open_engine(path, check_schema=False)
    try:
        started = time.perf_counter()
        with session_scope(engine) as session:
            known = sources(path) if checkpoints else None
            report = verify(session, known, checkpoints=checkpoints)
        return time.perf_counter() - started, report.entries, report.ok
    finally:
        engine.dispose()


def measure(scratch: Path, reps: int) -> tuple[float, float, int]:
    """(median seconds without the checkpoint check, with it, journal entries)."""
    os.environ["ISMS_KEYS_DIR"] = str(scratch / "journal-keys")
    path = scratch / "journal.db"
    build(path, scratch)
    base, full = [], []
    entries = 0
    for _ in range(reps):
        seconds, entries, ok = _timed_verify(path, checkpoints=False)
        base.append(seconds)
        seconds, entries, ok_full = _timed_verify(path, checkpoints=True)
        full.append(seconds)
        if not (ok and ok_full):
            raise RuntimeError("the benchmark workspace does not verify")
    return statistics.median(base), statistics.median(full), entries


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("ISMS_TODAY", "2026-11-28")
        before, after, count = measure(Path(tmp), 3)
    print(f"journal verify, {count} entries: {before:.2f} s before checkpoints, {after:.2f} s with them")
    print(f"ratio {after / before:.2f} (target <= 1.5)")
    sys.exit(0 if after / before <= 1.5 else 1)
