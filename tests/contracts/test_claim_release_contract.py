"""Releasing a won claim untried: the same scenarios against the fake claim store and DynamoDB on moto.

A run whose claim was won but that has no time left for one attempt is given back (deleted,
uncounted, its slot freed) and the delivery fails with ``ClaimReleased``, so EventBridge or
Lambda redelivers it and the redelivery runs it as if it had never been claimed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cron_adapter import constants as c
from cron_adapter.errors import ClaimConflict, ClaimReleased
from cron_adapter.fire.input import FireInput
from cron_adapter.fire.ports import Claim, ClaimStore, RunKey
from cron_adapter.fire.service import FireConfig, FireService
from cron_adapter.tablekeys import STATE_SK, job_pk, run_sk
from tests.adapters.fire_support import assert_no_secret_logged, get_item, moto_table
from tests.unit.fire.conftest import make_input
from tests.unit.fire.fakes import (
    PREVIOUS,
    SECRET,
    FakeCaller,
    FakeClock,
    FakeMetrics,
    FakeSchedules,
    FakeSecrets,
    FakeStore,
)

JOB, T1 = "nightly-report", "2026-11-23T03:00:00Z"
TIGHT = {"target": {"url": "https://x.example/h", "timeout": 1}}


@pytest.fixture(autouse=True)
def _no_secret_in_logs(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    yield
    assert_no_secret_logged(caplog, SECRET, PREVIOUS)


@dataclass
class World:
    """A fire service over one claim store, with a way to read its rows as plain values."""

    store: ClaimStore
    client: Any = None

    def __post_init__(self) -> None:
        self.caller, self.clock, self.metrics = FakeCaller(), FakeClock(), FakeMetrics()
        self.service = FireService(
            store=self.store,
            caller=self.caller,
            secrets=FakeSecrets(),
            clock=self.clock,
            schedules=FakeSchedules(),
            metrics=self.metrics,
            config=FireConfig(retention_days=7),
            rand=lambda: 0.5,
        )

    def fire(self, fire: FireInput, holder: str = "req-1", remaining: float = 900.0):
        return self.service.fire(fire, holder=holder, deadline=self.clock.now() + remaining)

    def row(self, sk: str) -> dict[str, Any] | None:
        if isinstance(self.store, FakeStore):
            return self.store.rows.get((job_pk(JOB), sk))
        return get_item(self.client, job_pk(JOB), sk)


@pytest.fixture(params=["fake", "dynamodb"])
def world(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    if request.param == "fake":
        yield World(FakeStore())
        return
    from cron_adapter.adapters.claims import DynamoClaimStore
    from tests.adapters.fire_support import TABLE

    for client in moto_table(monkeypatch):
        yield World(DynamoClaimStore(TABLE, client=client), client)


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


def test_a_released_takeover_is_redelivered_as_a_fresh_claim(world: World) -> None:
    fire, now = make_input(overlap="skip", **TIGHT), world.clock.now()
    crashed = Claim(
        key=RunKey(JOB, T1),
        holder="crashed",
        delivery_attempt=1,
        now=now - 100,
        lease_until=now - 1,
        ttl=int(now) + 86400,
        overlap="skip",
        max_runs=None,
        spec_hash=fire.spec_hash,
    )
    assert world.store.claim(crashed) is None  # a claimer that died: its lease has expired
    with pytest.raises(ClaimReleased):
        world.fire(fire, holder="req-2", remaining=3.5)  # takes the claim over, then has no time
    assert world.row(run_sk(T1)) is None and (world.row(STATE_SK) or {}).get("runs", 0) == 0
    assert world.fire(fire, holder="req-2").status == "succeeded"
    assert "runs" not in (world.row(STATE_SK) or {}) and len(world.caller.requests) == 1  # skip counts no runs


def test_only_the_holder_of_a_claimed_run_can_release_it(world: World) -> None:
    world.fire(make_input())  # finished: "succeeded"
    for holder in ("req-1", "someone-else"):
        with pytest.raises(ClaimConflict):
            world.store.release(RunKey(JOB, T1), holder)
    assert (world.row(run_sk(T1)) or {}).get("status") == "succeeded"
