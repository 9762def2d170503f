"""`isms verify` under attack: every way an insider can damage or bloat a pack ends in a sentence of
its own (never a library's message or a traceback), exit status 1, and in bounded time.

Each row of the table builds one hostile file from a freshly signed pack; the test asserts the
check that fails and its sentence, and that no two attacks are reported with the same words.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from isms_tui.reports import keys
from isms_tui.reports import verify as verify_module
from isms_tui.reports.verify_bounds import (
    CYCLIC,
    DATA_AFTER_SIGNATURE,
    MALFORMED_CONTENTS,
    TOO_COMPLEX,
    contents_problem,
)

from .signing_helpers import PASSPHRASE, incremental_update, isms, local_ca, make_identity, sign_to

TOO_COMPLEX_ATTACHMENTS = {"attachments": TOO_COMPLEX}


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path]:
    """A signed pack's bytes and the CA that trusts it (keys in a module-wide folder)."""
    base = tmp_path_factory.mktemp("attacks")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISMS_KEYS_DIR", str(base / "keys"))
        make_identity()
        pack = sign_to(base / "pack.pdf", keys.load_identity(PASSPHRASE))
        ca = local_ca()[0]
    return pack.read_bytes(), ca


def _contents(data: bytes) -> tuple[int, int, int]:
    """(start of the /Contents hex, end of the DER's hex, end of the hex string)."""
    start = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    return start, start + len(data[start:end].rstrip(b"0")), end


def nonzero_padding(data: bytes) -> bytes:
    _start, der_end, _end = _contents(data)
    spot = der_end + 40
    return data[:spot] + b"A5" + data[spot + 2 :]


def padding_as_spaces(data: bytes) -> bytes:
    """Whitespace is legal inside a PDF hex string, but not in a signature's /Contents."""
    _start, der_end, _end = _contents(data)
    spot = der_end + 40
    return data[:spot] + b"  " + data[spot + 2 :]


def truncated_der(data: bytes) -> bytes:
    """The DER's outer length claims more bytes than /Contents holds (a cut-off signature)."""
    start, _der_end, _end = _contents(data)
    assert data[start : start + 4] == b"3082"
    return data[: start + 4] + b"FFFF" + data[start + 8 :]


def zeroed_der_tail(data: bytes) -> bytes:
    """The last part of the signature overwritten with zero padding: the length still fits."""
    _start, der_end, _end = _contents(data)
    return data[: der_end - 600] + b"0" * 600 + data[der_end:]


def _set_embedded_files(build: Callable) -> Callable[[bytes], bytes]:
    """An incremental update replacing /Names /EmbeddedFiles with the tree `build(writer)` returns."""

    def attack(data: bytes) -> bytes:
        def change(writer) -> None:
            from pyhanko.pdf_utils import generic

            names = writer.root["/Names"]
            names[generic.pdf_name("/EmbeddedFiles")] = build(writer)
            writer.update_container(names)
            writer.update_root()

        return incremental_update(data, change)

    return attack


def _leaf(writer, entries: int = 0):
    from pyhanko.pdf_utils import generic

    items = []
    for i in range(entries):
        items += [generic.TextStringObject(f"f{i:06d}.txt"), generic.NullObject()]
    return writer.add_object(generic.DictionaryObject({generic.pdf_name("/Names"): generic.ArrayObject(items)}))


def _chain(length: int):
    def build(writer):
        from pyhanko.pdf_utils import generic

        ref = _leaf(writer)
        for _ in range(length):
            kids = generic.ArrayObject([ref])
            ref = writer.add_object(generic.DictionaryObject({generic.pdf_name("/Kids"): kids}))
        return ref

    return build


def _cycle(writer):
    from pyhanko.pdf_utils import generic

    first = generic.DictionaryObject()
    first_ref = writer.add_object(first)
    second_ref = writer.add_object(
        generic.DictionaryObject({generic.pdf_name("/Kids"): generic.ArrayObject([first_ref])})
    )
    first[generic.pdf_name("/Kids")] = generic.ArrayObject([second_ref])
    return first_ref


def long_page_tree(data: bytes) -> bytes:
    """The page tree's root hung under a chain of 3,000 /Pages nodes."""

    def change(writer) -> None:
        from pyhanko.pdf_utils import generic

        ref = writer.root.raw_get("/Pages")
        for _ in range(3000):
            node = generic.DictionaryObject(
                {
                    generic.pdf_name("/Type"): generic.pdf_name("/Pages"),
                    generic.pdf_name("/Kids"): generic.ArrayObject([ref]),
                    generic.pdf_name("/Count"): generic.NumberObject(2),
                }
            )
            ref = writer.add_object(node)
        writer.root[generic.pdf_name("/Pages")] = ref
        writer.update_root()

    return incremental_update(data, change)


SECOND_REVISION = "The file was changed after signing: an incremental update follows the signed revision."

ATTACKS: list[tuple[str, Callable[[bytes], bytes], dict[str, str]]] = [
    (
        "appended bytes",
        lambda d: d + b"\n% appended after signing\n",
        {"whole file signed": "The file was changed after signing: 26 bytes were appended after the signed revision."},
    ),
    ("non-zero padding after the DER", nonzero_padding, {"signature contents": DATA_AFTER_SIGNATURE}),
    ("whitespace in the padding", padding_as_spaces, {"signature contents": MALFORMED_CONTENTS}),
    ("truncated signature", truncated_der, {"signature contents": MALFORMED_CONTENTS}),
    ("zeroed signature tail", zeroed_der_tail, {"signature contents": MALFORMED_CONTENTS}),
    (
        "a second revision",
        lambda d: incremental_update(d, lambda w: w.update_root()),
        {"whole file signed": SECOND_REVISION},
    ),
    ("deeply nested names tree", _set_embedded_files(_chain(40)), TOO_COMPLEX_ATTACHMENTS),
    ("very long /Kids chain", _set_embedded_files(_chain(5000)), TOO_COMPLEX_ATTACHMENTS),
    ("huge names tree", _set_embedded_files(lambda w: _leaf(w, 60_000)), TOO_COMPLEX_ATTACHMENTS),
    ("cyclic names tree", _set_embedded_files(_cycle), {"attachments": CYCLIC}),
    ("very long page tree chain", long_page_tree, {"whole file signed": SECOND_REVISION}),
    ("garbage", lambda d: os.urandom(5000).replace(b"%PDF-", b"xxxxx"), {"file": "pack.pdf is not a PDF file."}),
    ("a damaged PDF", lambda d: d[:400], {"file": "pack.pdf is not a readable PDF: its structure is damaged."}),
    ("an empty file", lambda d: b"", {"file": "pack.pdf is empty."}),
]


def _verify(path: Path, ca: Path) -> tuple[int, dict, str]:
    run = isms("verify", str(path), "--trust", str(ca), "--json")
    return run.exit_code, json.loads(run.stdout), run.output


@pytest.mark.parametrize(("name", "attack", "expected"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_each_attack_fails_with_its_own_sentence(signed, tmp_path, name, attack, expected) -> None:
    data, ca = signed
    bad = tmp_path / "pack.pdf"
    bad.write_bytes(attack(data))
    code, report, output = _verify(bad, ca)
    assert code == 1 and report["ok"] is False
    failed = {c["name"]: c["detail"] for c in report["checks"] if not c["ok"]}
    for check, sentence in expected.items():
        assert failed.get(check) == sentence, failed
    for sentence in failed.values():  # one sentence each, in our words
        assert sentence.endswith(".") and "Error" not in sentence and "Traceback" not in output


def test_the_attacks_are_told_apart() -> None:
    """Rows share their sentences only where the failure is the same: the oversized trees are all
    "too deep or too large", a cut, zeroed or bent signature is malformed alike, and a long page
    tree (which verify has no reason to walk) is just the revision that added it."""
    groups: dict[tuple, set[str]] = {}
    for name, _attack, expected in ATTACKS:
        groups.setdefault(tuple(sorted(expected.items())), set()).add(name)
    shared = sorted(sorted(names) for names in groups.values() if len(names) > 1)
    assert shared == [
        ["a second revision", "very long page tree chain"],
        ["deeply nested names tree", "huge names tree", "very long /Kids chain"],
        ["truncated signature", "whitespace in the padding", "zeroed signature tail"],
    ]


def test_the_untouched_pack_passes_the_new_checks(signed, tmp_path) -> None:
    data, ca = signed
    good = tmp_path / "pack.pdf"
    good.write_bytes(data)
    code, report, _ = _verify(good, ca)
    assert code == 0, report
    contents = next(c for c in report["checks"] if c["name"] == "signature contents")
    assert contents["ok"] is True


def test_a_fifo_as_the_pack_does_not_hang(signed, tmp_path) -> None:
    _data, ca = signed
    fifo = tmp_path / "pack.pdf"
    os.mkfifo(fifo)
    code = f"from isms_tui.cli import main\nmain(['verify', {str(fifo)!r}, '--trust', {str(ca)!r}])\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "[FAILED] file: pack.pdf is not a regular file." in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_the_whole_check_is_bounded_in_time(signed, tmp_path, monkeypatch) -> None:
    data, ca = signed
    slow = tmp_path / "pack.pdf"
    slow.write_bytes(data)
    monkeypatch.setattr(verify_module, "TIME_LIMIT", 0.000_001)
    code, report, _ = _verify(slow, ca)
    assert code == 1
    assert [(c["name"], c["detail"]) for c in report["checks"]] == [("structure", TOO_COMPLEX)]


@pytest.mark.parametrize(
    ("contents", "expected"),
    [
        (b"<3003020101>", None),
        (b"<30030201010000>", None),
        (b"<3003020101000001>", DATA_AFTER_SIGNATURE),
        (b"<30800201010000>", MALFORMED_CONTENTS),  # BER indefinite length
        (b"<308400000003020101>", None),
        (b"<3085000000000302>", MALFORMED_CONTENTS),
        (b"<3003020101 0>", MALFORMED_CONTENTS),
        (b"<300302010>", MALFORMED_CONTENTS),
        (b"<>", MALFORMED_CONTENTS),
        (b"(30030201)", MALFORMED_CONTENTS),
    ],
)
def test_contents_rules(contents: bytes, expected: str | None) -> None:
    data = b"%PDF-1.7 " + contents + b" %%EOF"
    gap = (9, 9 + len(contents))
    assert contents_problem(data, [0, gap[0], gap[1], len(data) - gap[1]]) == expected
    assert contents_problem(data, [1, gap[0], gap[1], 0]) == MALFORMED_CONTENTS
    assert contents_problem(data, "junk") == MALFORMED_CONTENTS


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        (
            b'{"files": [{"name": "\\ud800\\u001b[2J", "sha256": "\\udfff"}]}',
            "is listed in manifest.json but is missing",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "manifest.json is not a valid manifest (nested too deeply)."),
    ],
    ids=["lone surrogate and escape", "deep nesting"],
)
def test_a_hostile_manifest_is_one_sentence(signed, tmp_path, manifest: bytes, expected: str) -> None:
    from .signing_helpers import replace_attachment

    data, ca = signed
    bad = tmp_path / "pack.pdf"
    bad.write_bytes(incremental_update(data, replace_attachment("manifest.json", manifest)))
    for args in ((), ("--json",)):
        run = isms("verify", str(bad), "--trust", str(ca), *args)
        assert run.exit_code == 1
        assert expected in run.stdout and "Traceback" not in run.output
        assert "\x1b" not in run.stdout and "\\u001b" not in run.stdout  # nothing steers the terminal
