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
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

_lock = threading.Lock()
_paused_by = 0  # jobs running with the collector paused (a pack and an import may overlap in threads)
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the block; back as it was once the last such job ends."""
    global _paused_by, _was_enabled
    with _lock:
        if _paused_by == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused_by += 1
    try:
        yield
    finally:
        with _lock:
            _paused_by -= 1
            if _paused_by == 0 and _was_enabled:
                gc.enable()


# The pause of the start-up (`launch.py`), ended by the app once the dashboard's first view is
# on screen or has given way (`resume_after_start_up`).
_start_up: AbstractContextManager[None] | None = None


def pause_for_start_up() -> None:
    """The collector off while the TUI starts: importing Textual and the app and building the
    first screens allocate objects by the hundred thousand, and the collector rescanned them
    all again and again (about 30-45 ms before the dashboard's figures on the large workspace).
    The few cycles the start-up leaves behind are collected once it is back on."""
    global _start_up
    if _start_up is None:
        _start_up = collector_paused()
        _start_up.__enter__()


def resume_after_start_up() -> None:
    """End the start-up's pause (nothing when there was none, or it has ended)."""
    global _start_up
    with _lock:
        pause, _start_up = _start_up, None
    if pause is not None:
        pause.__exit__(None, None, None)
