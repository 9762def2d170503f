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
from .monitoring import Analysis, Kpi, KpiTarget, Reading
from .packs import IssuedPack
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
    "AuditResult",
    "AuditStatus",
    "ChecklistQuestion",
    "ChecklistTemplate",
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
    "ReviewStatus",
    "Risk",
    "Analysis",
    "Direction",
    "Evidence",
    "EvidenceLink",
    "Frequency",
    "JournalEntry",
    "Kpi",
    "KpiTarget",
    "KpiType",
    "Objective",
    "Person",
    "Reading",
    "Status",
    "Workspace",
    "require_id",
]
