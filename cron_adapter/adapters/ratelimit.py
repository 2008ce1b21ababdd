"""A thread-safe token bucket: the client-side rate limit for EventBridge Scheduler calls.

Why hand-written: botocore has no client-side rate limiter. Its "adaptive" retry mode
only slows down *after* the service throttles (it reacts to ThrottlingException), and
"standard" only retries. A reconcile of thousands of schedules would otherwise burst past
the account's per-API quota (CreateSchedule etc.) and rely on throttling and
backoff, which wastes time and competes with other users of the same quota.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """``rate`` permits per second with bursts of up to ``burst``; ``acquire`` blocks."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else min(rate, 10.0))
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._stamp = clock()
        self._lock = threading.Lock()

    def _reserve(self) -> float:
        """Take one token (possibly going negative); return how long to wait for it."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def acquire(self) -> None:
        """Block until one call may be made."""
        wait = self._reserve()
        if wait > 0:
            self._sleep(wait)


class RateLimits:
    """One bucket per API operation, as EventBridge Scheduler quotas are per API action."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def acquire(self, operation: str) -> None:
        """Block until ``operation`` may be called once more."""
        with self._lock:
            bucket = self._buckets.get(operation)
            if bucket is None:
                bucket = self._buckets[operation] = TokenBucket(self.rate, self.burst)
        bucket.acquire()
