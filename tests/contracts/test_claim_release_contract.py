"""Releasing a won claim untried: the same scenarios against the fake claim store and DynamoDB on moto.

A run whose claim was won but that has no time left for one attempt is given back (a new
run's row deleted and uncounted, a takeover's row handed back to the earlier holder with its
expired lease, the slot freed) and the delivery fails with ``ClaimReleased``, so EventBridge
or Lambda redelivers it and the redelivery runs it as if it had never been claimed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from msgspec.structs import replace

from cron_adapter import constants as c
from cron_adapter.errors import ClaimConflict, ClaimReleased
from cron_adapter.fire.input import FireInput
from cron_adapter.fire.ports import Claim, RunKey
from cron_adapter.tablekeys import STATE_SK, run_sk
from tests.contracts.fire_world import JOB, FireWorld, each_store, no_secret_in_logs  # noqa: F401 - autouse
from tests.unit.fire.conftest import make_input

T1 = "2026-11-23T03:00:00Z"
TIGHT = {"target": {"url": "https://x.example/h", "timeout": 1}}


class World(FireWorld):
    """A fire service over one claim store, with a way to read its rows as plain values."""


@pytest.fixture(params=["fake", "dynamodb"])
def world(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from each_store(request, monkeypatch, World)


def test_no_time_for_an_attempt_releases_the_claim_and_fails_the_delivery(world: World) -> None:
    with pytest.raises(ClaimReleased, match="nightly-report"):
        world.fire(make_input(**TIGHT), remaining=3.5)  # 0.5 s after the safety margin: under one attempt
    assert world.caller.requests == []
    assert world.row(run_sk(T1)) is None  # not closed "failed": nothing is recorded
    state = world.row(STATE_SK) or {}
    assert state.get("runs", 0) == 0 and "running" not in state
    assert world.metrics.count(c.METRIC_CLAIM_RELEASED) == 1 and world.metrics.count(c.METRIC_CLAIM_ERROR) == 0


def test_the_redelivery_of_a_released_run_calls_the_target_once(world: World) -> None:
    fire = make_input(max_runs=1, overlap="skip", **TIGHT)
    with pytest.raises(ClaimReleased):
        world.fire(fire, remaining=3.5)
    outcome = world.fire(fire, remaining=900.0)  # Lambda's retry keeps the request id
    assert outcome.status == "succeeded" and outcome.attempts == 1 and len(world.caller.requests) == 1
    assert (world.row(STATE_SK) or {}).get("runs") == 1  # the released claim did not use up max_runs


def _crashed(world: World, fire: FireInput, max_runs: int | None = None) -> Claim:
    """A claimer that died holding the run: its lease has expired."""
    now = world.clock.now()
    crashed = Claim(
        key=RunKey(JOB, T1),
        holder="crashed",
        delivery_attempt=1,
        now=now - 100,
        lease_until=now - 1,
        ttl=int(now) + 86400,
        overlap="skip",
        max_runs=max_runs,
        spec_hash=fire.spec_hash,
    )
    assert world.store.claim(crashed) is None
    return crashed


@pytest.mark.parametrize("max_runs", [None, 5])
def test_a_released_takeover_gives_the_run_back_to_the_expired_claim(world: World, max_runs: int | None) -> None:
    """Not deleted: a deleted row would be recorded ``missed`` by the next audit instead of run."""
    fire = make_input(overlap="skip", max_runs=max_runs, **TIGHT)
    crashed = _crashed(world, fire, max_runs)
    with pytest.raises(ClaimReleased):
        world.fire(fire, holder="req-2", remaining=3.5)  # takes the claim over, then has no time
    run = world.row(run_sk(T1)) or {}
    assert (run["status"], run["holder"], run["lease_until"], run["deliveries"]) == (
        "claimed",
        "crashed",
        crashed.lease_until,
        1,
    )
    assert "previous_lease" not in run
    state = world.row(STATE_SK) or {}
    assert "running" not in state and state.get("runs", 0) == (1 if max_runs else 0)  # the crashed claim's count stays
    assert world.metrics.count(c.METRIC_CLAIM_RELEASED) == 1 and world.caller.requests == []
    # The redelivery (Lambda's retry keeps the request id) takes the expired claim over again and runs it.
    assert world.fire(fire, holder="req-2").status == "succeeded"
    run = world.row(run_sk(T1)) or {}
    assert (run["status"], run["holder"], run["deliveries"]) == ("succeeded", "req-2", 2)
    assert (world.row(STATE_SK) or {}).get("runs", 0) == (1 if max_runs else 0) and len(world.caller.requests) == 1


def test_a_released_takeover_is_what_the_audit_takes_over_or_closes_lost(world: World) -> None:
    """The row the audit reads after the release: a stale claim of the earlier holder, not a gap."""
    from cron_adapter.ops.records import RunRecord

    fire = make_input(overlap="skip", **TIGHT)
    _crashed(world, fire)
    with pytest.raises(ClaimReleased):
        world.fire(fire, holder="req-2", remaining=3.5)
    run = world.row(run_sk(T1)) or {}
    record = RunRecord(JOB, T1, run["status"], holder=run["holder"], lease_until=run["lease_until"])
    assert record.stale(world.clock.now())  # redelivered by the audit within the hour, else closed lost
    world.store.close_stale(RunKey(JOB, T1), "crashed", world.clock.now(), "lost", "claimer crashed")
    assert (world.row(run_sk(T1)) or {})["status"] == "lost"


def test_only_the_holder_of_a_claimed_run_can_release_it(world: World) -> None:
    fire = make_input()
    world.fire(fire)  # finished: "succeeded"
    for holder in ("req-1", "someone-else"):
        claim = Claim(RunKey(JOB, T1), holder, 1, world.clock.now(), world.clock.now() + 60, 0, "skip", None, "h")
        with pytest.raises(ClaimConflict):
            world.store.release(claim)
        with pytest.raises(ClaimConflict):
            world.store.release(replace(claim, previous_holder="crashed"))
    assert (world.row(run_sk(T1)) or {}).get("status") == "succeeded"


def test_a_released_takeover_gives_back_only_a_live_claim_of_its_own(world: World) -> None:
    """A second release (its first answer lost) finds the row already given back: a conflict, nothing changed."""
    fire = make_input(overlap="skip", **TIGHT)
    _crashed(world, fire)
    with pytest.raises(ClaimReleased):
        world.fire(fire, holder="req-2", remaining=3.5)
    before = world.row(run_sk(T1))
    lease = world.clock.now() + 60
    claim = Claim(
        RunKey(JOB, T1), "req-2", 1, world.clock.now(), lease, 0, "skip", None, "h", previous_holder="crashed"
    )
    with pytest.raises(ClaimConflict):
        world.store.release(claim)
    assert world.row(run_sk(T1)) == before
