"""Organisation, people and objectives (Clause 6.2)."""

from datetime import date

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


class Workspace(SQLModel, table=True):
    """The single row describing the organisation this file belongs to."""

    id: int | None = Field(default=None, primary_key=True)
    org_name: str
    scope: str = ""
    audit_cycle_years: int = 3
    timezone: str = "UTC"
    current_user: str = ""
    risk_appetite: int = 9  # the highest risk level (1-25) accepted without treatment
    # Who runs the ISMS: kept away from assessing clauses 9 and 10, which judge their own work.
    isms_manager_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    role: str = ""
    email: str = ""
    # Area names as typed; names matching an audit area become Responsibility links, which
    # are what impartiality is judged from (a name matching no area is only shown).
    areas: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True


class Objective(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True)
    statement: str
    target: str = ""
    owner_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    due_date: date | None = None
    active: bool = True
