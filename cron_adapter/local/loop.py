"""The dev loop: a session's steps on the real clock, with short, bounded waits only.

push the jobs file, hold the simulated clock until it is reconciled (<= 20 s), release it
then, until the stop event is set or the duration is over, every 0.1 s:
    check the jobs file (every 0.5 s) . trim the emulator (every 5 s)
    . each step (router poll, clock tick, audit tick) . refresh the view
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cron_adapter.local.router import UploadRouter
from cron_adapter.local.simclock import SimClock
from cron_adapter.local.watch import JobsFileWatcher

TICK_SECONDS = 0.1
WATCH_EVERY_SECONDS = 0.5
TRIM_EVERY_SECONDS = 5.0
FIRST_RECONCILE_SECONDS = 20.0  # the clock waits at most this long for the first reconcile


@dataclass
class DevLoop:
    """Runs a started session's parts until ``stop_event`` is set or the duration is over."""

    stop_event: threading.Event
    clock: SimClock
    router: UploadRouter
    watcher: JobsFileWatcher
    steps: Sequence[Callable[[], Any]]  # every tick, in order; a failing step is reported, not fatal
    trim: Callable[[], Any]  # forgets the emulator's model instances now and then
    refresh: Callable[[], Any]  # redraws the view, if any
    report: Callable[[str, str], None]  # (kind, text) into the journal
    _last_error: str = field(default="", init=False)

    def run(self, duration: float | None) -> None:
        """Loop until stopped or ``duration`` real seconds are over (bounded waits only)."""
        self._first_reconcile()
        deadline = time.monotonic() + duration if duration else None
        next_watch = time.monotonic() + WATCH_EVERY_SECONDS
        next_trim = 0.0
        while not self.stop_event.is_set():
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                break
            if now >= next_watch:
                self.watcher.check()
                next_watch = now + WATCH_EVERY_SECONDS
            if now >= next_trim:
                self.trim()
                next_trim = now + TRIM_EVERY_SECONDS
            for step in self.steps:
                self._safely(step)
            self.refresh()
            self.stop_event.wait(TICK_SECONDS)

    def _first_reconcile(self) -> None:
        """Push the jobs file and hold the clock until it is reconciled (bounded), then release it.

        Starting the emulator and the first reconcile take real seconds, which are minutes
        at 60x: a clock running meanwhile would pass a one-shot's time before it exists.
        """
        if self.watcher.check():
            until = time.monotonic() + FIRST_RECONCILE_SECONDS
            while self.router.runs == 0 and time.monotonic() < until and not self.stop_event.is_set():
                self._safely(self.router.poll)
                self.stop_event.wait(TICK_SECONDS)
        self.clock.release()

    def _safely(self, step: Any) -> None:
        """Run one step of the loop; an emulator hiccup is shown once, not fatal."""
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - keep the loop alive, show the problem
            text = f"{getattr(step, '__qualname__', step)}: {type(exc).__name__}: {exc}"
            if text != self._last_error:
                self._last_error = text
                self.report("error", text)
