"""Reading a pack's attachments and its manifest.json for `isms verify`, within bounds.

Names and hashes come from a file an attacker may have written, so each is made printable
before it is compared or shown, and every read problem is worded here, never a library's text.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from .verify_bounds import Budget, walk_name_tree


def shown(text: str) -> str:
    """Text from the file as it may be printed: control characters, bidi overrides and lone
    surrogates (from "\\ud800" escapes in JSON) become U+FFFD, so output can neither fail to encode
    nor steer the terminal."""
    return "".join(ch if ch.isprintable() or ch == " " else "\ufffd" for ch in text)


def embedded_files(reader: Any) -> list[tuple[str, bytes | None, str | None]]:
    """(name, data or None, read problem or None) for each entry of the EmbeddedFiles name tree,
    walked within a node and time budget."""
    names = reader.root.get("/Names")
    if names is None:
        return []
    names = names.get_object()
    if "/EmbeddedFiles" not in names:
        return []
    budget = Budget()
    return [_read_filespec(str(key), ref) for key, ref in walk_name_tree(names.raw_get("/EmbeddedFiles"), budget)]


def _read_filespec(key: str, ref: Any) -> tuple[str, bytes | None, str | None]:
    try:
        spec = ref.get_object()
        name = shown(str(spec.get("/UF") or spec.get("/F") or key))
    except Exception:
        return shown(key), None, "its file specification is damaged"
    try:
        ef = spec["/EF"].get_object()
        stream = (ef.get("/UF") or ef["/F"]).get_object()
        return name, bytes(stream.data), None
    except zlib.error:
        return name, None, "its compressed data is corrupt"
    except Exception:
        return name, None, "its data cannot be read"


def parse_manifest(raw: bytes) -> dict[str, dict[str, Any]]:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("not JSON") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(files, list):
        raise ValueError("no list of files")
    entries: dict[str, dict[str, Any]] = {}
    for item in files:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("name", "sha256")):
            raise ValueError("an entry lacks a name or a sha256")
        name = shown(item["name"])
        if name in entries:
            raise ValueError(f"{name} is listed twice")
        size = item.get("size")
        entries[name] = {"sha256": shown(item["sha256"]).lower(), "size": size if isinstance(size, int) else None}
    return entries
