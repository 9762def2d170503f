"""Which CA `isms verify` trusts: the files given with --trust, else only the CA of one workspace.

Why not every CA on the machine: a consultant holds one identity per client, and client B's
CA must not vouch for a pack that claims to be client A's. So without --trust the verifier
trusts exactly the CA of the workspace that --db (or the default workspace) names, and says
so with that CA's full fingerprint, which an auditor compares with the one on the pack's cover.

The workspace's organisation is read with the stdlib sqlite3 module, read-only (immutable when
no WAL file is present), so that `isms verify` never loads the data layer (SQLModel/SQLAlchemy)
and never changes the workspace or leaves files beside it.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cryptography import x509

from isms_tui.services.errors import InputError

from .certificates import colon_fingerprint, load_certificates, to_asn1
from .keys import CA_PEM, has_identity, identity_dir

PASS_TRUST = "pass --trust CA.pem (the issuer's CA certificate)"


@dataclass(frozen=True)
class Trust:
    """The roots to validate against (asn1crypto, as pyHanko takes them), a label for each, and
    one sentence saying where they came from."""

    roots: list[Any]
    labels: list[str] = field(default_factory=list)
    source: str = ""


def label(cert: x509.Certificate) -> str:
    return f"{cert.subject.rfc4514_string()} (SHA-256 {colon_fingerprint(cert)})"


def trust_for(trust: list[Path] | None, workspace: Path) -> Trust:
    """The given CA files, else the CA of `workspace`'s organisation on this machine (if any)."""
    if trust:
        certs = [c for p in trust for c in load_certificates(Path(p))]
        return Trust(to_asn1(certs), [label(c) for c in certs], "Trusting the CA certificates given with --trust.")
    org = workspace_org(workspace)
    if org is None:
        return Trust([], [], f"No workspace at {workspace} names an organisation whose CA to trust; {PASS_TRUST}.")
    ca_file = identity_dir(org) / CA_PEM
    if not has_identity(org) or not ca_file.is_file():
        return Trust([], [], f"{org} (workspace {workspace}) has no signing CA on this machine; {PASS_TRUST}.")
    certs = load_certificates(ca_file)[:1]
    return Trust(
        to_asn1(certs),
        [label(c) for c in certs],
        f"Trusting only the CA of {org} (workspace {workspace}); to trust another CA, {PASS_TRUST}.",
    )


def workspace_org(path: Path) -> str | None:
    """The organisation named in the workspace file, read-only; None when there is no such file.

    InputError (one sentence) when the path is not a regular file or not a readable workspace:
    a FIFO or device here must not block or be read.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"Cannot read the workspace {path}: {exc.strerror or exc}; {PASS_TRUST}.") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"The workspace {path} is not a regular file; {PASS_TRUST}.")
    # A WAL database opened even read-only gets a -wal and -shm beside it, left behind on close.
    # With no -wal present, everything is in the main file: read it as immutable (no side files,
    # no locks). With one present, an isms has it open (or crashed): read through it, read-only.
    real = path.resolve()
    wal = real.with_name(real.name + "-wal")
    uri = f"file:{quote(str(real))}?mode=ro" + ("" if wal.exists() else "&immutable=1")
    try:
        con = sqlite3.connect(uri, uri=True, timeout=2.0)
        try:
            row = con.execute("SELECT org_name FROM workspace ORDER BY id LIMIT 1").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        raise InputError(f"{path} cannot be read as a workspace to find its signing CA; {PASS_TRUST}.") from None
    name = row[0] if row is not None and isinstance(row[0], str) else ""
    name = " ".join("".join(ch if ch.isprintable() else " " for ch in name).split())
    return name or None
