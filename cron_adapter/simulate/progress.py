"""Progress of a long ``simulate`` run, on stderr only: stdout (text or JSON) stays the report.

On a terminal one line is rewritten in place (at most five times a second); on a pipe or a
file a line is written only every ``every`` seconds, so a short run writes nothing there.
The stream and the clock are injected, so tests drive it with a StringIO and a fake clock.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Called as ``progress(done, total)`` after each job; ``close()`` clears the terminal line."""

    def __init__(
        self,
        label: str = "simulating",
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        every: float = 5.0,
    ) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = 0.2 if self.tty else every
        self.started = self.last = clock()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        """Report ``done`` of ``total`` jobs simulated, if the last report is old enough."""
        now = self.clock()
        if now - self.last < self.every and done < total:
            return
        if not self.shown and done >= total:
            return  # finished before the first report was due: say nothing
        self.last, self.shown = now, True
        text = f"{self.label}: {done:,}/{total:,} jobs ({now - self.started:.0f} s)"
        self.stream.write(f"\r{text}\033[K" if self.tty else f"{text}\n")
        self.stream.flush()

    def close(self) -> None:
        """End the report: clear the rewritten line on a terminal."""
        if self.tty and self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


@contextmanager
def reporting(label: str) -> Iterator[Progress]:
    """A Progress on stderr for the duration of the block, its line cleared at the end."""
    progress = Progress(label)
    try:
        yield progress
    finally:
        progress.close()
