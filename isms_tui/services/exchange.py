"""Audit exchange, the kit: a client issues one planned audit to an external auditor, who imports it.

The client's side builds the kit's manifest (the audit's plan and its checklist lines) and
records the kit as issued; the signing and the file are reports/exchange.py's. The
consultant's side imports a checked package (services/exchange_format.py) as a normal
planned audit in its own workspace, after judging the client's CA: given with --trust,
pinned from an earlier kit, or confirmed by its fingerprint on the first import. The
results' way back is services/exchange_results.py. The scheme: docs/audit-exchange.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlmodel import Session, col, select

from isms_tui.models import Audit, AuditItem, AuditStatus, ExchangePackage, ExchangeTrust, JournalEntry, require_id
from isms_tui.models.journal import GENESIS_HASH

from . import audits, clock
from .errors import InputError, NotFound
from .exchange_format import FORMAT, Package, fingerprint, new_package_id, now_text, refused
from .workspace import get_workspace, person_by_name

KIT, RESULTS = "kit", "results"
OUT, IN = "out", "in"


class UnconfirmedCA(InputError):
    """A kit from an organisation whose CA this workspace has never trusted: confirm its fingerprint."""

    def __init__(self, message: str, fingerprint: str, organisation: str) -> None:
        super().__init__(message)
        self.fingerprint = fingerprint
        self.organisation = organisation


def colon(hex_fingerprint: str) -> str:
    return ":".join(hex_fingerprint[i : i + 2] for i in range(0, len(hex_fingerprint), 2)).upper()


def normal(name: str) -> str:
    return " ".join(name.split()).casefold()


def workspace_id(session: Session) -> str:
    """The workspace's identity: the hash of its first journal entry (as checkpoints name it)."""
    first = session.exec(select(JournalEntry.hash).order_by(col(JournalEntry.id)).limit(1)).first()
    return first or GENESIS_HASH


def own_org(session: Session) -> str:
    ws = get_workspace(session)
    if ws is None or not ws.org_name.strip():
        raise InputError("Set the organisation's name first (Settings); packages are issued and addressed by it.")
    return " ".join(ws.org_name.split())


def by_package_id(session: Session, package_id: str) -> ExchangePackage | None:
    return session.exec(select(ExchangePackage).where(ExchangePackage.package_id == package_id)).first()


def packages_for(session: Session, audit_id: int) -> list[ExchangePackage]:
    q = select(ExchangePackage).where(ExchangePackage.audit_id == audit_id).order_by(col(ExchangePackage.id))
    return list(session.exec(q))


def is_external(session: Session, audit_id: int) -> bool:
    """Whether the audit was imported from a client's kit (its results can be issued)."""
    return any(r.kind == KIT and r.direction == IN for r in packages_for(session, audit_id))


def describe(session: Session, audit_id: int) -> str:
    """One line for the audit's screen: where the audit came from or went, '' when nowhere."""
    parts = []
    rows = packages_for(session, audit_id)
    for row in rows:
        day = row.at.date().isoformat()
        if row.kind == KIT and row.direction == IN:
            parts.append(f"External audit for {row.counterpart_org} (kit imported {day})")
        elif row.kind == KIT and row.closed_at is not None:
            back = row.closed_at.date().isoformat()
            parts.append(f"Audited by {row.counterpart_org}: kit issued {day}, results imported {back}")
        elif row.kind == KIT:
            parts.append(f"Kit issued to {row.counterpart_org} on {day}, awaiting results")
    issued = [r for r in rows if r.kind == RESULTS and r.direction == OUT]
    if issued:
        parts.append(f"results issued {issued[-1].at.date().isoformat()}")
    return "; ".join(parts)


# -- trust ------------------------------------------------------------------------------------


def judge_ca(
    session: Session, package: Package, by: str, trusted: list[x509.Certificate] | None, accept: str | None = None
) -> None:
    """Refuse a package whose CA this workspace does not trust; remember the CA trusted.

    `trusted` (from --trust) decides when given; else the CA pinned for the issuer from an
    earlier package; else, for a kit only, the fingerprint the user confirmed (`accept`).
    """
    org, fp = package.issuer_org, package.ca_fingerprint
    pinned = session.exec(select(ExchangeTrust).where(ExchangeTrust.organisation == org)).first()
    if trusted:
        if fp not in {fingerprint(c) for c in trusted}:
            raise refused(package.path, f"it is signed under a CA (SHA-256 {colon(fp)}) that is not the one given")
    elif pinned is not None:
        if pinned.ca_fingerprint != fp:
            raise refused(
                package.path,
                f"it is signed under a CA other than the one trusted for {org} "
                f"(SHA-256 {colon(pinned.ca_fingerprint)}); if it really changed, pass its new CA with --trust",
            )
    elif accept is None or accept.replace(":", "").lower() != fp or package.kind != KIT:
        if package.kind == KIT:
            raise UnconfirmedCA(
                f"The CA of {org} is not trusted here yet: confirm its SHA-256 {colon(fp)} with {org}, "
                "then import with --fingerprint (or --trust CA.pem).",
                fp,
                org,
            )
        raise refused(package.path, f"the CA of {org} is not trusted here; pass its CA certificate with --trust CA.pem")
    pem = package.ca.public_bytes(Encoding.PEM).decode("ascii")
    if pinned is None:
        pinned = ExchangeTrust(organisation=org, ca_fingerprint=fp, ca_pem=pem, at=clock.now(), by=by)
    elif pinned.ca_fingerprint != fp:
        pinned.ca_fingerprint, pinned.ca_pem, pinned.at, pinned.by = fp, pem, clock.now(), by
    session.add(pinned)
    session.flush()


def check_addressed(session: Session, package: Package, kind: str) -> str:
    """Refuse a package of the wrong kind, for another organisation, or seen before; our org."""
    if package.kind != kind:
        other = "audit results (import them with import-results)" if kind == KIT else "an audit kit (import-kit)"
        raise refused(package.path, f"it is {other}")
    org = own_org(session)
    if normal(package.recipient_org) != normal(org):
        raise refused(package.path, f"it is addressed to {package.recipient_org}, not to {org}")
    seen = by_package_id(session, package.package_id)
    if seen is not None:
        raise refused(package.path, f"it was imported here already on {seen.at.date().isoformat()} (a replay)")
    return org


# -- the client: issuing a kit ------------------------------------------------------------------


def kit_manifest(session: Session, audit_id: int, recipient: str, by: str, ca_fingerprint: str) -> dict[str, Any]:
    """The kit's manifest for a planned audit, addressed to the auditor's organisation."""
    audit = audits.get_audit(session, audit_id)
    org = own_org(session)
    recipient = " ".join(recipient.split())
    if not recipient:
        raise InputError("Name the organisation the kit is for (the external auditor's, as in their workspace).")
    if normal(recipient) == normal(org):
        raise InputError(f"The kit is for an external auditor; {org} is this workspace's own organisation.")
    if audit.status != AuditStatus.PLANNED:
        raise InputError(f"Audit {audit_id} is {audit.status.value}; a kit is issued for a planned audit.")
    lines = [
        {
            "line": require_id(it),
            "position": it.position,
            "ref": it.ref,
            "title": it.title,
            "question": it.question,
            "evidence_hint": it.evidence_hint,
        }
        for it in audits.items(session, audit_id)
    ]
    if not lines:
        raise InputError(f"Audit {audit_id} has no checklist lines to send.")
    return {
        "format": FORMAT,
        "kind": KIT,
        "package_id": new_package_id(),
        "created_at": now_text(),
        "issuer": {"organisation": org, "ca_fingerprint": ca_fingerprint, "workspace": workspace_id(session), "by": by},
        "recipient": {"organisation": recipient},
        "audit": {"workspace": workspace_id(session), "audit_id": audit_id},
        "content": {
            "title": audit.title,
            "scope_refs": list(audit.scope_refs),
            "scope_areas": list(audit.scope_areas),
            "criteria": audit.criteria,
            "methods": audit.methods,
            "planned_start": audit.planned_start.isoformat(),
            "planned_end": audit.planned_end.isoformat(),
            "auditees": audit.auditees,
            "lines": lines,
        },
        "evidence": [],
    }


def record_issued(
    session: Session, manifest: dict[str, Any], manifest_bytes: bytes, by: str, local_audit: int
) -> ExchangePackage:
    """Record a package issued from here (a kit or results), journaled, before its file is written."""
    audit = manifest["audit"]
    row = ExchangePackage(
        kind=manifest["kind"],
        direction=OUT,
        package_id=manifest["package_id"],
        counterpart_org=manifest["recipient"]["organisation"],
        ca_fingerprint=manifest["issuer"]["ca_fingerprint"],
        audit_id=local_audit,
        origin_workspace=audit["workspace"],
        origin_audit_id=audit["audit_id"],
        kit_package_id=audit.get("kit", ""),
        manifest=manifest_bytes.decode("ascii"),
        at=clock.now(),
        by=by,
    )
    session.add(row)
    session.flush()
    return row


# -- the consultant: importing a kit ------------------------------------------------------------


@dataclass(frozen=True)
class ImportedKit:
    audit_id: int
    client: str
    lines: int
    ca_fingerprint: str

    def sentence(self) -> str:
        return (
            f"Imported the audit kit from {self.client} as audit {self.audit_id} "
            f"({self.lines} checklist lines; the CA of {self.client}: SHA-256 {colon(self.ca_fingerprint)})."
        )


def import_kit(
    session: Session, package: Package, by: str, trusted: list[x509.Certificate] | None, accept: str | None = None
) -> ImportedKit:
    """Create the kit's audit here as a planned audit, all or nothing, journaled as `by`."""
    check_addressed(session, package, KIT)
    judge_ca(session, package, by, trusted, accept)
    content = package.content
    try:
        audit, lines = _kit_audit(session, content)
    except (KeyError, TypeError, ValueError):
        raise refused(package.path, "its audit plan is incomplete or malformed") from None
    session.add(audit)
    session.flush()
    audit_id = require_id(audit)
    session.add_all(AuditItem(audit_id=audit_id, **line) for line in lines)
    session.add(
        ExchangePackage(
            kind=KIT,
            direction=IN,
            package_id=package.package_id,
            counterpart_org=package.issuer_org,
            ca_fingerprint=package.ca_fingerprint,
            audit_id=audit_id,
            origin_workspace=package.audit["workspace"],
            origin_audit_id=package.audit["audit_id"],
            manifest=package.manifest_bytes.decode("ascii"),
            at=clock.now(),
            by=by,
        )
    )
    session.flush()
    return ImportedKit(audit_id, package.issuer_org, len(lines), package.ca_fingerprint)


def _text(data: dict[str, Any], key: str, limit: int = 20_000) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError(key)
    return value


def _kit_audit(session: Session, content: dict[str, Any]) -> tuple[Audit, list[dict[str, Any]]]:
    from datetime import date

    ws = get_workspace(session)
    me = person_by_name(session, ws.current_user) if ws and ws.current_user else None
    start, end = date.fromisoformat(_text(content, "planned_start")), date.fromisoformat(_text(content, "planned_end"))
    if end < start:
        raise ValueError("dates")
    refs, areas = content.get("scope_refs", []), content.get("scope_areas", [])
    if not isinstance(refs, list) or not isinstance(areas, list) or not all(isinstance(r, str) for r in refs + areas):
        raise ValueError("scope")
    title = _text(content, "title", 500).strip()
    if not title:
        raise ValueError("title")
    audit = Audit(
        title=title,
        scope_refs=refs,
        scope_areas=areas,
        criteria=_text(content, "criteria"),
        methods=_text(content, "methods"),
        planned_start=start,
        planned_end=end,
        auditees=_text(content, "auditees"),
        lead_auditor_id=me.id if me else None,
    )
    lines = []
    positions = set()
    for line in content["lines"]:
        position = line["position"]
        if not isinstance(position, int) or isinstance(position, bool) or position in positions:
            raise ValueError("position")
        positions.add(position)
        lines.append(
            {
                "position": position,
                **{k: _text(line, k, 5000) for k in ("ref", "title", "question", "evidence_hint")},
            }
        )
    if not lines or len(lines) > 5000:
        raise ValueError("lines")
    return audit, lines


def kit_of(session: Session, audit_id: int) -> ExchangePackage:
    """The kit an audit here was imported from; NotFound when it was planned here."""
    row = session.exec(
        select(ExchangePackage)
        .where(ExchangePackage.audit_id == audit_id, ExchangePackage.kind == KIT, ExchangePackage.direction == IN)
        .order_by(col(ExchangePackage.id).desc())
    ).first()
    if row is None:
        raise NotFound(f"Audit {audit_id} was not imported from an audit kit; results go back only for a kit's audit.")
    return row


def kit_lines(row: ExchangePackage) -> dict[int, dict[str, Any]]:
    """The kit's checklist lines by position, from the manifest kept when it was imported or issued."""
    content = json.loads(row.manifest)["content"]
    return {int(line["position"]): line for line in content["lines"]}
