"""Verify a signed evidence pack offline: signature, trust, whole-file coverage and attachments.

Why more than pyHanko's bottom line: pyHanko calls a signature "intact" even when bytes were
appended or an incremental update was added after it (the signed revision itself is still
intact). A pack that has changed in any way since signing must fail, so the signature has to
cover the ENTIRE file; and each embedded file is checked against manifest.json so the report
can name the file that changed.

Nothing here touches the network: the validation context has explicit trust roots,
`allow_fetching=False` and soft-fail revocation (our certificates carry no OCSP/CRL pointers).
pyHanko's loggers are silenced during verification; every failure becomes one sentence.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isms_tui.services.formatting import plural

from .verify_bounds import (
    MALFORMED_CONTENTS,
    NOT_WHOLE_FILE,
    TIME_LIMIT,
    TOO_COMPLEX,
    StructureError,
    contents_problem,
    raw_contents_problem,
    read_pdf,
    within_time,
)
from .verify_files import embedded_files, parse_manifest, shown

TrustRoots = list[Any]  # asn1crypto certificates for pyHanko's validation context (no type stubs)

MANIFEST_NAME = "manifest.json"
SIGNATURE_FIELD = "isms-tui"


@dataclass(frozen=True)
class Check:
    """One thing that was checked, whether it passed and a sentence saying what was found."""

    name: str
    ok: bool
    detail: str


@dataclass
class VerifyReport:
    """The outcome of `verify_pdf`; `ok` only when every check passed."""

    ok: bool
    signer: str
    fingerprint: str
    signed_at: str | None
    checks: list[Check]
    attachments: list[dict[str, Any]]
    path: str = ""
    trusted_cas: list[str] = field(default_factory=list)
    trust_source: str = ""  # one sentence: which CA is trusted and why, or how to give one

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "ok": self.ok,
            "signer": self.signer,
            "fingerprint": self.fingerprint,
            "signed_at": self.signed_at,
            "trusted_cas": list(self.trusted_cas),
            "trust": self.trust_source,
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
            "attachments": [dict(a) for a in self.attachments],
            "failures": [c.detail for c in self.failures],
        }

    def render_text(self) -> str:
        """The human report: who signed, when, each check, each attachment and the verdict."""
        lines = [f"File: {self.path}"]
        lines.append(f"Signer: {self.signer or 'unknown'}")
        if self.fingerprint:
            lines.append(f"Certificate SHA-256: {self.fingerprint}")
        stamped = any(c.name == "timestamp" and c.ok for c in self.checks)
        source = " (trusted timestamp)" if stamped else " (the signer's clock)" if self.signed_at else ""
        lines.append(f"Signed at: {self.signed_at or 'unknown'}{source}")
        for ca in self.trusted_cas:
            lines.append(f"Trusted CA: {ca}")
        if self.trust_source:
            lines.append(f"Trust: {self.trust_source}")
        lines.append("Checks:")
        for c in self.checks:
            lines.append(f"  [{'ok' if c.ok else 'FAILED'}] {c.name}: {c.detail}")
        if self.attachments:
            lines.append("Attachments:")
            for a in self.attachments:
                mark = "ok" if a["ok"] else "FAILED"
                extra = f" - {a['detail']}" if a.get("detail") else ""
                lines.append(f"  [{mark}] {a['name']}  {a['sha256'] or '(unreadable)'}{extra}")
        if self.ok:
            lines.append("Result: VALID - intact, trusted, the whole file is signed and every attachment matches.")
        else:
            n = len(self.failures)
            lines.append(f"Result: NOT VALID - {plural(n, 'check')} failed.")
        return "\n".join(lines)


def verify_pdf(path: Path, trust: list[Path] | None = None, *, workspace: Path | None = None) -> VerifyReport:
    """Check a signed pack against the CA files in `trust`, else only the CA of `workspace`'s
    organisation (default: the default workspace).

    Raises InputError only for an unreadable --trust file or workspace; everything about the
    pack itself is reported as failed checks.
    """
    path = Path(path)
    from .trust import trust_for

    if workspace is None and not trust:
        from isms_tui.config import default_db_path

        workspace = default_db_path()
    chosen = trust_for(trust, workspace or Path())

    def fresh() -> VerifyReport:
        return VerifyReport(
            ok=False,
            signer="",
            fingerprint="",
            signed_at=None,
            checks=[],
            attachments=[],
            path=str(path),
            trusted_cas=chosen.labels,
            trust_source=chosen.source,
        )

    report = fresh()
    with _quiet_pyhanko():
        try:
            finished = within_time(lambda: _verify_into(report, path, chosen.roots), TIME_LIMIT)
        except (RecursionError, StructureError) as exc:
            finished = True
            report.checks.append(Check("structure", False, _structure_sentence(exc)))
        except Exception:
            finished = True
            report.checks.append(Check("file", False, f"{path.name} cannot be checked: its structure is damaged."))
    if not finished:  # the worker still holds the first report: start a clean one
        report = fresh()
        report.checks.append(Check("structure", False, TOO_COMPLEX))
    report.ok = bool(report.checks) and all(c.ok for c in report.checks)
    return report


# --- the checks ---------------------------------------------------------------------------------


def _verify_into(report: VerifyReport, path: Path, roots: TrustRoots) -> None:
    checks = report.checks
    try:
        data = read_pdf(path)
    except OSError as exc:
        checks.append(Check("file", False, f"Cannot read {path}: {exc.strerror or exc}."))
        return
    except ValueError as exc:
        checks.append(Check("file", False, str(exc)))
        return
    if not data:
        checks.append(Check("file", False, f"{path.name} is empty."))
        return
    if b"%PDF-" not in data[:1024]:  # the header may follow up to 1 KB of junk (PDF 32000-1, 7.5.2)
        checks.append(Check("file", False, f"{path.name} is not a PDF file."))
        return

    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data))
    except (RecursionError, StructureError):
        raise
    except Exception:
        problem = raw_contents_problem(data)
        if problem is not None:
            checks.append(Check("signature contents", False, problem))
        else:
            checks.append(Check("file", False, f"{path.name} is not a readable PDF: its structure is damaged."))
        return
    try:
        sigs = list(reader.embedded_regular_signatures)
    except (RecursionError, StructureError):
        raise
    except Exception:  # pyHanko parses each signature's CMS blob while listing them
        checks.append(Check("signature contents", False, raw_contents_problem(data) or MALFORMED_CONTENTS))
        return

    if not sigs:
        checks.append(Check("signature", False, "The file has no signature."))
        return
    sig = next((s for s in sigs if s.field_name == SIGNATURE_FIELD), sigs[-1])
    if len(sigs) == 1:
        checks.append(Check("signature", True, f"One signature, in field {sig.field_name!r}."))
    else:
        checks.append(
            Check(
                "signature",
                False,
                f"The file has {len(sigs)} signatures; a pack carries exactly one, so it was re-signed.",
            )
        )

    problem = contents_problem(data, _byte_range(sig))
    status = _validate(sig, roots)
    if status is None:  # pyHanko could not read the CMS blob
        problem = problem or MALFORMED_CONTENTS
    checks.append(Check("signature contents", problem is None, problem or "One DER signature, then zero padding."))
    if status is not None:
        _describe_signer(report, sig, status)
        _signature_checks(status, sig, data, reader, report, checks)
    else:
        _describe_signer(report, sig, None)
    _attachment_checks(reader, report)


def _validate(sig: Any, roots: TrustRoots) -> Any:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return validate_pdf_signature(sig, context, skip_diff=True)
    except (RecursionError, StructureError):
        raise
    except Exception:
        return None


def _signature_checks(
    status: Any, sig: Any, data: bytes, reader: Any, report: VerifyReport, checks: list[Check]
) -> None:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if status.intact:
        algo = _algo(status.md_algorithm)
        checks.append(Check("integrity", True, f"The signed bytes are unchanged ({algo} digest matches)."))
    else:
        checks.append(
            Check("integrity", False, "The signed content was altered after signing: its digest no longer matches.")
        )

    if not status.intact:
        checks.append(Check("signature value", False, "The signature does not match the altered content."))
    elif status.valid:
        checks.append(Check("signature value", True, "The signature verifies with the signer's certificate."))
    else:
        checks.append(
            Check("signature value", False, "The signature value does not verify with the signer's certificate.")
        )

    checks.append(_trust_check(status, report))

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        checks.append(Check("whole file signed", True, "The signature covers the entire file."))
    else:
        checks.append(Check("whole file signed", False, _coverage_problem(sig, data, reader)))

    tst = getattr(status, "timestamp_validity", None)
    if tst is not None:
        if tst.intact and tst.valid and tst.trusted:
            when = _iso(tst.timestamp)
            checks.append(Check("timestamp", True, f"A trusted RFC 3161 timestamp dates the signature {when}."))
        else:
            checks.append(Check("timestamp", False, "The signature's RFC 3161 timestamp is not valid or not trusted."))


def _trust_check(status: Any, report: VerifyReport) -> Check:
    if status.trusted and status.revocation_details is None:
        anchor = status.validation_path[0] if status.validation_path is not None else None
        name = _cn(anchor) if anchor is not None else "a trusted CA"
        return Check("trusted", True, f"The certificate chains to the trusted CA {name!r}.")
    if not (status.intact and status.valid):
        return Check(
            "trusted", False, "Trust is not established because the signature does not match the signed content."
        )
    if not report.trusted_cas:
        return Check("trusted", False, report.trust_source)
    indic = getattr(status.trust_problem_indic, "name", "") or ""
    if status.revocation_details is not None or "REVOKED" in indic:
        return Check("trusted", False, "The signer's certificate has been revoked.")
    if "EXPIRED" in indic or "OUT_OF_BOUNDS" in indic:
        return Check("trusted", False, "The signer's certificate was not within its validity period.")
    if "NOT_YET_VALID" in indic:
        return Check("trusted", False, "The signer's certificate is not valid yet.")
    if "CHAIN" in indic or not indic:
        return Check("trusted", False, "The signer's certificate does not chain to any trusted CA given.")
    return Check("trusted", False, f"The signer's certificate is not trusted ({indic.replace('_', ' ').lower()}).")


def _coverage_problem(sig: Any, data: bytes, reader: Any) -> str:
    """Name how the file grew after signing: an incremental update, or bytes appended."""
    try:
        revisions = reader.xrefs.total_revisions
        signed_revision = sig.signed_revision
    except Exception:
        revisions, signed_revision = 0, 0
    if revisions and signed_revision < revisions - 1:
        later = revisions - 1 - signed_revision
        what = "an incremental update follows" if later == 1 else f"{later} incremental updates follow"
        return f"The file was changed after signing: {what} the signed revision."
    try:
        byte_range = sig.byte_range
        end = int(byte_range[2]) + int(byte_range[3])
    except Exception:
        end = 0
    if end and len(data) > end:
        extra = len(data) - end
        what = "1 byte was" if extra == 1 else f"{extra} bytes were"
        return f"The file was changed after signing: {what} appended after the signed revision."
    return NOT_WHOLE_FILE


def _attachment_checks(reader: Any, report: VerifyReport) -> None:
    """Every embedded file must be listed in manifest.json with the same SHA-256 and size, and vice versa."""
    checks = report.checks
    try:
        found = embedded_files(reader)
    except (RecursionError, StructureError) as exc:
        checks.append(Check("attachments", False, _structure_sentence(exc)))
        return
    except Exception:
        checks.append(Check("attachments", False, "The embedded files cannot be read: their tree is damaged."))
        return

    counts: dict[str, int] = {}
    for name, _data, _error in found:
        counts[name] = counts.get(name, 0) + 1
    files = {name: (data, error) for name, data, error in found}

    problems: list[str] = []
    manifest_entries: dict[str, dict[str, Any]] = {}
    manifest = files.get(MANIFEST_NAME)
    if manifest is None:
        problems.append(f"There is no {MANIFEST_NAME} attachment, so the attachments cannot be checked.")
    elif manifest[1] is not None or manifest[0] is None:  # no data comes only with an error
        problems.append(f"{MANIFEST_NAME} cannot be read ({manifest[1]}).")
    else:
        try:
            manifest_entries = parse_manifest(manifest[0])
        except ValueError as exc:
            problems.append(f"{MANIFEST_NAME} is not a valid manifest ({exc}).")
    if counts.get(MANIFEST_NAME, 0) > 1:
        problems.append(f"{MANIFEST_NAME} is embedded {counts[MANIFEST_NAME]} times.")

    rows: list[dict[str, Any]] = []
    names = sorted(set(files) | set(manifest_entries))
    for name in names:
        if name == MANIFEST_NAME:
            continue
        entry = manifest_entries.get(name)
        data, error = files.get(name, (None, None))
        digest = hashlib.sha256(data).hexdigest() if data is not None else None
        detail = ""
        if name not in files:
            detail = f"{name} is listed in {MANIFEST_NAME} but is missing from the file."
        elif error is not None:
            detail = f"{name} cannot be read from the file ({error})."
        elif counts[name] > 1:
            detail = f"{name} is embedded {counts[name]} times."
        elif manifest is not None and not manifest_entries and problems:
            detail = f"{name} cannot be checked without a valid {MANIFEST_NAME}."
        elif entry is None:
            detail = f"{name} is embedded but not listed in {MANIFEST_NAME}."
        elif entry["sha256"] != digest:
            detail = f"{name} does not match its SHA-256 in {MANIFEST_NAME}."
        elif entry.get("size") is not None and entry["size"] != len(data or b""):
            detail = f"{name} does not match its size in {MANIFEST_NAME}."
        rows.append(
            {
                "name": name,
                "sha256": digest,
                "ok": not detail,
                "detail": detail,
                "size": len(data) if data is not None else None,
            }
        )
        if detail:
            problems.append(detail)
    report.attachments = rows

    if problems:
        checks.append(Check("attachments", False, " ".join(problems)))
    else:
        n = len(rows)
        checks.append(Check("attachments", True, f"{plural(n, 'attachment')} match {MANIFEST_NAME}."))


# --- helpers --------------------------------------------------------------------------------------


def _describe_signer(report: VerifyReport, sig: Any, status: Any) -> None:
    try:
        cert = status.signing_cert if status is not None else sig.signer_cert
        report.signer = _cn(cert)
        report.fingerprint = hashlib.sha256(cert.dump()).hexdigest()
    except Exception:
        pass
    moment = None
    if status is not None:
        tst = getattr(status, "timestamp_validity", None)
        if tst is not None and tst.valid and tst.trusted:
            moment = tst.timestamp
        else:
            moment = getattr(status, "signer_reported_dt", None)
    if moment is None:
        try:
            moment = sig.self_reported_timestamp
        except Exception:
            moment = None
    report.signed_at = _iso(moment) if moment is not None else None


def _cn(cert: Any) -> str:
    """The certificate's common name, printable (a hostile signer may put escapes in it)."""
    try:
        return shown(str(cert.subject.native.get("common_name") or cert.subject.human_friendly))
    except Exception:
        return "unknown"


def _iso(moment: Any) -> str:
    import datetime as dt

    if isinstance(moment, dt.datetime):
        stamp = moment.astimezone(dt.UTC) if moment.tzinfo is not None else moment
        return stamp.isoformat()
    return str(moment)


def _algo(name: str) -> str:
    name = (name or "").upper()
    return name.replace("SHA", "SHA-", 1) if name.startswith("SHA") and "-" not in name else name


def _structure_sentence(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, StructureError) else TOO_COMPLEX


def _byte_range(sig: Any) -> Any:
    try:
        return list(sig.sig_object.raw_get("/ByteRange"))
    except Exception:
        return None


@contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs validation failures with tracebacks; the report says it in one sentence instead."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    saved = [(lg.level, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
        lg.disabled = True
    try:
        yield
    finally:
        for lg, (level, disabled) in zip(loggers, saved, strict=True):
            lg.setLevel(level)
            lg.disabled = disabled
