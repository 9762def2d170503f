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
from .checkpoints import JournalCheckpoint
from .enums import (
    ActionStatus,
    AuditMethod,
    AuditResult,
    AuditStatus,
    DecisionKind,
    Direction,
    Effectiveness,
    Frequency,
    Grading,
    KpiType,
    ReviewStatus,
    Status,
)
from .ids import require_id
from .monitoring import Analysis, Kpi, Reading
from .packs import IssuedPack
from .people import AuditRecipient, CompetenceRecord, Responsibility
from .records import Evidence, EvidenceLink, JournalEntry
from .review import ManagementReview, ReviewDecision, ReviewEntry, ReviewNote
from .risk import Risk
from .workspace import Objective, Person, Workspace

__all__ = [
    "Action",
    "ActionStatus",
    "Audit",
    "AuditArea",
    "AuditItem",
    "AuditMethod",
    "AuditProgramme",
    "AuditRecipient",
    "AuditResult",
    "AuditStatus",
    "ChecklistQuestion",
    "ChecklistTemplate",
    "CompetenceRecord",
    "DecisionKind",
    "Effectiveness",
    "Finding",
    "Grading",
    "IssuedPack",
    "JournalCheckpoint",
    "ManagementReview",
    "ReviewDecision",
    "ReviewEntry",
    "ReviewNote",
    "Responsibility",
    "ReviewStatus",
    "Risk",
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
    "require_id",
]
