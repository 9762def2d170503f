"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from .enums import Direction, Frequency, KpiType, Status
from .monitoring import Analysis, Kpi, Reading
from .records import Evidence, EvidenceLink, JournalEntry
from .workspace import Objective, Person, Workspace

__all__ = [
    "Analysis",
    "Direction",
    "Evidence",
    "EvidenceLink",
    "Frequency",
    "JournalEntry",
    "Kpi",
    "KpiType",
    "Objective",
    "Person",
    "Reading",
    "Status",
    "Workspace",
]
