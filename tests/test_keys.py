"""The signing identity: generated CA + signer, the user's own PKCS#12, passphrases and `isms keys`."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from isms_tui.reports import certificates, keys
from isms_tui.reports.signing import sign_pdf
from isms_tui.reports.verify import verify_pdf
from isms_tui.services.errors import InputError

from .signing_helpers import ORG, PASSPHRASE, attachments, isms, make_pdf

NOW = dt.datetime.now(dt.UTC)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_keys_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "k"))
    assert keys.keys_dir() == tmp_path / "k"
    monkeypatch.delenv("ISMS_KEYS_DIR")
    monkeypatch.setenv("ISMS_DATA_DIR", str(tmp_path / "data"))
    assert keys.keys_dir() == tmp_path / "data" / "keys"


def test_init_creates_a_ca_and_a_signer_with_private_files_0600():
    identity = keys.init_identity(ORG, PASSPHRASE)
    d = keys.keys_dir()
    assert sorted(p.name for p in d.iterdir()) == ["ca.p12", "ca.pem", "organisation", "signer.p12", "signer.pem"]
    assert (d / "organisation").read_text() == ORG + "\n"
    assert _mode(d / "signer.p12") == 0o600
    assert _mode(d / "ca.p12") == 0o600
    assert _mode(d) == 0o700
    assert identity.common_name == ORG
    assert len(identity.fingerprint) == 64 and identity.fingerprint == certificates.fingerprint(identity.certificate)

    ca = x509.load_pem_x509_certificate((d / "ca.pem").read_bytes())
    assert identity.ca_cert == ca
    bc = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca is True
    ku = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.key_cert_sign and ku.crl_sign and not ku.digital_signature
    assert isinstance(ca.public_key(), (ec.EllipticCurvePublicKey, rsa.RSAPublicKey))
    assert 3640 <= (ca.not_valid_after_utc - ca.not_valid_before_utc).days <= 3655

    leaf = identity.certificate
    leaf.verify_directly_issued_by(ca)
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    ku = leaf.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and ku.value.content_commitment
    assert not ku.value.key_cert_sign
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert certificates.DOCUMENT_SIGNING_EKU in eku and ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert 1090 <= (leaf.not_valid_after_utc - leaf.not_valid_before_utc).days <= 1097
    assert leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == ORG


def test_the_key_files_open_only_with_the_passphrase():
    keys.init_identity(ORG, PASSPHRASE)
    d = keys.keys_dir()
    for name in ("signer.p12", "ca.p12"):
        with pytest.raises(ValueError):
            pkcs12.load_key_and_certificates((d / name).read_bytes(), b"wrong passphrase")
        key, cert, _ = pkcs12.load_key_and_certificates((d / name).read_bytes(), PASSPHRASE.encode())
        assert key is not None and cert is not None
    _key, _cert, chain = pkcs12.load_key_and_certificates((d / "signer.p12").read_bytes(), PASSPHRASE.encode())
    assert [c.subject for c in chain] == [x509.load_pem_x509_certificate((d / "ca.pem").read_bytes()).subject]


def test_an_existing_identity_is_not_overwritten_without_force():
    first = keys.init_identity(ORG, PASSPHRASE)
    with pytest.raises(InputError, match="already exists.*--force"):
        keys.init_identity(ORG, PASSPHRASE)
    assert keys.load_identity(PASSPHRASE).fingerprint == first.fingerprint
    second = keys.init_identity(ORG, PASSPHRASE, force=True)
    assert second.fingerprint != first.fingerprint
    archived = list((keys.keys_dir() / "old").iterdir())
    assert len(archived) == 1, "the replaced identity is kept: older packs still need its CA"
    assert (archived[0] / "ca.pem").exists() and _mode(archived[0] / "signer.p12") == 0o600


def test_wrong_passphrase_is_a_clear_input_error():
    keys.init_identity(ORG, PASSPHRASE)
    with pytest.raises(InputError) as err:
        keys.load_identity("not the passphrase")
    assert str(err.value) == "The passphrase does not open the signing key."


def test_missing_identity_says_how_to_create_one():
    with pytest.raises(InputError, match=r"isms keys init"):
        keys.load_identity(PASSPHRASE)
    with pytest.raises(InputError, match=r"isms keys init"):
        keys.export_ca(Path("unused.pem"))


def test_ensure_identity_creates_on_first_export_then_reuses():
    first = keys.ensure_identity(ORG, PASSPHRASE)
    again = keys.ensure_identity(f"  {ORG} ", PASSPHRASE)
    assert again.fingerprint == first.fingerprint and again.common_name == ORG
    with pytest.raises(InputError, match="passphrase does not open"):
        keys.ensure_identity(ORG, "wrong one!")


def test_each_organisation_signs_with_its_own_identity():
    """A consultant keeps one workspace per client: client B's packs never carry client A's name."""
    a = keys.ensure_identity(ORG, PASSPHRASE)
    b = keys.ensure_identity("Beta Clinic GmbH", PASSPHRASE)
    assert b.common_name == "Beta Clinic GmbH" and b.fingerprint != a.fingerprint
    assert b.ca_cert is not None and b.ca_cert != a.ca_cert
    folder_b = keys.identity_dir("Beta Clinic GmbH")
    assert folder_b.parent == keys.keys_dir() / "orgs" and folder_b.name.startswith("beta-clinic-gmbh-")
    assert _mode(folder_b / "signer.p12") == 0o600 and _mode(folder_b) == 0o700
    assert keys.identity_dir(ORG) == keys.keys_dir()  # the first one keeps the top folder
    assert keys.ensure_identity(ORG, PASSPHRASE).fingerprint == a.fingerprint
    assert keys.identity_info("Beta Clinic GmbH").organisation == "Beta Clinic GmbH"
    assert keys.identity_dirs() == [keys.keys_dir(), folder_b]  # what verify trusts by default


def test_a_generated_identity_from_before_organisations_stays_with_the_one_it_names():
    first = keys.init_identity(ORG, PASSPHRASE)
    (keys.keys_dir() / "organisation").unlink()  # as identities were stored before
    other = keys.ensure_identity("Other Client Ltd", PASSPHRASE)  # the first to sign after the upgrade
    assert other.fingerprint != first.fingerprint and other.common_name == "Other Client Ltd"
    assert keys.ensure_identity(ORG, PASSPHRASE).fingerprint == first.fingerprint
    assert (keys.keys_dir() / "organisation").read_text() == ORG + "\n"


def test_an_imported_identity_from_before_organisations_goes_to_the_first_that_signs(tmp_path):
    p12, cert = _user_p12(tmp_path, PASSPHRASE)
    first = keys.import_identity(p12, PASSPHRASE)  # no organisation given: as before
    assert not (keys.keys_dir() / "organisation").exists()
    assert keys.ensure_identity("Jane's Company", PASSPHRASE).fingerprint == first.fingerprint
    assert (keys.keys_dir() / "organisation").read_text() == "Jane's Company\n"
    assert keys.ensure_identity(ORG, PASSPHRASE).fingerprint != first.fingerprint


@pytest.mark.parametrize("bad", ["", "short"])
def test_new_identities_need_a_real_passphrase(bad):
    with pytest.raises(InputError):
        keys.init_identity(ORG, bad)
    assert not keys.has_identity()


def test_export_ca_writes_the_pem_an_auditor_trusts(tmp_path):
    keys.init_identity(ORG, PASSPHRASE)
    out = keys.export_ca(tmp_path / "ca-for-auditor.pem")
    assert out.read_bytes() == (keys.keys_dir() / "ca.pem").read_bytes()
    cert = x509.load_pem_x509_certificate(out.read_bytes())
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


# --- the user's own PKCS#12 ----------------------------------------------------------------------------


def _user_p12(
    tmp_path: Path, passphrase: str, *, with_chain: bool = True, legacy: bool = False
) -> tuple[Path, x509.Certificate]:
    """A PKCS#12 as a company PKI would issue it: RSA leaf from an intermediate-less root."""
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Corp Root CA")])
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Jane Auditee")]))
        .issuer_name(root_name)
        .public_key(leaf_key.public_key())
        .serial_number(2)
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    if legacy:
        enc = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())
            .build(passphrase.encode())
        )
    else:
        enc = serialization.BestAvailableEncryption(passphrase.encode())
    data = pkcs12.serialize_key_and_certificates(b"jane", leaf_key, leaf, [root] if with_chain else None, enc)
    path = tmp_path / "mine.p12"
    path.write_bytes(data)
    return path, root


@pytest.mark.parametrize("legacy", [False, True], ids=["aes", "legacy-3des"])
def test_import_uses_the_users_pkcs12_and_exports_its_root(tmp_path, legacy):
    p12, root = _user_p12(tmp_path, "their own secret", legacy=legacy)
    identity = keys.import_identity(p12, "their own secret")
    stored = keys.keys_dir() / "signer.p12"
    assert stored.read_bytes() == p12.read_bytes()
    assert _mode(stored) == 0o600
    assert identity.common_name == "Jane Auditee"
    assert identity.ca_cert == root
    out = keys.export_ca(tmp_path / "root.pem")
    assert x509.load_pem_x509_certificate(out.read_bytes()) == root

    pack = tmp_path / "pack.pdf"
    sign_pdf(make_pdf(1), attachments(), keys.load_identity("their own secret"), pack)
    report = verify_pdf(pack, [out])
    assert report.ok, report.render_text()
    assert report.signer == "Jane Auditee"


def test_import_without_chain_has_no_ca_to_export(tmp_path):
    p12, _root = _user_p12(tmp_path, "their own secret", with_chain=False)
    identity = keys.import_identity(p12, "their own secret")
    assert identity.ca_cert is None
    with pytest.raises(InputError, match="no CA certificate"):
        keys.export_ca(tmp_path / "ca.pem")


def test_import_rejects_bad_files(tmp_path):
    p12, _ = _user_p12(tmp_path, "their own secret")
    with pytest.raises(InputError, match="^The passphrase does not open the signing key.$"):
        keys.import_identity(p12, "guess")
    junk = tmp_path / "junk.p12"
    junk.write_bytes(b"definitely not pkcs12")
    with pytest.raises(InputError, match="junk.p12 is not a PKCS#12 file"):
        keys.import_identity(junk, "x")
    cert_only = tmp_path / "cert-only.p12"
    root_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "c")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(root_key.public_key())
        .serial_number(3)
        .not_valid_before(NOW)
        .not_valid_after(NOW + dt.timedelta(days=1))
        .sign(root_key, hashes.SHA256())
    )
    cert_only.write_bytes(
        pkcs12.serialize_key_and_certificates(
            None, None, None, [cert], serialization.BestAvailableEncryption(b"pw-pw-pw")
        )
    )
    with pytest.raises(InputError, match="must hold both a private key and its certificate"):
        keys.import_identity(cert_only, "pw-pw-pw")
    with pytest.raises(InputError, match="Cannot read"):
        keys.import_identity(tmp_path / "absent.p12", "x")
    assert not keys.has_identity()


def test_import_rejects_a_key_that_is_not_the_certificates(tmp_path, monkeypatch):
    """cryptography will not even write such a file, but one made elsewhere must still be refused."""
    p12, _ = _user_p12(tmp_path, "their own secret")
    key, cert, chain = pkcs12.load_key_and_certificates(p12.read_bytes(), b"their own secret")
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    monkeypatch.setattr(certificates.pkcs12, "load_key_and_certificates", lambda data, pw: (other, cert, chain))
    with pytest.raises(InputError, match="does not belong to its certificate"):
        keys.import_identity(p12, "their own secret")
    assert not keys.has_identity()


def test_import_does_not_replace_an_identity_without_force(tmp_path):
    keys.init_identity(ORG, PASSPHRASE)
    p12, _ = _user_p12(tmp_path, "their own secret")
    with pytest.raises(InputError, match="--force"):
        keys.import_identity(p12, "their own secret")
    identity = keys.import_identity(p12, "their own secret", force=True)
    assert identity.common_name == "Jane Auditee"
    assert not (keys.keys_dir() / "ca.p12").exists(), "the old generated CA key is archived, not mixed in"


# --- passphrases ------------------------------------------------------------------------------------


def test_passphrase_from_env_or_file(tmp_path, monkeypatch):
    assert keys.passphrase_from_env_or_file(None) is None
    monkeypatch.setenv("ISMS_PASSPHRASE", "from-env")
    assert keys.passphrase_from_env_or_file(None) == "from-env"
    f = tmp_path / "pass.txt"
    f.write_text("from file with spaces \nsecond line\n", encoding="utf-8")
    assert keys.passphrase_from_env_or_file(f) == "from file with spaces "
    f.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="is empty"):
        keys.passphrase_from_env_or_file(f)
    with pytest.raises(InputError, match="Cannot read the passphrase file"):
        keys.passphrase_from_env_or_file(tmp_path / "missing.txt")


# --- the command line ---------------------------------------------------------------------------------


def test_cli_keys_init_show_export(tmp_path):
    run = isms("keys", "init", "--org", ORG, env={"ISMS_PASSPHRASE": PASSPHRASE})
    assert run.exit_code == 0, run.output
    identity = keys.load_identity(PASSPHRASE)
    assert identity.fingerprint in run.output

    show = isms("keys", "show")
    assert show.exit_code == 0
    assert f"CN={ORG}" in show.output and identity.fingerprint in show.output
    assert "signer.p12" in show.output and "generated here" in show.output
    data = json.loads(isms("keys", "show", "--json").output)
    assert data["fingerprint"] == identity.fingerprint and data["generated_ca"] is True

    out = tmp_path / "ca.pem"
    run = isms("keys", "export-ca", "--out", str(out))
    assert run.exit_code == 0 and out.read_bytes() == (keys.keys_dir() / "ca.pem").read_bytes()

    again = isms("keys", "init", "--org", ORG, env={"ISMS_PASSPHRASE": PASSPHRASE})
    assert again.exit_code == 1
    assert again.stderr.strip().startswith("Error: A signing identity already exists")
    forced = isms("keys", "init", "--org", ORG, "--force", env={"ISMS_PASSPHRASE": PASSPHRASE})
    assert forced.exit_code == 0
    assert keys.load_identity(PASSPHRASE, ORG).fingerprint != identity.fingerprint
    other = isms("keys", "init", "--org", "New Name", env={"ISMS_PASSPHRASE": PASSPHRASE})
    assert other.exit_code == 0, other.output  # another organisation: its own identity, no --force
    assert keys.load_identity(PASSPHRASE, "New Name").common_name == "New Name"
    shown = isms("keys", "show", "--org", "New Name")
    assert "Organisation: New Name" in shown.output and "CN=New Name" in shown.output


def test_cli_keys_init_reads_the_passphrase_file(tmp_path):
    f = tmp_path / "pw"
    f.write_text(PASSPHRASE + "\n", encoding="utf-8")
    run = isms("keys", "init", "--org", ORG, "--passphrase-file", str(f))
    assert run.exit_code == 0, run.output
    assert keys.load_identity(PASSPHRASE).common_name == ORG


def test_cli_keys_init_without_a_passphrase_and_no_terminal_is_a_clear_error():
    run = isms("keys", "init", "--org", ORG)
    assert run.exit_code == 1
    assert run.stderr == "Error: No passphrase given: set ISMS_PASSPHRASE or use --passphrase-file.\n"
    assert not keys.has_identity()


def test_cli_keys_init_takes_the_organisation_from_the_workspace(db_path, engine):
    from isms_tui.models.db import session_scope
    from isms_tui.services.workspace import save_workspace

    with session_scope(engine, "tester") as s:
        save_workspace(s, "Workspace Org GmbH", scope="Everything")
    engine.dispose()
    run = isms("keys", "init", "--db", str(db_path), env={"ISMS_PASSPHRASE": PASSPHRASE})
    assert run.exit_code == 0, run.output
    assert keys.load_identity(PASSPHRASE).common_name == "Workspace Org GmbH"


def test_cli_keys_init_needs_an_organisation():
    run = isms("keys", "init", env={"ISMS_PASSPHRASE": PASSPHRASE})
    assert run.exit_code == 1
    assert "--org" in run.stderr


def test_cli_keys_import_wrong_passphrase_exit_1_one_sentence(tmp_path):
    p12, _ = _user_p12(tmp_path, "their own secret")
    run = isms("keys", "import", str(p12), env={"ISMS_PASSPHRASE": "wrong"})
    assert run.exit_code == 1
    assert run.stderr == "Error: The passphrase does not open the signing key.\n"
    ok = isms("keys", "import", str(p12), env={"ISMS_PASSPHRASE": "their own secret"})
    assert ok.exit_code == 0, ok.output
    assert "Jane Auditee" in ok.output


def test_cli_keys_commands_without_identity_fail_cleanly(tmp_path):
    for args in (["keys", "show"], ["keys", "export-ca", "--out", str(tmp_path / "x.pem")]):
        run = isms(*args)
        assert run.exit_code == 1
        assert "isms keys init" in run.stderr
        assert "Traceback" not in run.output


def test_cli_keys_usage_errors_exit_2():
    assert isms("keys", "export-ca").exit_code == 2
    assert isms("keys", "import").exit_code == 2
    assert isms("keys", "frobnicate").exit_code == 2


def test_interactive_commands_prompt_without_echo(monkeypatch):
    import io

    import click

    from isms_tui.cli import common

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    asked: list[dict] = []

    def prompt(text, **kwargs):
        asked.append({"text": text, **kwargs})
        return "typed passphrase"

    monkeypatch.setattr(common.sys, "stdin", Terminal())
    monkeypatch.setattr(click, "prompt", prompt)
    assert common.read_passphrase(None, "New passphrase for the signing key", confirm=True) == "typed passphrase"
    assert asked == [{"text": "New passphrase for the signing key", "hide_input": True, "confirmation_prompt": True}]
    monkeypatch.setenv("ISMS_PASSPHRASE", "from env")
    assert common.read_passphrase(None, "Passphrase") == "from env"
    assert len(asked) == 1, "no prompt when the environment gives the passphrase"
