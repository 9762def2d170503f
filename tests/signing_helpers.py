"""Shared pieces for the signing, verification and keys tests: a small PDF, attachments, tools, tampering."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

from .pack_helpers import require_tool

PASSPHRASE = "correct horse battery"
ORG = "Acme Widgets Ltd"


def make_pdf(pages: int = 2) -> bytes:
    """A small reportlab document with readable text on each page (uncompressed, so tests can find it)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=0)
    c.setTitle("Clause 9 evidence pack (test)")
    for n in range(1, pages + 1):
        c.setFont("Helvetica-Bold", 16)
        c.drawString(72, 780, f"Monitoring results - page {n}")
        c.setFont("Helvetica", 11)
        for i, line in enumerate(
            (
                "KPI PH-01 phishing click rate: 3.2 % against a target of 5 % [on target].",
                "Internal audit A-2026-02 covered clauses 9.1 to 10.2 and Annex A 5.15-5.18.",
                "Management review MR-2026 decided three actions with owners and due dates.",
            )
        ):
            c.drawString(72, 740 - 18 * i, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def attachments():
    from isms_tui.reports.signing import Attachment

    return [
        Attachment("readings.csv", b"kpi,date,value\n" + b"PH-01,2026-10-01,3.2\n" * 200, "KPI readings", "text/csv"),
        Attachment("a-policy.txt", b"Information security policy v3, approved 2026-01-15.\n", "Policy"),
        Attachment("scan.bin", os.urandom(4096), "Scanned sign-off sheet"),
    ]


def make_identity():
    from isms_tui.reports import keys

    return keys.init_identity(ORG, PASSPHRASE)


def local_ca() -> list[Path]:
    """The CA of the identity in the top keys folder, to pass as `trust` (verify trusts nothing by
    default but the CA of the workspace it is pointed at)."""
    from isms_tui.reports import keys

    return [keys.keys_dir() / "ca.pem"]


def sign_to(path: Path, identity=None, atts=None) -> Path:
    from isms_tui.reports.signing import sign_pdf

    identity = identity or make_identity()
    sign_pdf(make_pdf(), attachments() if atts is None else atts, identity, path)
    return path


def isms(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    """Run the real `isms` command line in process (CliRunner), as scripts would."""
    from click.testing import CliRunner

    from isms_tui.cli import main

    return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)


def nss_db(tmp: Path, ca_pem: Path) -> str:
    """A throwaway NSS database trusting `ca_pem`, as an auditor would set up for pdfsig."""
    certutil = require_tool("certutil")
    db = tmp / "nssdb"
    db.mkdir(exist_ok=True)
    subprocess.run([certutil, "-N", "-d", f"sql:{db}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        [certutil, "-A", "-d", f"sql:{db}", "-n", "isms", "-t", "CT,C,C", "-i", str(ca_pem)],
        check=True,
        capture_output=True,
    )
    return f"sql:{db}"


def pdfsig(pdf: Path, nssdir: str | None = None) -> str:
    """pdfsig's report (it exits 0 even on failures, so tests read the text)."""
    tool = require_tool("pdfsig")
    cmd = [tool] + (["-nssdir", nssdir] if nssdir else []) + [str(pdf)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    return result.stdout + result.stderr


# --- tampering -------------------------------------------------------------------------------------


def flip_byte(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def embedded_stream_offset(data: bytes, name: str) -> int:
    """Offset of a byte well inside the embedded file stream of attachment `name`."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data))
    tree = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    for i in range(0, len(tree), 2):
        if str(tree[i]) == name:
            ref = tree[i + 1].get_object()["/EF"].raw_get("/F")
            break
    else:
        raise AssertionError(f"{name} is not embedded")
    header = f"\n{ref.idnum} {ref.generation} obj".encode()
    start = data.rindex(header)
    match = re.compile(rb">>\s*stream\r?\n").search(data, start)
    assert match is not None
    return match.end() + 20


def incremental_update(data: bytes, change) -> bytes:
    """Apply `change(writer)` in an incremental update (what an attacker with pyHanko would do)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_attachment(name: str, payload: bytes):
    """A change that embeds one more file through pyHanko's embed module."""

    def change(writer) -> None:
        from pyhanko.pdf_utils import embed

        stream = embed.EmbeddedFileObject.from_file_data(writer, data=payload, mime_type="text/plain")
        embed.embed_file(writer, embed.FileSpec(file_spec_string=name, file_name=name, embedded_data=stream))

    return change


def replace_attachment(name: str, payload: bytes):
    """A change that points the existing file spec `name` at different content (same name, new bytes)."""

    def change(writer) -> None:
        from pyhanko.pdf_utils import embed, generic

        tree = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for i in range(0, len(tree), 2):
            if str(tree[i]) == name:
                spec = tree[i + 1].get_object()
                stream = embed.EmbeddedFileObject.from_file_data(writer, data=payload, mime_type="text/plain")
                ef = generic.DictionaryObject(
                    {generic.pdf_name("/F"): stream.ef_stream_ref, generic.pdf_name("/UF"): stream.ef_stream_ref}
                )
                spec["/EF"] = ef
                writer.update_container(spec)
                return
        raise AssertionError(f"{name} is not embedded")

    return change
