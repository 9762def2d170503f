"""The evidence files of a pack: collected once each, read and checked against their hashes,
named for embedding, and listed in the evidence register and the manifest."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmodel import Session

from isms_tui.models import Evidence
from isms_tui.reports import layout as L
from isms_tui.reports.layout import M
from isms_tui.reports.signing import Attachment
from isms_tui.services import evidence as evidence_service
from isms_tui.services.errors import InputError
from isms_tui.services.evidence_store import CEILING_BYTES, NotAFile, open_entry
from isms_tui.services.formatting import plural, size_text

from .cells import text_cell

if TYPE_CHECKING:
    from .context import Context


_NAME_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")
_MIME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$")


@dataclass
class EvidenceItem:
    evidence: Evidence
    records: list[str] = field(default_factory=list)
    attachment: str = ""


class EvidenceSet:
    """The evidence files of the records in the pack, each once, with every record it backs."""

    def __init__(self) -> None:
        self.items: dict[str, EvidenceItem] = {}

    def add(self, ev: Evidence, record: str) -> None:
        item = self.items.setdefault(ev.sha256, EvidenceItem(ev))
        if record not in item.records:
            item.records.append(record)

    def sorted(self) -> list[EvidenceItem]:
        return sorted(self.items.values(), key=lambda i: (i.evidence.original_name.casefold(), i.evidence.sha256))

    def load(self, session: Session) -> list[Attachment]:
        """Read every file from the store and check it against its hash; a missing or altered
        file, or anything but a file under its name, stops the pack (a pack must never claim
        evidence it does not hold)."""
        out: list[Attachment] = []
        used: set[str] = set()
        for item in self.sorted():
            ev = item.evidence
            root = evidence_service.store_dir(session)
            where = f"linked to {item.records[0]}" if item.records else "in the workspace"
            try:
                with open_entry(root, ev.sha256) as (fh, _):
                    data = fh.read(CEILING_BYTES + 1)  # anything longer cannot match its hash
            except NotAFile as exc:
                raise InputError(
                    f"The evidence file {ev.original_name!r} ({where}) is {exc.kind} in the store, not a file; "
                    "attach the file again (see `isms evidence verify`)."
                ) from None
            except FileNotFoundError:
                raise InputError(
                    f"The evidence file {ev.original_name!r} ({where}) is missing from the store "
                    f"{evidence_service.store_dir(session)}; restore it from a backup (see `isms evidence verify`)."
                ) from None
            except OSError as exc:
                raise InputError(
                    f"The evidence file {ev.original_name!r} ({where}) cannot be read: {exc.strerror or exc}."
                ) from None
            if hashlib.sha256(data).hexdigest() != ev.sha256:
                raise InputError(
                    f"The evidence file {ev.original_name!r} ({where}) was altered in the store: "
                    "its content no longer matches its SHA-256 (see `isms evidence verify`)."
                )
            name = attachment_name(ev, used)
            used.add(name)
            item.attachment = name
            mime = ev.media_type if _MIME_OK.match(ev.media_type or "") else "application/octet-stream"
            desc = f"{ev.original_name}: " + "; ".join(item.records)
            out.append(Attachment(name=name, data=data, description=L.clean(desc)[:240], mime=mime))
        return sorted(out, key=lambda a: a.name)


def attachment_name(ev: Evidence, used: set[str]) -> str:
    """'evidence-<sha8>-<original name>': unique, no folders or control characters."""
    safe = _NAME_UNSAFE.sub("_", L.clean(ev.original_name)).strip() or "file"
    if len(safe) > 80:
        stem, dot, ext = safe.rpartition(".")
        safe = (stem[: 80 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else safe[:80]
    for n in (8, 16, 64):
        name = f"evidence-{ev.sha256[:n]}-{safe}"
        if name not in used:
            return name
    raise AssertionError("two evidence files with the same SHA-256")  # the store is content-addressed


def write_evidence_register(ctx: Context) -> None:
    s = ctx.story
    st = L.styles()
    s.heading(0, "Evidence register", keep=30 * L.mm)
    items = ctx.evidence.sorted()
    if not items:
        s.para("No evidence file is linked to the records in this pack.")
        return
    s.para(
        f"{plural(len(items), 'evidence file')} back the records of this pack. Each is embedded in this PDF "
        "under the attachment name shown (open the attachments panel of your PDF reader, or run "
        "`pdfdetach -list`); its SHA-256 lets anyone check the file is the one the workspace holds."
    )
    rows = []
    widths = [0.35, 2.9, 2.6, 0.8, 2.9]
    room = L.text_width(widths, 1)
    for i, item in enumerate(items, 1):
        ev = item.evidence
        name = L.name_lines(ev.original_name, st.fonts.bold, st.cell.fontSize, room)
        attachment = L.name_lines(item.attachment, st.fonts.regular, st.cell.fontSize, room)
        rows.append(
            [
                str(i),
                M(f'<b>{name}</b><br/><font color="{L.MUTED.hexval()}">{attachment}</font>', st.cell),
                text_cell("; ".join(item.records)),
                size_text(ev.size),
                M(L.hash_lines(ev.sha256), st.cell_mono),
            ]
        )
    s.add(
        L.data_table(
            ["#", "File (attachment name)", "Linked record", "Size", "SHA-256"],
            rows,
            widths,
            align_right=(3,),
        )
    )


def write_manifest(ctx: Context, attachments: list[Attachment]) -> None:
    s = ctx.story
    st = L.styles()
    s.heading(0, "Manifest of embedded files", keep=30 * L.mm)
    s.para(
        "The files embedded in this PDF with their SHA-256. The same list is embedded as manifest.json when the "
        "pack is signed; the signature covers this document, every file and the manifest, so a changed, removed "
        "or added file is detected by `isms verify` and by any PAdES validator."
    )
    if not attachments:
        s.para("No evidence files are embedded; manifest.json lists none.", st.muted)
        return
    widths = [4.4, 0.9, 4.2]
    room = L.text_width(widths, 0)
    rows = [
        [
            M(L.name_lines(a.name, st.fonts.regular, st.cell.fontSize, room), st.cell),
            size_text(len(a.data)),
            M(L.hash_lines(a.sha256), st.cell_mono),
        ]
        for a in sorted(attachments, key=lambda a: a.name)
    ]
    s.add(L.data_table(["Attachment", "Size", "SHA-256"], rows, widths, align_right=(1,)))
