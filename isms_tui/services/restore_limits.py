"""How much a backup may expand to when it is restored, so that a zip bomb cannot fill the disk.

Three caps, checked from the archive's headers and its manifest before anything is
extracted, and the total enforced again while extracting (`Budget`), because headers and
manifests are written by whoever made the file:

- the number of members: ISMS_RESTORE_MAX_FILES (default 100000);
- one evidence file: the evidence limit, ISMS_MAX_EVIDENCE_MB (default 50), as when attaching;
- everything together (the database included): ISMS_RESTORE_MAX_MB (default 8192).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError
from .evidence import MAX_EVIDENCE_ENV, max_evidence_bytes
from .formatting import plural, size_text

MAX_TOTAL_ENV = "ISMS_RESTORE_MAX_MB"
DEFAULT_MAX_TOTAL_MB = 8192
MAX_FILES_ENV = "ISMS_RESTORE_MAX_FILES"
DEFAULT_MAX_FILES = 100_000
MB = 1024 * 1024


def _positive(env: str, default: float) -> float:
    try:
        value = float(os.environ.get(env, "").strip() or default)
    except ValueError:
        return default
    return value if 0 < value < float("inf") else default


def max_total_bytes() -> int:
    return int(_positive(MAX_TOTAL_ENV, DEFAULT_MAX_TOTAL_MB) * MB)


def max_files() -> int:
    return int(_positive(MAX_FILES_ENV, DEFAULT_MAX_FILES))


def _refuse(archive: Path, why: str) -> InputError:
    return InputError(f"{archive} cannot be restored: {why}.")


@dataclass
class Budget:
    """What a restore may still write; `spend` refuses the chunk that would go past it."""

    left: int

    def spend(self, archive: Path, size: int) -> None:
        self.left -= size
        if self.left < 0:
            limit = size_text(max_total_bytes())
            raise _refuse(archive, f"it expands to more than the {limit} limit ({MAX_TOTAL_ENV})")


def check_limits(archive: Path, infos: list[zipfile.ZipInfo], files: Mapping[str, Mapping[str, Any]]) -> Budget:
    """Refuse an archive whose headers or manifest exceed a cap; the budget for extracting it."""
    count_cap, total_cap, evidence_cap = max_files(), max_total_bytes(), max_evidence_bytes()
    if len(infos) > count_cap:
        raise _refuse(
            archive, f"it holds {plural(len(infos), 'file')}, more than the {count_cap} allowed ({MAX_FILES_ENV})"
        )
    total = 0
    for info in infos:
        declared = files.get(info.filename, {}).get("size", 0)
        size = max(info.file_size, declared if isinstance(declared, int) else 0)
        if info.filename in files and info.filename != "workspace.db" and size > evidence_cap:
            raise _refuse(
                archive,
                f"{info.filename[:80]} would expand to {size_text(size)}, more than the evidence limit "
                f"({MAX_EVIDENCE_ENV})",
            )
        total += size
    if total > total_cap:
        raise _refuse(
            archive, f"it would expand to {total // MB} MB, more than the {total_cap // MB} MB limit ({MAX_TOTAL_ENV})"
        )
    return Budget(total_cap)
