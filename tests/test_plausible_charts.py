"""Every value a KPI accepts can be drawn: the extremes of the allowed ranges through the TUI's
trend chart and sparkline, the PDF chart, and a whole pack built from them."""

from __future__ import annotations

import io
import math
import re
from datetime import date

import pytest

from isms_tui.services.plausible import MAX_MAGNITUDE, allowed_range

from .pack_helpers import flat, pdf_pages

RANGES = [  # (unit, min_value, max_value)
    ("%", None, None),  # 0–100
    ("days", None, None),  # 0 to the magnitude limit
    ("", None, None),  # the whole magnitude either way
    ("EUR", -MAX_MAGNITUDE, -MAX_MAGNITUDE + 1),  # a narrow range at the far end
    ("ratio", 0.0, 1e-9),  # a tiny range
]


class _Kpi:
    def __init__(self, unit: str, low: float | None, high: float | None) -> None:
        self.unit, self.min_value, self.max_value = unit, low, high


def extremes(unit: str, low: float | None, high: float | None) -> list[float]:
    lo, hi = allowed_range(_Kpi(unit, low, high))
    return [lo, hi, lo, (lo + hi) / 2, hi, lo]


@pytest.mark.parametrize(("unit", "low", "high"), RANGES)
def test_the_tui_chart_and_sparkline_draw_the_extremes(unit, low, high):
    from isms_tui.widgets.status import spark
    from isms_tui.widgets.trend_chart import Level, render_chart

    values = extremes(unit, low, high)
    labels = [f"2026-0{i + 1}" for i in range(len(values))]
    for target in (values[0], values[1]):
        text = render_chart(values, labels, [Level(target, "green"), Level(values[3], "yellow")], 60, 12).plain
        lines = text.splitlines()
        assert len(lines) == 12 and all(len(line) <= 60 for line in lines)
        assert any(0x2800 < ord(ch) <= 0x28FF for ch in text)  # the series is drawn
        assert not re.search(r"\b(nan|inf)\b", text)
    assert len(spark(values)) == len(values)


@pytest.mark.parametrize(("unit", "low", "high"), RANGES)
def test_the_pdf_chart_draws_the_extremes(unit, low, high):
    from reportlab.pdfgen.canvas import Canvas

    from isms_tui.reports import layout as L

    values = extremes(unit, low, high)
    lines = [L.ChartLine(values[1], "target", L.GREEN_LINE), L.ChartLine(values[0], "warning", L.AMBER_LINE, True)]
    chart = L.TrendChart([f"P{i}" for i in range(len(values))], values, lines, [None] * len(values), unit=unit)
    out = io.BytesIO()
    canvas = Canvas(out)
    chart.wrapOn(canvas, 500, 300)
    chart.drawOn(canvas, 20, 400)
    canvas.save()
    text = flat(" ".join(pdf_pages(out.getvalue())))
    assert text and not re.search(r"\b(nan|inf)\b", text, re.IGNORECASE)


def test_a_pack_of_extreme_readings_builds(tmp_path, monkeypatch):
    from isms_tui.reports.pack import build_pack
    from isms_tui.services import kpis, readings, workspace
    from isms_tui.services.kpis import KpiInput

    from .db_helpers import workspace_session

    monkeypatch.setenv("ISMS_TODAY", "2026-11-28")
    db = tmp_path / "w.db"
    with workspace_session(db, "tester") as s:
        workspace.save_workspace(s, "Acme Ltd", "Everything")
        for i, (unit, low, high) in enumerate(RANGES):
            values = extremes(unit, low, high)
            k = kpis.save_kpi(
                s,
                KpiInput(
                    code=f"X{i}",
                    name=f"extremes {unit or 'none'}",
                    target=values[3],
                    unit=unit,
                    min_value=low,
                    max_value=high,
                    started_on=date(2026, 1, 1),
                ),
            )
            for month, value in enumerate(values, start=1):
                readings.record_reading(s, k.id, date(2026, month, 1), value)
        content = build_pack(
            s, "clause9", signer="Acme Ltd", fingerprint="0" * 64, issued_by="tester", period_from=date(2026, 1, 1)
        )
    text = flat(" ".join(pdf_pages(content.pdf)))
    for i in range(len(RANGES)):
        assert f"X{i} extremes" in text
    assert "1,000,000,000,000" in text and not re.search(r"\b(nan|inf)\b", text, re.IGNORECASE)
    assert all(math.isfinite(v) for unit, lo, hi in RANGES for v in extremes(unit, lo, hi))
