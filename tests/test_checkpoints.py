"""Signed checkpoints: history that cannot be rewritten, cut short or rolled back unnoticed.

Each attack is what an insider with the sqlite3 shell and a copy of the file would do; the
property asserted is that `journal verify` (and `isms verify --previous` for packs) fails
and names the checkpoint contradicted, never that some message appears.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from isms_tui.cli import main
from isms_tui.models.journal import GENESIS_HASH, entry_hash
from isms_tui.services import journal_verify
from isms_tui.services.merkle import MerkleTree

PASSPHRASE = "Velvet-Quarry-Lantern-1987-mosaic"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def ws(demo_workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ISMS_PASSPHRASE", PASSPHRASE)
    return demo_workspace


def seal(db: Path) -> None:
    result = run("journal", "seal", "--db", db)
    assert result.exit_code == 0, result.output


def verify_json(db: Path) -> tuple[int, dict]:
    result = run("journal", "verify", "--db", db, "--json")
    return result.exit_code, json.loads(result.stdout)


def kinds(report: dict) -> set[str]:
    return {p["kind"] for p in report["problems"]}


def sql(db: Path, *statements: str) -> None:
    con = sqlite3.connect(db)
    for statement in statements:
        con.execute(statement)
    con.commit()
    con.close()


def reforge(db: Path, edit: str | None = None, start: int = 1) -> None:
    """Apply `edit` to the journal, then recompute every hash from entry `start` on, as a forger would."""
    con = sqlite3.connect(db)
    if edit:
        con.execute(edit)
    rows = con.execute(
        "SELECT id, at, actor, entity, entity_id, operation, before, after FROM journal WHERE id >= ? ORDER BY id",
        (start,),
    ).fetchall()
    prev = con.execute("SELECT hash FROM journal WHERE id = ?", (start - 1,)).fetchone()
    prev_hash = prev[0] if prev else GENESIS_HASH
    for eid, at, actor, entity, entity_id, op, before, after in rows:
        h = entry_hash(prev_hash, at, actor, entity, entity_id, op, before, after)
        con.execute("UPDATE journal SET prev_hash = ?, hash = ? WHERE id = ?", (prev_hash, h, eid))
        prev_hash = h
    con.commit()
    con.close()


def test_seal_is_listed_in_both_places_and_holds(ws: Path) -> None:
    seal(ws)
    code, report = verify_json(ws)
    assert code == 0 and report["ok"]
    sources = sorted(c["source"].split(" (")[0] for c in report["checkpoints"])
    assert sources == ["beside the keys", "in the workspace"]
    assert all(c["ok"] and c["trusted"] and c["reason"] == "seal" for c in report["checkpoints"])
    # the seal's own entry came after the head it signed: the checkpoint still names a real head
    assert report["entries"] == report["checkpoints"][0]["entries"] + 1


def test_an_older_copy_put_back_is_found(ws: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    shutil.copy(ws, old)
    seal(ws)
    seal(ws)  # a day's work later (the first seal's own entry is recorded work, too)
    shutil.copy(old, ws)  # the insider puts yesterday's file back
    code, report = verify_json(ws)
    assert code == 1
    assert "checkpoint-contradicted" in kinds(report)
    assert any("older copy" in p["message"] and "seal" in p["message"] for p in report["problems"])


def test_a_cut_tail_is_found(ws: Path) -> None:
    seal(ws)
    # cut the seal's own entry, its row and the entry before it: the chain itself stays intact
    con = sqlite3.connect(ws)
    last = con.execute("SELECT max(id) FROM journal").fetchone()[0]
    con.close()
    sql(ws, "DELETE FROM checkpoint", f"DELETE FROM journal WHERE id >= {last}")
    code, report = verify_json(ws)
    assert code == 0, report["problems"]  # cut after the signed head: the copy beside the keys still holds
    sql(ws, f"DELETE FROM journal WHERE id = {last - 1}")
    code, report = verify_json(ws)
    assert "checkpoint-contradicted" in kinds(report)


def test_a_reforged_chain_is_found_even_with_the_workspace_rows_removed(ws: Path) -> None:
    seal(ws)
    # rewrite an old update's "before" (no row disagrees with it) and recompute every later hash,
    # and remove the checkpoint rows inside the workspace and their journal entries too
    con = sqlite3.connect(ws)
    eid = con.execute("SELECT min(id) FROM journal WHERE operation = 'update' AND before IS NOT NULL").fetchone()[0]
    cp_entries = [r[0] for r in con.execute("SELECT id FROM journal WHERE entity = 'checkpoint'")]
    con.close()
    assert eid is not None
    assert len(cp_entries) == 1  # the seal's own entry, the newest: removing it leaves no gap
    sql(ws, "DELETE FROM checkpoint", f"DELETE FROM journal WHERE id = {cp_entries[0]}")
    reforge(ws, f"UPDATE journal SET actor = 'someone else' WHERE id = {eid}", start=eid)
    report = journal_verify_report(ws)
    assert not any(p.kind in ("chain-broken", "entry-altered") for p in report.problems)  # the chain is consistent
    assert journal_verify.CHECKPOINT_CONTRADICTED in {p.kind for p in report.problems}
    assert any("rewritten" in p.message for p in report.problems)


def journal_verify_report(db: Path) -> journal_verify.JournalReport:
    from isms_tui.models.db import open_engine, real_workspace_path, session_scope
    from isms_tui.reports.checkpoints import sources

    engine = open_engine(db, check_schema=False)
    try:
        with session_scope(engine) as session:
            return journal_verify.verify(session, sources(real_workspace_path(db)))
    finally:
        engine.dispose()


def test_history_reforged_from_the_first_entry_is_found_by_its_path(ws: Path) -> None:
    seal(ws)
    sql(ws, "DELETE FROM checkpoint", "DELETE FROM journal WHERE entity = 'checkpoint'")
    reforge(ws, "UPDATE journal SET actor = 'someone else' WHERE id = 1")
    code, report = verify_json(ws)
    assert code == 1 and "checkpoint-missing" in kinds(report)
    seal(ws)  # the owner of the key starts checkpoints for this history on purpose
    code, report = verify_json(ws)
    assert "checkpoint-missing" not in kinds(report)


def test_an_altered_checkpoint_row_is_named(ws: Path) -> None:
    seal(ws)
    con = sqlite3.connect(ws)
    text = con.execute("SELECT signed FROM checkpoint").fetchone()[0]
    con.close()
    doctored = json.loads(text)
    doctored["checkpoint"]["entries"] -= 5  # claim a shorter head
    sql_text = json.dumps(doctored).replace("'", "''")
    sql(ws, f"UPDATE checkpoint SET signed = '{sql_text}'")
    code, report = verify_json(ws)
    assert code == 1 and "checkpoint-invalid" in kinds(report)


def test_a_checkpoint_signed_by_another_key_is_not_trusted(ws: Path, tmp_path: Path, monkeypatch) -> None:
    from isms_tui.models.db import real_workspace_path
    from isms_tui.reports import keys
    from isms_tui.reports.checkpoints import sign
    from isms_tui.services import checkpoints as cp

    seal(ws)
    own_keys = keys.keys_dir()
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "other-keys"))
    stranger = keys.init_identity("Someone Else Ltd", PASSPHRASE)
    con = sqlite3.connect(ws)
    state = cp.journal_state(con)
    con.close()
    forged = sign(stranger, cp.statement_for(state, "Demo", "seal"))
    monkeypatch.setenv("ISMS_KEYS_DIR", str(own_keys))
    cp.append_external(keys.identity_dir(None), forged, real_workspace_path(ws))
    code, report = verify_json(ws)
    assert code == 1 and "checkpoint-invalid" in kinds(report)
    assert any("not one of this machine's signing identities" in p["message"] for p in report["problems"])


def test_entry_times_must_not_run_backwards(ws: Path) -> None:
    reforge(ws, "UPDATE journal SET at = '2001-01-01T00:00:00.000000+00:00' WHERE id = 40", start=40)
    code, report = verify_json(ws)
    assert code == 1 and "time-backwards" in kinds(report)


def test_damaged_checkpoints_file_beside_the_keys_is_reported_not_fatal(ws: Path) -> None:
    from isms_tui.reports import keys

    seal(ws)
    with open(keys.identity_dir(None) / "checkpoints.jsonl", "ab") as handle:
        handle.write(b'{"checkpoint": {"format": "isms-checkpoint/1"}, "sig')  # a killed append
    code, report = verify_json(ws)
    assert code == 1 and "checkpoint-invalid" in kinds(report)
    assert sum(1 for c in report["checkpoints"] if c["ok"]) == 2


# --- packs: the checkpoint each carries, and --previous ---------------------------------------


def pack(db: Path, out: Path) -> Path:
    result = run("pack", "--db", db, "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_pack_carries_its_checkpoint_and_journal_verify_lists_it(ws: Path, tmp_path: Path) -> None:
    first = pack(ws, tmp_path / "a.pdf")
    code, report = verify_json(ws)
    assert code == 0
    mine = [c for c in report["checkpoints"] if c["reason"] == "pack"]
    assert {c["subject"] for c in mine} == {first.name} and len(mine) == 2  # in the workspace and beside the keys
    # the head printed on the cover is the head the checkpoint signed, though the issue was journaled after
    from .pack_helpers import pdftotext

    text = " ".join(pdftotext(first).split())
    head = mine[0]["head"]
    assert " ".join(head[i : i + 8] for i in range(0, 64, 8)) in text or head in text.replace(" ", "")
    assert report["entries"] > mine[0]["entries"]


def test_previous_pack_proves_the_journal_was_extended(ws: Path, tmp_path: Path) -> None:
    old = pack(ws, tmp_path / "old.pdf")
    seal(ws)
    new = pack(ws, tmp_path / "new.pdf")
    ok = run("verify", new, "--previous", old, "--db", ws, "--json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["continuity"]["ok"] is True
    backwards = run("verify", old, "--previous", new, "--db", ws)
    assert backwards.exit_code == 1


def test_previous_pack_catches_a_rolled_back_workspace(ws: Path, tmp_path: Path) -> None:
    before = tmp_path / "before.db"
    shutil.copy(ws, before)
    seal(ws)  # work recorded before the old pack
    old = pack(ws, tmp_path / "old.pdf")
    shutil.copy(before, ws)  # put back the file as it was before that work
    for suffix in ("-wal", "-shm"):
        Path(f"{ws}{suffix}").unlink(missing_ok=True)
    seal(ws)
    seal(ws)  # other work since: the journal is as long again, but not the same history
    new = pack(ws, tmp_path / "new.pdf")
    result = run("verify", new, "--previous", old, "--db", ws)
    assert result.exit_code == 1
    assert "Continuity: FAILED" in result.stdout


def test_previous_pack_catches_a_reforged_history(ws: Path, tmp_path: Path) -> None:
    old = pack(ws, tmp_path / "old.pdf")
    # rewrite an early entry and every later hash, and drop the workspace's checkpoint rows
    sql(ws, "DELETE FROM checkpoint", "DELETE FROM journal WHERE entity = 'checkpoint'")
    reforge(ws, "UPDATE journal SET actor = 'someone else' WHERE id = 3", start=3)
    new = pack(ws, tmp_path / "new.pdf")
    result = run("verify", new, "--previous", old, "--db", ws)
    assert result.exit_code == 1 and "Continuity: FAILED" in result.stdout


def test_previous_pack_from_another_workspace_is_refused(ws: Path, tmp_path: Path, db_path: Path) -> None:
    other = tmp_path / "other.db"
    shutil.copy(ws, other)
    shutil.copytree(Path(f"{ws}.evidence"), Path(f"{other}.evidence"))
    reforge(other, "UPDATE journal SET actor = 'x' WHERE id = 1")
    a = pack(ws, tmp_path / "a.pdf")
    b = pack(other, tmp_path / "b.pdf")
    result = run("verify", b, "--previous", a, "--db", ws)
    assert result.exit_code == 1 and "different workspaces" in result.stdout


def test_merkle_consistency_matches_the_rfc_construction() -> None:
    import hashlib

    from isms_tui.services.merkle import leaf_hash, node_hash, verify_consistency

    def reference(leaves: list[bytes]) -> bytes:
        if len(leaves) == 1:
            return leaf_hash(leaves[0])
        k = 1 << ((len(leaves) - 1).bit_length() - 1)
        return node_hash(reference(leaves[:k]), reference(leaves[k:]))

    leaves = [hashlib.sha256(str(i).encode()).digest() for i in range(40)]
    tree = MerkleTree(leaves)
    for n in range(1, 41):
        assert tree.root(n) == reference(leaves[:n])
        for m in range(1, n + 1):
            proof = tree.consistency_proof(m, n)
            assert verify_consistency(m, n, tree.root(m), tree.root(n), proof)
            changed = MerkleTree([bytes(32)] + leaves[1:n])
            assert not verify_consistency(m, n, tree.root(m), changed.root(n), changed.consistency_proof(m, n))


# --- backups -------------------------------------------------------------------------------------


def test_backup_signs_the_journal_it_holds_and_keeps_it_beside_the_keys(ws: Path, tmp_path: Path) -> None:
    import zipfile

    seal(ws)  # the organisation has a key now
    out = tmp_path / "b.zip"
    result = run("backup", "--db", ws, "--out", out)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    statement = manifest["checkpoint"]["checkpoint"]
    assert (statement["reason"], statement["subject"]) == ("backup", "b.zip")
    assert (statement["entries"], statement["head"]) == (manifest["journal"]["entries"], manifest["journal"]["head"])
    code, report = verify_json(ws)
    assert code == 0
    assert [c["ok"] for c in report["checkpoints"] if c["reason"] == "backup"] == [True]  # beside the keys only


def test_backup_with_a_wrong_passphrase_writes_nothing(ws: Path, tmp_path: Path, monkeypatch) -> None:
    seal(ws)
    monkeypatch.setenv("ISMS_PASSPHRASE", "not the passphrase")
    out = tmp_path / "b.zip"
    result = run("backup", "--db", ws, "--out", out)
    assert result.exit_code == 1 and not out.exists()
    assert list(tmp_path.glob(".b.zip*")) == []


def test_backup_without_a_key_still_works_and_says_no_checkpoint(ws: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.zip"
    result = run("backup", "--db", ws, "--out", out)
    assert result.exit_code == 0 and out.exists()
    assert "No checkpoint signed" in result.stderr


def test_a_checkpoints_file_replaced_by_a_fifo_or_link_is_reported_promptly(ws: Path, tmp_path: Path) -> None:
    import os

    from isms_tui.reports import keys

    seal(ws)
    file = keys.identity_dir(None) / "checkpoints.jsonl"
    file.unlink()
    os.mkfifo(file)
    code, report = verify_json(ws)  # must not block on the pipe
    assert code == 1 and any("named pipe" in p["message"] for p in report["problems"])
    file.unlink()
    (tmp_path / "elsewhere.jsonl").write_text("")
    file.symlink_to(tmp_path / "elsewhere.jsonl")
    code, report = verify_json(ws)
    assert code == 1 and "checkpoint-invalid" in kinds(report)


def test_a_signed_restore_supersedes_the_replaced_history_an_unsigned_one_does_not(
    ws: Path, tmp_path: Path, monkeypatch
) -> None:
    seal(ws)
    archive = tmp_path / "b.zip"
    assert run("backup", "--db", ws, "--out", archive).exit_code == 0
    seal(ws)
    seal(ws)  # later work (the first seal's own entry), signed; then a restore of the older backup
    monkeypatch.delenv("ISMS_PASSPHRASE")
    unsigned = run("restore", str(archive), "--db", ws)
    assert unsigned.exit_code == 0 and "No restore checkpoint signed" in unsigned.stderr
    code, report = verify_json(ws)
    assert code == 1 and "checkpoint-contradicted" in kinds(report)  # a rollback nobody signed for
    monkeypatch.setenv("ISMS_PASSPHRASE", PASSPHRASE)
    signed = run("restore", str(archive), "--db", ws)
    assert signed.exit_code == 0 and "Restore checkpoint signed" in signed.stdout
    code, report = verify_json(ws)
    assert code == 0, report["problems"]
    assert any(c.get("superseded_by_restore") for c in report["checkpoints"])
    assert any(c.get("reason") == "restore" and c["ok"] for c in report["checkpoints"])


def test_restore_with_a_wrong_passphrase_replaces_nothing(ws: Path, tmp_path: Path, monkeypatch) -> None:
    import hashlib

    seal(ws)
    archive = tmp_path / "b.zip"
    assert run("backup", "--db", ws, "--out", archive).exit_code == 0
    before = hashlib.sha256(ws.read_bytes()).hexdigest()
    monkeypatch.setenv("ISMS_PASSPHRASE", "wrong horse battery staple")
    result = run("restore", str(archive), "--db", ws)
    assert result.exit_code == 1 and hashlib.sha256(ws.read_bytes()).hexdigest() == before
