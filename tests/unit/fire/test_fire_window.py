"""The call window starts at the lease actually won, not at the start of the delivery."""

from __future__ import annotations

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
    outcome = world.fire(fire, holder="req-2", remaining=28.0)
    # conflict (4 s) then takeover (4 s): the window counted from the delivery's start would be gone
    assert outcome.status == "succeeded" and outcome.attempts == 1
    assert len(world.caller.requests) == 1
