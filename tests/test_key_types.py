"""Imported signing keys: only RSA >= 2048 bits, EC on P-256/P-384/P-521, Ed25519 and Ed448
sign packs. A weaker key (or one in the chain) is refused in one sentence naming its type and
size, and nothing is imported."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from isms_tui.reports import keys
from isms_tui.reports.signing import sign_pdf
from isms_tui.reports.verify import verify_pdf
from isms_tui.services.errors import InputError

from .pack_helpers import require_tool
from .signing_helpers import attachments, isms, make_pdf

SECRET = "their own secret"
NOW = dt.datetime.now(dt.UTC)

WEAK = [
    (lambda: rsa.generate_private_key(65537, 1024), "RSA 1024 bits"),
    (lambda: rsa.generate_private_key(65537, 1536), "RSA 1536 bits"),
    (lambda: dsa.generate_private_key(2048), "DSA 2048 bits"),
    (lambda: ec.generate_private_key(ec.SECP192R1()), "EC secp192r1 (192 bits)"),
    (lambda: ec.generate_private_key(ec.SECP224R1()), "EC secp224r1 (224 bits)"),
    (lambda: ec.generate_private_key(ec.SECP256K1()), "EC secp256k1 (256 bits)"),
]
STRONG = [
    lambda: rsa.generate_private_key(65537, 2048),
    lambda: rsa.generate_private_key(65537, 3072),
    lambda: ec.generate_private_key(ec.SECP256R1()),
    lambda: ec.generate_private_key(ec.SECP384R1()),
    lambda: ec.generate_private_key(ec.SECP521R1()),
    ed25519.Ed25519PrivateKey.generate,
    ed448.Ed448PrivateKey.generate,
]


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key, issuer: str, issuer_key, *, ca: bool) -> x509.Certificate:
    algorithm = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey) else hashes.SHA256()
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(not ca, not ca, False, False, False, ca, ca, False, False),  # sign, or issue
            critical=True,
        )
        .sign(issuer_key, algorithm)
    )


def user_p12(tmp_path: Path, leaf_key, root_key=None, *, cert_key=None, leaf_cn: str = "Jane Auditee") -> Path:
    """A PKCS#12 with `leaf_key` and a certificate (for `cert_key`'s public key if given) issued by a root."""
    root_key = root_key or ec.generate_private_key(ec.SECP256R1())
    root = _cert("Corp Root CA", root_key, "Corp Root CA", root_key, ca=True)
    leaf = _cert(leaf_cn, cert_key or leaf_key, "Corp Root CA", root_key, ca=False)
    path = tmp_path / "user.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"jane", leaf_key, leaf, [root], serialization.BestAvailableEncryption(SECRET.encode())
        )
    )
    return path


def keys_snapshot() -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in keys.keys_dir().rglob("*") if p.is_file()}


@pytest.mark.parametrize(("make_key", "described"), WEAK, ids=[d for _m, d in WEAK])
def test_a_weak_signing_key_is_refused_by_type_and_size(tmp_path: Path, make_key, described: str) -> None:
    p12 = user_p12(tmp_path, make_key())
    before = keys_snapshot()
    run = isms("keys", "import", str(p12), "--org", "Acme Widgets Ltd", env={"ISMS_PASSPHRASE": SECRET})
    assert run.exit_code == 1
    assert run.stderr == (
        f"Error: The key in user.p12 is {described}, which is not accepted for signing; use RSA of 2048 bits "
        "or more, EC on P-256, P-384 or P-521, Ed25519 or Ed448.\n"
    )
    assert keys_snapshot() == before and not keys.has_identity("Acme Widgets Ltd")


def test_a_weak_ca_in_the_chain_is_refused_too(tmp_path: Path) -> None:
    """A strong leaf under a 1024-bit root is only as strong as the root."""
    p12 = user_p12(tmp_path, ec.generate_private_key(ec.SECP256R1()), rsa.generate_private_key(65537, 1024))
    with pytest.raises(InputError, match=r"^The key of the certificate 'Corp Root CA' in user.p12 is RSA 1024 bits"):
        keys.import_identity(p12, SECRET)
    assert not keys.has_identity()


def test_a_certificate_for_another_key_is_refused(tmp_path: Path) -> None:
    """A PKCS#12 whose certificate names another public key than its private key. cryptography
    will not write one, so an unencrypted, MAC-less file from openssl gets its certificate swapped
    for one of the same length; the loader then finds no certificate for the key."""
    openssl = require_tool("openssl")
    root, mine, theirs = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    while True:
        own = _cert("Jane Auditee", mine, "Corp Root CA", root, ca=False).public_bytes(serialization.Encoding.DER)
        other = _cert("Jane Auditee", theirs, "Corp Root CA", root, ca=False).public_bytes(serialization.Encoding.DER)
        if len(own) == len(other):
            break
    pem = tmp_path / "mine.pem"
    pem.write_bytes(
        x509.load_der_x509_certificate(own).public_bytes(serialization.Encoding.PEM)
        + mine.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    p12 = tmp_path / "swapped.p12"
    subprocess.run(
        [openssl, "pkcs12", "-export", "-in", str(pem), "-nomac", "-certpbe", "NONE", "-keypbe", "NONE"]
        + ["-passout", "pass:", "-out", str(p12)],
        check=True,
        capture_output=True,
    )
    data = p12.read_bytes()
    assert own in data
    p12.write_bytes(data.replace(own, other))
    run = isms("keys", "import", str(p12), "--org", "Acme Widgets Ltd", env={"ISMS_PASSPHRASE": SECRET})
    assert run.exit_code == 1
    assert run.stderr == "Error: swapped.p12 must hold both a private key and its certificate.\n"
    assert not keys.has_identity("Acme Widgets Ltd")


@pytest.mark.parametrize("make_key", STRONG)
def test_accepted_key_types_import(tmp_path: Path, make_key) -> None:
    identity = keys.import_identity(user_p12(tmp_path, make_key()), SECRET)
    assert identity.common_name == "Jane Auditee" and keys.has_identity()


@pytest.mark.parametrize(
    "make_key",
    [
        ed25519.Ed25519PrivateKey.generate,
        ed448.Ed448PrivateKey.generate,
        lambda: ec.generate_private_key(ec.SECP521R1()),
    ],
    ids=["Ed25519", "Ed448", "P-521"],
)
def test_accepted_identities_sign_packs_that_verify(tmp_path: Path, make_key) -> None:
    """Ed25519 and Ed448 fix their digest (SHA-512, SHAKE256): signing picks it."""
    identity = keys.import_identity(user_p12(tmp_path, make_key()), SECRET)
    out = tmp_path / "pack.pdf"
    sign_pdf(make_pdf(), attachments(), identity, out)
    ca = tmp_path / "ca.pem"
    keys.export_ca(ca)
    report = verify_pdf(out, [ca])
    assert report.ok, report.render_text()


def test_a_signer_name_with_terminal_escapes_is_printed_harmless(tmp_path: Path) -> None:
    """The signer's name comes from the pack: verify must not let it steer the terminal."""
    p12 = user_p12(tmp_path, ec.generate_private_key(ec.SECP256R1()), leaf_cn="Jane\x1b[2J\u202eevil")
    imported = isms("keys", "import", str(p12), "--org", "Acme Widgets Ltd", env={"ISMS_PASSPHRASE": SECRET})
    assert imported.exit_code == 0 and "\x1b" not in imported.output and "\u202e" not in imported.output
    identity = keys.load_identity(SECRET, "Acme Widgets Ltd")
    assert identity.common_name == "Jane\ufffd[2J\ufffdevil"
    out = tmp_path / "pack.pdf"
    sign_pdf(make_pdf(), attachments(), identity, out)
    ca = tmp_path / "ca.pem"
    keys.export_ca(ca)
    for args in ((), ("--json",)):
        run = isms("verify", str(out), "--trust", str(ca), *args)
        assert run.exit_code == 0, run.output
        assert "\x1b" not in run.output and "\u202e" not in run.output and "\\u001b" not in run.output
        assert "Jane\ufffd[2J\ufffdevil" in run.output
