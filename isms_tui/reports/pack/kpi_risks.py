"""The risks a KPI watches, in its 9.1 results: which register entries a KPI off target puts at
stake, at the level each stands at and whether it exceeds the appetite.

The register keeps no history table, so the risks are given as the register stands on the day
the pack is issued, and the pack says so.
"""

from __future__ import annotations

from datetime import date

from reportlab.platypus import Flowable

from isms_tui.reports import layout as L
from isms_tui.reports.layout import BAD, esc
from isms_tui.services.formatting import iso
from isms_tui.services.risk_watch import WatchedRisk


def watched_block(risks: list[WatchedRisk], today: date) -> list[Flowable]:
    """One paragraph: 'Watches risks (register on DATE): REF title: level N band, status[, above appetite]; ...'."""
    st = L.styles()
    if not risks:
        return [L.P("Watches risks: no risk in the register names this KPI.", st.muted)]
    parts = []
    for r in risks:
        text = f"<b>{esc(r.ref)}</b> {esc(r.title)}: level {r.level} {esc(r.band)}, {esc(r.status)}"
        if r.above_appetite:
            text += f', <font color="{BAD.text.hexval()}"><b>{esc(L.symbol(BAD))}above appetite</b></font>'
        parts.append(text)
    return [L.M(f"Watches risks (the register on {esc(iso(today))}): " + "; ".join(parts) + ".", st.muted)]
