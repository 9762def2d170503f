"""Form helpers shared by every screen."""

from __future__ import annotations

from isms_tui.widgets.form import NO_PEOPLE_PROMPT, person_select


def test_a_person_select_with_nobody_to_choose_says_where_people_are_added():
    assert person_select([]).prompt == NO_PEOPLE_PROMPT
    assert "Settings (s)" in NO_PEOPLE_PROMPT


def test_a_person_select_keeps_its_prompt_when_there_are_people():
    assert person_select([("Ann", 1), ("Bob", 2)], 2, prompt="who").prompt == "who"
    assert person_select([("Ann", 1)]).prompt == "Select"
