"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from .audit import (
    Action,
    Audit,
    AuditArea,
    AuditItem,
    AuditProgramme,
    ChecklistQuestion,
    ChecklistTemplate,
    Finding,
)
from .enums import (
    ActionStatus,
    AuditMethod,
    AuditResult,
    AuditStatus,
    Direction,
    Effectiveness,
    Frequency,
    Grading,
    KpiType,
    Status,
)
from .monitoring import Analysis, Kpi, Reading
from .records import Evidence, EvidenceLink, JournalEntry
from .workspace import Objective, Person, Workspace

__all__ = [
    "Action",
    "ActionStatus",
    "Audit",
    "AuditArea",
    "AuditItem",
    "AuditMethod",
    "AuditProgramme",
    "AuditResult",
    "AuditStatus",
    "ChecklistQuestion",
    "ChecklistTemplate",
    "Effectiveness",
    "Finding",
    "Grading",
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
