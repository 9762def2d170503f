"""The signing identity: a local CA and the organisation's signer certificate, or the user's own PKCS#12.

Why a CA and not a bare self-signed certificate: pdfsig (NSS) never trusts a self-signed leaf,
even imported, but trusts a leaf issued by an imported CA. So the first export creates a small
local CA whose certificate the auditor imports once (`isms keys export-ca`).

One identity per organisation, because a consultant keeps one workspace per client and a pack
must never carry another client's name: the first organisation's identity lives in `keys_dir()`
itself (where the only identity lived before there could be several), every other one in
`keys_dir()/orgs/<name>-<hash>/`; a file `organisation` in each folder says whose it is.

Files in an identity's folder, private ones passphrase-protected PKCS#12 with mode 0600:
  signer.p12  signer key + certificate + CA chain (used to sign)
  signer.pem  the signer certificate alone (lets `isms keys show` work without the passphrase)
  ca.p12      the local CA key + certificate (only for a generated identity)
  ca.pem      the CA certificate, the file an auditor trusts

This module is imported only by the export/verify code paths and the `isms keys` commands:
cryptography is imported at module level, pyHanko only where a signer is built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from isms_tui.services.errors import InputError

if TYPE_CHECKING:  # pragma: no cover - typing only; pyHanko is imported lazily
    from pyhanko.sign.signers import SimpleSigner

SIGNER_P12 = "signer.p12"
SIGNER_PEM = "signer.pem"
CA_P12 = "ca.p12"
CA_PEM = "ca.pem"
IDENTITY_FILES = (SIGNER_P12, SIGNER_PEM, CA_P12, CA_PEM)
ORG_FILE = "organisation"
ORGS_DIR = "orgs"

CA_YEARS = 10
SIGNER_YEARS = 3
# RFC 9336 id-kp-documentSigning; emailProtection as well because NSS (pdfsig, Firefox, Thunderbird)
# checks a PDF signer's certificate for the e-mail signer usage and rejects an EKU without it.
DOCUMENT_SIGNING_EKU = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

NO_IDENTITY = (
    "There is no signing identity yet; run `isms keys init` (or `isms keys import FILE.p12`), "
    "or export a pack, which creates one."
)
WRONG_PASSPHRASE = "The passphrase does not open the signing key."


@dataclass(frozen=True)
class Identity:
    """An unlocked signing identity, ready for `signing.sign_pdf`."""

    signer: SimpleSigner
    fingerprint: str  # SHA-256 of the signer certificate (DER), lowercase hex
    common_name: str
    ca_cert: x509.Certificate | None
    certificate: x509.Certificate

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()


@dataclass(frozen=True)
class IdentityInfo:
    """What `isms keys show` prints; read from the public certificates, no passphrase needed."""

    directory: Path
    organisation: str | None  # whose identity the folder holds, once it has been used for one
    subject: str
    common_name: str
    issuer: str
    fingerprint: str
    not_before: dt.datetime
    not_after: dt.datetime
    ca_subject: str | None
    ca_fingerprint: str | None
    ca_not_after: dt.datetime | None
    has_ca_key: bool
    files: dict[str, Path]

    def to_dict(self) -> dict[str, object]:
        return {
            "directory": str(self.directory),
            "organisation": self.organisation,
            "subject": self.subject,
            "common_name": self.common_name,
            "issuer": self.issuer,
            "fingerprint": self.fingerprint,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "ca_subject": self.ca_subject,
            "ca_fingerprint": self.ca_fingerprint,
            "ca_not_after": self.ca_not_after.isoformat() if self.ca_not_after else None,
            "generated_ca": self.has_ca_key,
            "files": {name: str(path) for name, path in self.files.items()},
        }


# --- where the keys live ---------------------------------------------------------------------


def keys_dir() -> Path:
    """ISMS_KEYS_DIR, else `keys/` in the user data folder (tests point it at a temporary folder)."""
    override = os.environ.get("ISMS_KEYS_DIR")
    if override:
        return Path(override).expanduser()
    from isms_tui.config import data_dir

    return data_dir() / "keys"


def identity_dir(org: str | None = None) -> Path:
    """The folder of the identity that signs for `org` (None: the top folder, the first one's)."""
    base = keys_dir()
    if org is None:
        return base
    org = _normal(org)
    owner = _owner(base)
    if owner is None or owner == org:
        return base  # unclaimed (empty, or an identity from before there could be several) or its own
    digest = hashlib.sha256(org.encode("utf-8")).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9]+", "-", org.lower()).strip("-")[:40] or "organisation"
    return base / ORGS_DIR / f"{slug}-{digest}"


def identity_dirs() -> list[Path]:
    """Every identity folder on this machine, the top one first."""
    base = keys_dir()
    return [base, *sorted(p for p in (base / ORGS_DIR).glob("*") if p.is_dir())]


def has_identity(org: str | None = None) -> bool:
    return (identity_dir(org) / SIGNER_P12).is_file()


def _normal(org: str) -> str:
    return " ".join(org.split())


def _owner(directory: Path) -> str | None:
    """Whose identity the folder holds: its `organisation` file, else, for one generated here
    before that file existed, the organisation its certificate names; None if nobody's yet."""
    try:
        return _normal(Path(directory / ORG_FILE).read_text(encoding="utf-8")) or None
    except OSError:
        pass
    if (directory / CA_P12).is_file():
        certs = _read_pem_certs(directory / SIGNER_PEM)
        names = certs[0].subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME) if certs else []
        if names:
            return _normal(str(names[0].value)) or None
    return None


def _claim(directory: Path, org: str | None) -> None:
    """Write down whose identity the folder holds, on first use (an imported identity from before
    there could be several belongs to the first organisation that signs with it)."""
    if org is not None and not (directory / ORG_FILE).exists() and (directory / SIGNER_P12).is_file():
        _write_public(directory / ORG_FILE, ((_owner(directory) or _normal(org)) + "\n").encode("utf-8"))


def passphrase_from_env_or_file(passphrase_file: Path | None) -> str | None:
    """The passphrase from --passphrase-file (its first line) if given, else ISMS_PASSPHRASE, else None.

    The explicit file wins over the environment so a script can override an exported variable.
    """
    if passphrase_file is not None:
        try:
            text = Path(passphrase_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
            raise InputError(f"Cannot read the passphrase file {passphrase_file}: {reason}.") from None
        lines = text.splitlines()
        first = lines[0] if lines else ""
        if not first:
            raise InputError(f"The passphrase file {passphrase_file} is empty; put the passphrase on its first line.")
        return first
    value = os.environ.get("ISMS_PASSPHRASE")
    return value if value else None


# --- creating and importing --------------------------------------------------------------------


def init_identity(org_name: str, passphrase: str, *, force: bool = False) -> Identity:
    """Create a local CA and a signer certificate for the organisation, both passphrase-protected."""
    org_name = _normal(org_name)
    if not org_name:
        raise InputError("The signing identity needs the organisation's name.")
    _check_new_passphrase(passphrase)
    directory = _prepare_dir(force, identity_dir(org_name))

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{org_name} ISMS signing CA", org_name)
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

    secret = passphrase.encode("utf-8")
    signer_p12 = pkcs12.serialize_key_and_certificates(
        org_name.encode("utf-8"), signer_key, signer_cert, [ca_cert], _encryption(secret)
    )
    ca_p12 = pkcs12.serialize_key_and_certificates(
        f"{org_name} ISMS signing CA".encode(), ca_key, ca_cert, None, _encryption(secret)
    )
    _write_private(directory / CA_P12, ca_p12)
    _write_public(directory / CA_PEM, ca_cert.public_bytes(serialization.Encoding.PEM))
    _write_public(directory / SIGNER_PEM, signer_cert.public_bytes(serialization.Encoding.PEM))
    _write_private(directory / SIGNER_P12, signer_p12)  # its presence means "an identity exists"
    _claim(directory, org_name)
    return load_identity(passphrase, org_name)


def import_identity(p12_path: Path, passphrase: str, *, force: bool = False, org: str | None = None) -> Identity:
    """Use the user's own PKCS#12 (key + certificate, optionally its chain) as the signing identity.

    The file is copied in unchanged (so it keeps its own passphrase), after checking it opens
    and that the key belongs to the certificate.
    """
    p12_path = Path(p12_path)
    try:
        data = p12_path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read {p12_path}: {exc.strerror or exc}.") from None
    key, cert, chain = _open_p12(data, passphrase, p12_path.name)
    now = dt.datetime.now(dt.UTC)
    if cert.not_valid_after_utc < now:
        raise InputError(f"The certificate in {p12_path.name} expired on {cert.not_valid_after_utc:%Y-%m-%d}.")
    root = _root_of(cert, chain)
    directory = _prepare_dir(force, identity_dir(org))
    if root is not None:
        _write_public(directory / CA_PEM, root.public_bytes(serialization.Encoding.PEM))
    _write_public(directory / SIGNER_PEM, cert.public_bytes(serialization.Encoding.PEM))
    _write_private(directory / SIGNER_P12, data)
    _claim(directory, org)
    return load_identity(passphrase, org)


def ensure_identity(org_name: str, passphrase: str) -> Identity:
    """The organisation's identity to sign with: load it, or create it on its first export."""
    if has_identity(org_name):
        _claim(identity_dir(org_name), org_name)
        return load_identity(passphrase, org_name)
    try:
        return init_identity(org_name, passphrase)
    except InputError:
        if has_identity(org_name):  # another export created it a moment ago: use that one
            return load_identity(passphrase, org_name)
        raise


# --- using ---------------------------------------------------------------------------------------


def load_identity(passphrase: str, org: str | None = None) -> Identity:
    """Unlock signer.p12; a wrong passphrase is an InputError (pyHanko's load_pkcs12 would return None)."""
    from pyhanko.sign.signers import SimpleSigner

    directory = identity_dir(org)
    path = directory / SIGNER_P12
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(NO_IDENTITY) from None
    except OSError as exc:
        raise InputError(f"Cannot read the signing key {path}: {exc.strerror or exc}.") from None
    extra = _read_pem_certs(directory / CA_PEM)
    try:
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=_to_asn1(extra), passphrase=passphrase.encode("utf-8"))
    except ValueError as exc:
        # pyHanko wraps cryptography's error; its text tells a wrong passphrase from a broken file.
        if "password" in str(exc.__cause__ or exc).lower():
            raise InputError(WRONG_PASSPHRASE) from None
        raise InputError(f"The signing key {path} is not a readable PKCS#12 file.") from None
    except Exception:
        raise InputError(f"The signing key {path} must hold a private key and its certificate.") from None
    cert = _from_asn1(signer.signing_cert)
    chain = [_from_asn1(c) for c in signer.cert_registry if c != signer.signing_cert]
    ca_cert = _root_of(cert, chain + extra)
    return Identity(
        signer=signer,
        fingerprint=fingerprint(cert),
        common_name=_common_name(cert),
        ca_cert=ca_cert,
        certificate=cert,
    )


def export_ca(out: Path, org: str | None = None) -> Path:
    """Write the CA certificate (PEM) an auditor imports to trust the packs."""
    source = identity_dir(org) / CA_PEM
    if not source.is_file():
        if has_identity(org):
            raise InputError(
                "The imported signing identity has no CA certificate in its chain; "
                "ask its issuer for the CA certificate."
            )
        raise InputError(NO_IDENTITY)
    out = Path(out)
    _atomic_write(out, source.read_bytes(), mode=0o644)
    return out


def identity_info(org: str | None = None) -> IdentityInfo:
    """Subject, fingerprint, validity and paths of an organisation's identity, from its public files."""
    directory = identity_dir(org)
    if not has_identity(org):
        raise InputError(NO_IDENTITY)
    certs = _read_pem_certs(directory / SIGNER_PEM)
    if not certs:
        raise InputError(f"{directory / SIGNER_PEM} is missing or unreadable; re-import or re-create the identity.")
    cert = certs[0]
    cas = _read_pem_certs(directory / CA_PEM)
    ca = cas[0] if cas else None
    return IdentityInfo(
        directory=directory,
        organisation=_owner(directory),
        subject=cert.subject.rfc4514_string(),
        common_name=_common_name(cert),
        issuer=cert.issuer.rfc4514_string(),
        fingerprint=fingerprint(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        ca_subject=ca.subject.rfc4514_string() if ca else None,
        ca_fingerprint=fingerprint(ca) if ca else None,
        ca_not_after=ca.not_valid_after_utc if ca else None,
        has_ca_key=(directory / CA_P12).is_file(),
        files={name: directory / name for name in IDENTITY_FILES if (directory / name).is_file()},
    )


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, lowercase hex: what the cover page and `isms verify` show."""
    return cert.fingerprint(hashes.SHA256()).hex()


def load_certificates(path: Path) -> list[x509.Certificate]:
    """Every certificate in a PEM (one or more) or DER file; InputError when there is none."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}.") from None
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


# --- helpers -------------------------------------------------------------------------------------


def _open_p12(data: bytes, passphrase: str, label: str) -> tuple[object, x509.Certificate, list[x509.Certificate]]:
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
    pub = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    own = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if pub != own:
        raise InputError(f"The private key in {label} does not belong to its certificate.")
    return key, cert, list(chain)


def _root_of(cert: x509.Certificate, pool: list[x509.Certificate]) -> x509.Certificate | None:
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


def _issued(issuer: x509.Certificate, cert: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:
        return False
    return True


def _to_asn1(certs: list[x509.Certificate]) -> list:
    from asn1crypto import x509 as asn1_x509

    return [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in certs]


def _from_asn1(cert: object) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())  # type: ignore[attr-defined]


def _read_pem_certs(path: Path) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError):
        return []


def _common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if names:
        value = names[0].value
        return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return cert.subject.rfc4514_string()


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


def _check_new_passphrase(passphrase: str) -> None:
    if not passphrase:
        raise InputError("The passphrase must not be empty.")
    if len(passphrase) < 8:
        raise InputError("Choose a passphrase of at least 8 characters for the signing key.")


def _prepare_dir(force: bool, directory: Path) -> Path:
    """Create the identity's folder (0700); with an identity there, refuse, or with force move it
    aside into old/."""
    base = keys_dir()
    try:
        for folder in (base, base / ORGS_DIR, directory) if directory != base else (base,):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise InputError(f"Cannot create the keys folder {directory}: {exc.strerror or exc}.") from None
    present = [name for name in (*IDENTITY_FILES, ORG_FILE) if (directory / name).exists()]
    if not present:
        return directory
    if not force and (directory / SIGNER_P12).exists():
        raise InputError(f"A signing identity already exists in {directory}; use --force to replace it.")
    # Keep the replaced files: packs signed before still need their CA to verify.
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    archive = directory / "old" / stamp
    archive.mkdir(parents=True, mode=0o700)
    for name in present:
        os.replace(directory / name, archive / name)
    return directory


def _write_private(path: Path, data: bytes) -> None:
    _atomic_write(path, data, mode=0o600)


def _write_public(path: Path, data: bytes) -> None:
    _atomic_write(path, data, mode=0o644)


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    """Write via a temporary file in the same folder, created with `mode` from the start, then rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
