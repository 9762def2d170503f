"""What the section builders share while a pack is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlmodel import Session

from isms_tui.reports.layout import Story

from .evidence import EvidenceSet

Progress = Callable[[float, str], None]


class Stored(Protocol):
    id: int | None


def stored_id(record: Stored) -> int:
    """The primary key of a record read from the workspace (only a record never saved has none)."""
    if record.id is None:
        raise ValueError(f"{type(record).__name__} was never saved, so it has no id")
    return record.id


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
