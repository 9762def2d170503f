"""X.509 and PKCS#12 for the signing identity: building the local CA and the signer certificate,
sealing keys in PKCS#12, opening one, following a chain to its root, fingerprints and reading
certificate files. Where the files live and when they are written is keys.py's business.

cryptography is imported at module level; asn1crypto (pyHanko's) only where a chain is handed
to pyHanko.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dh, dsa, ec, ed448, ed25519, rsa, x448, x25519
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from isms_tui.services.errors import InputError
from isms_tui.userfiles import UserFileError, read_user_file

CA_YEARS = 10
SIGNER_YEARS = 3
# RFC 9336 id-kp-documentSigning; emailProtection as well because NSS (pdfsig, Firefox, Thunderbird)
# checks a PDF signer's certificate for the e-mail signer usage and rejects an EKU without it.
DOCUMENT_SIGNING_EKU = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

WRONG_PASSPHRASE = "The passphrase does not open the signing key."
MAX_CERTIFICATE_FILE = 1 << 20  # a certificate chain is a few KB; never read a device or a huge file whole
MAX_KEY_FILE = 1 << 20  # likewise a PKCS#12 key file

# What a pack may be signed with (NIST SP 800-57 / BSI TR-02102 strength of 112 bits or more).
MIN_RSA_BITS = 2048
SIGNING_CURVES = frozenset({"secp256r1", "secp384r1", "secp521r1"})
ACCEPTED_KEYS = "RSA of 2048 bits or more, EC on P-256, P-384 or P-521, Ed25519 or Ed448"


@dataclass(frozen=True)
class GeneratedIdentity:
    """A new local CA and the signer certificate it issued, with both keys."""

    ca_key: ec.EllipticCurvePrivateKey
    ca_cert: x509.Certificate
    signer_key: ec.EllipticCurvePrivateKey
    signer_cert: x509.Certificate


def ca_common_name(org_name: str) -> str:
    return f"{org_name} ISMS signing CA"


def generate_identity(org_name: str) -> GeneratedIdentity:
    """A CA valid for CA_YEARS and a signer certificate for SIGNER_YEARS (never past the CA's end),
    both on P-256 and backdated five minutes against clock skew."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(ca_common_name(org_name), org_name)
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(_years_after(now, CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(org_name, org_name))
        .issuer_name(ca_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(_years_after(now, SIGNER_YEARS), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING_EKU, ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return GeneratedIdentity(ca_key, ca_cert, signer_key, signer_cert)


def seal_p12(
    friendly_name: str,
    key: ec.EllipticCurvePrivateKey,
    cert: x509.Certificate,
    cas: list[x509.Certificate] | None,
    passphrase: str,
) -> bytes:
    """A key and its certificate (and chain) as PKCS#12 protected by the passphrase."""
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8"), key, cert, cas, _encryption(passphrase.encode("utf-8"))
    )


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def open_p12(
    data: bytes, passphrase: str, label: str
) -> tuple[PrivateKeyTypes, x509.Certificate, list[x509.Certificate]]:
    """Open a PKCS#12 with cryptography, which raises on a wrong passphrase, and check it can sign."""
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase.encode("utf-8"))
    except ValueError as exc:
        # cryptography says "Invalid password or PKCS12 data" when the structure parsed but did
        # not decrypt, and "Could not deserialize PKCS12 data" when it is not PKCS#12 at all.
        if "password" in str(exc).lower():
            raise InputError(WRONG_PASSPHRASE) from None
        raise InputError(f"{label} is not a PKCS#12 file.") from None
    except Exception:
        raise InputError(f"{label} cannot be read as a PKCS#12 file.") from None
    if key is None or cert is None:
        raise InputError(f"{label} must hold both a private key and its certificate.")
    check_signing_key(key.public_key(), f"The key in {label}")
    pub = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    own = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if pub != own:
        raise InputError(f"The private key in {label} does not belong to its certificate.")
    for other in chain:
        check_signing_key(other.public_key(), f"The key of the certificate {common_name(other)!r} in {label}")
    return key, cert, list(chain)


def key_description(key: PublicKeyTypes) -> str:
    """A public key's type and size as people name it: 'RSA 1024 bits', 'EC secp192r1 (192 bits)'."""
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size} bits"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name} ({key.curve.key_size} bits)"
    if isinstance(key, dsa.DSAPublicKey):
        return f"DSA {key.key_size} bits"
    if isinstance(key, dh.DHPublicKey):
        return f"DH {key.key_size} bits"
    names = {
        ed25519.Ed25519PublicKey: "Ed25519",
        ed448.Ed448PublicKey: "Ed448",
        x25519.X25519PublicKey: "X25519",
        x448.X448PublicKey: "X448",
    }
    return next((name for cls, name in names.items() if isinstance(key, cls)), type(key).__name__)


def check_signing_key(key: PublicKeyTypes, what: str) -> None:
    """InputError unless the key is one a pack may be signed with (ACCEPTED_KEYS)."""
    if isinstance(key, rsa.RSAPublicKey) and key.key_size >= MIN_RSA_BITS:
        return
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in SIGNING_CURVES:
        return
    if isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        return
    raise InputError(f"{what} is {key_description(key)}, which is not accepted for signing; use {ACCEPTED_KEYS}.")


def root_of(cert: x509.Certificate, pool: list[x509.Certificate]) -> x509.Certificate | None:
    """Follow issuers through `pool` to a self-signed root; None when the chain does not reach one."""
    current = cert
    seen: set[bytes] = set()
    while True:
        if current.issuer == current.subject and current is not cert:
            return current
        if current.issuer == current.subject:  # the signer itself is self-signed: no separate CA
            return None
        if current.fingerprint(hashes.SHA256()) in seen:
            return None
        seen.add(current.fingerprint(hashes.SHA256()))
        issuer = next((c for c in pool if c.subject == current.issuer and _issued(c, current)), None)
        if issuer is None:
            return None
        current = issuer


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, lowercase hex: what the cover page and `isms verify` show."""
    return cert.fingerprint(hashes.SHA256()).hex()


def colon_fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER certificate as colon-separated upper-case hex, all 32 bytes: the form
    `openssl x509 -fingerprint -sha256` and certificate viewers print; the cover and `isms verify`
    print a CA's fingerprint so."""
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def common_name(cert: x509.Certificate) -> str:
    """The subject's CN, printable: an imported certificate may carry escapes or bidi overrides
    in it, and the name is printed by `isms keys` and on every pack's cover."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if names:
        value = names[0].value
        text = value if isinstance(value, str) else value.decode("utf-8", "replace")
    else:
        text = cert.subject.rfc4514_string()
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def organisation_name(cert: x509.Certificate) -> str | None:
    """The subject's O attribute, if it has one."""
    names = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(names[0].value) if names else None


def load_certificates(path: Path) -> list[x509.Certificate]:
    """Every certificate in a PEM (one or more) or DER file; InputError when there is none."""
    path = Path(path)
    try:
        data = read_user_file(path, max_bytes=MAX_CERTIFICATE_FILE)
    except UserFileError as exc:
        raise InputError(f"Cannot read {path}: it {exc.reason}.") from None
    certs: list[x509.Certificate] = []
    if b"-----BEGIN CERTIFICATE-----" in data:
        try:
            certs = x509.load_pem_x509_certificates(data)
        except ValueError:
            certs = []
    else:
        try:
            certs = [x509.load_der_x509_certificate(data)]
        except ValueError:
            certs = []
    if not certs:
        raise InputError(f"{path} holds no certificate (expected a PEM or DER file).")
    return certs


def read_pem_certs(path: Path) -> list[x509.Certificate]:
    """The certificates of a PEM file; none when it is missing or unreadable."""
    try:
        return x509.load_pem_x509_certificates(read_user_file(path, max_bytes=MAX_CERTIFICATE_FILE))
    except (UserFileError, ValueError):
        return []


def to_asn1(certs: list[x509.Certificate]) -> list[Any]:
    """The certificates as asn1crypto objects, the form pyHanko takes."""
    from asn1crypto import x509 as asn1_x509

    return [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in certs]


def from_asn1(cert: Any) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def _issued(issuer: x509.Certificate, cert: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:
        return False
    return True


def _name(common_name: str, org_name: str) -> x509.Name:
    # X.520 upper bound for CN and O is 64 characters.
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_name[:64]),
        ]
    )


def _key_usage(**enabled: bool) -> x509.KeyUsage:
    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
        ),
        False,
    )
    flags.update(enabled)
    return x509.KeyUsage(**flags, encipher_only=False, decipher_only=False)


def _years_after(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def _encryption(secret: bytes) -> serialization.KeySerializationEncryption:
    """AES-256 + PBKDF2 (OpenSSL 3 and NSS read it; the old RC2/3DES formats are not used).

    cryptography fixes the PKCS#12 MAC at 2048 iterations and a guess can be tested against the
    MAC alone, so more PBKDF2 rounds on the bags would slow every unlock without slowing an
    attacker: the passphrase's own strength is what protects the key.
    """
    return (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(20_000)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(secret)
    )
