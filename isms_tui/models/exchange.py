"""Audit exchange (a kit issued to an external auditor, their signed results coming back):
every package issued or imported, and the CAs trusted for counterpart organisations.

The scheme is described in docs/audit-exchange.md; services/exchange*.py read and write these.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel


class ExchangePackage(SQLModel, table=True):
    """One signed package issued (out) or imported (in): a kit or the results of an audit."""

    __tablename__ = "exchange_package"

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # "kit" or "results"
    direction: str  # "out" (issued here) or "in" (imported here)
    package_id: str = Field(unique=True)  # the package's random UUID: a package is imported once
    counterpart_org: str  # the recipient of an issued package, the issuer of an imported one
    ca_fingerprint: str = ""  # SHA-256 of the issuer's CA (hex)
    audit_id: int | None = Field(default=None, foreign_key="audit.id", index=True, ondelete="SET NULL")
    origin_workspace: str  # the client's workspace id (its first journal hash)
    origin_audit_id: int  # the audit's id in the client's workspace
    kit_package_id: str = ""  # for results: the kit they answer
    manifest: str  # the signed manifest as issued or imported (canonical JSON)
    at: datetime  # when it was issued or imported here
    by: str  # who issued or imported it
    closed_at: datetime | None = None  # a kit whose results came back (or whose audit was done here)


class ExchangeTrust(SQLModel, table=True):
    """A counterpart organisation's CA this workspace trusts for its packages."""

    __tablename__ = "exchange_trust"

    id: int | None = Field(default=None, primary_key=True)
    organisation: str = Field(unique=True)
    ca_fingerprint: str
    ca_pem: str
    at: datetime
    by: str
