"""A late delivery of a run the audit already recorded ``missed``: the fire service on the fake store and on moto.

Lambda keeps a throttled asynchronous event for up to 6 hours (the stack bounds the fire
function's to EventBridge's own hour) and EventBridge Scheduler retries for an hour, while
the audit records a run ``missed`` about 10 minutes after its time. The late delivery then
runs the job, unless a catch-up owns the time; of the two, exactly one calls the target.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from msgspec.structs import replace

from cron_adapter import constants as c
from cron_adapter.errors import ClaimReleased
from cron_adapter.fire.input import FireInput, iso_utc
from cron_adapter.tablekeys import STATE_SK, job_pk, run_sk
from tests.adapters.fire_support import TABLE
from tests.contracts.fire_world import JOB, FireWorld, each_store, no_secret_in_logs  # noqa: F401 - autouse
from tests.unit.fire.conftest import make_input
from tests.unit.fire.fakes import (
    MISSED_ERROR,
    FakeStore,
)

T1 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
LATE = T1 + timedelta(minutes=40)  # past the audit's 10-minute grace, inside EventBridge's retry hour
AUDITED = T1 + timedelta(minutes=11)


class World(FireWorld):
    """The fire service over one claim store, the audit's ``missed`` write, and the rows as plain values."""

    START = LATE.timestamp()
    HOLDER = "req-late"

    def missed(self, when: datetime = T1, catch_up_at: float | None = None) -> dict[str, Any]:
        """Record ``when`` missed as the audit does (on moto: through ``DynamoRunStore.record_missed``)."""
        run, ttl = iso_utc(when), int(AUDITED.timestamp()) + 7 * 86400
        if isinstance(self.store, FakeStore):
            row = {"job_id": JOB, "scheduled_time": run, "status": "missed", "error": MISSED_ERROR}
            row.update(finished_at=AUDITED.strftime("%Y-%m-%dT%H:%M:%SZ"), ttl=ttl)
            self.store.rows[(job_pk(JOB), run_sk(run))] = row | ({"catch_up_at": catch_up_at} if catch_up_at else {})
        else:
            from cron_adapter.adapters.runs import DynamoRunStore

            assert DynamoRunStore(TABLE, self.client).record_missed(JOB, run, AUDITED.timestamp(), ttl, catch_up_at)
        found = self.row(run_sk(run))
        assert found is not None
        return found

    def run(self, when: datetime = T1, label: str | None = None) -> dict[str, Any] | None:
        return self.row(run_sk(iso_utc(when) + (f"~{label}" if label else "")))


@pytest.fixture(params=["fake", "dynamodb"])
def world(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    yield from each_store(request, monkeypatch, World)


def at(when: datetime = T1, run: str | None = None, **job: Any) -> FireInput:
    return replace(make_input(**job), scheduled_time=when, run=run)


POLICIES = [
    {"overlap": "skip"},  # single-item steps until the missed row is met
    {"overlap": "allow", "delivery": "at-most-once"},  # never called before: at most once still calls it
    {"overlap": "queue"},  # transactions
    {"overlap": "skip", "max_runs": 3},
]


@pytest.mark.parametrize("job", POLICIES)
def test_a_late_delivery_of_a_missed_run_calls_the_target_once_and_records_the_outcome(
    world: World, job: dict[str, Any]
) -> None:
    found = world.missed()
    outcome = world.fire(at(**job))
    assert (outcome.status, outcome.attempts) == ("succeeded", 1) and len(world.caller.requests) == 1
    run = world.run()
    assert run is not None and (run["status"], run["holder"], run["http_status"]) == ("succeeded", "req-late", 200)
    assert "error" not in run and run["missed_at"] == found["finished_at"]  # the audit's finding stays on record
    assert world.metrics.count(c.METRIC_CLAIMED) == 1 and world.metrics.count(c.METRIC_CLAIM_ERROR) == 0
    # A second late delivery (EventBridge's retry, or Lambda's) is a duplicate.
    assert world.fire(at(**job), holder="req-later").status == "duplicate" and len(world.caller.requests) == 1
    state = world.row(STATE_SK) or {}
    assert state.get("runs", 0) == (1 if job.get("max_runs") or job["overlap"] == "queue" else 0)


@pytest.mark.parametrize("job", POLICIES)
def test_a_missed_run_with_a_catch_up_planned_is_left_to_the_catch_up(world: World, job: dict[str, Any]) -> None:
    found = world.missed(catch_up_at=LATE.timestamp() + 300)
    outcome = world.fire(at(**job))
    assert outcome.status == "duplicate" and "catch-up" in (outcome.error or "")
    assert world.caller.requests == [] and world.run() == found
    assert world.fire(at(run="catch-up", **job), holder="audit").status == "succeeded"
    assert len(world.caller.requests) == 1 and world.run() == found


@pytest.mark.parametrize("job", POLICIES)
def test_a_missed_run_a_backfill_caught_up_is_not_run_again_by_its_late_delivery(
    world: World, job: dict[str, Any]
) -> None:
    """A backfill writes no ``catch_up_at``: its ``<time>~catch-up`` row alone keeps the late delivery off."""
    found = world.missed()
    assert world.fire(at(run="catch-up", **job), holder="backfill").status == "succeeded"
    outcome = world.fire(at(**job))
    assert outcome.status == "duplicate" and outcome.error == f"run already succeeded as {iso_utc(T1)}~catch-up"
    assert len(world.caller.requests) == 1 and world.run() == found


@pytest.mark.parametrize("job", POLICIES)
def test_a_backfill_after_the_late_delivery_ran_the_missed_run_is_a_duplicate(
    world: World, job: dict[str, Any]
) -> None:
    world.missed()
    assert world.fire(at(**job)).status == "succeeded"
    outcome = world.fire(at(run="catch-up", **job), holder="backfill")
    assert outcome.status == "duplicate" and outcome.error == f"run already succeeded as {iso_utc(T1)}"
    assert len(world.caller.requests) == 1 and world.run(label="catch-up") is None


@pytest.mark.parametrize("job", POLICIES)
def test_a_late_delivery_with_no_time_puts_the_missed_row_back_for_its_redelivery(
    world: World, job: dict[str, Any]
) -> None:
    found = world.missed()
    tight = {**job, "target": {"url": "https://x.example/h", "timeout": 1}}
    with pytest.raises(ClaimReleased):
        world.fire(at(**tight), remaining=3.5)
    # Missed again, not deleted (the next audit would record and notify the miss a second time);
    # only the retention counts from the claim.
    assert world.caller.requests == [] and _but_ttl(world.run()) == _but_ttl(found)
    state = world.row(STATE_SK) or {}
    assert "running" not in state and state.get("runs", 0) == 0
    assert world.fire(at(**tight)).status == "succeeded" and len(world.caller.requests) == 1


def test_a_late_delivery_that_finds_the_slot_held_is_recorded_skipped_over_missed(world: World) -> None:
    later = T1 + timedelta(minutes=35)
    world.clock.t = LATE.timestamp() - 5
    assert world.store.claim(_live_claim(world, later)) is None  # a later run of the job is running
    found = world.missed()
    world.clock.t = LATE.timestamp()
    outcome = world.fire(at(overlap="skip"))
    assert outcome.status == "skipped" and "still in progress" in (outcome.error or "")
    run = world.run()
    assert run is not None and run["status"] == "skipped" and run["missed_at"] == found["finished_at"]
    assert world.caller.requests == [] and world.metrics.count(c.METRIC_SKIPPED_OVERLAP) == 1


def _but_ttl(row: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (row or {}).items() if k != "ttl"}


def _live_claim(world: World, when: datetime):
    from cron_adapter.fire import decide
    from cron_adapter.fire.ports import RunKey

    fire = at(when, overlap="skip")
    now = world.clock.now()
    return decide.new_claim(fire, RunKey(JOB, iso_utc(when)), "req-running", now, now + 900, 7)


@pytest.mark.parametrize("planned", [False, True])
def test_late_deliveries_racing_a_catch_up_call_the_target_exactly_once(world: World, planned: bool) -> None:
    """Six late deliveries and a catch-up of each of 8 missed times, all at once: one call per time."""
    times = [T1 + timedelta(minutes=5 * i) for i in range(8)]
    for when in times:
        world.missed(when, catch_up_at=LATE.timestamp() if planned else None)
    fires = [(at(when, overlap="allow"), f"late-{i}-{n}") for i, when in enumerate(times) for n in range(6)]
    fires += [(at(when, run="catch-up", overlap="allow"), f"audit-{i}") for i, when in enumerate(times)]
    barrier = threading.Barrier(len(fires))
    outcomes: list[Any] = []
    errors: list[BaseException] = []

    def deliver(fire: FireInput, holder: str) -> None:
        barrier.wait()
        try:
            outcomes.append(world.fire(fire, holder=holder))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=pair) for pair in fires]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    called = sorted(r.headers.get("X-Cron-Scheduled-Time", "") for r, _ in world.caller.requests)
    assert called == [iso_utc(when) for when in times]  # each time reached the target exactly once
    assert sorted(o.status for o in outcomes).count("succeeded") == len(times)
    for when in times:
        base, caught = world.run(when), world.run(when, label="catch-up")
        ran = [r for r in (base, caught) if r is not None and r["status"] == "succeeded"]
        assert len(ran) == 1
        if planned:  # a planned catch-up owns its time
            assert base is not None and base["status"] == "missed" and ran == [caught]
