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


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    role: str = ""
    email: str = ""
    # Areas the person is responsible for; used later to test auditor impartiality.
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
