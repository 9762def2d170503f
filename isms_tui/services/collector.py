"""Python's cyclic garbage collector paused while a heavy job builds a large structure.

A bulk import holds a few objects per row until it commits, and a pack holds its whole story
(tens of thousands of flowables) and the rows it was written from until it is laid out. The
collector rescans everything tracked each time enough new objects have been allocated, so
over such a job it scans the growing heap again and again: about a quarter of a 100k-row
import and a third of a large pack's layout (benchmarks/README.md). What cycles arise while
it is paused are collected once it is back on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the block, then as it was (jobs may nest)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
