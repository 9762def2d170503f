"""What people are responsible for and what makes them competent (7.2, 9.2.2 b).

Responsibilities are records, not names typed twice: impartiality is judged from these
links, so renaming an area or a person cannot silently end a conflict.
"""

from datetime import date

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Responsibility(SQLModel, table=True):
    """A person is responsible for an audit area, or runs a process covering some requirements."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    area_id: int | None = Field(default=None, foreign_key="auditarea.id", index=True, ondelete="CASCADE")
    process: str = ""  # the process's name when the person runs one (area_id is then empty)
    refs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class CompetenceRecord(SQLModel, table=True):
    """Training, a qualification or an audit done elsewhere: what 7.2 asks to keep as evidence."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    kind: str  # "training", "qualification" or "external audit"
    title: str
    provider: str = ""
    obtained_on: date
    expires_on: date | None = None
    notes: str = ""


class AuditRecipient(SQLModel, table=True):
    """Someone an audit's results were reported to (9.2.2 c), with the role they held then."""

    __table_args__ = (UniqueConstraint("audit_id", "person_id", name="uq_auditrecipient_person"),)

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="audit.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="RESTRICT")
    role: str = ""
