"""Organisation, people and objectives (Clause 6.2)."""

from datetime import date

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from .enums import Frequency


class Workspace(SQLModel, table=True):
    """The single row describing the organisation this file belongs to."""

    id: int | None = Field(default=None, primary_key=True)
    org_name: str
    scope: str = ""
    audit_cycle_years: int = 3
    timezone: str = "UTC"
    current_user: str = ""
    risk_appetite: int = 9  # the highest risk level (1-25) accepted without treatment
    evaluation_frequency: Frequency = Frequency.QUARTERLY  # how often the ISMS as a whole is evaluated (9.1)
    # The longest time allowed between two management reviews (9.3.1 "planned intervals") and
    # between two internal audits (9.2.1), in months; the dashboard and `isms status` warn past it.
    review_interval_months: int = 12
    audit_interval_months: int = 12
    # Who runs the ISMS: kept away from assessing clauses 9 and 10, which judge their own work.
    # Added in place by migration 0013 as "REFERENCES person (id) ON DELETE SET NULL" (a table
    # rebuild would fire the cascades of the rows pointing here); SQLite's reflection does not
    # report an inline ON DELETE, so the model leaves it unsaid to compare equal.
    isms_manager_id: int | None = Field(default=None, foreign_key="person.id")


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
