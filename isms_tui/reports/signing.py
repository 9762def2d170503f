"""Embed the evidence files and a manifest in a PDF and sign it (PAdES B-B, SHA-256) in one revision.

Why one revision: the signature's byte range then covers the attachments too, so any later
change to them (or anything else) breaks the signature or leaves bytes outside it, which
`isms verify` and pdfsig both report. The manifest lists every attachment's SHA-256 so a
verifier can also name *which* file changed.

No network access happens here unless a TSA URL is given: the signer is built from local key
material, no validation context is attached (so nothing fetches OCSP or CRLs) and no
timestamper exists without `tsa_url`. pyHanko is imported only by this export path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from isms_tui.files import write_bytes
from isms_tui.services.errors import InputError

from .keys import Identity

if TYPE_CHECKING:  # pyHanko is imported lazily, where it is used
    from pyhanko.sign.timestamps import HTTPTimeStamper

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "isms-tui-manifest/1"
SIGNATURE_FIELD = "isms-tui"
SIGNATURE_REASON = "ISMS evidence pack; embedded files are listed with their SHA-256 in manifest.json"

_MIME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$")
_FORBIDDEN_IN_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
# Formats that are compressed already: deflating them again costs time and saves nothing.
_PRECOMPRESSED = {
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-7z-compressed",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "video/mp4",
    "audio/mpeg",
}


@dataclass(frozen=True)
class Attachment:
    """One file to embed in the pack; `name` is the file name a reader sees (unique, no folders)."""

    name: str
    data: bytes
    description: str = ""
    mime: str = "application/octet-stream"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class SignResult:
    """What to record about an issued pack."""

    sha256: str  # of the whole signed file
    fingerprint: str  # SHA-256 of the signer certificate
    signed_at: dt.datetime  # UTC, as written in the signature dictionary (/M)
    size: int  # bytes
    path: Path | None = None


def build_manifest(attachments: list[Attachment]) -> bytes:
    """manifest.json: every attachment's name, size, SHA-256, type and description, sorted by name."""
    files = [
        {
            "name": a.name,
            "size": len(a.data),
            "sha256": a.sha256,
            "mime": a.mime,
            "description": a.description,
        }
        for a in sorted(attachments, key=lambda a: _name_key(a.name))
    ]
    doc = {"format": MANIFEST_FORMAT, "algorithm": "sha256", "count": len(files), "files": files}
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def sign_pdf(
    pdf: bytes,
    attachments: list[Attachment],
    identity: Identity,
    out_path: Path,
    *,
    tsa_url: str | None = None,
) -> SignResult:
    """Embed `attachments` + manifest.json, sign the result and write it atomically to `out_path`."""
    _check_attachments(attachments)
    _check_validity(identity)
    signed = _embed_and_sign(pdf, attachments, identity, tsa_url)
    signed_at = _signing_time(signed)
    out_path = Path(out_path)
    write_bytes(out_path, signed, mode=0o644, tag="pack")
    return SignResult(
        sha256=hashlib.sha256(signed).hexdigest(),
        fingerprint=identity.fingerprint,
        signed_at=signed_at,
        size=len(signed),
        path=out_path,
    )


# --- internals --------------------------------------------------------------------------------


def _embed_and_sign(pdf: bytes, attachments: list[Attachment], identity: Identity, tsa_url: str | None) -> bytes:
    from pyhanko.pdf_utils import embed, generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        raise InputError("The document to sign is not a readable PDF.") from None
    if writer.prev.embedded_signatures:
        raise InputError("The document to sign is already signed; sign an unsigned PDF.")
    names = writer.root.get("/Names")
    if names is not None and "/EmbeddedFiles" in names.get_object():
        raise InputError("The document to sign already has embedded files; pass every file as an attachment instead.")

    entries = [(a, False) for a in attachments]
    manifest = Attachment(
        MANIFEST_NAME, build_manifest(attachments), "SHA-256 of every embedded file", "application/json"
    )
    entries.append((manifest, True))
    # embed_file appends to a flat /Names array, which a name tree needs in key order.
    for attachment, is_manifest in sorted(entries, key=lambda e: _name_key(e[0].name)):
        stream = embed.EmbeddedFileObject.from_file_data(
            writer,
            data=attachment.data,
            compress=_worth_compressing(attachment),
            params=embed.EmbeddedFileParams(embed_size=True, embed_checksum=True),
            mime_type=attachment.mime,
        )
        spec = embed.FileSpec(
            file_spec_string=attachment.name,
            file_name=attachment.name,
            embedded_data=stream,
            description=attachment.description or None,
            af_relationship=generic.pdf_name("/Data" if is_manifest else "/Supplement"),
        )
        embed.embed_file(writer, spec)

    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm=_digest_for(identity),
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=SIGNATURE_REASON,
        name=identity.common_name,
        # A certification signature allowing no changes: Acrobat flags any later update as a
        # violation, on top of the byte-range check.
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    timestamper = _timestamper(tsa_url) if tsa_url else None
    pdf_signer = signers.PdfSigner(meta, signer=identity.signer, timestamper=timestamper)
    output = io.BytesIO()
    with _quiet_pyhanko():
        try:
            pdf_signer.sign_pdf(writer, output=output)
        except Exception as exc:
            if tsa_url:
                raise InputError(
                    f"Signing failed: the timestamp server {tsa_url} did not provide a timestamp."
                ) from exc
            raise InputError(f"Signing failed: {_sentence(exc)}") from exc
    return output.getvalue()


def _timestamper(tsa_url: str) -> HTTPTimeStamper:
    """An RFC 3161 client; only ever built when the user configured a TSA URL."""
    if not re.match(r"^https?://[^\s/]+", tsa_url):
        raise InputError(f"The timestamp server address {tsa_url!r} is not an http(s) URL.")
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(tsa_url, timeout=20)


def _signing_time(signed: bytes) -> dt.datetime:
    """Read /M back from the signature just made (pyHanko picks the time inside sign_pdf)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(signed))
    sigs = reader.embedded_regular_signatures
    moment = sigs[0].self_reported_timestamp if len(sigs) == 1 else None
    if moment is None:  # pragma: no cover - pyHanko always writes /M
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    signed_at: dt.datetime = moment.astimezone(dt.UTC)
    return signed_at


def _check_validity(identity: Identity) -> None:
    """A pack signed with an expired (or not yet valid) certificate would never verify: refuse up front."""
    now = dt.datetime.now(dt.UTC)
    cert = identity.certificate
    if cert.not_valid_after_utc < now:
        raise InputError(
            f"The signing certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}; "
            "create a new one with `isms keys init --force` or import a current PKCS#12."
        )
    if cert.not_valid_before_utc > now:
        raise InputError(f"The signing certificate is only valid from {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC.")


def _check_attachments(attachments: list[Attachment]) -> None:
    """Names must be unique plain file names (they become file names in pdfdetach, Acrobat...)."""
    seen: set[str] = set()
    for a in attachments:
        if not isinstance(a, Attachment):
            raise TypeError("attachments must be Attachment objects")
        if not a.name or not a.name.strip() or a.name in (".", ".."):
            raise InputError("An attachment needs a file name.")
        if _FORBIDDEN_IN_NAME.search(a.name):
            raise InputError(f"The attachment name {a.name!r} contains a folder separator or a control character.")
        if a.name == MANIFEST_NAME:
            raise InputError(f"{MANIFEST_NAME} is reserved for the pack's own manifest; rename that attachment.")
        if a.name in seen:
            raise InputError(f"Two attachments are named {a.name!r}; attachment names must be unique.")
        if not _MIME.match(a.mime):
            raise InputError(f"The attachment {a.name!r} has an invalid type {a.mime!r} (expected e.g. text/csv).")
        seen.add(a.name)


def _name_key(name: str) -> bytes:
    """The bytes a PDF name tree sorts by: the key as written (PDFDocEncoding, else UTF-16BE)."""
    from pyhanko.pdf_utils.generic import encode_pdfdocencoding

    try:
        key: bytes = encode_pdfdocencoding(name)  # type: ignore[no-untyped-call]  # pyHanko leaves it unannotated
        return key
    except UnicodeEncodeError:
        return b"\xfe\xff" + name.encode("utf-16-be")


def _digest_for(identity: Identity) -> str:
    """SHA-256, except where the key's algorithm fixes the digest (RFC 8419: Ed25519 signs with
    SHA-512 in CMS, Ed448 with SHAKE256); pyHanko refuses any other pairing."""
    from cryptography.hazmat.primitives.asymmetric import ed448, ed25519

    key = identity.certificate.public_key()
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "sha512"
    if isinstance(key, ed448.Ed448PublicKey):
        return "shake256"
    return "sha256"


def _worth_compressing(attachment: Attachment) -> bool:
    """Deflate unless the data is already compressed (checked on a sample: cheap, and 5 MB of JPEGs stay fast)."""
    if attachment.mime.lower() in _PRECOMPRESSED:
        return False
    sample = attachment.data[:65536]
    if len(sample) < 256:
        return True
    return len(zlib.compress(sample, 1)) < 0.9 * len(sample)


@contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs failures with tracebacks; the user gets one sentence from us instead."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    saved = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, saved, strict=True):
            lg.setLevel(level)


def _sentence(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if len(text) > 160:
        text = text[:157] + "..."
    return text if text.endswith(".") else text + "."
