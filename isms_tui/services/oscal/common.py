"""What the OSCAL documents share: control ids, stable UUIDs, timestamps, properties, metadata.

The documents are built as plain JSON-shaped dicts (OSCAL's hyphenated keys) and then parsed
into compliance-trestle's models (`trestle_io`), which is what validates them; this module
needs neither trestle nor the network.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from isms_tui.catalogues import standard
from isms_tui.models import JournalEntry, Person, Workspace
from isms_tui.models.db import hold_snapshot
from isms_tui.models.journal import GENESIS_HASH

from ..journal import head

Json = dict[str, Any]

# Our own names (grading, result, journal head …) are qualified by this namespace, so that they
# never read as NIST's or FedRAMP's.
NS = "urn:isms-tui:oscal"
# The prefix of every control id: the standard and its edition, as OSCAL ids allow.
CONTROL_PREFIX = "iso27001-2022"
_NOT_TOKEN = re.compile(r"[^A-Za-z0-9_.\-]+")
# Pinned so that the same workspace always yields the same UUIDs (uuid5 under it).
# `trestle_io` puts in the OSCAL version of the models that validate the document.
OSCAL_VERSION_PLACEHOLDER = "0.0.0"
UUID_ROOT = uuid.UUID("6f6b4f0e-2b1c-5a3e-9d57-0c3a1e9b8d21")


def control_id(ref: str) -> str:
    """The OSCAL control id of a catalogue ref: ``A.5.1`` → ``iso27001-2022_a.5.1``, ``9.2.2`` →
    ``iso27001-2022_clause-9.2.2``; a ref of the organisation's own checklists keeps its text as
    far as an OSCAL token allows (``iso27001-2022_custom-…``)."""
    text = ref.strip()
    if re.fullmatch(r"A\.\d+(\.\d+)*", text, re.IGNORECASE):
        return f"{CONTROL_PREFIX}_{text.lower()}"
    if re.fullmatch(r"\d+(\.\d+)*", text):
        return f"{CONTROL_PREFIX}_clause-{text}"
    token = _NOT_TOKEN.sub("-", text).strip("-").lower() or "unnamed"
    return f"{CONTROL_PREFIX}_custom-{token}"


def group_id(section: str) -> str:
    """The catalogue group of a clause (``4`` → ``clause-4``) or an Annex A theme (``A.5`` → ``a.5``)."""
    return section.lower() if section.upper().startswith("A.") else f"clause-{section}"


def prop(name: str, value: object, *, ours: bool = True) -> Json:
    """An OSCAL property; `ours` qualifies the name with our namespace."""
    out: Json = {"name": name, "value": one_line(str(value)) or "-"}
    if ours:
        out["ns"] = NS
    return out


def texts(values: object) -> list[str]:
    """The non-blank strings of a stored JSON list, stripped (a list edited outside isms may
    hold numbers or nulls: they name nothing, so they are left out; `isms journal verify`
    reports the edit)."""
    if not isinstance(values, list):
        return []
    return [v.strip() for v in values if isinstance(v, str) and v.strip()]


def numbers(values: object) -> list[int]:
    """The integers of a stored JSON list of ids (see `texts`)."""
    if not isinstance(values, list):
        return []
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def one_line(text: str) -> str:
    """OSCAL titles and property values are one line: whitespace runs become one space."""
    return " ".join(text.split())


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Ids:
    """Deterministic UUIDs: uuid5 of the workspace's identity and the record's kind and id, so a
    re-export of the same record carries the same UUIDs and two workspaces never share one."""

    workspace: str

    def of(self, kind: str, *key: object) -> str:
        name = ":".join([self.workspace, kind, *(str(k) for k in key)])
        return str(uuid.uuid5(UUID_ROOT, name))


@dataclass
class Context:
    """What every document of one workspace needs: ids, the organisation, the clock, the people."""

    ids: Ids
    org_name: str
    scope: str
    tz: ZoneInfo
    last_modified: datetime
    journal_count: int
    journal_head: str
    people: dict[int, Person] = field(default_factory=dict)

    @property
    def org_uuid(self) -> str:
        return self.ids.of("organisation")

    def person_uuid(self, person_id: int) -> str:
        return self.ids.of("person", person_id)

    def at_start(self, day: date) -> datetime:
        """Midnight at the start of `day` in the workspace's time zone."""
        return datetime.combine(day, time.min, self.tz)

    def at_end(self, day: date) -> datetime:
        """The last second of `day` in the workspace's time zone."""
        return datetime.combine(day, time(23, 59, 59), self.tz)


def context(session: Session) -> Context:
    """Read the workspace's identity (its first journal entry's hash: fixed for the file's life),
    its organisation and time zone, the journal head and the people, in the caller's session,
    from here on reading one snapshot of the file."""
    hold_snapshot(session)
    ws = session.exec(select(Workspace)).first()
    first = session.exec(select(JournalEntry.hash).order_by(col(JournalEntry.id)).limit(1)).first()
    count, head_hash = head(session)
    last_at = session.exec(select(JournalEntry.at).order_by(col(JournalEntry.id).desc()).limit(1)).first()
    try:
        tz = ZoneInfo(ws.timezone) if ws and ws.timezone else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    try:
        modified = datetime.fromisoformat(last_at) if last_at else datetime(2000, 1, 1, tzinfo=UTC)
    except ValueError:
        modified = datetime(2000, 1, 1, tzinfo=UTC)
    if modified.tzinfo is None:
        modified = modified.replace(tzinfo=UTC)
    people = {p.id: p for p in session.exec(select(Person)) if p.id is not None}
    return Context(
        ids=Ids(first or GENESIS_HASH),
        org_name=one_line(ws.org_name) if ws and ws.org_name.strip() else "The organisation",
        scope=ws.scope.strip() if ws else "",
        tz=tz,
        last_modified=modified,
        journal_count=count,
        journal_head=head_hash,
        people=people,
    )


# -- metadata ---------------------------------------------------------------------------------


ROLES = {
    "assessment-lead": "Lead auditor",
    "assessor": "Auditor",
    "assessment-team": "Audit team",
    "auditee": "Auditee",
    "risk-owner": "Risk owner",
    "report-recipient": "Audit results reported to (9.2.2 c)",
}


def metadata(ctx: Context, title: str, parties: dict[str, set[int]], *, remarks: str = "") -> Json:
    """OSCAL metadata: the title, the time of the workspace's last recorded change, a version
    naming the journal head it was read at, the organisation and the people in `parties`
    (role id → person ids) with their roles."""
    involved = sorted({pid for ids in parties.values() for pid in ids if pid in ctx.people})
    party_list: list[Json] = [{"uuid": ctx.org_uuid, "type": "organization", "name": ctx.org_name}]
    for pid in involved:
        person = ctx.people[pid]
        entry: Json = {
            "uuid": ctx.person_uuid(pid),
            "type": "person",
            "name": one_line(person.name) or f"Person {pid}",
            "member-of-organizations": [ctx.org_uuid],
        }
        if person.role.strip():
            entry["props"] = [prop("job-title", person.role, ours=False)]
        party_list.append(entry)
    used = [role for role in ROLES if any(pid in ctx.people for pid in parties.get(role, ()))]
    out: Json = {
        "title": one_line(title),
        "last-modified": iso(ctx.last_modified),
        "version": f"journal entry {ctx.journal_count}",
        "oscal-version": OSCAL_VERSION_PLACEHOLDER,
        "props": [prop("journal-head", ctx.journal_head), prop("standard", standard())],
        "roles": [{"id": "organisation", "title": "Organisation"}] + [{"id": r, "title": ROLES[r]} for r in used],
        "parties": party_list,
        "responsible-parties": [{"role-id": "organisation", "party-uuids": [ctx.org_uuid]}]
        + [
            {"role-id": r, "party-uuids": [ctx.person_uuid(p) for p in sorted(parties[r]) if p in ctx.people]}
            for r in used
        ],
    }
    if remarks:
        out["remarks"] = remarks
    return out


def people_named_in(text: str, people: Iterable[Person]) -> set[int]:
    """The people whose name appears in a free-text list (an audit's auditees)."""
    folded = " ".join(text.split()).casefold()
    found = set()
    for person in people:
        name = " ".join(person.name.split()).casefold()
        # whole words only: "Ann" is not named in "Joanne"
        if person.id is not None and name and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded):
            found.add(person.id)
    return found
