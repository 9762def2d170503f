"""Evidence store index and the hash-chained journal of changes."""

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class Evidence(SQLModel, table=True):
    """A file copied into the content-addressed store beside the workspace."""

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True, unique=True)
    original_name: str
    size: int
    media_type: str = "application/octet-stream"
    added_by: str = ""
    added_at: datetime


class EvidenceLink(SQLModel, table=True):
    """Links one evidence file to one record (reading, audit item, finding, review...)."""

    __table_args__ = (UniqueConstraint("evidence_id", "entity", "entity_id", name="uq_evidence_link"),)

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True, ondelete="RESTRICT")
    entity: str = Field(index=True)
    entity_id: int = Field(index=True)


class JournalEntry(SQLModel, table=True):
    """Append-only record of one change, chained to the previous entry by SHA-256."""

    __tablename__ = "journal"
    # One index for a record's history; each index costs time on every journaled write.
    __table_args__ = (Index("ix_journal_record", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: str  # ISO 8601 UTC, stored as text so the hashed form is exactly what is stored
    actor: str
    entity: str
    entity_id: int
    operation: str
    before: str | None = None  # canonical JSON
    after: str | None = None
    prev_hash: str
    hash: str
