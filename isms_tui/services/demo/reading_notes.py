"""What a collector writes beside a reading: the value restated as a count, then its cause.

Notes are derived from the value, never picked blind, so a note cannot count three late
patches on a month that had six, or blame a burst of requests on a quiet month.
"""

from __future__ import annotations

from dataclasses import dataclass

from isms_tui.models import Direction, Kpi


@dataclass(frozen=True)
class Tally:
    """How a note states a value as a count.

    `of`: the population the percentage is taken over (None: the value is itself a count).
    `misses`: count what fell short (100 - value) rather than what the value measures.
    """

    noun: str
    of: int | None = None
    misses: bool = True


def tally_text(tally: Tally, value: float) -> str:
    """The value as the collector would count it: '3 of 40 critical patches installed late.'"""
    if tally.of is None:
        n = round(value)
        noun = tally.noun[:-1] if n == 1 and tally.noun.endswith("s") else tally.noun
        return f"{n} {noun}."
    hit = round(value * tally.of / 100)
    return f"{tally.of - hit if tally.misses else hit} of {tally.of} {tally.noun}."


def below_range(kpi: Kpi, value: float) -> bool:
    """A within-range KPI under its band (the other side of the band needs other causes)."""
    return kpi.direction == Direction.WITHIN_RANGE and value < kpi.target


def compose(tally: Tally | None, value: float, cause: str) -> str:
    return " ".join(filter(None, (tally_text(tally, value) if tally else "", cause)))
