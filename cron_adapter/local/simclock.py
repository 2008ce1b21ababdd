"""A simulated wall clock: starts at real now and runs ``speed`` times faster.

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

    def __init__(self, speed: float = 1.0, start: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._real0 = time.time()
        self._mono0 = time.monotonic()
        self._sim0 = start or datetime.fromtimestamp(self._real0, UTC)

    def now(self) -> datetime:
        """The simulated current time (UTC, aware)."""
        return self._sim0 + timedelta(seconds=(time.monotonic() - self._mono0) * self.speed)

    def from_real(self, real: datetime) -> datetime:
        """Map a real timestamp (e.g. a schedule's CreationDate) onto simulated time."""
        elapsed = real.timestamp() - self._real0
        return self._sim0 + timedelta(seconds=elapsed * self.speed)

    def real_seconds(self, sim_seconds: float) -> float:
        """How many real seconds ``sim_seconds`` of simulated time take."""
        return sim_seconds / self.speed

    def wait(self, stop: threading.Event, real_seconds: float) -> bool:
        """Sleep up to ``real_seconds``; True when ``stop`` was set meanwhile."""
        return stop.wait(max(0.0, real_seconds))
