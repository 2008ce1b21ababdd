"""A simulated wall clock: starts at real now and runs ``speed`` times faster.

A clock made with ``running=False`` stands still until :meth:`SimClock.release`: ``dev``
holds it while the emulator starts and the first jobs file is reconciled, so a slow start
(seconds of real time are minutes at 60x) cannot make a schedule miss its first fires.
Without a fixed ``start`` it then runs from the real moment of its release, never from
behind it: the reconcile computes each rate's StartDate in real time, and a clock still
showing the earlier moment it was made would see the grid instant between the two as due
to the audit but not to the schedule (one "missed" run whenever a minute turns meanwhile).

``--speed 60`` turns a minute into a second, so ``every 1m`` fires once a second and a
daily job takes 24 minutes. Only the *scheduled* times come from this clock; the fire
handler's leases and TTLs keep using real time, which is what makes an accelerated run
behave like a real one (each fire is still claimed and finished within real seconds).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SimClock:
    """Simulated UTC time = start + (real elapsed) x speed."""

    def __init__(self, speed: float = 1.0, start: datetime | None = None, *, running: bool = True) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._real0 = time.time()
        self._mono0 = time.monotonic()
        self._sim0 = start or datetime.fromtimestamp(self._real0, UTC)
        self._fixed = start is not None
        self._running = running

    @property
    def running(self) -> bool:
        """False while the clock is held (it shows its start time)."""
        return self._running

    def release(self) -> None:
        """Let a held clock run from now on (no-op if running).

        It goes on from its fixed start, or else from real now.
        """
        if not self._running:
            self._real0, self._mono0, self._running = time.time(), time.monotonic(), True
            if not self._fixed:
                self._sim0 = datetime.fromtimestamp(self._real0, UTC)

    def now(self) -> datetime:
        """The simulated current time (UTC, aware)."""
        if not self._running:
            return self._sim0
        return self._sim0 + timedelta(seconds=(time.monotonic() - self._mono0) * self.speed)

    def from_real(self, real: datetime) -> datetime:
        """Map a real timestamp (e.g. a schedule's CreationDate) onto simulated time.

        Moments before the clock ran (while it was held) map to its start time.
        """
        elapsed = real.timestamp() - self._real0 if self._running else 0.0
        return self._sim0 + timedelta(seconds=max(0.0, elapsed) * self.speed)

    def real_seconds(self, sim_seconds: float) -> float:
        """How many real seconds ``sim_seconds`` of simulated time take."""
        return sim_seconds / self.speed

    def wait(self, stop: threading.Event, real_seconds: float) -> bool:
        """Sleep up to ``real_seconds``; True when ``stop`` was set meanwhile."""
        return stop.wait(max(0.0, real_seconds))
