"""Audit exchange packages: the signed ZIP a client issues as a kit and a consultant returns as results.

A package holds `manifest.json` (canonical JSON: what it is, who issued it for whom, the audit
it belongs to, its content and the list of evidence files), `signature.json` (a signature over
the manifest's exact bytes by the issuer's signer key, with the signer's and the CA's
certificates) and `evidence/<sha256>` for each evidence file. The format and the checks are
described in docs/audit-exchange.md.

Reading trusts nothing in the file: it must be a regular file; the archive's members, names
and sizes are bounded before anything is read; the signature must hold over the manifest,
the signer must be issued by the CA the package carries, and every evidence file must match
its hash and size. Whether that CA is one the importer trusts is the importer's decision
(services/exchange.py). No data layer here: cryptography, json and zipfile only.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import stat
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from isms_tui.files import staged
from isms_tui.userfiles import UserFileError, open_regular

from .checkpoint_format import CheckpointError, issued_by, verify_bytes
from .errors import InputError
from .evidence import max_evidence_bytes
from .restore_limits import max_total_bytes

FORMAT = "isms-audit-exchange/1"
SIGNATURE_FORMAT = "isms-audit-exchange-signature/1"
KINDS = ("kit", "results")
MANIFEST = "manifest.json"
SIGNATURE = "signature.json"
EVIDENCE_PREFIX = "evidence/"
MAX_MANIFEST = 8 << 20
MAX_SIGNATURE = 64 << 10
MAX_EVIDENCE_FILES = 10_000
_SHA = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
CHUNK = 1 << 20


def canonical(data: Any) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, ASCII only."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def new_package_id() -> str:
    return str(uuid.uuid4())


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER bytes, lowercase hex (as `isms keys show` prints it)."""
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


@dataclass(frozen=True)
class EvidenceFile:
    sha256: str
    name: str
    size: int
    media_type: str

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "name": self.name, "size": self.size, "media_type": self.media_type}


@dataclass
class Package:
    """A package whose signature and evidence hashes hold (whose CA is not yet judged)."""

    path: Path
    manifest: dict[str, Any]
    manifest_bytes: bytes
    signer: x509.Certificate
    ca: x509.Certificate
    evidence: dict[str, Path] = field(default_factory=dict)  # sha256 -> extracted file

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    @property
    def package_id(self) -> str:
        return str(self.manifest["package_id"])

    @property
    def issuer_org(self) -> str:
        return str(self.manifest["issuer"]["organisation"])

    @property
    def recipient_org(self) -> str:
        return str(self.manifest["recipient"]["organisation"])

    @property
    def ca_fingerprint(self) -> str:
        return fingerprint(self.ca)

    @property
    def audit(self) -> dict[str, Any]:
        return dict(self.manifest["audit"])

    @property
    def content(self) -> dict[str, Any]:
        return dict(self.manifest["content"])

    def files(self) -> list[EvidenceFile]:
        return [EvidenceFile(e["sha256"], e["name"], e["size"], e["media_type"]) for e in self.manifest["evidence"]]


# -- writing ----------------------------------------------------------------------------------


def write_package(
    out: Path,
    manifest_bytes: bytes,
    signature: bytes,
    chain: list[x509.Certificate],
    evidence: dict[str, Path],
) -> Path:
    """Write the ZIP atomically (files.staged): manifest, signature block, evidence by hash."""
    block = {
        "format": SIGNATURE_FORMAT,
        "signature": base64.b64encode(signature).decode("ascii"),
        "certificates": [c.public_bytes(Encoding.PEM).decode("ascii") for c in chain],
    }
    out = Path(out)
    with staged(out, mode=0o600, tag="exchange") as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, manifest_bytes)
        zf.writestr(SIGNATURE, canonical(block))
        for sha in sorted(evidence):
            zf.write(evidence[sha], EVIDENCE_PREFIX + sha)
    return out


# -- reading ----------------------------------------------------------------------------------


def refused(path: Path, why: str) -> InputError:
    return InputError(f"{path.name} is refused: {why}.")


@contextmanager
def read_package(path: Path) -> Iterator[Package]:
    """Open and check a package; its evidence is extracted into a temporary folder removed at exit."""
    path = Path(path)
    try:
        fd, info = open_regular(path, what="package file", advice="name the package file itself")
    except UserFileError as exc:
        raise InputError(str(exc)) from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_total_bytes():
            raise refused(path, "it is larger than any package isms would write")
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise refused(path, "it is not an isms audit exchange package (not a ZIP archive)") from None
        with zf, tempfile.TemporaryDirectory(prefix="isms-exchange-") as tmp:
            yield _check(path, zf, Path(tmp))


def _check(path: Path, zf: zipfile.ZipFile, tmp: Path) -> Package:
    infos = zf.infolist()
    if len(infos) > MAX_EVIDENCE_FILES + 2:
        raise refused(path, f"it holds {len(infos)} files, more than a package may")
    names: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if name in names:
            raise refused(path, f"it holds {name[:80]!r} twice")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode) or info.is_dir():
            raise refused(path, f"it holds {name[:80]!r}, which is not a plain file")
        if name not in (MANIFEST, SIGNATURE) and not (
            name.startswith(EVIDENCE_PREFIX) and _SHA.fullmatch(name[len(EVIDENCE_PREFIX) :])
        ):
            raise refused(path, f"it holds an unexpected file {name[:80]!r}")
        names[name] = info
    manifest_bytes = _member(path, zf, names, MANIFEST, MAX_MANIFEST)
    block_bytes = _member(path, zf, names, SIGNATURE, MAX_SIGNATURE)
    manifest = _parse_manifest(path, manifest_bytes)
    signer, ca = _check_signature(path, block_bytes, manifest_bytes)
    if manifest["issuer"]["ca_fingerprint"] != fingerprint(ca):
        raise refused(path, "the CA it names is not the CA that signed it")
    package = Package(path, manifest, manifest_bytes, signer, ca)
    listed = {e.sha256: e for e in package.files()}
    present = {n[len(EVIDENCE_PREFIX) :] for n in names if n.startswith(EVIDENCE_PREFIX)}
    if present != set(listed):
        raise refused(path, "its evidence files are not the ones its signed manifest lists")
    total, limit = 0, max_evidence_bytes()
    for sha, item in sorted(listed.items()):
        info = names[EVIDENCE_PREFIX + sha]
        if item.size > limit or info.file_size > limit:
            raise refused(path, f"the evidence file {item.name[:80]!r} is larger than the evidence limit")
        total += item.size
        if total > max_total_bytes():
            raise refused(path, "its evidence expands to more than the restore limit")
        package.evidence[sha] = _extract(path, zf, info, item, tmp / sha)
    return package


def _member(path: Path, zf: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], name: str, limit: int) -> bytes:
    info = names.get(name)
    if info is None:
        raise refused(path, f"it has no {name}, so it is not an isms audit exchange package")
    if info.file_size > limit:
        raise refused(path, f"its {name} is implausibly large")
    try:
        with zf.open(info) as src:
            data = src.read(limit + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise refused(path, f"its {name} cannot be read (the archive is damaged)") from None
    if len(data) > limit:
        raise refused(path, f"its {name} is implausibly large")
    return data


def _extract(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, item: EvidenceFile, target: Path) -> Path:
    digest, size = hashlib.sha256(), 0
    try:
        with zf.open(info) as src, open(target, "wb") as dst:
            while chunk := src.read(CHUNK):
                size += len(chunk)
                if size > item.size:
                    break
                digest.update(chunk)
                dst.write(chunk)
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise refused(path, f"the evidence file {item.name[:80]!r} cannot be read (the archive is damaged)") from None
    if size != item.size or digest.hexdigest() != item.sha256:
        raise refused(path, f"the evidence file {item.name[:80]!r} does not match its signed hash (altered)")
    return target


def _parse_manifest(path: Path, data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data.decode("ascii"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise refused(path, "its manifest is not readable JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise refused(path, f"it is not an {FORMAT} package")
    if canonical(manifest) != data:
        raise refused(path, "its manifest is not in canonical form")
    if manifest.get("kind") not in KINDS:
        raise refused(path, "it is neither an audit kit nor audit results")
    if not isinstance(manifest.get("package_id"), str) or not _UUID.fullmatch(manifest["package_id"]):
        raise refused(path, "its package id is not a random UUID")
    issuer, recipient, audit = manifest.get("issuer"), manifest.get("recipient"), manifest.get("audit")
    if not isinstance(issuer, dict) or not isinstance(recipient, dict) or not isinstance(audit, dict):
        raise refused(path, "its manifest does not say who issued it, for whom and for which audit")
    for part, key in ((issuer, "organisation"), (recipient, "organisation"), (issuer, "ca_fingerprint")):
        if not isinstance(part.get(key), str) or not part[key].strip() or len(part[key]) > 500:
            raise refused(path, f"its manifest names no {key.replace('_', ' ')}")
    if not isinstance(audit.get("workspace"), str) or not _SHA.fullmatch(audit["workspace"]):
        raise refused(path, "its manifest names no workspace for the audit")
    if not isinstance(audit.get("audit_id"), int) or isinstance(audit["audit_id"], bool):
        raise refused(path, "its manifest names no audit")
    if not isinstance(manifest.get("content"), dict):
        raise refused(path, "its manifest has no content")
    evidence = manifest.get("evidence")
    if not isinstance(evidence, list) or len(evidence) > MAX_EVIDENCE_FILES:
        raise refused(path, "its manifest has no list of evidence files")
    for e in evidence:
        if not _evidence_entry(e):
            raise refused(path, "its manifest lists an evidence file without a hash, size or name")
    return manifest


def _evidence_entry(e: Any) -> bool:
    if not isinstance(e, dict) or not isinstance(e.get("sha256"), str) or not _SHA.fullmatch(e["sha256"]):
        return False
    size = e.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return False
    return isinstance(e.get("name"), str) and len(e["name"]) <= 500 and isinstance(e.get("media_type"), str)


def _check_signature(
    path: Path, block_bytes: bytes, manifest_bytes: bytes
) -> tuple[x509.Certificate, x509.Certificate]:
    try:
        block = json.loads(block_bytes.decode("ascii"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise refused(path, "its signature block is not readable") from None
    if not isinstance(block, dict) or block.get("format") != SIGNATURE_FORMAT:
        raise refused(path, "its signature block is not one isms writes")
    pems = block.get("certificates")
    if not isinstance(pems, list) or not 1 <= len(pems) <= 4 or not all(isinstance(p, str) for p in pems):
        raise refused(path, "its signature carries no certificates")
    try:
        certs = [x509.load_pem_x509_certificate(p.encode("ascii")) for p in pems]
        signature = base64.b64decode(str(block.get("signature", "")), validate=True)
    except (ValueError, UnicodeEncodeError, binascii.Error):
        raise refused(path, "its signature or certificates are not readable") from None
    signer = certs[0]
    try:
        verify_bytes(signer, signature, manifest_bytes)
    except CheckpointError:
        raise refused(path, "its signature does not match its manifest (altered after signing)") from None
    now = datetime.now(UTC)
    if not signer.not_valid_before_utc <= now <= signer.not_valid_after_utc:
        raise refused(path, "the certificate that signed it is not valid today")
    roots = [c for c in certs[1:] if issued_by(c, [c])]
    ca = next((c for c in roots if issued_by(signer, [c])), None)
    if ca is None:
        raise refused(path, "it carries no CA certificate that issued its signer")
    return signer, ca
