"""`isms pack`: a signed pack from the demo workspace that third-party tools accept (pdfdetach,
qpdf, pdfsig) and `isms verify` passes; the three kinds; the issue recorded and shown by
`isms status`; every bad input refused with one sentence, exit 1 and no file written."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from isms_tui.cli import main

from .pack_helpers import copy_workspace, make_demo, pdftotext, require_tool

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("demo") / "demo.db")


@pytest.fixture
def db(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("ISMS_PASSPHRASE", PASSPHRASE)
    return copy_workspace(demo_template, tmp_path / "ws")


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def issued(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "SELECT file_name, sha256, kind, period_from, period_to, subject_id, signer_fingerprint, "
            "issued_by FROM issuedpack ORDER BY id"
        ).fetchall()
    finally:
        con.close()


def assert_refused(result: Result, message: str, out: Path | None = None) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.output
    if out is not None:
        assert not out.exists()


def test_pack_is_signed_embeds_its_evidence_and_is_recorded(db: Path, tmp_path: Path) -> None:
    from isms_tui.reports import keys

    out = tmp_path / "clause9.pdf"
    result = run("pack", "--out", out, "--db", db)
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    fingerprint = keys.identity_info().fingerprint
    assert f"Pack written: {out}" in result.stdout
    assert f"SHA-256: {digest}" in result.stdout
    assert f"Signer certificate SHA-256: {fingerprint}" in result.stdout
    assert issued(db) == [
        ("clause9.pdf", digest, "clause9", "2025-11-01", "2026-10-31", None, fingerprint, issued(db)[0][7])
    ]

    listing = subprocess.run([require_tool("pdfdetach"), "-list", str(out)], capture_output=True, text=True).stdout
    for name in ("evidence-", "restore-test-2026-10.txt", "risk-report-v7.txt", "manifest.json", "checkpoint.json"):
        assert name in listing
    assert "8 embedded files" in listing  # six evidence files, the checkpoint and the manifest
    check = subprocess.run([require_tool("qpdf"), "--check", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout

    text = pdftotext(out)
    assert "Page 1 of" in text and "9.2 Internal audit" in text

    ca = tmp_path / "ca.pem"
    assert run("keys", "export-ca", "--out", ca).exit_code == 0
    verify = run("verify", out, "--trust", ca)
    assert verify.exit_code == 0, verify.output

    status = json.loads(run("status", "--db", db, "--json").stdout)
    assert status["packs"] == {
        "count": 1,
        "last": {"file": "clause9.pdf", "issued_at": status["packs"]["last"]["issued_at"], "sha256": digest},
    }
    assert run("journal", "verify", "--db", db).exit_code == 0  # the issue is journaled like any change


def test_pdfsig_trusts_the_pack_with_the_exported_ca(db: Path, tmp_path: Path) -> None:
    from .signing_helpers import nss_db, pdfsig

    out = tmp_path / "pack.pdf"
    assert run("pack", "--out", out, "--db", db, "--review", "1").exit_code == 0
    ca = tmp_path / "ca.pem"
    assert run("keys", "export-ca", "--out", ca).exit_code == 0
    report = pdfsig(out, nss_db(tmp_path, ca))
    assert "Signature is Valid" in report
    assert "Total document signed" in report
    assert "Certificate is Trusted" in report


@pytest.mark.parametrize(
    ("args", "kind", "subject", "title"),
    [
        (["--audit", "2"], "audit", 2, "Technological and operational controls audit"),
        (["--review", "1"], "review", 1, "Management review December 2025"),
        (["--from", "2026-01-01", "--to", "2026-06-30"], "clause9", None, "1 January 2026 to 30 June 2026"),
    ],
)
def test_the_three_kinds(db: Path, tmp_path: Path, args: list[str], kind: str, subject: int | None, title: str) -> None:
    out = tmp_path / f"{kind}.pdf"
    result = run("pack", "--out", out, "--db", db, *args)
    assert result.exit_code == 0, result.output
    row = issued(db)[0]
    assert (row[2], row[5]) == (kind, subject)
    assert title in " ".join(pdftotext(out).split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--audit", "999"], "No audit with id 999."),
        (["--review", "42"], "No management review with id 42."),
        (["--audit", "2", "--review", "1"], "Choose either --audit or --review, not both."),
        (["--from", "2026-13-01"], "--from must be a date as YYYY-MM-DD"),
        (["--from", "2026-06-01", "--to", "2026-05-01"], "The period cannot end before it starts."),
        (["--to", "2030-01-01"], "The period cannot end after today (2026-11-28)."),
    ],
)
def test_bad_input_is_refused_with_one_sentence(db: Path, tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "pack.pdf"
    assert_refused(run("pack", "--out", out, "--db", db, *args), message, out)
    assert issued(db) == []


def test_bad_output_paths(db: Path, tmp_path: Path) -> None:
    assert_refused(run("pack", "--out", tmp_path / "nowhere" / "p.pdf", "--db", db), "does not exist")
    assert_refused(run("pack", "--out", tmp_path / "p.txt", "--db", db), "must end in .pdf")
    assert_refused(run("pack", "--out", tmp_path, "--db", db), "is a folder")


def test_missing_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISMS_PASSPHRASE", PASSPHRASE)
    assert_refused(run("pack", "--out", tmp_path / "p.pdf", "--db", tmp_path / "none.db"), "No workspace at")


def test_missing_evidence_file_writes_nothing(db: Path, tmp_path: Path) -> None:
    store = db.with_name(db.name + ".evidence")
    con = sqlite3.connect(db)
    sha = con.execute("SELECT sha256 FROM evidence WHERE original_name = 'restore-test-2026-10.txt'").fetchone()[0]
    con.close()
    (store / sha[:2] / sha).unlink()
    out = tmp_path / "pack.pdf"
    assert_refused(run("pack", "--out", out, "--db", db), "'restore-test-2026-10.txt'", out)
    assert issued(db) == []
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob(".pack.pdf.*"))


def test_wrong_passphrase_writes_nothing(db: Path, tmp_path: Path) -> None:
    assert run("pack", "--out", tmp_path / "first.pdf", "--db", db).exit_code == 0  # creates the identity
    out = tmp_path / "second.pdf"
    result = run("pack", "--out", out, "--db", db, env={"ISMS_PASSPHRASE": "not the passphrase"})
    assert_refused(result, "The passphrase does not open the signing key.", out)
    assert len(issued(db)) == 1


def test_passphrase_from_a_file_and_none_without_a_terminal(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ISMS_PASSPHRASE")
    out = tmp_path / "pack.pdf"
    assert_refused(run("pack", "--out", out, "--db", db), "No passphrase given", out)
    secret = tmp_path / "secret.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    result = run("pack", "--out", out, "--db", db, "--audit", "3", "--passphrase-file", secret)
    assert result.exit_code == 0, result.output
    assert out.exists()


def test_a_second_client_is_signed_with_its_own_identity(db: Path, tmp_path: Path) -> None:
    """One workspace per client on one laptop: each pack carries its own organisation's name."""
    other = copy_workspace(db, tmp_path / "client-b")
    con = sqlite3.connect(other)
    con.execute("UPDATE workspace SET org_name = 'Beta Clinic GmbH'")
    con.commit()
    con.close()
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert run("pack", "--out", first, "--db", db).exit_code == 0
    result = run("pack", "--out", second, "--db", other)
    assert result.exit_code == 0, result.output
    signers = [row[6] for row in issued(db) + issued(other)]
    assert len(set(signers)) == 2
    assert "Beta Clinic GmbH" in pdftotext(second)
    for pdf, ws in ((first, db), (second, other)):  # by default verify trusts the workspace's own CA
        checked = run("verify", pdf, "--json", "--db", ws)
        assert checked.exit_code == 0, checked.output
    assert run("verify", second, "--db", db).exit_code == 1  # client A's CA does not vouch for B's pack
    ca_b = tmp_path / "ca-b.pem"
    assert run("keys", "export-ca", "--out", ca_b, "--db", other).exit_code == 0
    assert run("verify", second, "--trust", ca_b).exit_code == 0
    assert run("verify", first, "--trust", ca_b).exit_code == 1  # client B's CA does not vouch for A


@pytest.mark.parametrize(
    ("args", "draft"),
    [
        (["--audit", "3"], "This audit is not completed yet (in progress)"),
        (["--review", "2"], "This management review is not approved yet (draft)"),
        (["--audit", "1"], None),
        (["--review", "1"], None),
        ([], None),
    ],
)
def test_a_draft_is_announced_before_the_passphrase_is_asked(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], draft: str | None
) -> None:
    out = tmp_path / "pack.pdf"
    with monkeypatch.context() as m:  # no passphrase at all: the draft is named before that refusal
        m.delenv("ISMS_PASSPHRASE")
        refused = run("pack", "--out", out, "--db", db, *args)
    assert refused.exit_code == 1 and not out.exists()
    assert "No passphrase given" in refused.stderr
    result = run("pack", "--out", out, "--db", db, *args)
    assert result.exit_code == 0, result.output
    pages = pdftotext(out).split("\f")[:-1]
    if draft is None:
        assert "DRAFT" not in refused.stdout and "DRAFT" not in result.stdout
        assert pages and not any("DRAFT" in page for page in pages)
    else:
        assert refused.stdout.startswith(f"DRAFT: {draft}")
        assert result.stdout.startswith(f"DRAFT: {draft}")
        assert pages and all("DRAFT" in page for page in pages)
