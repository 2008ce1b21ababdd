"""The client-side token bucket, on a fake clock."""

from __future__ import annotations

from cron_adapter.adapters.ratelimit import TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_burst_then_steady_rate():
    t = FakeTime()
    bucket = TokenBucket(50, burst=5, clock=t.clock, sleep=t.sleep)
    for _ in range(105):
        bucket.acquire()
    assert t.slept[:1] and len(t.slept) == 100
    assert abs(t.now - 100 / 50) < 1e-6  # 5 burst, then exactly 50 per second


def test_idle_time_refills_only_up_to_the_burst():
    t = FakeTime()
    bucket = TokenBucket(10, burst=2, clock=t.clock, sleep=t.sleep)
    t.now = 100.0
    for _ in range(3):
        bucket.acquire()
    assert t.slept == [0.1]
