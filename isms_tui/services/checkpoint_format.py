"""Signed checkpoints of the journal: what one says, its canonical bytes, and checking its signature.

A checkpoint is the organisation's signed statement "on AT, the journal of workspace W had
ENTRIES entries, its newest hash was HEAD and the Merkle root over all entry hashes was
ROOT". Packs, backups and `isms journal seal` make them; `journal verify` holds the chain to
every one it knows, and `isms verify --previous` compares the ones two packs carry. The
scheme is described in docs/journal-checkpoints.md.

No data layer here (cryptography and json only): `isms verify` reads checkpoints from packs
without loading SQLAlchemy.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

FORMAT = "isms-checkpoint/1"
REASONS = ("seal", "pack", "backup", "restore")
_HEX64 = re.compile(r"[0-9a-f]{64}")
MAX_TEXT = 500  # subject and organisation: a pack's file name, an organisation's name


@dataclass(frozen=True)
class Statement:
    """What a checkpoint asserts about the journal of one workspace."""

    workspace: str  # hash of the workspace's first journal entry: its identity
    organisation: str
    entries: int
    head: str
    root: str
    at: str  # ISO 8601, UTC
    reason: str  # one of REASONS
    subject: str = ""  # the pack's or backup's file name (for a restore: the backup restored)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "workspace": self.workspace,
            "organisation": self.organisation,
            "entries": self.entries,
            "head": self.head,
            "root": self.root,
            "at": self.at,
            "reason": self.reason,
            "subject": self.subject,
        }

    def canonical(self) -> bytes:
        """The bytes that are signed: sorted keys, no spaces, ASCII only."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")

    def describe(self) -> str:
        what = f"{self.reason} {self.subject}".strip() if self.subject else self.reason
        return f"checkpoint of {self.at[:19].replace('T', ' ')} UTC ({what}: {self.entries} entries)"


@dataclass(frozen=True)
class SignedCheckpoint:
    """A statement, its signature and the certificate of the key that made it."""

    statement: Statement
    signature: str  # base64
    certificate: str  # PEM

    def to_dict(self) -> dict[str, Any]:
        return {"checkpoint": self.statement.to_dict(), "signature": self.signature, "certificate": self.certificate}

    def signer(self) -> x509.Certificate:
        try:
            return x509.load_pem_x509_certificate(self.certificate.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise CheckpointError("its certificate is not readable") from None


class CheckpointError(ValueError):
    """A checkpoint that is malformed or whose signature does not hold; the text completes a sentence."""


def _text(data: dict[str, Any], key: str, limit: int = MAX_TEXT) -> str:
    value = data.get(key)
    if not isinstance(value, str) or len(value) > limit:
        raise CheckpointError(f"its {key} is missing or not text")
    return value


def parse_statement(data: Any) -> Statement:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"it is not an {FORMAT} statement")
    entries = data.get("entries")
    if not isinstance(entries, int) or isinstance(entries, bool) or entries < 0:
        raise CheckpointError("its entry count is not a whole number")
    fields = {key: _text(data, key) for key in ("workspace", "head", "root")}
    for key, value in fields.items():
        if not _HEX64.fullmatch(value):
            raise CheckpointError(f"its {key} is not a SHA-256 in hex")
    at = _text(data, "at", 40)
    try:
        datetime.fromisoformat(at)
    except ValueError:
        raise CheckpointError("its time is not an ISO 8601 time") from None
    reason = _text(data, "reason", 20)
    if reason not in REASONS:
        raise CheckpointError(f"its reason {reason!r} is unknown")
    return Statement(
        workspace=fields["workspace"],
        organisation=_text(data, "organisation"),
        entries=entries,
        head=fields["head"],
        root=fields["root"],
        at=at,
        reason=reason,
        subject=_text(data, "subject"),
    )


def parse_signed(data: Any) -> SignedCheckpoint:
    """A SignedCheckpoint from its JSON form; CheckpointError when anything is missing or malformed."""
    if not isinstance(data, dict):
        raise CheckpointError("it is not a JSON object")
    statement = parse_statement(data.get("checkpoint"))
    signature = _text(data, "signature", 2000)
    certificate = _text(data, "certificate", 20000)
    return SignedCheckpoint(statement, signature, certificate)


def check_signature(signed: SignedCheckpoint) -> x509.Certificate:
    """The signer's certificate if the signature over the statement holds; CheckpointError otherwise."""
    cert = signed.signer()
    try:
        signature = base64.b64decode(signed.signature, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointError("its signature is not base64") from None
    verify_bytes(cert, signature, signed.statement.canonical())
    return cert


def verify_bytes(cert: x509.Certificate, signature: bytes, data: bytes) -> None:
    """Check a signature over `data` by `cert`'s key (the scheme `sign_bytes` uses); CheckpointError if it fails."""
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            key.verify(signature, data)
        else:
            raise CheckpointError("it is signed with a kind of key isms does not use")
    except InvalidSignature:
        raise CheckpointError("its signature does not match its content (altered)") from None


def sign_bytes(data: bytes, private_key: Any) -> bytes:
    """Sign with the organisation's signer key (RSA PKCS#1 v1.5, ECDSA or EdDSA, SHA-256)."""
    if isinstance(private_key, rsa.RSAPrivateKey):
        return private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return private_key.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(private_key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        return private_key.sign(data)
    raise CheckpointError("the signing key is of a kind isms cannot sign checkpoints with")


def sign_statement(statement: Statement, private_key: Any, certificate: x509.Certificate) -> SignedCheckpoint:
    """Sign with the organisation's signer key (RSA PKCS#1 v1.5, ECDSA or EdDSA, SHA-256)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    signature = sign_bytes(statement.canonical(), private_key)
    pem = certificate.public_bytes(Encoding.PEM).decode("ascii")
    return SignedCheckpoint(statement, base64.b64encode(signature).decode("ascii"), pem)


def issued_by(cert: x509.Certificate, trusted: list[x509.Certificate]) -> bool:
    """Whether `cert` is one of `trusted` or was signed by one of them (the organisation's CA)."""
    for candidate in trusted:
        if candidate == cert:
            return True
        if candidate.subject != cert.issuer:
            continue
        try:
            cert.verify_directly_issued_by(candidate)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return True
    return False
