"""Content-addressed evidence store beside the workspace file.

Files are copied in (never referenced in place) under their SHA-256, so the same file added
twice is stored once and any later change to a stored file is detectable.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from isms_tui.files import staged
from isms_tui.models import Evidence, EvidenceLink, require_id

from . import clock
from .errors import InputError

DEFAULT_MAX_EVIDENCE_MB = 50
MAX_EVIDENCE_ENV = "ISMS_MAX_EVIDENCE_MB"


def max_evidence_mb() -> float:
    """The size limit for one evidence file in MB: ISMS_MAX_EVIDENCE_MB (default 50), read per call."""
    text = os.environ.get(MAX_EVIDENCE_ENV, "").strip()
    try:
        mb = float(text) if text else DEFAULT_MAX_EVIDENCE_MB
    except ValueError:
        mb = DEFAULT_MAX_EVIDENCE_MB
    if not mb > 0 or mb == float("inf"):
        mb = DEFAULT_MAX_EVIDENCE_MB
    return mb


def max_evidence_bytes() -> int:
    return int(max_evidence_mb() * 1024 * 1024)


def store_dir(session: Session) -> Path:
    """The store folder for the workspace this session is bound to: FILE.evidence/."""
    database = session.get_bind().engine.url.database
    assert database is not None  # a workspace is always a file
    db = Path(database)
    return db.with_name(db.name + ".evidence")


def stored_path(session: Session, sha256: str) -> Path:
    return store_dir(session) / sha256[:2] / sha256


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def add_file(session: Session, source: str | Path, added_by: str = "") -> Evidence:
    """Copy `source` into the store (once per content) and index it."""
    path = Path(source).expanduser()
    if not path.exists():
        raise InputError(f"{path} does not exist.")
    if path.is_dir():
        raise InputError(f"{path} is a folder; attach files one by one.")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path} cannot be read: check its permissions.")
    if path.stat().st_size > max_evidence_bytes():
        raise InputError(
            f"{path.name} is larger than the {max_evidence_mb():g} MB evidence limit "
            f"(set {MAX_EVIDENCE_ENV} to change it)."
        )
    sha, size = _hash_file(path)
    existing = session.exec(select(Evidence).where(Evidence.sha256 == sha)).first()
    target = stored_path(session, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with staged(target, tag="attach") as tmp:  # a full disk: one sentence, no half file
            shutil.copyfile(path, tmp)
    if existing is not None:
        return existing
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    ev = Evidence(
        sha256=sha, original_name=path.name, size=size, media_type=media, added_by=added_by, added_at=clock.now()
    )
    session.add(ev)
    session.flush()
    return ev


def add_bytes(session: Session, name: str, content: bytes, added_by: str = "") -> Evidence:
    """Store generated content (used by the demo) as if it were a file called `name`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(name).name or "evidence")
        path.write_bytes(content)
        return add_file(session, path, added_by)


def link(session: Session, evidence: Evidence, entity: str, entity_id: int) -> EvidenceLink:
    found = session.exec(
        select(EvidenceLink).where(
            EvidenceLink.evidence_id == evidence.id,
            EvidenceLink.entity == entity,
            EvidenceLink.entity_id == entity_id,
        )
    ).first()
    if found:
        return found
    ln = EvidenceLink(evidence_id=require_id(evidence), entity=entity, entity_id=entity_id)
    session.add(ln)
    session.flush()
    return ln


def linked(session: Session, entity: str, entity_id: int) -> list[Evidence]:
    q = (
        select(Evidence)
        .join(EvidenceLink, col(EvidenceLink.evidence_id) == Evidence.id)
        .where(EvidenceLink.entity == entity, EvidenceLink.entity_id == entity_id)
        .order_by(col(Evidence.original_name))
    )
    return list(session.exec(q))


# -- checking the store ------------------------------------------------------------------------

MISSING = "missing"
ALTERED = "altered"


@dataclass(frozen=True)
class StoreProblem:
    """An indexed evidence file that is gone or whose content no longer matches its hash."""

    kind: str  # MISSING or ALTERED
    evidence_id: int
    sha256: str
    original_name: str
    links: tuple[str, ...]  # "reading 12", "finding 3"...
    found_sha256: str | None = None

    @property
    def message(self) -> str:
        linked = ", ".join(self.links[:5]) + (f" and {len(self.links) - 5} more" if len(self.links) > 5 else "")
        used = f"linked to {linked}" if linked else "not linked to any record"
        what = (
            "is missing from the store"
            if self.kind == MISSING
            else "was altered (its content no longer matches its hash)"
        )
        return f"evidence {self.evidence_id} {self.original_name!r} ({self.sha256[:12]}…) {what}; {used}"

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["links"] = list(self.links)
        data["message"] = self.message
        return data


@dataclass
class StoreReport:
    files: int = 0
    bytes: int = 0
    store: str = ""
    problems: list[StoreProblem] = field(default_factory=list)
    unindexed: int = 0  # files in the store no record refers to (harmless: e.g. a cancelled add)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return f"Evidence intact: {self.files} files, {self.bytes} bytes re-hashed in {self.store}"
        n = len(self.problems)
        return f"Evidence check failed: {n} of {self.files} files {'is' if n == 1 else 'are'} missing or altered"

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "files": self.files,
            "bytes": self.bytes,
            "store": self.store,
            "unindexed": self.unindexed,
            "problems": [p.to_dict() for p in self.problems],
        }


def _links(session: Session) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    q = select(EvidenceLink).order_by(col(EvidenceLink.entity), col(EvidenceLink.entity_id))
    for ln in session.exec(q):
        out.setdefault(ln.evidence_id, []).append(f"{ln.entity} {ln.entity_id}")
    return out


def verify_store(session: Session) -> StoreReport:
    """Re-hash every indexed file of the store; name the missing and altered ones."""
    root = store_dir(session)
    report = StoreReport(store=str(root))
    links = _links(session)
    known: set[str] = set()
    for ev in session.exec(select(Evidence).order_by(col(Evidence.id))):
        report.files += 1
        known.add(ev.sha256)
        target = stored_path(session, ev.sha256)
        ev_id = require_id(ev)
        ev_links = tuple(links.get(ev_id, ()))
        try:
            found, size = _hash_file(target)
        except FileNotFoundError:
            report.problems.append(StoreProblem(MISSING, ev_id, ev.sha256, ev.original_name, ev_links))
            continue
        except OSError:
            report.problems.append(StoreProblem(MISSING, ev_id, ev.sha256, ev.original_name, ev_links))
            continue
        report.bytes += size
        if found != ev.sha256:
            report.problems.append(StoreProblem(ALTERED, ev_id, ev.sha256, ev.original_name, ev_links, found))
    if root.is_dir():
        report.unindexed = sum(
            1 for p in root.glob("??/*") if p.is_file() and p.name not in known and not p.name.startswith("tmp")
        )
    return report
