"""What the section builders share while a pack is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from isms_tui.reports.layout import Story

from .evidence import EvidenceSet

Progress = Callable[[float, str], None]


@dataclass
class Context:
    """Everything the section builders share."""

    session: Session
    story: Story
    kind: str
    today: date
    period_from: date
    period_to: date
    people: dict[int, str]
    evidence: EvidenceSet
    progress: Progress
    facts: dict[str, Any] = field(default_factory=dict)

    def person(self, pid: int | None) -> str:
        return self.people.get(pid or 0, "") or "—"
