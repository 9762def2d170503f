"""The risk register (6.1.2, 8.2, 8.3): what feeds review input 9.3.2 f and the audit programme.

A risk's level is likelihood x impact on 1-5 scales (1-25); its residual level is the level
expected once the treatment is done. Treatment actions live in the shared action register
(source "risk"). Levels over time are read from the journal, so no history table is kept.
"""

from datetime import date

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

TREATMENTS = ("modify", "retain", "avoid", "share")
RISK_STATUSES = ("open", "in treatment", "treated", "accepted", "closed")


class Risk(SQLModel, table=True):
    """One information security risk: who owns it, how likely and how bad, and what is done."""

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(index=True, unique=True)
    title: str
    description: str = ""
    owner_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    likelihood: int  # 1-5
    impact: int  # 1-5
    treatment: str = "modify"  # one of TREATMENTS
    status: str = "open"  # one of RISK_STATUSES
    due_date: date | None = None  # when the treatment is due
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    next_review: date | None = None
    # Annex A controls (and clauses) the treatment relies on, as catalogue refs.
    controls: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # KPIs that watch this risk, by KPI code (codes survive a KPI's edits and show in CSV).
    kpis: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
