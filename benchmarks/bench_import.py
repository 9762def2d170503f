"""The CSV import of 100,000 readings, before and after a change, alternating in one run.

    python benchmarks/bench_import.py --before DIR [--rounds 5]

DIR holds the code to compare with (its `isms_tui` package), for example an export of an
earlier commit: `git archive COMMIT | tar -x -C DIR`. Each round runs, one after the other:
the bare executemany (the baseline of run.py's import part), the two SQLite floors (the rows
and an entry per row; the rows and the import's `create_many` entries), then the import
through the service with DIR's code and with this tree's, each in its own child process on
a fresh copy of the same workspace. Only ratios taken in the same run mean anything on a
shared machine; the medians and each one's ratio to the bare executemany are printed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import make_large
import run

HERE = Path(__file__).resolve().parent
CHILD = """
import sys
from pathlib import Path
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import isms_tui, run
assert Path(isms_tui.__file__).is_relative_to(sys.argv[1]), isms_tui.__file__
print(run._service_import(Path(sys.argv[3]), Path(sys.argv[4])))
"""


def service_in_child(code: Path, db: Path, csv_path: Path) -> float:
    """Seconds of `import_readings` (commit included) with the `isms_tui` package under `code`."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(code), str(HERE), str(db), str(csv_path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="a folder holding the isms_tui to compare with")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    before = args.before.resolve()
    if not (before / "isms_tui").is_dir():
        parser.error(f"{before} holds no isms_tui package")
    after = HERE.parent
    run.OUT.mkdir(exist_ok=True)
    run.ensure_workspace(run.LARGE_DB, 300, 10)
    with tempfile.TemporaryDirectory(dir=run.OUT, prefix="scratch-") as tmp:
        scratch = Path(tmp)
        run.pin_environment(scratch)
        base = run.copy_workspace(run.LARGE_DB, scratch / "import-base.db")
        codes = make_large.add_empty_weekly_kpis(base, run.IMPORT_KPIS, 10, "IMP")
        csv_path = scratch / "readings.csv"
        rows = run.write_import_csv(csv_path, codes, run.IMPORT_WEEKS)
        ids = {code: n for n, code in enumerate(codes, start=1)}
        stamp = datetime.now(UTC).isoformat(sep=" ")
        bare_rows = [(ids[code], day, value, "bench", stamp, note) for code, day, value, note in rows]
        per_row, batches = run._journal_rows(bare_rows), run._batch_journal_rows(bare_rows)
        times: dict[str, list[float]] = {k: [] for k in ("bare", "per-row floor", "batch floor", "before", "after")}
        for n in range(args.rounds):
            run.progress(f"round {n + 1}/{args.rounds}")
            times["bare"].append(run._bare_executemany(scratch / f"bare-{n}.db", bare_rows))
            times["per-row floor"].append(run._bare_with_journal(scratch / f"floor-{n}.db", bare_rows, per_row))
            times["batch floor"].append(run._bare_with_journal(scratch / f"batch-{n}.db", bare_rows, batches))
            for which, code in (("before", before), ("after", after)):
                db = run.copy_workspace(base, scratch / f"{which}-{n}.db")
                times[which].append(service_in_child(code, db, csv_path))
    bare = statistics.median(times["bare"])
    print(f"\nimport of {len(rows)} readings, {args.rounds} alternating rounds, medians (before: {before})\n")
    print(f"{'':<16} {'seconds':>8} {'x bare':>7}   each round")
    for name, values in times.items():
        each = " ".join(f"{v:.2f}" for v in values)
        print(f"{name:<16} {statistics.median(values):>8.3f} {statistics.median(values) / bare:>7.2f}   {each}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
