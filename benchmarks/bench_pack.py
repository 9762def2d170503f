"""Benchmark the Clause 9 evidence pack on the large workspace, against a bare reportlab build of
the same tables and charts measured in the same run; then signing, and verification against pdfsig.

    python benchmarks/bench_pack.py [--db FILE] [--rounds 3] [--keep]

The pack is timed end to end (`build_pack`: queries, story, layout, contents, page x of y). The
baseline gets the same data already in memory (read before the clock starts) and builds the same
tables (Paragraph cells where the pack wraps text, zebra rows, repeated headers) and the same trend
charts with a stock `SimpleDocTemplate` in one pass, without contents, headers or footers. Runs
alternate pack / baseline; medians are compared. Target: pack ≤ 1.1 × baseline (exit 1 if missed).
The pack pauses Python's cyclic garbage collector while it builds (services/collector.py); the
stock baseline does not, so the same baseline with the collector paused is timed too (info), to
show the part of the gain that is reportlab's own work and not the collector's.

The large workspace (benchmarks/out/large.db, made by make_large.py) has 300 KPIs and ten years of
readings but no audits, reviews or evidence files: this measures the 9.1 part, which is what grows.
Work happens on a scratch copy (out/scratch-pack-*), deleted at the end unless --keep.
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
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TODAY = date(2026, 11, 28)
TARGET = 1.1

sys.path.insert(0, str(HERE.parent))


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def large_db() -> Path:
    path = OUT / "large.db"
    if not path.exists():
        log("generating out/large.db (a few seconds)…")
        OUT.mkdir(exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "make_large.py"), str(path)], check=True)
    return path


# -- the baseline: the same data, stock reportlab ----------------------------------------------


def snapshot(session, period_from: date, period_to: date) -> dict:
    """Everything the baseline draws, read before its clock starts."""
    from types import SimpleNamespace

    from isms_tui.reports.pack import monitoring
    from isms_tui.services import pack_data

    ctx = SimpleNamespace(
        session=session,
        period_from=period_from,
        period_to=period_to,
        today=TODAY,
        person=lambda pid: pack_data.people(session).get(pid or 0, "") or "—",
        progress=lambda *_: None,
    )
    parts = monitoring.gather_kpis(ctx)
    analyses = pack_data.analyses_between(session, period_from, period_to)
    return {"ctx": ctx, "parts": parts, "analyses": analyses}


def baseline(data: dict) -> bytes:
    """A stock one-pass SimpleDocTemplate with the pack's 9.1 tables and charts, cell for cell
    (the same Paragraph cells, zebra rows, status fills and trend charts), from data in memory:
    no queries, no contents, headers, footers, bookmarks or page breaks before headings."""
    from collections import Counter

    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from isms_tui.models import Status
    from isms_tui.reports import layout as L
    from isms_tui.reports.pack import cells as P
    from isms_tui.reports.pack import kpi_risks, kpi_targets, monitoring
    from isms_tui.services import periods
    from isms_tui.services.formatting import iso, number

    st = L.styles()
    story: list = [Paragraph("Monitoring plan", st.h[1])]
    story.append(
        L.data_table(
            ["KPI", "What (information need)", "How (method)", "When", "Who", "Target"],
            [
                [
                    L.M(f"<b>{L.esc(p.kpi.code)}</b><br/>{L.esc(p.kpi.name)}", st.cell),
                    P.lines_cell(
                        ("Need", p.kpi.information_need),
                        ("Objective", p.objective),
                        ("Requirements", p.kpi.requirements),
                        ("Type", p.kpi.kpi_type.value),
                    ),
                    P.lines_cell(
                        ("Method", p.kpi.method),
                        ("Unit", p.kpi.unit),
                        ("Source", p.kpi.data_source),
                        ("Reported as", p.kpi.reporting_format),
                    ),
                    P.lines_cell(
                        ("Measured", p.kpi.frequency.value),
                        ("Analysed", p.kpi.analysis_frequency.value),
                        ("Grace", f"{p.kpi.grace_days} days"),
                    ),
                    P.lines_cell(("Measures", p.collector), ("Analyses", p.analyst)),
                    P.lines_cell(("Target", P.kpi_target(p.kpi)), ("Warning", P.kpi_warning(p.kpi))),
                ]
                for p in data["parts"]
            ],
            [1.45, 2.3, 2.3, 1.25, 1.35, 1.2],
        )
    )
    rows, tones = [], []
    for i, p in enumerate(data["parts"]):
        tone = P.STATUS_TONE[p.state.status]
        live = p.live
        c = Counter(st for _, st in live)
        last = (
            (f"{periods.period_label(p.state.last_period, p.kpi.frequency)}: {number(p.state.last_value, p.kpi.unit)}")
            if p.state.last_period
            else "—"
        )
        rows.append(
            [
                P.bold_cell(p.kpi.code),
                P.text_cell(p.kpi.name),
                str(len(live)),
                str(sum(r.id in p.late for r, _ in live)),
                f"{c.get(Status.ON_TARGET, 0)} / {c.get(Status.WARNING, 0)} / {c.get(Status.OFF_TARGET, 0)}",
                P.text_cell(last),
                P.tone_label(tone, p.state.status.value),
                P.text_cell(p.state.trend or "—"),
            ]
        )
        tones.append((6, i, tone))
    story.append(
        L.data_table(
            ["KPI", "Name", "Readings", "Late", "On / warn / off", "Last reading", "Status", "Trend"],
            rows,
            [1.3, 2.15, 1.1, 0.7, 1.25, 1.55, 1.35, 1.1],
            tones=tones,
            align_right=(2, 3),
        )
    )
    by_kpi: dict[str, list] = {}
    for a in data["analyses"]:
        by_kpi.setdefault(a.kpi_code, []).append(a)
    for p in data["parts"]:
        story.append(Paragraph(L.esc(f"{p.kpi.code}  {p.kpi.name}"), st.h[2]))
        k, tone = p.kpi, P.STATUS_TONE[p.state.status]
        story.append(
            L.M(
                f'<font color="{tone.text.hexval()}"><b>{L.esc(L.symbol(tone) + p.state.status.value)}</b></font>'
                f" · last reading {L.esc(number(p.state.last_value, k.unit))} · trend {L.esc(p.state.trend)}"
                f" · target {L.esc(P.kpi_target(k))}, warning {L.esc(P.kpi_warning(k))}"
                f" · measured {L.esc(k.frequency.value)} by {L.esc(p.collector)}, analysed "
                f"{L.esc(k.analysis_frequency.value)} by {L.esc(p.analyst)}",
                st.muted,
            )
        )
        story.extend(kpi_targets.target_history(k, p.versions))
        story.extend(kpi_risks.watched_block(p.risks, TODAY))
        if p.readings:
            story.append(kpi_targets.kpi_chart(data["ctx"], p))
            story.extend(monitoring._readings_table(p, {}))
        if by_kpi.get(p.kpi.code):
            story.append(
                L.data_table(
                    ["Analysed", "Period", "Analyst", "Conclusion", "Follow-up"],
                    [
                        [
                            iso(a.analysis.analysed_on),
                            P.text_cell(monitoring._analysis_period(a, p.kpi)),
                            P.text_cell(a.analyst),
                            P.text_cell(a.analysis.conclusion),
                            P.text_cell(a.analysis.follow_up or "—"),
                        ]
                        for a in by_kpi[p.kpi.code]
                    ],
                    [1.0, 1.0, 1.3, 3.85, 2.4],
                )
            )
        story.append(Spacer(1, 6))
    rows, tones = [], []
    for i, p in enumerate(data["parts"]):
        done = len(by_kpi.get(p.kpi.code, []))
        tone, label = (L.GOOD, "on schedule") if done >= 4 else (L.WARN, "fewer than planned")
        last = max((a.analysis.analysed_on for a in by_kpi.get(p.kpi.code, [])), default=None)
        rows.append(
            [
                P.bold_cell(p.kpi.code),
                P.text_cell(p.analyst),
                p.kpi.analysis_frequency.value,
                f"{done} of 4",
                iso(last),
                P.tone_label(tone, label),
            ]
        )
        tones.append((5, i, tone))
    story.append(
        L.data_table(
            ["KPI", "Analyst", "Frequency", "Records", "Last analysed", "Assessment"],
            rows,
            [1.3, 1.8, 1.1, 0.9, 1.2, 1.9],
            tones=tones,
            align_right=(3,),
        )
    )
    buf = io.BytesIO()
    SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=L.MARGIN_L, rightMargin=L.MARGIN_R, topMargin=L.MARGIN_T, bottomMargin=L.MARGIN_B
    ).build(story)
    return buf.getvalue()


# -- the run -----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=None, help="workspace to use (default: out/large.db)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (and the signed pack)")
    args = parser.parse_args()

    os.environ["ISMS_TODAY"] = TODAY.isoformat()
    OUT.mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="scratch-pack-", dir=OUT))
    os.environ["ISMS_KEYS_DIR"] = str(scratch / "keys")
    os.environ["ISMS_CONFIG_DIR"] = str(scratch / "config")
    source = args.db or large_db()
    db = scratch / source.name
    shutil.copy2(source, db)
    store = source.with_name(source.name + ".evidence")
    if store.is_dir():
        shutil.copytree(store, db.with_name(db.name + ".evidence"))
    try:
        return run(db, scratch, args.rounds)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            log(f"kept {scratch}")


def run(db: Path, scratch: Path, rounds: int) -> int:
    from isms_tui.models.db import open_engine, session_scope
    from isms_tui.reports import keys
    from isms_tui.reports import layout as L
    from isms_tui.reports.pack import build_pack
    from isms_tui.reports.signing import sign_pdf
    from isms_tui.services.pack_data import default_period

    engine = open_engine(db)  # migrates a copy made at an older schema
    period_from, period_to = default_period(TODAY)
    L.fonts()
    from isms_tui.services.collector import collector_paused

    pack_times, base_times, paused_times = [], [], []
    with session_scope(engine, "bench") as session:
        data = snapshot(session, period_from, period_to)
        log("warming up…")
        content = build_pack(session, signer="Benchmark Holdings Ltd", fingerprint="0" * 64)
        baseline(data)
        for i in range(rounds):
            t = time.perf_counter()
            content = build_pack(session, signer="Benchmark Holdings Ltd", fingerprint="0" * 64)
            pack_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            base_pdf = baseline(data)
            base_times.append(time.perf_counter() - t)
            with collector_paused():
                t = time.perf_counter()
                baseline(data)
                paused_times.append(time.perf_counter() - t)
            log(
                f"round {i + 1}: pack {pack_times[-1]:.2f} s, baseline {base_times[-1]:.2f} s, "
                f"baseline with the collector paused {paused_times[-1]:.2f} s"
            )
    engine.dispose()
    pack_s, base_s, paused_s = (statistics.median(t) for t in (pack_times, base_times, paused_times))
    base_pages = base_pdf.count(b"/Type /Page\n") or base_pdf.count(b"/Type /Page")

    identity = keys.init_identity("Benchmark Holdings Ltd", "benchmark passphrase")
    out = scratch / "pack.pdf"
    sign_times = []
    for _ in range(rounds):
        t = time.perf_counter()
        sign_pdf(content.pdf, content.attachments, identity, out)
        sign_times.append(time.perf_counter() - t)
    sign_s = statistics.median(sign_times)

    verify_s = pdfsig_s = None
    try:
        from isms_tui.reports.verify import verify_pdf

        ca = keys.export_ca(scratch / "ca.pem")
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            report = verify_pdf(out, [ca])
            times.append(time.perf_counter() - t)
        verify_s = statistics.median(times) if report.ok else None
        if shutil.which("pdfsig") and shutil.which("certutil"):
            nss = scratch / "nss"
            nss.mkdir()
            subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
            subprocess.run(
                ["certutil", "-A", "-d", f"sql:{nss}", "-n", "isms", "-t", "CT,C,C", "-i", str(ca)],
                check=True,
                capture_output=True,
            )
            times = []
            for _ in range(rounds):
                t = time.perf_counter()
                subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(out)], capture_output=True, check=False)
                times.append(time.perf_counter() - t)
            pdfsig_s = statistics.median(times)
    except Exception as exc:
        log(f"verification not measured: {exc}")

    ratio = pack_s / base_s
    print(
        f"workspace: {db.name}, period {period_from} to {period_to}, {len(data['parts'])} KPIs, "
        f"{sum(len(p.readings) for p in data['parts'])} readings; {rounds} rounds, medians"
    )
    print(f"{'metric':<34} {'value':>10} {'baseline':>10} {'ratio':>7}  target")
    print(
        f"{'pack build (' + str(content.pages) + ' pages)':<34} {pack_s:>9.2f}s {base_s:>9.2f}s {ratio:>7.2f}  "
        f"<= {TARGET} x bare reportlab ({base_pages} pages)"
    )
    print(
        f"{'pack vs baseline, collector paused':<34} {pack_s:>9.2f}s {paused_s:>9.2f}s {pack_s / paused_s:>7.2f}  info"
    )
    label = f"sign (embed + PAdES, {len(content.pdf) // 1024} KB)"
    print(f"{label:<34} {sign_s:>9.3f}s {'':>10} {'':>7}  info")
    if verify_s is not None:
        vs = f"{pdfsig_s:>9.3f}s" if pdfsig_s is not None else f"{'n/a':>10}"
        vr = f"{verify_s / pdfsig_s:>7.2f}" if pdfsig_s else f"{'':>7}"
        print(f"{'isms verify vs pdfsig':<34} {verify_s:>9.3f}s {vs} {vr}  info")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
