"""Signing and verification speed, with poppler's pdfsig as the baseline measured in the same run.

    python benchmarks/bench_signing.py [--mb 5] [--rounds 7]

What it does, in a scratch folder (keys included: your own keys are never touched):
- builds a 20-page reportlab PDF and a set of attachments totalling --mb megabytes (half
  incompressible "photos", half CSV text, as evidence folders usually are);
- signs it with `sign_pdf` (embed + manifest + PAdES B-B) and, as a reference, signs the same
  PDF with no attachments;
- verifies the signed file with `verify_pdf` in process, and with `isms verify` and `pdfsig`
  as fresh processes (pdfsig trusting the CA through a temporary NSS database, as an auditor
  would), alternating the two so machine noise hits both alike.

Medians are printed with the ratio against the baseline. Not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _pdf(pages: int = 20) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for n in range(1, pages + 1):
        c.setFont("Helvetica", 10)
        for i in range(60):
            c.drawString(56, 800 - 12 * i, f"Page {n} line {i}: KPI reading, target, status and analysis text.")
        c.showPage()
    c.save()
    return buf.getvalue()


def _attachments(total_mb: float):
    from isms_tui.reports.signing import Attachment

    total = int(total_mb * 1024 * 1024)
    half = total // 2
    photos = [Attachment(f"photo-{i}.jpg", os.urandom(half // 4), "site photo", "image/jpeg") for i in range(4)]
    row = b"PH-01,2026-10-01,3.2,entered by the collector,note about the reading\n"
    csv_size = (total - sum(len(a.data) for a in photos)) // 4
    csvs = [
        Attachment(f"readings-{i}.csv", (row * (csv_size // len(row) + 1))[:csv_size], "readings", "text/csv")
        for i in range(4)
    ]
    return photos + csvs


def _timed(fn, rounds: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def _wall(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, proc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="total size of the attachments (default 5)")
    parser.add_argument("--rounds", type=int, default=7, help="repetitions per measurement (median)")
    args = parser.parse_args()
    for tool in ("pdfsig", "certutil"):
        if shutil.which(tool) is None:
            print(f"{tool} is needed (apt-get install poppler-utils libnss3-tools).", file=sys.stderr)
            return 1

    scratch = Path(tempfile.mkdtemp(prefix="isms-bench-signing-"))
    os.environ["ISMS_KEYS_DIR"] = str(scratch / "keys")
    os.environ.pop("ISMS_PASSPHRASE", None)
    env = dict(os.environ)
    try:
        from isms_tui.reports import keys
        from isms_tui.reports.signing import sign_pdf
        from isms_tui.reports.verify import verify_pdf

        t_import, _ = _timed(lambda: __import__("pyhanko.sign.validation"), 1)  # paid once per process
        passphrase = "benchmark passphrase"
        t_init, _ = _timed(lambda: keys.init_identity("Bench Org", passphrase, force=True), 1)
        t_load, identity = _timed(lambda: keys.load_identity(passphrase), args.rounds)
        pdf = _pdf()
        atts = _attachments(args.mb)
        att_bytes = sum(len(a.data) for a in atts)
        out = scratch / "pack.pdf"
        bare = scratch / "bare.pdf"

        t_sign_bare, _ = _timed(lambda: sign_pdf(pdf, [], identity, bare), args.rounds)
        t_sign, result = _timed(lambda: sign_pdf(pdf, atts, identity, out), args.rounds)
        trust = [scratch / "keys" / "ca.pem"]
        t_verify, report = _timed(lambda: verify_pdf(out, trust), args.rounds)
        if not report.ok:
            print(report.render_text(), file=sys.stderr)
            return 1

        nss = scratch / "nss"
        nss.mkdir()
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
        subprocess.run(
            [
                "certutil",
                "-A",
                "-d",
                f"sql:{nss}",
                "-n",
                "isms",
                "-t",
                "CT,C,C",
                "-i",
                str(scratch / "keys" / "ca.pem"),
            ],
            check=True,
            capture_output=True,
        )
        pdfsig_cmd = ["pdfsig", "-nssdir", f"sql:{nss}", str(out)]
        isms_cmd = [sys.executable, "-m", "isms_tui.cli", "verify", str(out), "--trust", str(trust[0])]
        pdfsig_runs, isms_runs = [], []
        pdfsig_text = ""
        for _ in range(args.rounds):
            t, proc = _wall(pdfsig_cmd, env)
            pdfsig_runs.append(t)
            pdfsig_text = proc.stdout
            t, proc = _wall(isms_cmd, env)
            if proc.returncode != 0:
                print(proc.stdout + proc.stderr, file=sys.stderr)
                return 1
            isms_runs.append(t)
        for needed in ("Signature is Valid.", "Total document signed", "Certificate is Trusted."):
            if needed not in pdfsig_text:
                print(f"pdfsig did not say {needed!r}:\n{pdfsig_text}", file=sys.stderr)
                return 1
        t_pdfsig = statistics.median(pdfsig_runs)
        t_isms = statistics.median(isms_runs)

        print(
            f"attachments: {len(atts)} files, {att_bytes / 1e6:.2f} MB; signed pack {result.size / 1e6:.2f} MB; "
            f"medians of {args.rounds} (python {sys.version.split()[0]}, {os.cpu_count()} CPUs)"
        )
        print(f"{'metric':<46} {'value':>10} {'baseline':>10} {'ratio':>7}")
        rows = [
            ("import pyHanko (once per process)", t_import, None),
            ("keys init (CA + signer, two PKCS#12)", t_init, None),
            ("keys load (unlock signer.p12)", t_load, None),
            ("sign, no attachments (baseline)", t_sign_bare, None),
            (f"sign with {att_bytes / 1e6:.1f} MB attachments (embed+manifest)", t_sign, t_sign_bare),
            ("verify_pdf in process (warm)", t_verify, t_pdfsig),
            ("`isms verify` fresh process", t_isms, t_pdfsig),
            ("pdfsig fresh process (baseline)", t_pdfsig, None),
        ]
        for name, value, base in rows:
            base_s = f"{base * 1000:8.1f}ms" if base else f"{'':>10}"
            ratio = f"{value / base:6.2f}x" if base else f"{'':>7}"
            print(f"{name:<46} {value * 1000:8.1f}ms {base_s} {ratio}")
        print("\npdfsig said:\n" + pdfsig_text.rstrip())
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
