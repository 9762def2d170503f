"""Issuing and reading audit exchange packages with the organisation's signing identity.

The manifests are built and recorded by services/exchange.py (a kit) and
services/exchange_results.py (results); here they are signed with the key that signs the
packs (the checkpoint scheme: SHA-256 with the signer's key, its certificate and CA carried
along) and written atomically. Issuing records the package and writes its file in one
transaction: a file that cannot be written leaves no record. The scheme: docs/audit-exchange.md.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from sqlmodel import Session

from isms_tui.services import exchange, exchange_results
from isms_tui.services.checkpoint_format import sign_bytes
from isms_tui.services.errors import InputError
from isms_tui.services.exchange_format import canonical, fingerprint, read_package, write_package

from . import keys
from .certificates import load_certificates


@dataclass(frozen=True)
class Issued:
    out: Path
    package_id: str
    recipient: str
    lines: int
    files: int

    def sentence(self, what: str) -> str:
        files = f", {self.files} evidence files" if self.files else ""
        return f"Wrote the signed {what} for {self.recipient} to {self.out} ({self.lines} lines{files})."


def _identity(session: Session, passphrase: str) -> keys.Identity:
    org = exchange.own_org(session)
    identity = keys.ensure_identity(org, passphrase)
    if identity.ca_cert is None:
        raise InputError(
            "The signing identity has no CA certificate in its chain; a package carries the CA its recipient trusts."
        )
    return identity


def _sign_and_write(identity: keys.Identity, manifest: dict[str, Any], out: Path, files: dict[str, Path]) -> bytes:
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    data = canonical(manifest)
    private_key: Any = load_der_private_key(identity.signer.signing_key.dump(), password=None)
    assert identity.ca_cert is not None
    write_package(out, data, sign_bytes(data, private_key), [identity.certificate, identity.ca_cert], files)
    return data


def issue_kit(session: Session, audit_id: int, recipient: str, by: str, passphrase: str, out: Path) -> Issued:
    """The client: sign the kit of a planned audit for the external auditor's organisation."""
    exchange.kit_manifest(session, audit_id, recipient, by, "0" * 64)  # refuse before unlocking the key
    identity = _identity(session, passphrase)
    assert identity.ca_cert is not None
    manifest = exchange.kit_manifest(session, audit_id, recipient, by, fingerprint(identity.ca_cert))
    data = canonical(manifest)
    exchange.record_issued(session, manifest, data, by, audit_id)
    _sign_and_write(identity, manifest, out, {})
    lines = len(manifest["content"]["lines"])
    return Issued(Path(out), manifest["package_id"], manifest["recipient"]["organisation"], lines, 0)


def issue_results(session: Session, audit_id: int, by: str, passphrase: str, out: Path) -> Issued:
    """The external auditor: sign the results of a completed kit audit for the client."""
    with tempfile.TemporaryDirectory(prefix="isms-exchange-") as tmp:
        exchange_results.results_manifest(session, audit_id, by, "0" * 64, Path(tmp))  # refuse before the key
    identity = _identity(session, passphrase)
    assert identity.ca_cert is not None
    with tempfile.TemporaryDirectory(prefix="isms-exchange-") as tmp:
        manifest, files = exchange_results.results_manifest(
            session, audit_id, by, fingerprint(identity.ca_cert), Path(tmp)
        )
        data = canonical(manifest)
        exchange.record_issued(session, manifest, data, by, audit_id)
        _sign_and_write(identity, manifest, out, files)
    lines = len(manifest["content"]["lines"])
    return Issued(Path(out), manifest["package_id"], manifest["recipient"]["organisation"], lines, len(files))


def trusted_cas(paths: list[Path] | None) -> list[x509.Certificate] | None:
    """The CA certificates given with --trust (bounded, one sentence on a bad file), or None."""
    if not paths:
        return None
    return [c for p in paths for c in load_certificates(Path(p))]


def import_kit(
    session: Session, path: Path, by: str, trust: list[Path] | None, accept: str | None = None
) -> exchange.ImportedKit:
    """The external auditor: check and import a kit (UnconfirmedCA asks for the CA's fingerprint)."""
    cas = trusted_cas(trust)
    with read_package(path) as package:
        return exchange.import_kit(session, package, by, cas, accept)


def import_results(session: Session, path: Path, by: str, trust: list[Path] | None) -> exchange_results.ImportedResults:
    """The client: check and import results signed under a CA it trusts for that auditor."""
    cas = trusted_cas(trust)
    with read_package(path) as package:
        return exchange_results.import_results(session, package, by, cas)


def import_package(
    session: Session, path: Path, by: str, trust: list[Path] | None, accept: str | None = None
) -> exchange.ImportedKit | exchange_results.ImportedResults:
    """A kit or results, whichever the package is (the TUI's one import key)."""
    cas = trusted_cas(trust)
    with read_package(path) as package:
        if package.kind == exchange.KIT:
            return exchange.import_kit(session, package, by, cas, accept)
        return exchange_results.import_results(session, package, by, cas)
