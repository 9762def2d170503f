"""The statement of applicability (6.1.3 d): for each Annex A control, whether it applies,
why, and how far it is implemented.

A control without a row is "not yet decided": nothing is assumed for it. A control marked
not applicable always carries its justification; an applicable one may name the risk or
requirement that calls for it.
"""

from sqlmodel import Field, SQLModel

IMPLEMENTATION_STATUSES = ("not implemented", "planned", "partially implemented", "implemented")


class SoaEntry(SQLModel, table=True):
    """One control's line of the statement of applicability."""

    id: int | None = Field(default=None, primary_key=True)
    control: str = Field(index=True, unique=True)  # an Annex A ref of the catalogue, e.g. "A.5.1"
    applicable: bool = True
    justification: str = ""
    status: str = "not implemented"  # one of IMPLEMENTATION_STATUSES (an applicable control's)
    notes: str = ""
