"""Signing a pack: embedded files + manifest in the signed revision, checked by isms verify and poppler/qpdf."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from isms_tui.reports import certificates, keys, signing
from isms_tui.reports.signing import Attachment, SignResult, sign_pdf
from isms_tui.reports.verify import verify_pdf
from isms_tui.services.errors import InputError

from .signing_helpers import (
    ORG,
    attachments,
    isms,
    local_ca,
    make_identity,
    make_pdf,
    nss_db,
    pdfsig,
    require_tool,
)


@pytest.fixture
def identity():
    return make_identity()


@pytest.fixture
def pack(tmp_path: Path, identity) -> tuple[Path, SignResult]:
    out = tmp_path / "pack.pdf"
    result = sign_pdf(make_pdf(), attachments(), identity, out)
    return out, result


def test_sign_result_describes_the_written_file(pack, identity):
    path, result = pack
    data = path.read_bytes()
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.size == len(data)
    assert result.fingerprint == identity.fingerprint == certificates.fingerprint(identity.certificate)
    assert result.signed_at.tzinfo is not None and result.signed_at.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - result.signed_at) < dt.timedelta(minutes=2)
    assert result.path == path
    assert not list(path.parent.glob(".pack.pdf.*.tmp")), "no temporary file left behind"


def test_isms_verify_accepts_a_fresh_pack_and_reports_json(pack, identity):
    path, result = pack
    run = isms("verify", str(path), "--json", "--trust", str(local_ca()[0]))
    assert run.exit_code == 0, run.output
    report = json.loads(run.output)
    assert report["ok"] is True
    assert report["signer"] == ORG
    assert report["fingerprint"] == identity.fingerprint
    assert report["signed_at"] == result.signed_at.isoformat()
    names = {c["name"]: c["ok"] for c in report["checks"]}
    assert names == {
        "signature": True,
        "signature contents": True,
        "integrity": True,
        "signature value": True,
        "trusted": True,
        "whole file signed": True,
        "attachments": True,
    }
    expected = {a.name: a.sha256 for a in attachments() if a.name != "scan.bin"}
    got = {a["name"]: a["sha256"] for a in report["attachments"]}
    assert set(got) == {"a-policy.txt", "readings.csv", "scan.bin"}
    for name, digest in expected.items():
        assert got[name] == digest
    assert all(a["ok"] for a in report["attachments"])
    assert report["failures"] == []


def test_isms_verify_text_report_names_signer_time_and_checks(pack):
    path, result = pack
    run = isms("verify", str(path), "--trust", str(local_ca()[0]))
    assert run.exit_code == 0, run.output
    assert f"Signer: {ORG}" in run.output
    assert f"Signed at: {result.signed_at.isoformat()}" in run.output
    assert "[ok] whole file signed: The signature covers the entire file." in run.output
    assert "Result: VALID" in run.output


def test_manifest_lists_every_attachment_with_sha256_and_size(pack):
    path, _ = pack
    from pypdf import PdfReader

    reader = PdfReader(path)
    embedded = {name: blobs[0] for name, blobs in reader.attachments.items()}
    assert sorted(embedded) == ["a-policy.txt", "manifest.json", "readings.csv", "scan.bin"]
    manifest = json.loads(embedded["manifest.json"])
    assert manifest["format"] == signing.MANIFEST_FORMAT
    assert [f["name"] for f in manifest["files"]] == ["a-policy.txt", "readings.csv", "scan.bin"]
    for entry in manifest["files"]:
        data = embedded[entry["name"]]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
    assert manifest["files"][1]["mime"] == "text/csv"


def test_attachments_are_in_the_signed_revision_and_the_name_tree_is_sorted(tmp_path, identity):
    from pyhanko.pdf_utils.reader import PdfFileReader

    atts = [Attachment("zeta.txt", b"z"), Attachment("Été.txt", b"accented"), Attachment("alpha.txt", b"a")]
    out = tmp_path / "p.pdf"
    sign_pdf(make_pdf(), atts, identity, out)
    reader = PdfFileReader(io.BytesIO(out.read_bytes()))
    assert reader.xrefs.total_revisions == 2  # the original + one revision with files AND signature
    sig = reader.embedded_regular_signatures[0]
    assert sig.signed_revision == 1
    keys_in_tree = [reader.root["/Names"]["/EmbeddedFiles"]["/Names"][i] for i in range(0, 8, 2)]
    raw = [bytes(k.original_bytes) if hasattr(k, "original_bytes") else bytes(k) for k in keys_in_tree]
    assert raw == sorted(raw)
    assert verify_pdf(out, local_ca()).ok


def test_page_text_survives_signing(pack):
    path, _ = pack
    tool = require_tool("pdftotext")
    text = subprocess.run([tool, str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Monitoring results - page 1" in text and "Monitoring results - page 2" in text
    assert "[on target]" in text


def test_pdfsig_says_valid_total_and_trusted_with_the_ca_imported(pack, tmp_path):
    path, _ = pack
    ca = keys.export_ca(tmp_path / "ca.pem")
    report = pdfsig(path, nss_db(tmp_path, ca))
    assert "Signature Field Name: isms-tui" in report
    assert f"Signer Certificate Common Name: {ORG}" in report
    assert "Signature Type: ETSI.CAdES.detached" in report
    assert "Signing Hash Algorithm: SHA-256" in report
    assert "Signature is Valid." in report
    assert "Total document signed" in report and "Not total document signed" not in report
    assert "Certificate is Trusted." in report


def test_pdfsig_does_not_trust_it_without_the_ca(pack, tmp_path):
    path, _ = pack
    report = pdfsig(path)
    assert "Signature is Valid." in report
    assert "Certificate is Trusted." not in report


def test_pdfdetach_lists_and_extracts_the_attachments(pack, tmp_path):
    path, _ = pack
    tool = require_tool("pdfdetach")
    listing = subprocess.run([tool, "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert "4 embedded files" in listing
    for name in ("a-policy.txt", "manifest.json", "readings.csv", "scan.bin"):
        assert name in listing
    outdir = tmp_path / "detached"
    outdir.mkdir()
    subprocess.run([tool, "-saveall", "-o", str(outdir), str(path)], check=True, capture_output=True)
    for att in attachments()[:2]:
        assert (outdir / att.name).read_bytes() == att.data
    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        assert hashlib.sha256((outdir / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]


def test_qpdf_check_passes(pack):
    path, _ = pack
    tool = require_tool("qpdf")
    result = subprocess.run([tool, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def test_a_pack_without_attachments_still_has_a_manifest(tmp_path, identity):
    out = tmp_path / "bare.pdf"
    sign_pdf(make_pdf(1), [], identity, out)
    report = verify_pdf(out, local_ca())
    assert report.ok, report.render_text()
    assert report.attachments == []
    from pypdf import PdfReader

    assert json.loads(PdfReader(out).attachments["manifest.json"][0])["files"] == []


def test_large_and_precompressed_attachments_round_trip(tmp_path, identity):
    import os

    big = os.urandom(1_000_000)
    atts = [
        Attachment("photo.jpg", big, mime="image/jpeg"),
        Attachment("log.txt", b"line\n" * 100_000, mime="text/plain"),
    ]
    out = tmp_path / "big.pdf"
    sign_pdf(make_pdf(1), atts, identity, out)
    report = verify_pdf(out, local_ca())
    assert report.ok, report.render_text()
    from pypdf import PdfReader

    assert PdfReader(out).attachments["photo.jpg"][0] == big


@pytest.mark.parametrize(
    ("atts", "message"),
    [
        ([Attachment("a.txt", b"1"), Attachment("a.txt", b"2")], "Two attachments are named 'a.txt'"),
        ([Attachment("dir/a.txt", b"1")], "folder separator"),
        ([Attachment("manifest.json", b"{}")], "reserved"),
        ([Attachment("", b"1")], "needs a file name"),
        ([Attachment("a.txt", b"1", mime="not a type")], "invalid type"),
    ],
)
def test_bad_attachments_are_refused_before_anything_is_written(tmp_path, identity, atts, message):
    out = tmp_path / "x.pdf"
    with pytest.raises(InputError, match=message):
        sign_pdf(make_pdf(1), atts, identity, out)
    assert not out.exists()


def test_signing_something_that_is_not_a_pdf_is_one_sentence(tmp_path, identity):
    with pytest.raises(InputError, match=r"^The document to sign is not a readable PDF\.$"):
        sign_pdf(b"hello, not a pdf", [], identity, tmp_path / "x.pdf")


def test_an_already_signed_pdf_is_not_signed_again(pack, identity, tmp_path):
    path, _ = pack
    with pytest.raises(InputError, match="already signed"):
        sign_pdf(path.read_bytes(), [], identity, tmp_path / "again.pdf")


def test_overwriting_an_existing_pack_is_atomic(tmp_path, identity):
    out = tmp_path / "pack.pdf"
    out.write_bytes(b"old content")
    sign_pdf(make_pdf(1), [], identity, out)
    assert out.read_bytes().startswith(b"%PDF-")
    assert verify_pdf(out, local_ca()).ok


def test_no_timestamper_without_a_tsa_url(monkeypatch, tmp_path, identity):
    def refuse(url):
        raise AssertionError("a timestamper must only be built when a TSA URL is configured")

    monkeypatch.setattr(signing, "_timestamper", refuse)
    sign_pdf(make_pdf(1), attachments(), identity, tmp_path / "p.pdf")


def test_with_a_tsa_the_signature_carries_a_trusted_timestamp(monkeypatch, tmp_path, identity):
    """The TSA path, offline: a local RFC 3161 responder (pyHanko's DummyTimeStamper) issued by our CA."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.sign.timestamps import DummyTimeStamper

    from .signing_helpers import PASSPHRASE

    ca_key, ca_cert, _ = pkcs12.load_key_and_certificates(
        (keys.keys_dir() / "ca.p12").read_bytes(), PASSPHRASE.encode()
    )
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # DummyTimeStamper is RSA-only
    now = dt.datetime.now(dt.UTC)
    tsa_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")]))
        .issuer_name(ca_cert.subject)
        .public_key(tsa_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa_cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            tsa_key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
    )
    seen: list[str] = []
    monkeypatch.setattr(signing, "_timestamper", lambda url: seen.append(url) or stamper)
    out = tmp_path / "stamped.pdf"
    sign_pdf(make_pdf(1), attachments(), identity, out, tsa_url="http://tsa.example.test/")
    assert seen == ["http://tsa.example.test/"]
    report = verify_pdf(out, local_ca())
    assert report.ok, report.render_text()
    stamp = next(c for c in report.checks if c.name == "timestamp")
    assert stamp.ok and "RFC 3161" in stamp.detail


def test_a_malformed_tsa_url_is_refused(tmp_path, identity):
    with pytest.raises(InputError, match="not an http"):
        sign_pdf(make_pdf(1), [], identity, tmp_path / "p.pdf", tsa_url="ftp://nowhere")


def test_isms_verify_does_not_load_the_data_layer(pack):
    path, _ = pack
    code = (
        "import sys\n"
        "from isms_tui.cli import main\n"
        f"try:\n    main(['verify', {str(path)!r}, '--trust', {str(local_ca()[0])!r}])\n"
        "except SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        "assert 'sqlmodel' not in sys.modules and 'textual' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_an_expired_signing_certificate_is_refused(tmp_path):
    """Signing with it would make a pack that never verifies, so sign_pdf says so instead."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Old Org")])
    past = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(past)
        .not_valid_after(past + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    keys.keys_dir().mkdir(parents=True)
    (keys.keys_dir() / "signer.p12").write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"old", key, cert, None, serialization.BestAvailableEncryption(b"old passphrase")
        )
    )
    identity = keys.load_identity("old passphrase")
    with pytest.raises(InputError, match=r"^The signing certificate expired on 2020-12-31; create a new one"):
        sign_pdf(make_pdf(1), [], identity, tmp_path / "p.pdf")
    assert not (tmp_path / "p.pdf").exists()


def test_require_tool_skips_locally_but_fails_under_ci(monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_tool("pdfsig")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must provide it"):
        require_tool("pdfsig")
