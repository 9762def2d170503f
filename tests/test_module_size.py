"""No module grows past what one person holds in their head (ARCHITECTURE.md, CONTRIBUTING.md).

Migrations are exempt: each is a frozen record of one schema step. (Catalogue data is JSON,
not a module.)
"""

from __future__ import annotations

from pathlib import Path

import isms_tui

LIMIT = 500
EXEMPT = ("models/migrations/versions/",)


def test_no_module_is_over_the_limit():
    root = Path(isms_tui.__file__).parent
    too_long = {
        path.relative_to(root).as_posix(): count
        for path in root.rglob("*.py")
        if not any(part in path.relative_to(root).as_posix() for part in EXEMPT)
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert not too_long, f"split these modules along their seams (limit {LIMIT} lines): {too_long}"
