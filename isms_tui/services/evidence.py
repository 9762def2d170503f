"""Content-addressed evidence store beside the workspace file.

Files are copied in (never referenced in place) under their SHA-256, so the same file added
twice is stored once and any later change to a stored file is detectable.
"""

from __future__ import annotations

import mimetypes
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from isms_tui.files import is_out_of_space, out_of_space_message
from isms_tui.models import Evidence, EvidenceLink, require_id
from isms_tui.userfiles import UserFileError, open_regular, size_words

from . import clock, evidence_store
from .errors import InputError
from .evidence_store import ALTERED, CEILING_MB, MISSING, NOT_A_FILE, entry_path
from .formatting import plural

DEFAULT_MAX_EVIDENCE_MB = 50
MAX_EVIDENCE_ENV = "ISMS_MAX_EVIDENCE_MB"


def max_evidence_mb() -> float:
    """The size limit for one evidence file in MB: ISMS_MAX_EVIDENCE_MB (default 50, at most
    256, the store's ceiling), read per call."""
    text = os.environ.get(MAX_EVIDENCE_ENV, "").strip()
    try:
        mb = float(text) if text else DEFAULT_MAX_EVIDENCE_MB
    except ValueError:
        mb = DEFAULT_MAX_EVIDENCE_MB
    if not mb > 0 or mb == float("inf"):
        mb = DEFAULT_MAX_EVIDENCE_MB
    return min(mb, CEILING_MB)


def max_evidence_bytes() -> int:
    return int(max_evidence_mb() * 1024 * 1024)


def store_dir(session: Session) -> Path:
    """The store folder for the workspace this session is bound to: FILE.evidence/."""
    database = session.get_bind().engine.url.database
    assert database is not None  # a workspace is always a file
    db = Path(database)
    return db.with_name(db.name + ".evidence")


def stored_path(session: Session, sha256: str) -> Path:
    return entry_path(store_dir(session), sha256)


def _too_large(path: Path, size: int | None) -> InputError:
    what = f"{path.name} ({size_words(size)})" if size is not None else path.name
    return InputError(
        f"{what} is larger than the {max_evidence_mb():g} MB evidence limit "
        f"(set {MAX_EVIDENCE_ENV} to change it, up to {CEILING_MB})."
    )


def add_file(session: Session, source: str | Path, added_by: str = "") -> Evidence:
    """Copy `source` into the store (once per content) and index it.

    Only a regular file is attached (a symbolic link counts as its target); it is opened
    without blocking and checked on the open descriptor, read once up to the size limit
    while its hash is computed, and the stored copy is re-hashed before it takes its name.
    Attaching a file again repairs a damaged copy in the store.
    """
    path = Path(source).expanduser()
    limit = max_evidence_bytes()
    try:
        fd, st = open_regular(path, advice="attach a regular file")
    except UserFileError as exc:
        raise InputError(str(exc)) from None
    root = store_dir(session)
    with os.fdopen(fd, "rb") as src:
        if st.st_size > limit:
            raise _too_large(path, st.st_size)
        with evidence_store.staging(root) as staged:
            try:
                copied = staged.fill(src, limit)
            except OSError as exc:
                if is_out_of_space(exc):
                    raise InputError(out_of_space_message(f"{path.name} into the evidence store")) from None
                raise InputError(f"Cannot copy {path} into the evidence store: {exc.strerror or exc}.") from None
            if copied is None:  # it grew while being read
                raise _too_large(path, None)
            sha, size = copied
            evidence_store.install(root, staged, sha, size)
    existing = session.exec(select(Evidence).where(Evidence.sha256 == sha)).first()
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


@dataclass(frozen=True)
class StoreProblem:
    """An indexed evidence file that is gone, no longer matches its hash, or is not a file."""

    kind: str  # MISSING, ALTERED or NOT_A_FILE ("not-a-file")
    evidence_id: int
    sha256: str
    original_name: str
    links: tuple[str, ...]  # "reading 12", "finding 3"...
    found_sha256: str | None = None
    found: str | None = None  # for NOT_A_FILE: what is there instead ("a symbolic link"...)

    @property
    def message(self) -> str:
        linked = ", ".join(self.links[:5]) + (f" and {len(self.links) - 5} more" if len(self.links) > 5 else "")
        used = f"linked to {linked}" if linked else "not linked to any record"
        what = {
            MISSING: "is missing from the store",
            ALTERED: "was altered (its content no longer matches its hash)",
            NOT_A_FILE: f"is {self.found} in the store, not a file (it was not followed or read)",
        }[self.kind]
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
    interrupted: int = 0  # temporary files of attaches (running, or killed: the next attach removes them)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            text = f"Evidence intact: {self.files} files, {self.bytes} bytes re-hashed in {self.store}"
        else:
            n = len(self.problems)
            verb = "is" if n == 1 else "are"
            text = f"Evidence check failed: {n} of {self.files} files {verb} missing, altered or not files"
        if self.interrupted:
            leftover = plural(self.interrupted, "temporary file")
            text += f" ({leftover} of an interrupted attach, removed by the next attach)"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "files": self.files,
            "bytes": self.bytes,
            "store": self.store,
            "unindexed": self.unindexed,
            "interrupted": self.interrupted,
            "problems": [p.to_dict() for p in self.problems],
        }


def _links(session: Session) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    q = select(EvidenceLink).order_by(col(EvidenceLink.entity), col(EvidenceLink.entity_id))
    for ln in session.exec(q):
        out.setdefault(ln.evidence_id, []).append(f"{ln.entity} {ln.entity_id}")
    return out


def verify_store(session: Session, progress: Callable[[float, str], None] | None = None) -> StoreReport:
    """Re-hash every indexed file of the store; name the missing, altered and not-a-file ones.

    Nothing in the store is followed out of it or allowed to block the check (see
    evidence_store); temporary files of attaches are counted, not judged. `progress(fraction,
    step)` is called before each file; whatever it raises ends the check (it only reads).
    """
    root = store_dir(session)
    report = StoreReport(store=str(root))
    links = _links(session)
    known: set[str] = set()
    indexed = list(session.exec(select(Evidence).order_by(col(Evidence.id))))
    for number, ev in enumerate(indexed):
        if progress is not None:
            progress(number / len(indexed), f"Re-hashing {number + 1:,} of {len(indexed):,} files")
        report.files += 1
        known.add(ev.sha256)
        ev_id = require_id(ev)
        ev_links = tuple(links.get(ev_id, ()))
        entry = evidence_store.check_entry(root, ev.sha256)
        if entry.state == evidence_store.INTACT:
            report.bytes += entry.size
            continue
        report.problems.append(
            StoreProblem(entry.state, ev_id, ev.sha256, ev.original_name, ev_links, entry.found_sha256, entry.kind)
        )
    if root.is_dir():
        report.unindexed = sum(
            1 for p in root.glob("??/*") if p.is_file() and p.name not in known and not p.name.startswith("tmp")
        )
    report.interrupted = len(evidence_store.leftovers(root))
    return report
