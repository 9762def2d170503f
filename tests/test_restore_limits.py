"""Restore trusts no size an archive states: a zip bomb, a header that lies, too many members or
evidence nobody refers to all end in one sentence with nothing restored (the workspace keeps
its bytes, the evidence store gains nothing, no scratch folder stays)."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from isms_tui.cli import main
from isms_tui.services import backup, restore, restore_limits

EMPTY_SHA = hashlib.sha256(b"").hexdigest()


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def ws(demo_workspace: Path) -> Path:
    return demo_workspace


@pytest.fixture
def good(ws: Path, tmp_path: Path) -> Path:
    return backup.backup(ws, tmp_path / "good.zip").path


def store_listing(db: Path) -> list[str]:
    store = db.with_name(db.name + ".evidence")
    return sorted(str(p.relative_to(store)) for p in store.rglob("*"))


def rebuild(archive: Path, out: Path, extra: dict[str, bytes], *, compress: bool = True) -> Path:
    """`archive` plus `extra` members, each declared truthfully in the manifest."""
    with zipfile.ZipFile(archive) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    for name, data in extra.items():
        members[name] = data
        manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        zf.writestr("manifest.json", json.dumps(manifest))
    return out


def evidence_member(data: bytes) -> tuple[str, bytes]:
    sha = hashlib.sha256(data).hexdigest()
    return f"evidence/{sha[:2]}/{sha}", data


def assert_nothing_restored(result: Result, ws: Path, before: bytes, listing: list[str], match: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.output, result.stderr
    assert match in lines[0], lines[0]
    assert ws.read_bytes() == before
    assert store_listing(ws) == listing
    assert not list(ws.parent.glob(f"{ws.name}.replaced-*"))
    assert not list(ws.parent.glob(f".{ws.name}.restore-*"))


def attempt(archive: Path, ws: Path, match: str) -> None:
    before, listing = ws.read_bytes(), store_listing(ws)
    assert_nothing_restored(run("restore", archive, "--db", ws), ws, before, listing, match)


def test_evidence_no_record_refers_to_is_refused_by_name(ws: Path, good: Path, tmp_path: Path) -> None:
    name, data = evidence_member(b"planted by an insider\n")
    attempt(rebuild(good, tmp_path / "planted.zip", {name: data}), ws, f"it holds {name}, which no record")


def test_a_zip_bomb_is_refused_from_its_headers(
    ws: Path, good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ISMS_MAX_EVIDENCE_MB", "1")
    name, data = evidence_member(b"\0" * (8 << 20))  # 8 MB of zeros deflate to a few KB
    bomb = rebuild(good, tmp_path / "bomb.zip", {name: data})
    assert bomb.stat().st_size < good.stat().st_size + (64 << 10)
    attempt(bomb, ws, "would expand to 8.0 MB, more than the evidence limit (ISMS_MAX_EVIDENCE_MB)")


def test_the_total_is_capped(ws: Path, good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db_size = zipfile.ZipFile(good).getinfo("workspace.db").file_size
    monkeypatch.setenv("ISMS_RESTORE_MAX_MB", str(db_size / 2 / (1 << 20)))
    attempt(good, ws, "(ISMS_RESTORE_MAX_MB)")


def test_the_number_of_members_is_capped(ws: Path, good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    held = len(zipfile.ZipFile(good).infolist())
    monkeypatch.setenv("ISMS_RESTORE_MAX_FILES", str(held - 1))
    attempt(good, ws, f"more than the {held - 1} allowed (ISMS_RESTORE_MAX_FILES)")


def _lie_about_size(archive: Path, member: str, size: int) -> None:
    """Rewrite `member`'s uncompressed size in both its local and central headers."""
    raw = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(member)
    local = info.header_offset
    assert raw[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", raw, local + 22, size)
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + name_len] == member.encode():
            struct.pack_into("<I", raw, central + 24, size)
            archive.write_bytes(bytes(raw))
            return
        central = raw.find(b"PK\x01\x02", central + 4)
    raise AssertionError(f"no central header for {member}")


def test_a_header_that_lies_about_the_size_gets_nothing_past_the_cap(
    ws: Path, good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manifest and the headers say 1 KB; the stream inflates to 8 MB. Extraction stops at the cap."""
    monkeypatch.setenv("ISMS_MAX_EVIDENCE_MB", "1")
    real = b"\0" * (8 << 20)
    sha = hashlib.sha256(real).hexdigest()
    name = f"evidence/{sha[:2]}/{sha}"
    liar = rebuild(good, tmp_path / "liar.zip", {name: real})
    with zipfile.ZipFile(liar) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["files"][name]["size"] = 1024
    with zipfile.ZipFile(liar, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n, data in members.items():
            zf.writestr(n, json.dumps(manifest) if n == "manifest.json" else data)
    _lie_about_size(liar, name, 1024)
    assert zipfile.ZipFile(liar).getinfo(name).file_size == 1024
    written: list[int] = []
    real_spend = restore_limits.Budget.spend

    def counting(self: restore_limits.Budget, archive: Path, size: int) -> None:
        written.append(size)
        real_spend(self, archive, size)

    monkeypatch.setattr(restore_limits.Budget, "spend", counting)
    attempt(liar, ws, "cannot be restored")
    db_size = zipfile.ZipFile(good).getinfo("workspace.db").file_size
    assert sum(written) <= db_size + 1024 + restore.CHUNK  # the 8 MB never reached the disk


def test_extraction_enforces_the_total_even_if_the_headers_were_believed(
    ws: Path, good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the header check fooled, the budget still stops the stream at the cap."""
    monkeypatch.setattr(restore, "check_limits", lambda *_args: restore_limits.Budget(64 << 10))
    attempt(good, ws, "it expands to more than the")


def test_a_legitimate_backup_still_restores_within_the_limits(
    ws: Path, good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with zipfile.ZipFile(good) as zf:
        infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    monkeypatch.setenv("ISMS_RESTORE_MAX_MB", str((total + 1) / (1 << 20)))
    monkeypatch.setenv("ISMS_RESTORE_MAX_FILES", str(len(infos)))
    target = tmp_path / "restored" / "w.db"
    result = run("restore", good, "--db", target)
    assert result.exit_code == 0, result.output
    assert os.path.getsize(target) > 0
