"""services/formatting: the one copy of how numbers, targets, counts, dates and sizes read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from isms_tui.models.enums import Direction
from isms_tui.services.formatting import (
    grouped_hex,
    iso,
    long_date,
    number,
    plural,
    size_text,
    target_text,
    warning_text,
)


@dataclass
class K:
    direction: Direction
    unit: str = ""
    target: float | None = None
    target_high: float | None = None
    warning: float | None = None
    warning_high: float | None = None


def test_number() -> None:
    assert number(None) == "—"
    assert number(1234) == "1,234"
    assert number(1234.5, "days") == "1,234.5 days"
    assert number(95.0, "%") == "95%"
    assert number(0.125) == "0.12"
    assert number(2, "days ") == "2 days "  # the packs keep a unit as stored
    assert number(2, "days ", strip=True) == "2 days"  # the screens trim it


def test_targets_for_screens_and_packs() -> None:
    higher = K(Direction.HIGHER_BETTER, "%", target=95, warning=90)
    lower = K(Direction.LOWER_BETTER, "days", target=2)
    band = K(Direction.WITHIN_RANGE, "changes", target=5, target_high=20, warning=3, warning_high=25)
    assert target_text(higher) == "≥ 95%"
    assert target_text(higher, unicode=False) == ">= 95%"
    assert target_text(lower) == "≤ 2 days"
    assert target_text(band) == "5–20 changes"
    assert target_text(band, range_sep=" to ") == "5 to 20 changes"
    assert warning_text(higher) == "≥ 90%"
    assert warning_text(lower) == "none"
    assert warning_text(band, unicode=False, range_sep=" to ") == "3 to 25 changes"


def test_words_dates_and_sizes() -> None:
    assert plural(1, "audit") == "1 audit"
    assert plural(2, "opportunity", "opportunities") == "2 opportunities"
    assert long_date(date(2026, 3, 7)) == "7 March 2026"
    assert long_date(None) == "—"
    assert iso(date(2026, 3, 7)) == "2026-03-07"
    assert iso(datetime(2026, 3, 7, 14, 5, tzinfo=UTC)) == "2026-03-07 14:05 UTC"
    assert iso(datetime(2026, 3, 7, 14, 5)) == "2026-03-07 14:05"
    assert size_text(512) == "512 B"
    assert size_text(2048) == "2.0 KB"
    assert size_text(3 * 1024 * 1024) == "3.0 MB"
    assert grouped_hex("abcdef12") == "abcd ef12"


def test_the_directions_it_compares_are_the_models_own():
    """formatting compares directions as text (it imports nothing of the data layer)."""
    from isms_tui.models.enums import Direction
    from isms_tui.services import formatting

    assert (formatting.HIGHER_BETTER, formatting.LOWER_BETTER) == (Direction.HIGHER_BETTER, Direction.LOWER_BETTER)


def test_a_count_of_one_takes_the_singular_unit() -> None:
    from isms_tui.services.formatting import number

    assert number(1, "incidents") == "1 incident"
    assert number(2, "incidents") == "2 incidents"
    assert number(1, "days") == "1 day"
    assert number(1.5, "days") == "1.5 days"
    assert number(0, "changes") == "0 changes"
    # abbreviations, units in several words and non-plural endings stay as typed
    assert number(1, "ms") == "1 ms"
    assert number(1, "hrs") == "1 hrs"
    assert number(1, "access reviews") == "1 access reviews"
    assert number(1, "GBs") == "1 GBs"
    assert number(1, "status") == "1 status"
    assert number(1, "%") == "1%"


def test_gradings_are_counted_in_agreement() -> None:
    from isms_tui.services.formatting import grading_count

    assert grading_count(1, "minor NC") == "1 minor NC"
    assert grading_count(2, "major NC") == "2 major NCs"
    assert grading_count(2, "observation") == "2 observations"
    assert grading_count(3, "opportunity for improvement") == "3 opportunities for improvement"
    assert grading_count(1, "opportunity for improvement") == "1 opportunity for improvement"


def test_results_that_are_not_nouns_are_not_pluralised() -> None:
    from isms_tui.services.formatting import grading_count

    assert grading_count(26, "conforming") == "26 conforming"
    assert grading_count(3, "not audited") == "3 not audited"
