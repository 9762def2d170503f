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
from pathlib import Path

from sqlmodel import Session, select

from isms_tui.models import Evidence, EvidenceLink

from . import clock
from .errors import InputError

MAX_EVIDENCE_BYTES = int(os.environ.get("ISMS_MAX_EVIDENCE_MB", "50")) * 1024 * 1024


def store_dir(session: Session) -> Path:
    """The store folder for the workspace this session is bound to: FILE.evidence/."""
    db = Path(session.get_bind().url.database)
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
    if path.stat().st_size > MAX_EVIDENCE_BYTES:
        limit = MAX_EVIDENCE_BYTES // (1024 * 1024)
        raise InputError(f"{path.name} is larger than the {limit} MB evidence limit.")
    sha, size = _hash_file(path)
    existing = session.exec(select(Evidence).where(Evidence.sha256 == sha)).first()
    target = stored_path(session, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        os.close(fd)
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
    if existing is not None:
        return existing
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    ev = Evidence(sha256=sha, original_name=path.name, size=size, media_type=media,
                  added_by=added_by, added_at=clock.now())
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
    ln = EvidenceLink(evidence_id=evidence.id, entity=entity, entity_id=entity_id)
    session.add(ln)
    session.flush()
    return ln


def linked(session: Session, entity: str, entity_id: int) -> list[Evidence]:
    q = (
        select(Evidence)
        .join(EvidenceLink, EvidenceLink.evidence_id == Evidence.id)
        .where(EvidenceLink.entity == entity, EvidenceLink.entity_id == entity_id)
        .order_by(Evidence.original_name)
    )
    return list(session.exec(q))
