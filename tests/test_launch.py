from pathlib import Path

import pytest

from isms_tui.launch import _tui_path


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], None),
        (["--db", "x.db"], Path("x.db")),
        (["--db=x.db"], Path("x.db")),
        (["status"], False),
        (["--db", "x.db", "status"], False),
        (["--db", "--help"], False),
        (["--help"], False),
        (["--db="], False),
    ],
)
def test_only_plain_tui_launches_skip_the_cli(args, expected):
    assert _tui_path(args) == expected
