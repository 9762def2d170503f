"""Every way of changing a signed pack is rejected by `isms verify`, with the reason named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from isms_tui.reports import keys
from isms_tui.reports.verify import verify_pdf

from .signing_helpers import (
    PASSPHRASE,
    add_attachment,
    embedded_stream_offset,
    flip_byte,
    incremental_update,
    isms,
    local_ca,
    make_identity,
    nss_db,
    pdfsig,
    replace_attachment,
    sign_to,
)


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    make_identity()
    return sign_to(tmp_path / "pack.pdf", keys.load_identity(PASSPHRASE))


def _verify_json(path: Path) -> tuple[int, dict]:
    trust = ["--trust", str(local_ca()[0])] if local_ca()[0].is_file() else []
    run = isms("verify", str(path), "--json", *trust)
    return run.exit_code, json.loads(run.output)


def _failed(report: dict) -> dict[str, str]:
    return {c["name"]: c["detail"] for c in report["checks"] if not c["ok"]}


def _tampered(pack: Path, data: bytes) -> Path:
    out = pack.with_name("tampered.pdf")
    out.write_bytes(data)
    return out


def test_the_untouched_pack_passes(pack):
    code, report = _verify_json(pack)
    assert code == 0 and report["ok"], report


def test_flipped_byte_in_page_content(pack, tmp_path):
    data = pack.read_bytes()
    offset = data.index(b"Monitoring results - page 1")
    bad = _tampered(pack, flip_byte(data, offset))
    code, report = _verify_json(bad)
    assert code == 1 and not report["ok"]
    failed = _failed(report)
    assert failed["integrity"] == "The signed content was altered after signing: its digest no longer matches."
    assert "whole file signed" not in failed  # same length: the change is inside the signed bytes
    assert "Digest Mismatch" in pdfsig(bad)


def test_flipped_byte_inside_an_embedded_file_stream(pack):
    data = pack.read_bytes()
    bad = _tampered(pack, flip_byte(data, embedded_stream_offset(data, "readings.csv")))
    code, report = _verify_json(bad)
    assert code == 1
    failed = _failed(report)
    assert "integrity" in failed
    assert "readings.csv" in failed["attachments"]
    row = next(a for a in report["attachments"] if a["name"] == "readings.csv")
    assert row["ok"] is False and "readings.csv" in row["detail"]
    assert all(a["ok"] for a in report["attachments"] if a["name"] != "readings.csv")


def test_flipped_byte_in_an_uncompressed_attachment_names_the_hash_mismatch(pack):
    data = pack.read_bytes()  # scan.bin is random bytes: stored without deflate
    bad = _tampered(pack, flip_byte(data, embedded_stream_offset(data, "scan.bin")))
    code, report = _verify_json(bad)
    assert code == 1
    failed = _failed(report)
    assert "integrity" in failed
    assert "scan.bin does not match its SHA-256 in manifest.json." in failed["attachments"]


def test_incremental_update_adding_an_attachment(pack, tmp_path):
    bad = _tampered(pack, incremental_update(pack.read_bytes(), add_attachment("zz-extra.txt", b"planted")))
    code, report = _verify_json(bad)
    assert code == 1
    failed = _failed(report)
    assert failed["whole file signed"] == (
        "The file was changed after signing: an incremental update follows the signed revision."
    )
    assert "zz-extra.txt is embedded but not listed in manifest.json." in failed["attachments"]
    # pyHanko alone still calls the signed revision intact: that is why coverage is checked.
    assert "integrity" not in failed
    assert "Not total document signed" in pdfsig(bad, nss_db(tmp_path, keys.keys_dir() / "ca.pem"))


def test_appended_junk_bytes(pack, tmp_path):
    bad = _tampered(pack, pack.read_bytes() + b"\n% appended after signing\n")
    code, report = _verify_json(bad)
    assert code == 1
    failed = _failed(report)
    assert failed == {
        "whole file signed": "The file was changed after signing: 26 bytes were appended after the signed revision."
    }
    assert "Not total document signed" in pdfsig(bad, nss_db(tmp_path, keys.keys_dir() / "ca.pem"))


def test_swapped_attachment_same_name_new_content(pack):
    bad = _tampered(pack, incremental_update(pack.read_bytes(), replace_attachment("a-policy.txt", b"forged policy")))
    code, report = _verify_json(bad)
    assert code == 1
    failed = _failed(report)
    assert "incremental update" in failed["whole file signed"]
    assert "a-policy.txt does not match its SHA-256 in manifest.json." in failed["attachments"]


def test_re_embedding_under_the_same_name_is_caught(pack):
    bad = _tampered(pack, incremental_update(pack.read_bytes(), add_attachment("a-policy.txt", b"second copy")))
    code, report = _verify_json(bad)
    assert code == 1
    failed = _failed(report)
    assert "incremental update" in failed["whole file signed"]
    assert "a-policy.txt is embedded 2 times." in failed["attachments"]


def test_swapping_an_attachment_and_rewriting_the_manifest_still_fails(pack):
    """An attacker who also fixes manifest.json is still caught: the signature no longer covers the file."""
    import hashlib

    forged = b"forged policy"
    manifest = json.dumps(
        {
            "format": "isms-tui-manifest/1",
            "files": [
                {"name": "a-policy.txt", "sha256": hashlib.sha256(forged).hexdigest(), "size": len(forged)},
            ],
        }
    ).encode()

    def change(writer) -> None:
        replace_attachment("a-policy.txt", forged)(writer)
        replace_attachment("manifest.json", manifest)(writer)

    bad = _tampered(pack, incremental_update(pack.read_bytes(), change))
    code, report = _verify_json(bad)
    assert code == 1
    assert "incremental update" in _failed(report)["whole file signed"]


def test_corrupted_signature_value(pack):
    """A changed byte in the signature value itself (the end of the CMS blob, before the zero padding)."""
    data = pack.read_bytes()
    start = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    blob_end = start + len(data[start:end].rstrip(b"0"))
    target = blob_end - 10  # inside the last bytes of the ECDSA signature value
    bad = _tampered(pack, data[:target] + (b"0" if data[target : target + 1] != b"0" else b"1") + data[target + 1 :])
    code, report = _verify_json(bad)
    assert code == 1
    failed = _failed(report)
    assert failed["signature value"] == "The signature value does not verify with the signer's certificate."
    assert "Traceback" not in json.dumps(report)


def test_untrusted_ca_fails(pack, tmp_path, monkeypatch):
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "other-keys"))
    keys.init_identity("Someone Else", PASSPHRASE)
    other_ca = keys.export_ca(tmp_path / "other-ca.pem")
    run = isms("verify", str(pack), "--trust", str(other_ca), "--json")
    assert run.exit_code == 1
    report = json.loads(run.output)
    assert _failed(report) == {"trusted": "The signer's certificate does not chain to any trusted CA given."}


def test_the_right_ca_given_explicitly_passes_anywhere(pack, tmp_path, monkeypatch):
    ca = keys.export_ca(tmp_path / "issuer-ca.pem")
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "auditor-laptop"))  # no local identity there
    assert isms("verify", str(pack)).exit_code == 1
    run = isms("verify", str(pack), "--trust", str(ca))
    assert run.exit_code == 0, run.output


def test_no_ca_at_all_says_to_pass_trust(pack, tmp_path, monkeypatch):
    monkeypatch.setenv("ISMS_KEYS_DIR", str(tmp_path / "empty"))
    code, report = _verify_json(pack)
    assert code == 1
    assert "pass --trust CA.pem" in _failed(report)["trusted"]


def test_a_trust_file_that_is_not_a_certificate_is_one_sentence(pack, tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    run = isms("verify", str(pack), "--trust", str(junk))
    assert run.exit_code == 1
    assert run.stderr.strip() == f"Error: {junk} holds no certificate (expected a PEM or DER file)."


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"just some text\n", "is not a PDF file."),
        (b"", "thing.pdf is empty."),
        (b"%PDF-1.7\n%garbage with no objects at all\n", "is not a readable PDF: its structure is damaged."),
    ],
)
def test_non_pdf_input_fails_cleanly(tmp_path, content, expected):
    bad = tmp_path / "thing.pdf"
    bad.write_bytes(content)
    run = isms("verify", str(bad))
    assert run.exit_code == 1
    assert expected in run.output
    assert "Traceback" not in run.output + run.stderr


def test_a_truncated_pack_fails_cleanly(pack):
    bad = _tampered(pack, pack.read_bytes()[: len(pack.read_bytes()) // 2])
    run = isms("verify", str(bad), "--json")
    assert run.exit_code == 1
    assert json.loads(run.output)["ok"] is False


def test_an_unsigned_pdf_fails(tmp_path):
    from .signing_helpers import make_pdf

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(make_pdf(1))
    code, report = _verify_json(plain)
    assert code == 1
    assert _failed(report) == {"signature": "The file has no signature."}


def test_missing_file_and_usage_errors(tmp_path):
    run = isms("verify", str(tmp_path / "nope.pdf"))
    assert run.exit_code == 1
    assert "Cannot read" in run.output
    assert isms("verify").exit_code == 2
    assert isms("verify", str(tmp_path / "x.pdf"), "--bogus").exit_code == 2


def test_pyhanko_logs_nothing_to_the_user(pack, capsys, caplog):
    data = pack.read_bytes()
    bad = _tampered(pack, flip_byte(data, data.index(b"Monitoring results - page 1")))
    report = verify_pdf(bad)
    assert not report.ok
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    assert not [r for r in caplog.records if r.name.startswith("pyhanko")]
