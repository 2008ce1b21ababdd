"""Claiming: one call per (job, scheduled time), duplicates counted, crashed claims taken over or lost."""

from __future__ import annotations

import threading

import pytest

from cron_adapter import constants as c
from cron_adapter.errors import ClaimError, SecretError
from cron_adapter.fire.ports import TargetResponse
from tests.unit.fire.conftest import World, make_input
from tests.unit.fire.fakes import FakeCaller

WHEN = "2026-11-23T03:00:00Z"


class Crash(BaseException):
    """The Lambda dies mid-call (timeout, OOM): nothing after the claim runs."""


def crash(request, timeout):
    raise Crash()


def test_first_delivery_claims_calls_and_records(world: World) -> None:
    outcome = world.fire(make_input())
    assert outcome.status == "succeeded" and outcome.attempts == 1 and outcome.http_status == 200
    run = world.store.run("nightly-report", WHEN)
    assert run["status"] == "succeeded" and run["holder"] == "req-1" and run["attempts"] == 1
    assert world.store.calls == 2  # one claim, one finish
    assert world.metrics.count(c.METRIC_CLAIMED) == 1 and world.metrics.count(c.METRIC_TARGET_SUCCEEDED) == 1
    assert world.metrics.count(c.METRIC_TARGET_LATENCY) == 1


def test_duplicate_delivery_calls_target_once(world: World) -> None:
    world.fire(make_input(), holder="req-1")
    again = world.fire(make_input("fire-duplicate.json"), holder="req-2")
    assert again.status == "duplicate"
    assert len(world.caller.requests) == 1
    assert world.metrics.count(c.METRIC_DUPLICATE) == 1


def test_duplicate_during_the_call_calls_nothing() -> None:
    seen = []
    world = World(
        FakeCaller(lambda req, t: seen.append(world.fire(make_input(), holder="req-2")) or TargetResponse(200))
    )
    world.fire(make_input(), holder="req-1")
    assert [o.status for o in seen] == ["duplicate"]
    assert len(world.caller.requests) == 1


def test_64_threads_on_the_fake_store_give_one_call(world: World) -> None:
    barrier = threading.Barrier(64)

    def deliver(i: int) -> None:
        barrier.wait()
        world.fire(make_input(), holder=f"req-{i}")

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(world.caller.requests) == 1
    assert world.metrics.count(c.METRIC_DUPLICATE) == 63


def test_crash_after_claim_is_taken_over_after_lease_expiry() -> None:
    world = World(FakeCaller(crash))
    with pytest.raises(Crash):
        world.fire(make_input(), holder="req-1")
    assert world.store.run("nightly-report", WHEN)["status"] == "claimed"
    early = world.fire(make_input("fire-duplicate.json"), holder="req-2")
    assert early.status == "duplicate"  # lease still live
    world.clock.t = world.store.run("nightly-report", WHEN)["lease_until"] + 1
    late = world.fire(make_input("fire-duplicate.json"), holder="req-3")
    assert late.status == "succeeded"
    run = world.store.run("nightly-report", WHEN)
    assert run["holder"] == "req-3" and run["deliveries"] == 2 and run["status"] == "succeeded"
    assert "running" not in world.store.state("nightly-report")
    assert len(world.caller.requests) == 2


def test_crash_after_claim_at_most_once_marks_the_run_lost() -> None:
    world = World(FakeCaller(crash))
    with pytest.raises(Crash):
        world.fire(make_input(delivery="at-most-once"), holder="req-1")
    world.clock.t = world.store.run("nightly-report", WHEN)["lease_until"] + 1
    outcome = world.fire(make_input("fire-duplicate.json", delivery="at-most-once"), holder="req-2")
    assert outcome.status == "lost"
    assert world.store.run("nightly-report", WHEN)["status"] == "lost"
    assert world.metrics.count(c.METRIC_LOST) == 1
    assert len(world.caller.requests) == 1  # never called again
    assert "running" not in world.store.state("nightly-report")  # the job's slot is free again


def test_lease_covers_the_call_budget_capped_by_remaining_time(world: World) -> None:
    world.caller.script.append(crash)
    with pytest.raises(Crash):
        world.fire(make_input(), remaining=120.0)
    lease = world.store.run("nightly-report", WHEN)["lease_until"] - world.clock.now()
    assert lease == pytest.approx(120.0 + 10.0)  # budget 3 x 60 s + waits > 120 s remaining; + margin


def test_claim_store_failure_counts_a_claim_error_and_raises(world: World) -> None:
    def broken(claim):
        raise ClaimError("throttled")

    world.store.claim = broken
    with pytest.raises(ClaimError):
        world.fire(make_input())
    assert world.metrics.count(c.METRIC_CLAIM_ERROR) == 1
    assert world.caller.requests == []


def test_unreadable_secret_fails_before_the_claim(world: World) -> None:
    def broken():
        raise SecretError("secret 'x' is shorter than 32 characters")

    world.secrets.get = broken
    with pytest.raises(SecretError):
        world.fire(make_input())
    assert world.store.rows == {} and world.caller.requests == []
