"""A long job's progress: a bar, the step it is on and the key that cancels it.

Any screen that runs a cancellable thread worker (issuing a pack, importing a file) shows one.
The screen calls `start()` before it starts the worker and hands the worker the two callables it
returns: `report(fraction, message)`, which the worker calls as often as it likes (it forwards at
most every `interval` seconds, through `call_from_thread`, so a job reporting every flowable is
not slowed down by the UI), and `cancelled()`, which the job asks at each step (a
`threading.Event`, safe from any thread). The screen's cancel key calls `cancel()`; when the
worker ends, the screen calls `finish()` with what happened.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

Report = Callable[[float, str], None]


class JobProgress(Horizontal):
    """Progress bar, current step and (while running) how to cancel."""

    DEFAULT_CSS = """
    JobProgress { height: auto; }
    JobProgress > .job-step { color: $text-muted; height: 1; width: 1fr; padding-left: 1; }
    JobProgress > .job-hint { color: $text-muted; height: 1; width: auto; padding-left: 1; display: none; }
    JobProgress.-running > .job-hint { display: block; }
    """

    def __init__(self, *, cancel_key: str = "esc", interval: float = 0.1, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cancel_key = cancel_key
        self.interval = interval
        self._flag = threading.Event()

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=100, show_eta=False)
        yield Static("", classes="job-step", markup=False)
        yield Static(f"{self.cancel_key} cancels", classes="job-hint", markup=False)

    @property
    def running(self) -> bool:
        return self.has_class("-running")

    @property
    def percent(self) -> float:
        return float(self.query_one(ProgressBar).progress)

    @property
    def step(self) -> str:
        return str(self.query_one(".job-step", Static).render())

    def start(self, message: str = "Starting") -> tuple[Report, Callable[[], bool]]:
        """Show the job as started; returns (report, cancelled) for the worker thread."""
        flag = self._flag = threading.Event()
        self.add_class("-running")
        self.show(0.0, message)
        last = 0.0

        def report(fraction: float, step: str) -> None:
            nonlocal last
            now = time.monotonic()
            if fraction < 1.0 and now - last < self.interval:
                return
            last = now
            if not flag.is_set():
                self.app.call_from_thread(self._shown_if, flag, fraction, step)

        return report, flag.is_set

    def _shown_if(self, flag: threading.Event, fraction: float, step: str) -> None:
        """A report from the worker, unless it is stale (cancel asked for, or another job started)."""
        if flag is self._flag and not flag.is_set() and self.running:
            self.show(fraction, step)

    def show(self, fraction: float, message: str) -> None:
        self.query_one(ProgressBar).update(progress=round(100 * max(0.0, min(fraction, 1.0))))
        self.query_one(".job-step", Static).update(message)

    def cancel(self) -> bool:
        """Ask the running job to stop at its next step; False when nothing runs."""
        if not self.running or self._flag.is_set():
            return False
        self._flag.set()
        self.query_one(".job-step", Static).update("Cancelling…")
        return True

    def finish(self, message: str = "", fraction: float | None = None) -> None:
        """The job ended (done, failed or cancelled): show `message`, hide the cancel hint."""
        self.remove_class("-running")
        if fraction is not None:
            self.query_one(ProgressBar).update(progress=round(100 * fraction))
        self.query_one(".job-step", Static).update(message)
