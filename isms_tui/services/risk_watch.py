"""The risks a KPI watches (a risk names its KPIs by code): shown with the KPI on its detail
screen and in the pack's 9.1 results, so a reader sees what a KPI going off target puts at stake.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from isms_tui.models import Risk

from .risks import above_appetite, appetite, band, standing_level


@dataclass(frozen=True)
class WatchedRisk:
    """One watched risk at the level it stands at (residual once treated) against the appetite."""

    ref: str
    title: str
    level: int
    band: str
    status: str
    above_appetite: bool

    def summary(self) -> str:
        """'R-003 Ransomware: level 16 high, open, above appetite'."""
        marker = ", above appetite" if self.above_appetite else ""
        return f"{self.ref} {self.title}: level {self.level} {self.band}, {self.status}{marker}"


def watched_risks(session: Session, codes: list[str] | None = None) -> dict[str, list[WatchedRisk]]:
    """KPI code -> the risks that name it, highest level first (then by ref); one query.

    `codes` limits the answer to those KPIs; None gives every KPI some risk names.
    """
    limit = appetite(session)
    wanted = None if codes is None else set(codes)
    out: dict[str, list[WatchedRisk]] = {}
    for risk in session.exec(select(Risk)):
        value = standing_level(risk)
        watched = WatchedRisk(risk.ref, risk.title, value, band(value), risk.status, above_appetite(risk, limit))
        for code in dict.fromkeys(risk.kpis):
            if wanted is None or code in wanted:
                out.setdefault(code, []).append(watched)
    for rows in out.values():
        rows.sort(key=lambda w: (-w.level, w.ref))
    return out
