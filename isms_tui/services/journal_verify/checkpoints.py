"""The chain against every signed checkpoint known: in the workspace, beside the keys, in a pack.

What the chain alone cannot show, a checkpoint does: entries cut off the end (the chain is
shorter than a signed head), an older copy of the file put back (the same), and a chain whose
hashes were recomputed after an edit (the entry at a signed position no longer has the signed
hash, or the Merkle root over the entries up to it differs). Each problem names the checkpoint
it contradicts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from ..checkpoint_format import CheckpointError, SignedCheckpoint, check_signature, issued_by, parse_signed
from ..merkle import MerkleTree
from .chain import ChainFacts
from .report import CHECKPOINT_CONTRADICTED, CHECKPOINT_INVALID, CHECKPOINT_MISSING, JournalReport, Problem


@dataclass(frozen=True)
class KnownCheckpoint:
    """A checkpoint and where it was found ("in the workspace (#3)", "beside the keys (FILE:12)")."""

    source: str
    signed: SignedCheckpoint | None
    error: str | None = None
    path: str = ""  # the workspace path recorded with a copy beside the keys


@dataclass
class CheckpointSources:
    """Checkpoints from outside the workspace file, the certificates trusted to sign them, and
    the real path of the workspace (to notice a file whose whole history was replaced)."""

    external: list[KnownCheckpoint] = field(default_factory=list)
    trusted: list[x509.Certificate] = field(default_factory=list)
    workspace_path: str = ""


def from_rows(rows: list[tuple[int, str]]) -> list[KnownCheckpoint]:
    out = []
    for row_id, text in rows:
        source = f"in the workspace (#{row_id})"
        try:
            out.append(KnownCheckpoint(source, parse_signed(json.loads(text))))
        except (CheckpointError, ValueError, RecursionError) as exc:
            reason = str(exc) if isinstance(exc, CheckpointError) else "it is not valid JSON"
            out.append(KnownCheckpoint(source, None, reason))
    return out


def positions(known: list[KnownCheckpoint]) -> set[int]:
    return {k.signed.statement.entries for k in known if k.signed is not None}


def check_checkpoints(
    report: JournalReport,
    facts: ChainFacts,
    in_workspace: list[KnownCheckpoint],
    sources: CheckpointSources,
) -> None:
    """Hold the walked chain to every checkpoint; list each one in the report."""
    identity = facts.hashes[0].hex() if facts.hashes else None
    mine = [k for k in sources.external if k.signed is None or k.signed.statement.workspace == identity]
    if identity and not any(k.signed for k in mine):
        _missing(report, identity, sources)
    tree: MerkleTree | None = None
    judged: list[tuple[dict[str, Any], tuple[str, str] | None, str]] = []
    for known in in_workspace + mine:
        entry: dict[str, Any] = {"source": known.source}
        report.checkpoints.append(entry)
        if known.signed is None:
            entry["ok"] = False
            report.add(Problem(CHECKPOINT_INVALID, f"the checkpoint {known.source} is unreadable: {known.error}"))
            continue
        s = known.signed.statement
        entry.update(s.to_dict())
        name = f"the {s.describe()} {known.source}"
        problem = _signature_problem(known.signed, sources.trusted, entry)
        if problem is None and s.workspace != identity:
            problem = (CHECKPOINT_CONTRADICTED, f"{name} belongs to another workspace's history")
        if problem is None:
            if tree is None and s.entries <= len(facts.hashes):
                tree = MerkleTree(facts.hashes)
            problem = _chain_problem(name, s.entries, s.head, s.root, s.at, facts, tree)
        entry["ok"] = problem is None
        judged.append((entry, problem, s.at))
    # A restore signed by the organisation's key puts an older history back on purpose: the
    # checkpoints of the history it replaced (signed before it) are listed as superseded.
    restores = sorted(e["at"] for e, problem, _ in judged if problem is None and e.get("reason") == "restore")
    for entry, problem, at in judged:
        if problem is None:
            continue
        later = next((r for r in restores if r > at), None)
        if later is not None and problem[0] == CHECKPOINT_CONTRADICTED:
            entry["superseded_by_restore"] = later
            continue
        report.add(Problem(problem[0], problem[1]))


def _signature_problem(
    signed: SignedCheckpoint, trusted: list[x509.Certificate], entry: dict[str, Any]
) -> tuple[str, str] | None:
    name = f"the {signed.statement.describe()}"
    try:
        cert = check_signature(signed)
    except CheckpointError as exc:
        return CHECKPOINT_INVALID, f"{name} is not valid: {exc}"
    from cryptography.hazmat.primitives import hashes

    entry["signer_fingerprint"] = cert.fingerprint(hashes.SHA256()).hex()
    entry["trusted"] = bool(trusted) and issued_by(cert, trusted)
    if trusted and not entry["trusted"]:
        return CHECKPOINT_INVALID, f"{name} is signed by a key that is not one of this machine's signing identities"
    return None


def _chain_problem(
    name: str, entries: int, head: str, root: str, at: str, facts: ChainFacts, tree: MerkleTree | None
) -> tuple[str, str] | None:
    have = len(facts.hashes)
    if entries > have:
        return (
            CHECKPOINT_CONTRADICTED,
            f"the journal has {have} entries but {name} signed {entries}: "
            "entries were cut off the end or an older copy of the workspace was put back",
        )
    if entries == 0:
        return None
    if facts.hashes[entries - 1].hex() != head:
        return (
            CHECKPOINT_CONTRADICTED,
            f"journal entry {entries} does not have the head hash signed in {name}: the history up to it was rewritten",
        )
    if tree is None or tree.root(entries).hex() != root:
        return (
            CHECKPOINT_CONTRADICTED,
            f"the journal's entries up to {entries} do not have the Merkle root signed in {name}: "
            "the history was rewritten",
        )
    when = facts.times.get(entries, "")
    if when and when > at:
        return CHECKPOINT_CONTRADICTED, f"journal entry {entries} is dated after {name} that signed it"
    return None


def _missing(report: JournalReport, identity: str, sources: CheckpointSources) -> None:
    """Checkpoints were signed for a workspace at this path, none for this file's history."""
    if not sources.workspace_path:
        return
    here = [k for k in sources.external if k.signed is not None and k.path == sources.workspace_path]
    if not here:
        return
    last = max(here, key=lambda k: k.signed.statement.at if k.signed else "")
    assert last.signed is not None
    report.add(
        Problem(
            CHECKPOINT_MISSING,
            f"checkpoints beside the keys were signed for the workspace at this path (the last: "
            f"{last.signed.statement.describe()}), but none for this file's history: the workspace was "
            "replaced or its history re-forged from the first entry; if you replaced it on purpose, "
            "run `isms journal seal` to start checkpoints for this one",
        )
    )
