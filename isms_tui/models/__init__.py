"""SQLModel tables, loaded on first use.

Using any table through this package (`from isms_tui.models import Kpi`) imports every table
module, which registers every table on SQLModel.metadata, as importing `models.db` does. The
vocabularies (`enums`), `require_id`, the schema revisions and the schema check
(`schema`, `schema_shape`) load without SQLModel: the dashboard's first view reads the
workspace before the data layer, which costs more to import than Textual, has loaded.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
from .ids import require_id

if TYPE_CHECKING:
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
    from .exchange import ExchangePackage, ExchangeTrust
    from .monitoring import Analysis, IsmsEvaluation, Kpi, KpiTarget, Reading
    from .packs import IssuedPack
    from .people import AuditRecipient, CompetenceRecord, Responsibility
    from .records import Evidence, EvidenceLink, JournalEntry
    from .review import ManagementReview, ReviewAttendee, ReviewConclusion, ReviewDecision, ReviewEntry, ReviewNote
    from .risk import Risk
    from .soa import SoaEntry
    from .workspace import Objective, Person, Workspace

# Each table class and the module that defines it.
_TABLES: dict[str, str] = {
    "Action": "audit",
    "ActionReopen": "audit",
    "Analysis": "monitoring",
    "Audit": "audit",
    "AuditArea": "audit",
    "AuditItem": "audit",
    "AuditProgramme": "audit",
    "AuditRecipient": "people",
    "ChecklistQuestion": "audit",
    "ChecklistTemplate": "audit",
    "CompetenceRecord": "people",
    "Evidence": "records",
    "ExchangePackage": "exchange",
    "ExchangeTrust": "exchange",
    "EvidenceLink": "records",
    "Finding": "audit",
    "IsmsEvaluation": "monitoring",
    "IssuedPack": "packs",
    "JournalCheckpoint": "checkpoints",
    "JournalEntry": "records",
    "Kpi": "monitoring",
    "KpiTarget": "monitoring",
    "ManagementReview": "review",
    "Objective": "workspace",
    "Person": "workspace",
    "Reading": "monitoring",
    "Responsibility": "people",
    "ReviewAttendee": "review",
    "ReviewConclusion": "review",
    "ReviewDecision": "review",
    "ReviewEntry": "review",
    "ReviewNote": "review",
    "Risk": "risk",
    "SoaEntry": "soa",
    "Workspace": "workspace",
}


def load_tables() -> None:
    """Import every table module (each registers its tables on SQLModel.metadata)."""
    found = globals()
    for name, module in _TABLES.items():
        if name not in found:
            found[name] = getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __getattr__(name: str) -> Any:
    if name in _TABLES:
        load_tables()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
