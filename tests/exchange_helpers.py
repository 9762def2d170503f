"""Two organisations for the audit exchange tests: a client and an external auditor, each with its
own workspace and its own signing identity (keys folder), created once per module."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from click.testing import CliRunner, Result

from isms_tui.cli import main

from .db_helpers import write

PASSPHRASE = "Velvet-Quarry-Lantern-1987-mosaic"
CLIENT = "Northwind Analytics Ltd"
CONSULTANT = "Harbour Audit Partners"
SCOPE = ["A.5.15", "A.5.16", "A.8.5"]


@dataclass(frozen=True)
class Identities:
    client_keys: Path
    consultant_keys: Path
    stranger_keys: Path  # an organisation calling itself the consultant, with a CA of its own
    impostor_keys: Path  # one calling itself the client

    def ca(self, keys: Path) -> Path:
        return keys / "ca.pem"


def make_identities(base: Path) -> Identities:
    import pytest

    from isms_tui.reports import keys

    found = Identities(base / "client-keys", base / "consultant-keys", base / "stranger-keys", base / "impostor-keys")
    with pytest.MonkeyPatch.context() as mp:
        for folder, org in (
            (found.client_keys, CLIENT),
            (found.consultant_keys, CONSULTANT),
            (found.stranger_keys, CONSULTANT),
            (found.impostor_keys, CLIENT),
        ):
            mp.setenv("ISMS_KEYS_DIR", str(folder))
            keys.init_identity(org, PASSPHRASE)
    return found


def isms(keys: Path, *args: str | Path, input: str | None = None) -> Result:
    env = {"ISMS_KEYS_DIR": str(keys), "ISMS_PASSPHRASE": PASSPHRASE}
    return CliRunner().invoke(main, [str(a) for a in args], env=env, input=input)


def make_client(path: Path, org: str = CLIENT) -> int:
    """A client workspace with one planned audit of three lines; returns the audit's id."""
    from isms_tui.services import audits, workspace

    def build(s):
        workspace.save_workspace(s, org, current_user="Cleo Client")
        lead = workspace.save_person(s, "Cleo Client", role="ISMS manager")
        audit = audits.plan_audit(
            s,
            audits.AuditInput(
                title="Access control audit",
                planned_start=date(2026, 12, 1),
                planned_end=date(2026, 12, 3),
                scope_refs=SCOPE,
                lead_auditor_id=lead.id,
                auditees="IT operations",
            ),
        )
        return audit.id

    return write(path, build, "Cleo Client")


def make_consultant(path: Path) -> None:
    from isms_tui.services import workspace

    def build(s):
        workspace.save_workspace(s, CONSULTANT, current_user="Hana Auditor")
        workspace.save_person(s, "Hana Auditor", role="Lead auditor")

    write(path, build, "Hana Auditor")


def perform(path: Path, audit_id: int, evidence_file: Path) -> None:
    """The auditor's fieldwork: a conforming line, a minor NC with evidence and its finding, an
    observation, then the audit completed."""
    from isms_tui.models import AuditResult, Grading
    from isms_tui.services import audits, evidence

    def work(s):
        audits.start_audit(s, audit_id)
        first, second, third = audits.items(s, audit_id)
        audits.record_result(s, first.id, AuditResult.CONFORMING, notes="Policy seen, approved 2026-01-15.")
        audits.record_result(
            s, second.id, AuditResult.MINOR_NC, notes="Two leavers still had accounts.", sample_size=25
        )
        evidence.link(s, evidence.add_file(s, evidence_file, "Hana Auditor"), "audit_item", second.id)
        audits.record_result(s, third.id, AuditResult.OBSERVATION, notes="MFA prompts could be clearer.")
        audits.raise_finding(
            s, audit_id, Grading.MINOR_NC, "Leavers' accounts not removed within 24 h.", item_id=second.id
        )
        audits.complete_audit(s, audit_id, "Three controls sampled.", "The ISMS conforms but for one minor NC.")

    write(path, work, "Hana Auditor")


def rewrite(package: Path, out: Path, change) -> Path:
    """A copy of `package` whose members pass through `change(name, data) -> data` (None drops one)."""
    members = {}
    with zipfile.ZipFile(package) as zf:
        for info in zf.infolist():
            data = change(info.filename, zf.read(info))
            if data is not None:
                members[info.filename] = data
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    out.write_bytes(buf.getvalue())
    return out


def manifest_of(package: Path) -> dict:
    with zipfile.ZipFile(package) as zf:
        return json.loads(zf.read("manifest.json"))


def build_trip(ids: Identities, base: Path) -> dict[str, Path]:
    """A kit issued, imported, audited and its results issued (not yet imported by the client)."""
    import pytest

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISMS_TODAY", "2026-11-28")
        client, consultant = base / "client.db", base / "consultant.db"
        audit_id = make_client(client)
        make_consultant(consultant)
        kit = base / "kit.isms-audit"
        done = isms(ids.client_keys, "--db", client, "audit", "kit", audit_id, "--for", CONSULTANT, "--out", kit)
        assert done.exit_code == 0, done.output
        done = isms(
            ids.consultant_keys, "--db", consultant, "audit", "import-kit", kit, "--trust", ids.ca(ids.client_keys)
        )
        assert done.exit_code == 0, done.output
        assert "as audit 1" in done.output
        evidence_file = base / "leavers-sample.csv"
        evidence_file.write_text("user,left,disabled\nj.doe,2026-10-01,2026-10-09\n")
        perform(consultant, 1, evidence_file)
        results = base / "results.isms-audit"
        done = isms(ids.consultant_keys, "--db", consultant, "audit", "results", "1", "--out", results)
        assert done.exit_code == 0, done.output
    return {"client": client, "consultant": consultant, "kit": kit, "results": results, "base": base}
