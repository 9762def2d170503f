"""A new signing key's passphrase: strong by zxcvbn (score 3 of 4 or more) wherever one is
chosen, and a passphrase that is not text refused by name. A refusal creates nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from isms_tui.cli import main
from isms_tui.reports import keys
from isms_tui.reports.passphrase import check_new_passphrase
from isms_tui.services.errors import InputError

from .pack_helpers import copy_workspace, make_demo
from .signing_helpers import ORG, PASSPHRASE

WEAK = ("password1", "aaaaaaaaaaaa", "qwertyuiop", "12345678", "Acme Widgets Ltd", "AcmeWidgetsLtd")


def run(*args: str | Path, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def nothing_in(directory: Path) -> bool:
    return not directory.exists() or not any(directory.rglob("*.p12"))


@pytest.mark.parametrize("weak", WEAK)
def test_a_guessable_passphrase_creates_no_key(weak: str) -> None:
    with pytest.raises(InputError, match=r"^The passphrase is too easy to guess \(strength [0-2] of 4") as err:
        keys.init_identity(ORG, weak)
    assert str(err.value).count(".") <= 1 and str(err.value).endswith(".")
    assert not keys.has_identity(ORG) and nothing_in(keys.keys_dir())


def test_the_organisations_name_counts_against_the_passphrase() -> None:
    """The name is the first thing an insider tries; zxcvbn is told about it."""
    check_new_passphrase("AcmeWidgetsLtd")  # fine for someone else
    with pytest.raises(InputError, match="too easy to guess"):
        check_new_passphrase("AcmeWidgetsLtd", ["Acme Widgets Ltd"])


def test_strong_passphrases_pass_and_very_long_ones_are_not_scored() -> None:
    for strong in (PASSPHRASE, "correct horse battery staple", "plum-ferry-oxide-lantern", "x" * 300 + "y"):
        check_new_passphrase(strong)


def test_keys_init_refuses_a_weak_passphrase_in_one_sentence() -> None:
    result = run("keys", "init", "--org", ORG, env={"ISMS_PASSPHRASE": "password1"})
    assert result.exit_code == 1
    assert result.output.startswith("Error: The passphrase is too easy to guess (strength 0 of 4, at least 3 needed)")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert nothing_in(keys.keys_dir())


def test_a_passphrase_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_bytes(b"caf\xe9 cr\xe8me br\xfbl\xe9e\n")  # Latin-1, not UTF-8
    result = run("keys", "init", "--org", ORG, "--passphrase-file", secret)
    assert result.exit_code == 1
    assert result.output == f"Error: The passphrase in {secret} is not valid UTF-8 text.\n"
    assert nothing_in(keys.keys_dir())


def test_an_environment_passphrase_with_undecodable_bytes_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """A non-UTF-8 byte in the environment reaches Python as a lone surrogate."""
    keys.init_identity(ORG, PASSPHRASE)
    before = {p: p.read_bytes() for p in keys.keys_dir().rglob("*") if p.is_file()}
    monkeypatch.setenv("ISMS_PASSPHRASE", "correct horse \udce9 battery")
    for args in (("keys", "init", "--org", "Other Org Ltd"), ("keys", "import", str(keys.keys_dir() / "signer.p12"))):
        result = run(*args, "--force")
        assert result.exit_code == 1, result.output
        assert result.output == "Error: The passphrase in ISMS_PASSPHRASE is not valid UTF-8 text.\n"
    assert {p: p.read_bytes() for p in keys.keys_dir().rglob("*") if p.is_file()} == before
    with pytest.raises(InputError, match="not valid UTF-8 text"):
        keys.load_identity("bad \udcff")


def test_isms_pack_creating_the_key_from_the_environment_checks_it(tmp_path: Path) -> None:
    db = copy_workspace(make_demo(tmp_path / "demo.db"), tmp_path / "ws")
    out = tmp_path / "pack.pdf"
    result = run("pack", "--db", db, "--out", out, env={"ISMS_PASSPHRASE": "letmein123"})
    assert result.exit_code == 1
    assert result.output.startswith("Error: The passphrase is too easy to guess")
    assert not out.exists() and nothing_in(keys.keys_dir())


def test_zxcvbn_is_loaded_only_when_a_new_passphrase_is_checked() -> None:
    code = (
        "import sys\n"
        "from isms_tui.reports import keys, issue\n"
        "assert 'zxcvbn' not in sys.modules\n"
        "from isms_tui.reports.passphrase import check_new_passphrase\n"
        "check_new_passphrase('plum ferry oxide lantern')\n"
        "assert 'zxcvbn' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
