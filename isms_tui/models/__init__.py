"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from .audit import (
    Action,
    ActionReopen,
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
    Attendance,
    AuditMethod,
    AuditResult,
    AuditStatus,
    ConclusionAspect,
    DecisionKind,
    Direction,
    Effectiveness,
    Frequency,
    Grading,
    KpiType,
    ReviewStatus,
    Status,
    Verdict,
)
from .exchange import ExchangePackage, ExchangeTrust
from .ids import require_id
from .monitoring import Analysis, IsmsEvaluation, Kpi, KpiTarget, Reading
from .packs import IssuedPack
from .people import AuditRecipient, CompetenceRecord, Responsibility
from .records import Evidence, EvidenceLink, JournalEntry
from .review import (
    ManagementReview,
    ReviewAttendee,
    ReviewConclusion,
    ReviewDecision,
    ReviewEntry,
    ReviewNote,
)
from .risk import Risk
from .soa import SoaEntry
from .workspace import Objective, Person, Workspace

__all__ = [
    "Action",
    "ActionReopen",
    "ActionStatus",
    "Attendance",
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
    "ConclusionAspect",
    "CompetenceRecord",
    "DecisionKind",
    "Effectiveness",
    "ExchangePackage",
    "ExchangeTrust",
    "Finding",
    "Grading",
    "IsmsEvaluation",
    "IssuedPack",
    "JournalCheckpoint",
    "ManagementReview",
    "ReviewAttendee",
    "ReviewConclusion",
    "ReviewDecision",
    "ReviewEntry",
    "ReviewNote",
    "Responsibility",
    "ReviewStatus",
    "Risk",
    "SoaEntry",
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
    "Verdict",
    "Workspace",
    "require_id",
]
