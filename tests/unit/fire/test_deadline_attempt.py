"""An attempt's whole time, signing included, fits the timeout the policy gives it."""

from __future__ import annotations

from cron_adapter.fire.policy import DEADLINE_SAFETY_SECONDS, LEASE_MARGIN_SECONDS, call_until
from cron_adapter.fire.tokens import TokenDefaults
from cron_adapter.kinds import MAX_TARGET_TIMEOUT_SECONDS
from tests.unit.fire.conftest import World, make_input

KEY_SECRET = "fire-token-key-" + "z" * 40
HERMES = {"url": "https://agent.example.com/api/cron/fire", "auth": "jwt", "timeout": 10}
FIRE_LAMBDA_TIMEOUT_SECONDS = 900.0  # infra/cron_adapter_infra/specs.py FIRE_TIMEOUT
CLAIM_ALLOWANCE_SECONDS = 20.0


def slow_key_world(key_seconds: float) -> World:
    """A jwt target whose signing key takes ``key_seconds`` of the world's clock to read."""

    def key() -> str:
        world.clock.t += key_seconds
        return KEY_SECRET

    world = World(tokens=TokenDefaults(key, "agent:prod", "https://cron.example.com"))
    return world


def test_the_time_spent_signing_comes_out_of_the_attempts_timeout() -> None:
    world = slow_key_world(key_seconds=4.0)
    assert world.fire(make_input(target=HERMES)).status == "succeeded"
    assert world.caller.requests[0][1] == 6.0  # 10 s for the attempt, 4 of them spent reading the key


def test_an_attempt_whose_signing_took_all_its_time_sends_nothing() -> None:
    world = slow_key_world(key_seconds=12.0)
    outcome = world.fire(make_input(target=HERMES, retry={"attempts": 1}))
    assert outcome.status == "failed" and "signing took" in (outcome.error or "")
    assert world.caller.requests == []


def test_the_calls_stop_before_the_lease_ends_by_the_whole_safety_margin() -> None:
    # a takeover may follow the lease: the finish needs its worst case before then too
    stop = call_until(lease_until=1000.0, deadline=5000.0) - DEADLINE_SAFETY_SECONDS
    assert 1000.0 - stop >= max(DEADLINE_SAFETY_SECONDS, LEASE_MARGIN_SECONDS)


def test_one_full_length_attempt_and_the_safety_margin_fit_the_fire_lambda() -> None:
    # what is left over covers the cold start, the secret read and the claim before the call
    assert MAX_TARGET_TIMEOUT_SECONDS + DEADLINE_SAFETY_SECONDS + CLAIM_ALLOWANCE_SECONDS <= FIRE_LAMBDA_TIMEOUT_SECONDS
    world = World()
    remaining = FIRE_LAMBDA_TIMEOUT_SECONDS - CLAIM_ALLOWANCE_SECONDS
    world.fire(make_input(target={"url": "https://x.example/h", "timeout": 840}), remaining=remaining)
    assert world.caller.requests[0][1] == MAX_TARGET_TIMEOUT_SECONDS
