"""The signed audit round trip between two workspaces and two identities: the client issues a kit,
the external auditor imports it, audits and returns signed results, the client imports them;
a tampered, foreign, replayed or untrusted package is refused in one sentence, changing nothing."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from isms_tui.models import (
    Action,
    Audit,
    AuditItem,
    AuditResult,
    AuditStatus,
    Evidence,
    EvidenceLink,
    ExchangePackage,
    Finding,
)

from .db_helpers import read
from .exchange_helpers import (
    CLIENT,
    CONSULTANT,
    Identities,
    build_trip,
    isms,
    make_client,
    make_consultant,
    make_identities,
    manifest_of,
    rewrite,
)


@pytest.fixture(scope="module")
def ids(tmp_path_factory: pytest.TempPathFactory) -> Identities:
    return make_identities(tmp_path_factory.mktemp("exchange-keys"))


@pytest.fixture(scope="module")
def trip(ids: Identities, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A kit issued, imported, audited and its results issued (not yet imported by the client)."""
    return build_trip(ids, tmp_path_factory.mktemp("trip"))


def copy_ws(src: Path, dst_dir: Path) -> Path:
    dst_dir.mkdir(parents=True, exist_ok=True)
    dst = dst_dir / src.name
    shutil.copyfile(src, dst)
    store = src.with_name(src.name + ".evidence")
    if store.exists():
        shutil.copytree(store, dst.with_name(dst.name + ".evidence"))
    return dst


def journal_entries(db: Path) -> int:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM journal").fetchone()[0]
    finally:
        con.close()


def refused(ids: Identities, db: Path, *args, keys: Path | None = None) -> str:
    before = journal_entries(db)
    done = isms(keys or ids.client_keys, "--db", db, "audit", *args)
    assert done.exit_code == 1, done.output
    assert "Traceback" not in done.output and done.output.count("\n") == 1, done.output
    assert journal_entries(db) == before  # nothing changed
    return done.output


def test_round_trip_lands_lines_findings_actions_and_evidence(ids, trip, tmp_path):
    client = copy_ws(trip["client"], tmp_path)
    done = isms(
        ids.client_keys,
        "--db",
        client,
        "audit",
        "import-results",
        trip["results"],
        "--trust",
        ids.ca(ids.consultant_keys),
    )
    assert done.exit_code == 0, done.output
    assert "3 lines, 1 findings, 1 corrective actions, 1 evidence files" in done.output

    def look(s):
        items = list(s.exec(select(AuditItem).order_by(AuditItem.position)))
        finding = s.exec(select(Finding)).one()
        action = s.exec(select(Action).where(Action.source == "finding")).one()
        ev = s.exec(select(Evidence)).one()
        link = s.exec(select(EvidenceLink)).one()
        audit = s.get(Audit, items[0].audit_id)
        rows = list(s.exec(select(ExchangePackage).order_by(ExchangePackage.id)))
        return items, finding, action, ev, link, audit, rows

    items, finding, action, ev, link, audit, rows = read(client, look)
    assert [i.result for i in items] == [AuditResult.CONFORMING, AuditResult.MINOR_NC, AuditResult.OBSERVATION]
    assert items[1].sample_size == 25 and "leavers" in items[1].notes
    assert finding.item_id == items[1].id and finding.grading.value == "minor NC"
    assert action.source_id == finding.id and action.nonconformity
    assert ev.original_name == "leavers-sample.csv" and link.entity_id == items[1].id
    assert client.with_name("client.db.evidence").joinpath(ev.sha256[:2], ev.sha256).is_file()
    assert audit.status == AuditStatus.COMPLETED and audit.conclusion.startswith("The ISMS conforms")
    assert [(r.kind, r.direction) for r in rows] == [("kit", "out"), ("results", "in")]
    assert rows[0].closed_at is not None and rows[1].by == "Cleo Client"

    for keys, db in ((ids.client_keys, client), (ids.consultant_keys, trip["consultant"])):
        assert isms(keys, "--db", db, "journal", "verify").exit_code == 0
        assert isms(keys, "--db", db, "evidence", "verify").exit_code == 0

    # replayed: the same package again, and the kit is closed for any other results
    assert "replay" in refused(ids, client, "import-results", trip["results"])
    again = tmp_path / "again.isms-audit"
    done = isms(
        ids.consultant_keys,
        "--db",
        copy_ws(trip["consultant"], tmp_path / "c"),
        "audit",
        "results",
        "1",
        "--out",
        again,
    )
    assert done.exit_code == 0, done.output
    assert "imported already" in refused(ids, client, "import-results", again)


def test_the_consultant_sees_the_client_audit_as_a_normal_planned_audit(ids, trip):
    def look(s):
        from isms_tui.models import Audit
        from isms_tui.services import exchange

        audit = s.get(Audit, 1)
        return audit.title, audit.lead_auditor_id, exchange.describe(s, 1), len(list(s.exec(select(AuditItem))))

    listed = isms(ids.consultant_keys, "--db", trip["consultant"], "audit", "list")
    assert f"External audit for {CLIENT}" in listed.output and "results issued" in listed.output
    title, lead, line, count = read(trip["consultant"], look)
    assert title == "Access control audit" and lead is not None and count == 3
    assert line.startswith(f"External audit for {CLIENT}")


def test_tampered_packages_are_refused(ids, trip, tmp_path):
    client = copy_ws(trip["client"], tmp_path)
    ca = ids.ca(ids.consultant_keys)

    def manifest(name, data):
        return data.replace(b"minor NC", b"observation") if name == "manifest.json" else data

    def evidence(name, data):
        return data + b"x" if name.startswith("evidence/") else data

    def signature(name, data):
        if name != "signature.json":
            return data
        block = json.loads(data)
        block["signature"] = block["signature"][:-8] + (
            "A" * 8 if not block["signature"].endswith("A" * 8) else "B" * 8
        )
        return json.dumps(block).encode()

    def extra(name, data):
        return data

    for change, words in ((manifest, "altered"), (evidence, "altered"), (signature, "altered")):
        bad = rewrite(trip["results"], tmp_path / f"{change.__name__}.zip", change)
        assert words in refused(ids, client, "import-results", bad, "--trust", ca)
    dropped = rewrite(trip["results"], tmp_path / "dropped.zip", lambda n, d: None if n.startswith("evidence/") else d)
    assert "not the ones its signed manifest lists" in refused(ids, client, "import-results", dropped, "--trust", ca)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    assert "not a ZIP" in refused(ids, client, "import-results", junk, "--trust", ca)
    for name, attr, words in (
        ("../../evil.txt", 0, "unexpected file"),
        ("evidence/" + "a" * 64, 0o120777 << 16, "not a plain file"),  # a symbolic link
    ):
        hostile = shutil.copyfile(trip["results"], tmp_path / "hostile.zip")
        with zipfile.ZipFile(hostile, "a") as zf:
            info = zipfile.ZipInfo(name)
            info.external_attr = attr
            zf.writestr(info, b"/etc/passwd")
        assert words in refused(ids, client, "import-results", hostile, "--trust", ca)
    fifo = tmp_path / "pipe.isms-audit"
    os.mkfifo(fifo)
    assert "named pipe" in refused(ids, client, "import-results", fifo, "--trust", ca)


def test_results_for_another_client_are_refused(ids, trip, tmp_path):
    other = tmp_path / "other.db"
    make_client(other, org="Southwind Logistics Ltd")
    out = refused(ids, other, "import-results", trip["results"], "--trust", ids.ca(ids.consultant_keys))
    assert f"addressed to {CLIENT}, not to Southwind Logistics Ltd" in out
    same_name = tmp_path / "same" / "client.db"
    same_name.parent.mkdir()
    make_client(same_name)  # the same organisation's name, another workspace
    out = refused(ids, same_name, "import-results", trip["results"], "--trust", ids.ca(ids.consultant_keys))
    assert "another workspace" in out


def test_untrusted_ca_is_refused(ids, trip, tmp_path):
    client = copy_ws(trip["client"], tmp_path)
    assert "not trusted here" in refused(ids, client, "import-results", trip["results"])
    wrong = refused(ids, client, "import-results", trip["results"], "--trust", ids.ca(ids.stranger_keys))
    assert "not the one given" in wrong
    # remembered once trusted: a package from the same name under another CA is refused
    done = isms(
        ids.client_keys,
        "--db",
        client,
        "audit",
        "import-results",
        trip["results"],
        "--trust",
        ids.ca(ids.consultant_keys),
    )
    assert done.exit_code == 0, done.output


def test_a_kit_needs_its_ca_confirmed_and_is_imported_once(ids, trip, tmp_path):
    consultant = tmp_path / "fresh.db"
    make_consultant(consultant)
    out = refused(ids, consultant, "import-kit", trip["kit"], keys=ids.consultant_keys)
    assert "not trusted here yet" in out and "--fingerprint" in out
    fp = manifest_of(trip["kit"])["issuer"]["ca_fingerprint"]
    done = isms(ids.consultant_keys, "--db", consultant, "audit", "import-kit", trip["kit"], "--fingerprint", fp)
    assert done.exit_code == 0, done.output
    assert "replay" in refused(ids, consultant, "import-kit", trip["kit"], keys=ids.consultant_keys)
    stranger = tmp_path / "stranger.db"
    make_consultant(stranger)
    out = refused(ids, stranger, "import-kit", trip["results"], "--fingerprint", fp, keys=ids.consultant_keys)
    assert "import-results" in out
    client = copy_ws(trip["client"], tmp_path / "c")
    out = refused(ids, client, "import-kit", trip["kit"], "--fingerprint", fp)
    assert f"addressed to {CONSULTANT}, not to {CLIENT}" in out


def test_results_signed_by_a_pretender_are_refused(ids, trip, tmp_path):
    """Another organisation calling itself the consultant, with a CA of its own, signs results for
    the same kit: the client, trusting the real consultant's CA, refuses them."""
    client = copy_ws(trip["client"], tmp_path)
    consultant = copy_ws(trip["consultant"], tmp_path / "c")
    forged = tmp_path / "forged.isms-audit"
    done = isms(ids.stranger_keys, "--db", consultant, "audit", "results", "1", "--out", forged)
    assert done.exit_code == 0, done.output
    real_ca = ids.ca(ids.consultant_keys)
    assert "not the one given" in refused(ids, client, "import-results", forged, "--trust", real_ca)
    assert "not trusted here" in refused(ids, client, "import-results", forged)


def test_kit_refusals(ids, trip, tmp_path):
    client = copy_ws(trip["client"], tmp_path)
    out = refused(ids, client, "kit", "1", "--for", CLIENT, "--out", tmp_path / "k")
    assert "own organisation" in out
    out = refused(ids, client, "kit", "99", "--for", CONSULTANT, "--out", tmp_path / "k")
    assert "No audit with id 99" in out
    assert not (tmp_path / "k").exists()
    from click.testing import CliRunner

    from isms_tui.cli import main

    env = {"ISMS_KEYS_DIR": str(ids.client_keys), "ISMS_PASSPHRASE": None}
    args = ["--db", str(client), "audit", "kit", "1", "--for", CONSULTANT, "--out", str(tmp_path / "k")]
    done = CliRunner().invoke(main, args, env=env)
    assert done.exit_code == 1 and "No passphrase given" in done.output
    wrong = {**env, "ISMS_PASSPHRASE": "Wrong-Passphrase-Entirely-4411"}
    done = CliRunner().invoke(main, args, env=wrong)
    assert done.exit_code == 1 and "Traceback" not in done.output and done.output.count("\n") == 1, done.output
    assert not (tmp_path / "k").exists()
    assert read(client, lambda s: len(list(s.exec(select(ExchangePackage))))) == 1  # only the module's kit


def test_a_kit_under_another_ca_than_the_one_pinned_is_refused(ids, trip, tmp_path):
    """The consultant pinned the client's CA with the first kit; a kit from someone else who calls
    themselves the client, under a CA of their own, is refused unless that CA is given."""
    consultant = copy_ws(trip["consultant"], tmp_path / "c")
    impostor = copy_ws(trip["client"], tmp_path / "i")
    forged = tmp_path / "forged-kit.isms-audit"
    done = isms(ids.impostor_keys, "--db", impostor, "audit", "kit", "1", "--for", CONSULTANT, "--out", forged)
    assert done.exit_code == 0, done.output
    out = refused(ids, consultant, "import-kit", forged, keys=ids.consultant_keys)
    assert f"a CA other than the one trusted for {CLIENT}" in out
    fp = manifest_of(forged)["issuer"]["ca_fingerprint"]
    out = refused(ids, consultant, "import-kit", forged, "--fingerprint", fp, keys=ids.consultant_keys)
    assert "other than the one trusted" in out  # a fingerprint never overrides a pinned CA


def test_signed_results_that_skip_a_findings_corrective_action_are_refused(ids, trip, tmp_path, monkeypatch):
    """Even signed by the trusted auditor, results with a nonconformity line and no finding (so no
    corrective action) or with a line the kit never had are refused, and nothing lands."""
    import uuid

    from isms_tui.reports import exchange as issuing
    from isms_tui.reports import keys

    from .exchange_helpers import PASSPHRASE

    client = copy_ws(trip["client"], tmp_path)
    monkeypatch.setenv("ISMS_KEYS_DIR", str(ids.consultant_keys))
    identity = keys.load_identity(PASSPHRASE, CONSULTANT)
    files = {}
    with zipfile.ZipFile(trip["results"]) as zf:
        for name in zf.namelist():
            if name.startswith("evidence/"):
                files[name[9:]] = tmp_path / name[9:]
                files[name[9:]].write_bytes(zf.read(name))

    def resigned(name, change):
        manifest = manifest_of(trip["results"])
        manifest["package_id"] = str(uuid.uuid4())
        change(manifest["content"])
        out = tmp_path / name
        issuing._sign_and_write(identity, manifest, out, files)
        return out

    no_finding = resigned("no-finding.zip", lambda c: c.update(findings=[]))
    ca = ids.ca(ids.consultant_keys)
    out = refused(ids, client, "import-results", no_finding, "--trust", ca, keys=ids.consultant_keys)
    assert "nonconformity has no finding" in out
    extra = resigned("extra-line.zip", lambda c: c["lines"].append({**c["lines"][0], "line": 999}))
    assert "not the kit's lines" in refused(ids, client, "import-results", extra, "--trust", ca)


def test_a_full_disk_or_a_link_as_output_changes_nothing(ids, trip, tmp_path, monkeypatch):
    import errno

    from isms_tui.services import evidence_store

    client = copy_ws(trip["client"], tmp_path)
    link = tmp_path / "kit-link.isms-audit"
    link.symlink_to(tmp_path / "elsewhere")
    out = refused(ids, client, "kit", "1", "--for", CONSULTANT, "--out", link)
    assert "symbolic link" in out and not (tmp_path / "elsewhere").exists()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(evidence_store, "install", full)
    out = refused(ids, client, "import-results", trip["results"], "--trust", ids.ca(ids.consultant_keys))
    assert "not enough space" in out
    assert read(client, lambda s: s.get(Audit, 1).status) == (AuditStatus.PLANNED)
