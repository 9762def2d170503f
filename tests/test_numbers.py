"""The one number rule shared by reading values, KPI thresholds and CSV imports."""

import pytest

from isms_tui.services.errors import InputError
from isms_tui.services.numbers import parse_number
from isms_tui.widgets.form import parse_optional_float


@pytest.mark.parametrize(("text", "value"), [("12", 12), (" -2.5 ", -2.5), ("+.5", 0.5), ("1e3", 1000)])
def test_accepted(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("", "Required."),
        ("1,5", "Use a dot for decimals."),
        ("1,234.5", "Use a dot for decimals."),
        ("1_000", "Not a number."),
        ("1 000", "Not a number."),
        ("abc", "Not a number."),
        ("nan", "Not finite."),
        ("-inf", "Not finite."),
        ("1e400", "Not finite."),
    ],
)
def test_refused_with_a_sentence_and_a_field_message(text, short):
    with pytest.raises(InputError) as refused:
        parse_number(text, "target")
    assert str(refused.value).endswith(".")
    assert refused.value.fields == {"target": short}


def test_forms_follow_the_same_rule():
    errors: dict[str, str] = {}
    assert parse_optional_float("  ", "target", errors) is None
    assert parse_optional_float("2.5", "target", errors) == 2.5
    assert errors == {}
    assert parse_optional_float("1_000", "target", errors) is None
    assert parse_optional_float("1,5", "warning", errors) is None
    assert errors == {"target": "Not a number.", "warning": "Use a dot for decimals."}
