"""`isms verify` as a whole process on a demo pack, against importing pyHanko's validator alone and
against pyHanko's own command line (pyhanko-cli) validating the same pack.

Used by run.py (the numbers go into its table); runnable on its own for a quick look:

    python benchmarks/bench_verify.py [--rounds 7]

Why these baselines: a fresh `isms verify` is dominated by the interpreter starting and pyHanko
importing, so `python -c "import pyhanko.sign.validation"` is the floor any verifier in Python
pays; everything isms adds (click, its own checks, reading the workspace's CA) is the ratio's
excess. `pyhanko sign validate` does the same job with pyHanko's own CLI and is the tool an
auditor would otherwise reach for. The runs alternate so noise hits each alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

PASSPHRASE = "benchmark verify passphrase"


@dataclass(frozen=True)
class VerifyTimes:
    """Median wall seconds of each command; pyhanko_cli is None (with the reason) when absent."""

    isms: float
    bare_import: float
    pyhanko_cli: float | None
    skipped: str = ""


def _isms() -> list[str]:
    script = Path(sys.executable).parent / "isms"
    return [str(script if script.exists() else shutil.which("isms") or "isms")]


def _pyhanko() -> list[str] | None:
    script = Path(sys.executable).parent / "pyhanko"
    found = str(script) if script.exists() else shutil.which("pyhanko")
    return [found] if found else None


def _wall(argv: Sequence[str], expect: int = 0) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != expect:
        out = (proc.stdout + proc.stderr).decode(errors="replace")
        raise RuntimeError(f"{' '.join(argv[:3])}... exited {proc.returncode}: {out[-2000:]}")
    return seconds


def demo_pack(folder: Path) -> tuple[Path, Path, Path]:
    """A demo workspace, the Clause 9 pack issued from it and its CA (keys in `folder`)."""
    os.environ["ISMS_KEYS_DIR"] = str(folder / "keys")
    db, pack, ca = folder / "demo.db", folder / "demo-pack.pdf", folder / "ca.pem"
    env = dict(os.environ, ISMS_PASSPHRASE=PASSPHRASE)
    for argv in (
        [*_isms(), "demo", "--no-tui", "--db", str(db)],
        [*_isms(), "pack", "--db", str(db), "--out", str(pack)],
        [*_isms(), "keys", "export-ca", "--db", str(db), "--out", str(ca)],
    ):
        subprocess.run(argv, check=True, capture_output=True, env=env)
    return db, pack, ca


def measure(folder: Path, rounds: int, progress: Callable[[str], object] = lambda _m: None) -> VerifyTimes:
    """Issue a demo pack in `folder`, then time the three commands, alternating."""
    progress("verify: issuing a demo pack")
    db, pack, ca = demo_pack(folder)
    isms_cmd = [*_isms(), "verify", str(pack), "--db", str(db)]
    bare_cmd = [sys.executable, "-c", "import pyhanko.sign.validation"]
    cli = _pyhanko()
    skipped = "" if cli else "pyhanko-cli is not installed (pip install -e '.[bench]')"
    cli_cmd = (
        [*cli, "sign", "validate", "--trust", str(ca), "--trust-replace", "--no-revocation-check", str(pack)]
        if cli
        else None
    )
    commands = [isms_cmd, bare_cmd] + ([cli_cmd] if cli_cmd else [])
    for argv in commands:  # warm the file cache and the bytecode; not counted
        _wall(argv)
    runs: list[list[float]] = [[] for _ in commands]
    for n in range(rounds):
        progress(f"verify {n + 1}/{rounds}")
        for i, argv in enumerate(commands):
            runs[i].append(_wall(argv))
    medians = [statistics.median(r) for r in runs]
    return VerifyTimes(medians[0], medians[1], medians[2] if cli_cmd else None, skipped)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="isms-bench-verify-") as tmp:
        os.environ.setdefault("ISMS_TODAY", "2026-11-28")
        os.environ["ISMS_CONFIG_DIR"] = str(Path(tmp) / "config")
        os.environ["ISMS_DATA_DIR"] = str(Path(tmp) / "data")
        times = measure(Path(tmp), args.rounds, lambda m: print(m, file=sys.stderr))
    print(f"isms verify (whole process):          {times.isms * 1000:7.0f} ms")
    print(f"python -c 'import pyhanko.sign.validation': {times.bare_import * 1000:7.0f} ms")
    print(f"ratio isms verify / bare import:      {times.isms / times.bare_import:7.2f}x (target <= 1.15)")
    if times.pyhanko_cli is None:
        print(f"pyhanko sign validate: skipped, {times.skipped}")
        return 0
    print(f"pyhanko sign validate (pyhanko-cli):  {times.pyhanko_cli * 1000:7.0f} ms")
    print(f"ratio isms verify / pyhanko-cli:      {times.isms / times.pyhanko_cli:7.2f}x (target < 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
