"""Audit exchange, the results: the external auditor returns a completed kit audit, the client imports it.

The consultant's side builds the results' manifest from the audit imported from a kit (its
working paper mapped back to the client's checklist lines by position and ref, the findings,
the evidence files linked to them). The client's side imports a checked package into the
planned audit the kit was issued for: the lines' results, the findings (a nonconformity
raises its corrective action through services/audits.py, as a finding raised here does), the
evidence through the evidence store; the kit is then closed, so the same results, or any
other results for it, are refused. All of it is one transaction, journaled.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cryptography import x509
from sqlmodel import Session, select

from isms_tui.models import (
    AuditMethod,
    AuditResult,
    AuditStatus,
    Evidence,
    ExchangePackage,
    Grading,
    Person,
    require_id,
)

from . import audits, clock, evidence, evidence_store
from .audit_views import EVIDENCE_ENTITY
from .errors import InputError
from .exchange import (
    IN,
    KIT,
    OUT,
    RESULTS,
    check_addressed,
    judge_ca,
    kit_lines,
    kit_of,
    own_org,
    workspace_id,
)
from .exchange_format import FORMAT, EvidenceFile, Package, new_package_id, now_text, refused

FINDING_ENTITY = "finding"
DONE = (AuditStatus.COMPLETED, AuditStatus.REPORTED)


# -- the consultant: issuing results --------------------------------------------------------------


def results_manifest(
    session: Session, audit_id: int, by: str, ca_fingerprint: str, folder: Path
) -> tuple[dict[str, Any], dict[str, Path]]:
    """The results' manifest and the evidence files (copied out of the store into `folder`)."""
    kit = kit_of(session, audit_id)
    audit = audits.get_audit(session, audit_id)
    if audit.status not in DONE:
        raise InputError(f"Audit {audit_id} is {audit.status.value}; complete it before issuing its results.")
    org = own_org(session)
    by_position = kit_lines(kit)
    files: dict[str, Evidence] = {}
    lines, line_of_item = [], {}
    for item in audits.items(session, audit_id):
        kit_line = by_position.get(item.position)
        if kit_line is None or kit_line["ref"] != item.ref:
            raise InputError(f"Line {item.position} ({item.ref}) is not a line of the kit; results cannot map it back.")
        line_of_item[item.id] = kit_line["line"]
        attached = evidence.linked(session, EVIDENCE_ENTITY, require_id(item))
        files.update({e.sha256: e for e in attached})
        lines.append(
            {
                "line": kit_line["line"],
                "ref": item.ref,
                "result": item.result.value if item.result else None,
                "notes": item.notes,
                "methods": [m.value for m in item.methods],
                "sample_population": item.sample_population,
                "sample_size": item.sample_size,
                "sample_items": item.sample_items,
                "evidence": sorted(e.sha256 for e in attached),
            }
        )
    findings = []
    for f in audits.findings(session, audit_id):
        attached = evidence.linked(session, FINDING_ENTITY, require_id(f))
        files.update({e.sha256: e for e in attached})
        findings.append(
            {
                "line": line_of_item.get(f.item_id) if f.item_id else None,
                "ref": f.ref,
                "grading": f.grading.value,
                "statement": f.statement,
                "evidence": f.evidence,
                "raised_on": f.raised_on.isoformat(),
                "files": sorted(e.sha256 for e in attached),
            }
        )
    lead = session.get(Person, audit.lead_auditor_id) if audit.lead_auditor_id else None
    team = [p.name for pid in audit.team_ids if (p := session.get(Person, pid)) is not None]
    manifest = {
        "format": FORMAT,
        "kind": RESULTS,
        "package_id": new_package_id(),
        "created_at": now_text(),
        "issuer": {"organisation": org, "ca_fingerprint": ca_fingerprint, "workspace": workspace_id(session), "by": by},
        "recipient": {"organisation": kit.counterpart_org},
        "audit": {"workspace": kit.origin_workspace, "audit_id": kit.origin_audit_id, "kit": kit.package_id},
        "content": {
            "lead_auditor": lead.name if lead else by,
            "team": team,
            "actual_start": audit.actual_start.isoformat() if audit.actual_start else None,
            "actual_end": audit.actual_end.isoformat() if audit.actual_end else None,
            "summary": audit.summary,
            "conclusion": audit.conclusion,
            "lines": lines,
            "findings": findings,
        },
        "evidence": [
            EvidenceFile(e.sha256, e.original_name, e.size, e.media_type).to_dict()
            for e in sorted(files.values(), key=lambda e: e.sha256)
        ],
    }
    return manifest, {sha: _copy_out(session, e, folder) for sha, e in files.items()}


def _copy_out(session: Session, ev: Evidence, folder: Path) -> Path:
    """A stored file copied out of the store (never through a link), its hash checked."""
    import hashlib

    target = folder / ev.sha256
    digest = hashlib.sha256()
    try:
        with (
            evidence_store.open_entry(evidence.store_dir(session), ev.sha256) as (src, _size),
            open(target, "wb") as dst,
        ):
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
    except (OSError, evidence_store.NotAFile):
        raise InputError(
            f"The evidence file {ev.original_name!r} cannot be read from the store; run `isms evidence verify`."
        ) from None
    if digest.hexdigest() != ev.sha256:
        raise InputError(
            f"The evidence file {ev.original_name!r} was altered in the store; run `isms evidence verify`."
        )
    return target


# -- the client: importing results ----------------------------------------------------------------


@dataclass(frozen=True)
class ImportedResults:
    audit_id: int
    consultant: str
    lines: int
    findings: int
    actions: int
    files: int

    def sentence(self) -> str:
        return (
            f"Imported the results of audit {self.audit_id} from {self.consultant}: {self.lines} lines, "
            f"{self.findings} findings, {self.actions} corrective actions, {self.files} evidence files."
        )


def import_results(
    session: Session, package: Package, by: str, trusted: list[x509.Certificate] | None
) -> ImportedResults:
    """Put the results into the planned audit the kit was issued for, all or nothing, journaled."""
    check_addressed(session, package, RESULTS)
    ref = package.audit
    if ref["workspace"] != workspace_id(session):
        raise refused(package.path, "it answers a kit issued from another workspace (another client's audit)")
    kit = session.exec(
        select(ExchangePackage).where(
            ExchangePackage.package_id == str(ref.get("kit", "")),
            ExchangePackage.kind == KIT,
            ExchangePackage.direction == OUT,
        )
    ).first()
    if kit is None or kit.origin_audit_id != ref["audit_id"]:
        raise refused(package.path, "it answers no audit kit issued from this workspace")
    if kit.closed_at is not None:
        raise refused(
            package.path, f"the results for that kit were imported already on {kit.closed_at.date().isoformat()}"
        )
    if " ".join(package.issuer_org.split()).casefold() != " ".join(kit.counterpart_org.split()).casefold():
        raise refused(package.path, f"it was issued by {package.issuer_org}, but the kit went to {kit.counterpart_org}")
    judge_ca(session, package, by, trusted)
    audit = audits.get_audit(session, kit.origin_audit_id)
    if audit.status != AuditStatus.PLANNED:
        raise refused(package.path, f"audit {audit.id} is {audit.status.value} here; results go into the planned audit")
    try:
        return _apply(session, package, kit, by)
    except (KeyError, TypeError, ValueError) as exc:  # the session scope rolls everything back
        raise refused(package.path, f"its results are incomplete or malformed ({exc})") from None


def _apply(session: Session, package: Package, kit: ExchangePackage, by: str) -> ImportedResults:
    content = package.content
    audit = audits.get_audit(session, kit.origin_audit_id)
    audit_id = require_id(audit)
    mine = {require_id(it): it for it in audits.items(session, audit_id)}
    sent = {int(line["line"]) for line in kit_lines(kit).values()}
    lines = content["lines"]
    got = [int(line["line"]) for line in lines]
    if sorted(got) != sorted(sent) or not set(got) <= set(mine):
        raise ValueError("its lines are not the kit's lines")
    stored = _store_files(session, package, by)
    audit.status, audit.actual_start = AuditStatus.IN_PROGRESS, _day(content.get("actual_start")) or clock.today()
    for line in lines:
        item = mine[int(line["line"])]
        if line["ref"] != item.ref:
            raise ValueError(f"line {item.position} names {line['ref']!r}, the kit {item.ref!r}")
        item.result = AuditResult(line["result"]) if line["result"] is not None else None
        item.notes = _str(line, "notes")
        item.methods = [AuditMethod(m) for m in line.get("methods", [])]
        item.sample_population = _str(line, "sample_population")
        size = line.get("sample_size")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
            raise ValueError("a sample size")
        item.sample_size = size
        item.sample_items = _str(line, "sample_items")
        item.recorded_at = clock.now()
        session.add(item)
        for sha in line.get("evidence", []):
            evidence.link(session, stored[sha], EVIDENCE_ENTITY, require_id(item))
    session.add(audit)
    session.flush()
    actions = 0
    findings = content["findings"]
    for f in findings:
        line_id = f.get("line")
        if line_id is not None and int(line_id) not in mine:
            raise ValueError("a finding names a line outside the kit")
        grading = Grading(f["grading"])
        finding = audits.raise_finding(
            session,
            audit_id,
            grading,
            _str(f, "statement"),
            _str(f, "evidence"),
            item_id=int(line_id) if line_id is not None else None,
            ref=_str(f, "ref"),
        )
        finding.raised_on = _day(f.get("raised_on")) or clock.today()
        session.add(finding)
        actions += grading in audits.NC_GRADINGS
        for sha in f.get("files", []):
            evidence.link(session, stored[sha], FINDING_ENTITY, require_id(finding))
    conclusion = _str(content, "conclusion").strip()
    if not conclusion:
        raise ValueError("no conclusion")
    try:  # every nonconformity line needs its finding, so that it reaches the action register
        audits.check_completable(session, audit_id)
    except InputError:
        raise ValueError("a line graded as a nonconformity has no finding") from None
    for item in mine.values():
        if item.result is None:
            item.result = AuditResult.NOT_AUDITED
            session.add(item)
    audit.summary, audit.conclusion = _str(content, "summary"), conclusion
    audit.status, audit.actual_end = AuditStatus.COMPLETED, _day(content.get("actual_end")) or clock.today()
    session.add(audit)
    kit.closed_at = clock.now()
    session.add(kit)
    session.add(
        ExchangePackage(
            kind=RESULTS,
            direction=IN,
            package_id=package.package_id,
            counterpart_org=package.issuer_org,
            ca_fingerprint=package.ca_fingerprint,
            audit_id=audit_id,
            origin_workspace=kit.origin_workspace,
            origin_audit_id=kit.origin_audit_id,
            kit_package_id=kit.package_id,
            manifest=package.manifest_bytes.decode("ascii"),
            at=clock.now(),
            by=by,
        )
    )
    session.flush()
    return ImportedResults(audit_id, package.issuer_org, len(lines), len(findings), actions, len(stored))


def _store_files(session: Session, package: Package, by: str) -> dict[str, Evidence]:
    """Each evidence file copied into the store under its original name (the store re-hashes it)."""
    stored: dict[str, Evidence] = {}
    for item in package.files():
        name = Path(item.name.replace("\\", "/").replace("\0", "")).name.strip()[:120]
        name = name if name not in ("", ".", "..") else "evidence"
        with tempfile.TemporaryDirectory(prefix="isms-exchange-") as tmp:
            copy = Path(tmp) / name
            shutil.copyfile(package.evidence[item.sha256], copy)
            ev = evidence.add_file(session, copy, by)
        if ev.sha256 != item.sha256:
            raise ValueError("an evidence file changed while it was stored")
        stored[item.sha256] = ev
    return stored


def _str(data: dict[str, Any], key: str, limit: int = 100_000) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError(f"its {key.replace('_', ' ')} is not text")
    return value


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("a date")
    return date.fromisoformat(value)
