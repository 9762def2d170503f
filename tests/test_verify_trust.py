"""`isms verify` without --trust trusts only the CA of the workspace that --db (or the default
workspace) names, prints that CA's full SHA-256, reads the workspace read-only without the data
layer, and the pack's cover carries the same fingerprint."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography import x509

from isms_tui.cli import main
from isms_tui.reports import keys

from .pack_helpers import copy_workspace, make_demo, pdftotext

PASSPHRASE = "correct horse battery staple"
ORG = "Northwind Analytics Ltd"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def colon(cert_pem: Path) -> str:
    cert = x509.load_pem_x509_certificate(cert_pem.read_bytes())
    return ":".join(f"{b:02X}" for b in hashlib.sha256(cert.public_bytes(encoding=_der())).digest())


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def files_of(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name) and p.is_file()}


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A demo workspace, its pack and the keys folder that signed it; a second client beside it."""
    base = tmp_path_factory.mktemp("trust")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISMS_KEYS_DIR", str(base / "keys"))
        mp.setenv("ISMS_PASSPHRASE", PASSPHRASE)
        db = copy_workspace(make_demo(base / "demo.db"), base / "ws")
        pack = base / "pack.pdf"
        result = run("pack", "--db", db, "--out", pack)
        assert result.exit_code == 0, result.output
    return db, pack, base / "keys"


@pytest.fixture
def keys_env(issued, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ISMS_KEYS_DIR", str(issued[2]))
    return issued[2]


def test_without_trust_the_workspaces_ca_is_trusted_and_its_fingerprint_printed(issued, keys_env) -> None:
    db, pack, _ = issued
    ca = keys.identity_dir(ORG) / "ca.pem"
    before = files_of(db)
    result = run("verify", pack, "--db", db)
    assert result.exit_code == 0, result.output
    fingerprint = colon(ca)
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", fingerprint)
    trusted = [line for line in result.output.splitlines() if line.startswith("Trusted CA: ")]
    assert len(trusted) == 1 and f"CN={ORG} ISMS signing CA" in trusted[0]
    assert trusted[0].endswith(f"(SHA-256 {fingerprint})")
    assert f"Trust: Trusting only the CA of {ORG} (workspace {db}); to trust another CA, pass --trust CA.pem" in (
        result.output
    )
    assert files_of(db) == before, "verify reads the workspace without changing it"


def test_the_default_workspace_is_the_one_named_without_db(issued, keys_env, monkeypatch) -> None:
    from isms_tui.config import default_db_path

    db, pack, _ = issued
    default = default_db_path()
    default.parent.mkdir(parents=True, exist_ok=True)
    assert run("verify", pack).exit_code == 1  # no default workspace yet: nothing is trusted
    shutil.copy2(db, default)
    result = run("verify", pack, "--json")
    assert result.exit_code == 0, result.output


def test_another_clients_workspace_does_not_vouch_for_the_pack(issued, keys_env, tmp_path) -> None:
    db, pack, _ = issued
    other = copy_workspace(db, tmp_path / "client-b")
    con = sqlite3.connect(other)
    con.execute("UPDATE workspace SET org_name = 'Beta Clinic GmbH'")
    con.commit()
    con.close()
    keys.init_identity("Beta Clinic GmbH", PASSPHRASE)
    result = run("verify", pack, "--db", other)
    assert result.exit_code == 1
    assert "[FAILED] trusted: The signer's certificate does not chain to any trusted CA given." in result.output
    assert "Trusting only the CA of Beta Clinic GmbH" in result.output


def test_a_workspace_without_a_ca_says_how_to_pass_trust(issued, tmp_path, monkeypatch) -> None:
    db, pack, _ = issued
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "auditor-laptop"))
    result = run("verify", pack, "--db", db, "--json")
    assert result.exit_code == 1
    assert f"{ORG} (workspace {db}) has no signing CA on this machine; pass --trust CA.pem" in result.output


@pytest.mark.parametrize("kind", ["fifo", "link-to-fifo", "garbage", "empty"])
def test_a_hostile_db_path_is_one_sentence_and_never_blocks(issued, keys_env, tmp_path, kind) -> None:
    _db, pack, _ = issued
    target = tmp_path / "ws.db"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "link-to-fifo":
        os.mkfifo(tmp_path / "pipe")
        target.symlink_to(tmp_path / "pipe")
    elif kind == "garbage":
        target.write_bytes(b"this is not SQLite" * 100)
    else:
        target.write_bytes(b"")
    result = run("verify", pack, "--db", target)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    last = result.output.strip().splitlines()[-1]
    assert result.output.count("\n") == 1
    assert last.startswith("Error: ") and last.endswith("pass --trust CA.pem (the issuer's CA certificate).")


def test_reading_the_workspace_loads_no_data_layer(issued, keys_env) -> None:
    db, pack, _ = issued
    code = (
        "import sys\n"
        "from isms_tui.cli import main\n"
        f"try:\n    main(['verify', {str(pack)!r}, '--db', {str(db)!r}])\n"
        "except SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        "assert 'sqlmodel' not in sys.modules and 'sqlalchemy' not in sys.modules, 'data layer loaded'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy())
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_cover_prints_the_cas_full_fingerprint_beside_the_signers(issued, keys_env) -> None:
    _db, pack, _ = issued
    fingerprint = colon(keys.identity_dir(ORG) / "ca.pem")
    text = "".join(pdftotext(pack).split())
    assert "CAcertificateSHA-256" + fingerprint in text
    assert "SignercertificateSHA-256" in text
