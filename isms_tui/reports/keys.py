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

This module keeps the identity store: where the files live, writing them safely and unlocking
them. The certificates are built and read in certificates.py. It is imported only by the
export/verify code paths and the `isms keys` commands: cryptography is imported at module
level, pyHanko only where a signer is built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509

from isms_tui.services.errors import InputError
from isms_tui.userfiles import UserFileError, read_user_file

from .certificates import (
    MAX_CERTIFICATE_FILE,
    MAX_KEY_FILE,
    WRONG_PASSPHRASE,
    ca_common_name,
    common_name,
    fingerprint,
    from_asn1,
    generate_identity,
    open_p12,
    organisation_name,
    pem,
    read_pem_certs,
    root_of,
    seal_p12,
    to_asn1,
)
from .passphrase import check_new_passphrase, is_text

if TYPE_CHECKING:  # pragma: no cover - typing only; pyHanko is imported lazily
    from pyhanko.sign.signers import SimpleSigner

SIGNER_P12 = "signer.p12"
SIGNER_PEM = "signer.pem"
CA_P12 = "ca.p12"
CA_PEM = "ca.pem"
IDENTITY_FILES = (SIGNER_P12, SIGNER_PEM, CA_P12, CA_PEM)
ORG_FILE = "organisation"
MAX_PASSPHRASE_FILE = 64 << 10  # its first line is the passphrase; never read a device or a huge file whole
MAX_ORG_FILE = 64 << 10  # one line: the organisation's name
ORGS_DIR = "orgs"

NO_IDENTITY = (
    "There is no signing identity yet; run `isms keys init` (or `isms keys import FILE.p12`), "
    "or export a pack, which creates one."
)


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
        return _normal(read_user_file(directory / ORG_FILE, max_bytes=MAX_ORG_FILE).decode("utf-8")) or None
    except (UserFileError, UnicodeDecodeError):
        pass
    if (directory / CA_P12).is_file():
        certs = read_pem_certs(directory / SIGNER_PEM)
        org = organisation_name(certs[0]) if certs else None
        if org is not None:
            return _normal(org) or None
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
            raw = read_user_file(passphrase_file, max_bytes=MAX_PASSPHRASE_FILE)
        except UserFileError as exc:
            raise InputError(f"Cannot read the passphrase file {passphrase_file}: it {exc.reason}.") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"The passphrase in {passphrase_file} is not valid UTF-8 text.") from None
        lines = text.splitlines()
        first = lines[0] if lines else ""
        if not first:
            raise InputError(f"The passphrase file {passphrase_file} is empty; put the passphrase on its first line.")
        return first
    value = os.environ.get("ISMS_PASSPHRASE")
    if value and not is_text(value):
        raise InputError("The passphrase in ISMS_PASSPHRASE is not valid UTF-8 text.")
    return value if value else None


# --- creating and importing --------------------------------------------------------------------


def init_identity(org_name: str, passphrase: str, *, force: bool = False) -> Identity:
    """Create a local CA and a signer certificate for the organisation, both passphrase-protected."""
    org_name = _normal(org_name)
    if not org_name:
        raise InputError("The signing identity needs the organisation's name.")
    check_new_passphrase(passphrase, [org_name])
    directory = _prepare_dir(force, identity_dir(org_name))

    new = generate_identity(org_name)
    signer_p12 = seal_p12(org_name, new.signer_key, new.signer_cert, [new.ca_cert], passphrase)
    ca_p12 = seal_p12(ca_common_name(org_name), new.ca_key, new.ca_cert, None, passphrase)
    _write_private(directory / CA_P12, ca_p12)
    _write_public(directory / CA_PEM, pem(new.ca_cert))
    _write_public(directory / SIGNER_PEM, pem(new.signer_cert))
    _write_private(directory / SIGNER_P12, signer_p12)  # its presence means "an identity exists"
    _claim(directory, org_name)
    return load_identity(passphrase, org_name)


def import_identity(p12_path: Path, passphrase: str, *, force: bool = False, org: str | None = None) -> Identity:
    """Use the user's own PKCS#12 (key + certificate, optionally its chain) as the signing identity.

    The file is copied in unchanged (so it keeps its own passphrase), after checking it opens
    and that the key belongs to the certificate.
    """
    p12_path = Path(p12_path)
    if not is_text(passphrase):
        raise InputError("The passphrase is not valid UTF-8 text.")
    try:
        data = read_user_file(p12_path, max_bytes=MAX_KEY_FILE)
    except UserFileError as exc:
        raise InputError(f"Cannot read {p12_path}: it {exc.reason}.") from None
    _key, cert, chain = open_p12(data, passphrase, p12_path.name)
    now = dt.datetime.now(dt.UTC)
    if cert.not_valid_after_utc < now:
        raise InputError(f"The certificate in {p12_path.name} expired on {cert.not_valid_after_utc:%Y-%m-%d}.")
    root = root_of(cert, chain)
    directory = _prepare_dir(force, identity_dir(org))
    if root is not None:
        _write_public(directory / CA_PEM, pem(root))
    _write_public(directory / SIGNER_PEM, pem(cert))
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

    if not is_text(passphrase):
        raise InputError("The passphrase is not valid UTF-8 text.")
    directory = identity_dir(org)
    path = directory / SIGNER_P12
    try:
        data = read_user_file(path, max_bytes=MAX_KEY_FILE)
    except UserFileError as exc:
        if exc.reason == "does not exist":
            raise InputError(NO_IDENTITY) from None
        raise InputError(f"Cannot read the signing key {path}: it {exc.reason}.") from None
    extra = read_pem_certs(directory / CA_PEM)
    try:
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=to_asn1(extra), passphrase=passphrase.encode("utf-8"))
    except ValueError as exc:
        # pyHanko wraps cryptography's error; its text tells a wrong passphrase from a broken file.
        if "password" in str(exc.__cause__ or exc).lower():
            raise InputError(WRONG_PASSPHRASE) from None
        raise InputError(f"The signing key {path} is not a readable PKCS#12 file.") from None
    except Exception:
        raise InputError(f"The signing key {path} must hold a private key and its certificate.") from None
    cert = from_asn1(signer.signing_cert)
    chain = [from_asn1(c) for c in signer.cert_registry if c != signer.signing_cert]
    ca_cert = root_of(cert, chain + extra)
    return Identity(
        signer=signer,
        fingerprint=fingerprint(cert),
        common_name=common_name(cert),
        ca_cert=ca_cert,
        certificate=cert,
    )


def export_ca(out: Path, org: str | None = None) -> Path:
    """Write the CA certificate (PEM) an auditor imports to trust the packs."""
    source = identity_dir(org) / CA_PEM
    if not os.path.lexists(source):  # anything else there is named by the read below
        if has_identity(org):
            raise InputError(
                "The imported signing identity has no CA certificate in its chain; "
                "ask its issuer for the CA certificate."
            )
        raise InputError(NO_IDENTITY)
    out = Path(out)
    try:
        data = read_user_file(source, max_bytes=MAX_CERTIFICATE_FILE)
    except UserFileError as exc:
        raise InputError(f"Cannot read the CA certificate {source}: it {exc.reason}.") from None
    _atomic_write(out, data, mode=0o644)
    return out


def identity_info(org: str | None = None) -> IdentityInfo:
    """Subject, fingerprint, validity and paths of an organisation's identity, from its public files."""
    directory = identity_dir(org)
    if not has_identity(org):
        raise InputError(NO_IDENTITY)
    certs = read_pem_certs(directory / SIGNER_PEM)
    if not certs:
        raise InputError(f"{directory / SIGNER_PEM} is missing or unreadable; re-import or re-create the identity.")
    cert = certs[0]
    cas = read_pem_certs(directory / CA_PEM)
    ca = cas[0] if cas else None
    return IdentityInfo(
        directory=directory,
        organisation=_owner(directory),
        subject=cert.subject.rfc4514_string(),
        common_name=common_name(cert),
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


# --- helpers -------------------------------------------------------------------------------------


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
    from isms_tui.files import write_bytes  # here: `isms verify` reads trust roots from this module

    write_bytes(Path(path), data, mode=mode, tag="key")
