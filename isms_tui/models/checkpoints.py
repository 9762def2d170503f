"""Signed checkpoints of the journal kept in the workspace (copies also live beside the keys).

A row is journaled like any other, so its own creation extends the chain past the head it
records; `journal verify` checks the chain against every row's signed statement.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel


class JournalCheckpoint(SQLModel, table=True):
    """One signed statement of the journal's head: its size, head hash, Merkle root and time."""

    __tablename__ = "checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    reason: str  # seal, pack or backup
    subject: str = ""  # the pack's or backup's file name
    entries: int
    head: str
    root: str
    signed: str  # the SignedCheckpoint as JSON: statement, signature, certificate
