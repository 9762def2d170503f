"""What `isms verify` checks in the raw file before and beside pyHanko, and the bounds on its work.

Why: a verifier is attacked with its input. The pack path may be a FIFO (reading it would hang),
the signature's /Contents may carry data after the DER signature (pyHanko ignores it; poppler's
"Total document signed" check does not), and the PDF's trees may be deep, huge or cyclic. Each
case ends in a sentence of our own, never a library's message, and the whole check runs under a
time limit.
"""

from __future__ import annotations

import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOO_COMPLEX = "The PDF's structure is too deep or too large to check."
CYCLIC = "The PDF's structure refers back to itself (a cycle), so it cannot be checked."
MALFORMED_CONTENTS = "The signature's contents are malformed."
DATA_AFTER_SIGNATURE = "The signature's contents hold data after the signature; only zero padding may follow it."
NOT_WHOLE_FILE = "The signature does not cover the whole file."

MAX_NODES = 50_000  # tree nodes and entries walked; a pack has a few dozen attachments
MAX_DEPTH = 32  # a balanced names tree of this depth holds more entries than MAX_NODES
TIME_LIMIT = 60.0  # seconds for the whole verification (a large pack takes about one)

_CONTENTS = re.compile(rb"<([0-9A-Fa-f]*)>")
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]")


class StructureError(Exception):
    """The PDF's structure cannot be checked; str() is the sentence to report."""


@dataclass
class Budget:
    """How many nodes a walk may still visit, until when, and which objects it has seen."""

    nodes: int = MAX_NODES
    deadline: float = field(default_factory=lambda: time.monotonic() + TIME_LIMIT)
    seen: set[tuple[int, int]] = field(default_factory=set)

    def visit(self, ref: Any = None) -> None:
        """Count one node; StructureError when over the count or the time, or when `ref` (an
        indirect reference) was visited before, which in a tree means a cycle."""
        self.nodes -= 1
        if self.nodes < 0 or time.monotonic() > self.deadline:
            raise StructureError(TOO_COMPLEX)
        key = _ref_key(ref)
        if key is not None:
            if key in self.seen:
                raise StructureError(CYCLIC)
            self.seen.add(key)


def read_pdf(path: Path) -> bytes:
    """The file's bytes; OSError, or ValueError with a sentence when it is not a regular file (a
    FIFO or a device would block or never end). Opened non-blocking, then checked, so a FIFO put
    there between a check and the open cannot block either."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"{path.name} is not a regular file.")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


def contents_problem(data: bytes, byte_range: Any) -> str | None:
    """None when the signature's /Contents, found at the gap of its /ByteRange, is one hex string
    holding a DER object followed only by zero bytes; else the sentence saying what is wrong."""
    try:
        start, first, second, length = (int(n) for n in byte_range)
    except (TypeError, ValueError):
        return MALFORMED_CONTENTS
    if start != 0 or not 0 < first < second <= len(data) or length < 0:
        return MALFORMED_CONTENTS
    match = _CONTENTS.fullmatch(data[first:second])
    if match is None or len(match.group(1)) % 2:
        return MALFORMED_CONTENTS
    raw = bytes.fromhex(match.group(1).decode("ascii"))
    end = _der_end(raw)
    if end is None:
        return MALFORMED_CONTENTS
    if raw[end:].strip(b"\x00"):
        return DATA_AFTER_SIGNATURE
    return None


def raw_contents_problem(data: bytes) -> str | None:
    """contents_problem for the last /ByteRange found in the raw bytes: what can still be said of
    the signature when the PDF parser gave up on the file (pyHanko refuses a cut-off signature
    while reading, before any validation)."""
    found = list(_BYTE_RANGE.finditer(data))
    return contents_problem(data, found[-1].groups()) if found else None


def _der_end(raw: bytes) -> int | None:
    """Where the outer DER SEQUENCE ends, or None when the bytes do not hold a whole one."""
    if len(raw) < 2 or raw[0] != 0x30:
        return None
    first = raw[1]
    if first < 0x80:
        header, size = 2, first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or len(raw) < 2 + count:  # 0: BER's indefinite length, not DER
            return None
        header, size = 2 + count, int.from_bytes(raw[2 : 2 + count], "big")
    end = header + size
    return end if end <= len(raw) and size > 0 else None


def walk_name_tree(root: Any, budget: Budget) -> Iterator[tuple[Any, Any]]:
    """(key, value) of every /Names entry under `root`, breadth first, within the budget."""
    queue: list[tuple[Any, int]] = [(root, 0)]
    while queue:
        node_ref, depth = queue.pop(0)
        budget.visit(node_ref)
        if depth > MAX_DEPTH:
            raise StructureError(TOO_COMPLEX)
        node = _resolve(node_ref)
        if "/Names" in node:
            entries = _resolve(node.raw_get("/Names"))
            for i in range(0, len(entries) - 1, 2):
                budget.visit()
                yield entries[i], entries[i + 1]
        if "/Kids" in node:
            for kid in _resolve(node.raw_get("/Kids")):
                budget.visit()
                queue.append((kid, depth + 1))


def within_time(work: Callable[[], None], seconds: float) -> bool:
    """Run `work` in a daemon thread and wait at most `seconds`; False when it did not finish (the
    thread is left to end with the process). An exception in `work` is raised here."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # handed to the caller's thread
            errors.append(exc)

    worker = threading.Thread(target=run, name="isms-verify", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        return False
    if errors:
        raise errors[0]
    return True


def _resolve(obj: Any) -> Any:
    return obj.get_object() if hasattr(obj, "get_object") else obj


def _ref_key(ref: Any) -> tuple[int, int] | None:
    idnum = getattr(ref, "idnum", None)
    generation = getattr(ref, "generation", None)
    if isinstance(idnum, int) and isinstance(generation, int):
        return idnum, generation
    return None
