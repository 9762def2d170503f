"""`isms verify NEW.pdf --previous OLD.pdf`: the journal under NEW extends the one under OLD.

Each pack carries `checkpoint.json`: its journal head, entry count and the Merkle root over
every entry hash, signed, and a consistency proof (RFC 9162) from the head of every earlier
pack of the workspace. Given last year's pack, an auditor checks this year's without the
workspace: both packs valid and signed by the same organisation, the same workspace, and
OLD's tree a prefix of NEW's. So a workspace cannot rewrite what it recorded before OLD was
issued, or roll back past it, without this check failing. Scheme: docs/journal-checkpoints.md.

Like verify.py, this never loads the data layer.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isms_tui.services.checkpoint_format import CheckpointError, SignedCheckpoint, check_signature, parse_signed
from isms_tui.services.merkle import verify_consistency

from .verify import VerifyReport, verify_pdf

CHECKPOINT_NAME = "checkpoint.json"
MAX_PROOFS = 10_000
MAX_PACK_BYTES = 2**31  # checked before: verify_pdf read it already
MAX_PATH = 128  # a proof has about 2 log2(n) hashes: 128 covers any journal


@dataclass
class ContinuityReport:
    """Both packs' own reports and the verdict on the journal between them."""

    new: VerifyReport
    previous: VerifyReport
    ok: bool = False
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def render_text(self) -> str:
        lines = [self.new.render_text(), "", "Previous pack:", self.previous.render_text(), ""]
        lines.append(("Continuity: OK - " if self.ok else "Continuity: FAILED - ") + self.message)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "continuity": {"ok": self.ok, "message": self.message, **self.details},
            "new": self.new.to_dict(),
            "previous": self.previous.to_dict(),
        }


@dataclass(frozen=True)
class PackCheckpoint:
    signed: SignedCheckpoint
    proofs: list[dict[str, Any]]


def compare(
    new: Path, previous: Path, trust: list[Path] | None = None, *, workspace: Path | None = None
) -> ContinuityReport:
    """Verify both packs (trusting what `isms verify` trusts), then whether NEW's journal extends OLD's."""
    report = ContinuityReport(
        verify_pdf(new, trust, workspace=workspace), verify_pdf(previous, trust, workspace=workspace)
    )
    report.ok, report.message = _verdict(report, Path(new), Path(previous))
    return report


def _verdict(report: ContinuityReport, new: Path, previous: Path) -> tuple[bool, str]:
    for label, pack, path in (("The new pack", report.new, new), ("The previous pack", report.previous, previous)):
        if not pack.ok:
            return False, f"{label} {path.name} is not valid (see above), so nothing can be concluded from it."
    try:
        mine = _read_checkpoint(new, report.new)
        old = _read_checkpoint(previous, report.previous)
    except CheckpointError as exc:
        return False, str(exc)
    n, o = mine.signed.statement, old.signed.statement
    report.details = {"previous_entries": o.entries, "entries": n.entries, "workspace": n.workspace}
    if n.workspace != o.workspace:
        return (
            False,
            f"{new.name} and {previous.name} come from different workspaces (their journals start differently).",
        )
    if o.at > n.at:
        return False, f"{previous.name} was issued after {new.name}; give the older pack to --previous."
    if o.entries > n.entries:
        return False, (
            f"the journal under {new.name} has {n.entries} entries, fewer than the {o.entries} under "
            f"{previous.name}: history was cut or rolled back between the two packs."
        )
    if o.entries == n.entries:
        if (o.head, o.root) == (n.head, n.root):
            return True, f"both packs were issued from the same journal ({n.entries} entries, head {n.head})."
        return False, f"both packs claim {n.entries} entries but different histories: the journal was rewritten."
    proof = next((p for p in mine.proofs if p.get("entries") == o.entries and p.get("root") == o.root), None)
    if proof is None:
        return False, (
            f"{new.name} carries no proof from the head of {previous.name} ({o.entries} entries): the workspace "
            "that issued it did not hold that pack's checkpoint, so its history was rolled back or re-forged."
        )
    hashes = _proof_path(proof)
    if hashes is None or not verify_consistency(
        o.entries, n.entries, bytes.fromhex(o.root), bytes.fromhex(n.root), hashes
    ):
        return False, (
            f"the journal under {new.name} does not extend the one under {previous.name}: entries recorded "
            f"before {previous.name} was issued were changed."
        )
    return True, (
        f"the journal under {new.name} extends the one under {previous.name}: its first {o.entries} entries are "
        f"unchanged and {n.entries - o.entries} were added since."
    )


def _read_checkpoint(path: Path, report: VerifyReport) -> PackCheckpoint:
    """The pack's checkpoint.json, which the valid signature covers, checked on its own too."""
    row = next((a for a in report.attachments if a.get("name") == CHECKPOINT_NAME), None)
    if row is None:
        raise CheckpointError(f"{path.name} carries no signed checkpoint (it was issued before packs had one).")
    raw = _attachment(path, CHECKPOINT_NAME)
    if raw is None or hashlib.sha256(raw).hexdigest() != row.get("sha256"):
        raise CheckpointError(f"{path.name} changed while it was being checked.")
    try:
        data = json.loads(raw.decode("ascii"))
        signed = parse_signed(data)
        cert = check_signature(signed)
    except (CheckpointError, ValueError, UnicodeDecodeError, RecursionError) as exc:
        detail = f": {exc}" if isinstance(exc, CheckpointError) else ""
        raise CheckpointError(f"the checkpoint in {path.name} is not valid{detail}.") from None
    from cryptography.hazmat.primitives import hashes

    if cert.fingerprint(hashes.SHA256()).hex() != report.fingerprint:
        raise CheckpointError(f"the checkpoint in {path.name} was not signed by the key that signed the pack.")
    proofs = data.get("proofs") if isinstance(data, dict) else None
    if not isinstance(proofs, list) or len(proofs) > MAX_PROOFS:
        raise CheckpointError(f"the checkpoint in {path.name} has no valid list of proofs.")
    return PackCheckpoint(signed, [p for p in proofs if isinstance(p, dict)])


def _proof_path(proof: dict[str, Any]) -> list[bytes] | None:
    path = proof.get("path")
    if not isinstance(path, list) or len(path) > MAX_PATH:
        return None
    try:
        return [bytes.fromhex(h) for h in path if isinstance(h, str) and len(h) == 64]
    except ValueError:
        return None


def _attachment(path: Path, name: str) -> bytes | None:
    """One embedded file's bytes (the verify report has already matched it to the manifest)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from isms_tui.userfiles import read_user_file

    from .verify_files import embedded_files

    reader = PdfFileReader(io.BytesIO(read_user_file(path, max_bytes=MAX_PACK_BYTES, what="PDF file")))
    for found, data, _error in embedded_files(reader):
        if found == name:
            return data
    return None
