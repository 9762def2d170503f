"""How numbers, targets, counts, dates and sizes read as text: one copy for the screens and the
packs, so a KPI's target says the same thing wherever it appears. Plain strings only (no Textual,
no reportlab), so every layer can use it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from isms_tui.models.enums import Direction

# Direction's values (models/enums.py), compared as text so that this module imports nothing
# of the data layer: `isms verify` and the CLI's help use it without loading SQLAlchemy.
HIGHER_BETTER, LOWER_BETTER = "higher", "lower"


class Targeted(Protocol):
    """What target and warning text need of a KPI."""

    @property
    def direction(self) -> Direction: ...
    @property
    def unit(self) -> str: ...
    @property
    def target(self) -> float | None: ...
    @property
    def target_high(self) -> float | None: ...
    @property
    def warning(self) -> float | None: ...
    @property
    def warning_high(self) -> float | None: ...


def number(value: float | None, unit: str = "", *, strip: bool = False) -> str:
    """'1,234.5 days', '95%' or '—' for no value: thousands grouped, at most two decimals.

    `strip` trims whitespace around the result (the screens' form, where a unit typed with
    spaces must not widen a cell)."""
    if value is None:
        return "—"
    if value == int(value) and abs(value) < 1e15:
        text = f"{int(value):,}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if not unit:
        return text
    out = f"{text}{unit}" if unit == "%" else f"{text} {unit_for(value, unit)}"
    return out.strip() if strip else out


def _bound(kpi: Targeted, low: float | None, high: float | None, *, unicode: bool, range_sep: str, strip: bool) -> str:
    if kpi.direction == HIGHER_BETTER:
        return f"{'≥' if unicode else '>='} {number(low, kpi.unit, strip=strip)}"
    if kpi.direction == LOWER_BETTER:
        return f"{'≤' if unicode else '<='} {number(low, kpi.unit, strip=strip)}"
    return f"{number(low, strip=strip)}{range_sep}{number(high, kpi.unit, strip=strip)}"


def target_text(kpi: Targeted, *, unicode: bool = True, range_sep: str = "–", strip: bool = False) -> str:
    """'≥ 95%', '≤ 2 days' or '5–20 changes' from a KPI's direction and targets.

    `unicode=False` writes '>=' and '<=' (for fonts without the signs); the packs separate a
    range with ' to ', the screens with an en dash."""
    return _bound(kpi, kpi.target, kpi.target_high, unicode=unicode, range_sep=range_sep, strip=strip)


def warning_text(kpi: Targeted, *, unicode: bool = True, range_sep: str = "–", strip: bool = False) -> str:
    """The warning threshold written like `target_text`, or 'none' when the KPI has none."""
    if kpi.warning is None and kpi.warning_high is None:
        return "none"
    return _bound(kpi, kpi.warning, kpi.warning_high, unicode=unicode, range_sep=range_sep, strip=strip)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 audit', '3 audits', '2 opportunities' (with `many` for irregular plurals)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def unit_for(value: float, unit: str) -> str:
    """A counted unit agrees with its value: '1 incident', '2 incidents', '1 day'.

    Units are typed in the plural ('incidents', 'days'); for exactly one, a plain English plural
    in -s loses it. Abbreviations and units of three letters or fewer ('ms', 'hrs') stay as typed.
    """
    if value != 1 or len(unit) <= 3 or not unit.endswith("s") or unit.endswith(("ss", "us", "is")) or " " in unit:
        return unit
    if not unit.isalpha() or not unit.islower():
        return unit
    return unit[:-1]


_GRADINGS = {
    "major NC": "major NCs",
    "minor NC": "minor NCs",
    "observation": "observations",
    "opportunity for improvement": "opportunities for improvement",
}


def grading_count(n: int, grading: str) -> str:
    """'1 major NC', '2 observations', '3 opportunities for improvement'; results that are not
    nouns stay as they are ('26 conforming', '3 not audited')."""
    many = _GRADINGS.get(grading)
    return plural(n, grading, many) if many else f"{n} {grading}"


def long_date(day: date | None) -> str:
    """'7 March 2026', or '—' for no date."""
    return f"{day.day} {day.strftime('%B')} {day.year}" if day else "—"


def iso(day: date | datetime | None) -> str:
    """'2026-03-07'; a moment as '2026-03-07 14:05 UTC' (naive ones without the zone); '—' for none."""
    if day is None:
        return "—"
    if isinstance(day, datetime):
        return day.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if day.tzinfo else day.strftime("%Y-%m-%d %H:%M")
    return day.isoformat()


def size_text(n: int) -> str:
    """A file size: '512 B', '12.3 KB', '4.0 MB'."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def grouped_hex(text: str, group: int = 4) -> str:
    """A hash in groups of four ('ab12 cd34 …'), easier to read aloud and compare."""
    return " ".join(text[i : i + group] for i in range(0, len(text), group))
