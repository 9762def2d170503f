"""Issued evidence packs: the record of every signed PDF that left the workspace.

An auditor who receives a pack can ask "was this issued by you, and when?"; the row answers
with the file's SHA-256 and the fingerprint of the certificate that signed it.
"""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

PACK_KINDS = ("clause9", "audit", "review")


class IssuedPack(SQLModel, table=True):
    """One signed pack: what it covers, its hash, who signed and issued it, and when."""

    __tablename__ = "issuedpack"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str
    sha256: str = Field(index=True)
    kind: str  # one of PACK_KINDS
    period_from: date
    period_to: date
    subject_id: int | None = None  # the audit or review id for those kinds, else None
    signer_fingerprint: str
    issued_at: datetime
    issued_by: str = ""
