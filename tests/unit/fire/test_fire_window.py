"""The call window starts at the lease actually won, not at the start of the delivery."""

from __future__ import annotations

from cron_adapter.fire.policy import DEADLINE_SAFETY_SECONDS, LEASE_MARGIN_SECONDS, call_until
from cron_adapter.fire.ports import Claim, JobState
from tests.unit.fire.conftest import World, make_input
from tests.unit.fire.fakes import FakeStore


class SlowStore(FakeStore):
    """Each claim round trip takes ``delay`` seconds of the world's clock."""

    def __init__(self, world: World, delay: float) -> None:
        super().__init__()
        self.world, self.delay = world, delay

    def claim(self, c: Claim) -> JobState | None:
        self.world.clock.t += self.delay
        return super().claim(c)


def test_a_takeover_after_slow_claim_round_trips_still_calls_the_target() -> None:
    world = World()
    world.store = world.service.store = SlowStore(world, delay=4.0)
    fire = make_input(target={"url": "https://x.example/h", "timeout": 1})
    run_key = ("JOB#nightly-report", "RUN#2026-11-23T03:00:00Z")
    world.store.rows[run_key] = {"status": "claimed", "holder": "crashed", "lease_until": world.clock.t - 1}
    outcome = world.fire(fire, holder="req-2", remaining=DEADLINE_SAFETY_SECONDS + 18.0)
    # conflict (4 s) then takeover (4 s): the window counted from the delivery's start would be gone
    assert outcome.status == "succeeded" and outcome.attempts == 1
    assert len(world.caller.requests) == 1


def test_one_slow_claim_round_trip_with_a_1_s_timeout_still_gets_an_attempt() -> None:
    world = World()
    world.store = world.service.store = SlowStore(world, delay=2.5)
    fire = make_input(target={"url": "https://x.example/h", "timeout": 1})
    outcome = world.fire(fire, remaining=DEADLINE_SAFETY_SECONDS + 18.0)
    assert outcome.status == "succeeded" and outcome.attempts == 1
    assert world.caller.requests[0][1] == 1.0  # the whole 1 s timeout, not a truncated attempt


def test_call_window_is_the_lambda_deadline_or_the_lease_less_its_margin() -> None:
    # the calls stop DEADLINE_SAFETY_SECONDS before the window's end: before the lease ends by
    # the larger of the lease margin and the time the finish needs
    keep = max(LEASE_MARGIN_SECONDS, DEADLINE_SAFETY_SECONDS)
    assert call_until(lease_until=1000.0, deadline=2000.0) - DEADLINE_SAFETY_SECONDS == 1000.0 - keep
    assert call_until(lease_until=1000.0, deadline=500.0) == 500.0
