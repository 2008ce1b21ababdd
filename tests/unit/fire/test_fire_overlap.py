"""Overlap across scheduled times of one job: skip (default), allow, queue (one waiting)."""

from __future__ import annotations

from typing import Any

import pytest

from cron_adapter import constants as c
from cron_adapter.fire.input import input_dict, parse_input
from cron_adapter.fire.ports import TargetResponse
from tests.unit.fire.conftest import World, make_input
from tests.unit.fire.fakes import FakeCaller

T1, T2, T3 = "2026-11-23T03:00:00Z", "2026-11-23T03:05:00Z", "2026-11-23T03:10:00Z"


def at(when: str, **job: Any):
    return parse_input({**input_dict(make_input(**job)), "scheduled_time": when})


def nested(world_ref: list[World], outcomes: list, *fires):
    """A target that, while the first run is in progress, receives the later fires."""

    def call(request, timeout):
        for fire in fires:
            outcomes.append(world_ref[0].fire(fire, holder=f"req-{fire.scheduled_time:%M}"))
        return TargetResponse(200)

    return call


def run_overlapping(policy: str, *later: str, remaining: float = 900.0) -> tuple[World, Any, list]:
    ref: list[World] = []
    outcomes: list = []
    fires = [at(w, overlap=policy) for w in later]
    world = World(FakeCaller(nested(ref, outcomes, *fires)))
    ref.append(world)
    first = world.fire(at(T1, overlap=policy), holder="req-00", remaining=remaining)
    return world, first, outcomes


def test_skip_records_the_overlapping_run_as_skipped_without_calling() -> None:
    world, first, outcomes = run_overlapping("skip", T2)
    assert first.status == "succeeded"
    assert [o.status for o in outcomes] == ["skipped"]
    assert world.store.run("nightly-report", T2)["status"] == "skipped"
    assert len(world.caller.requests) == 1
    assert world.metrics.count(c.METRIC_SKIPPED_OVERLAP) == 1


def test_skip_lets_the_next_run_through_once_the_running_lease_expired(world: World) -> None:
    def crash(request, timeout):
        raise KeyboardInterrupt

    world.caller.script.append(crash)
    with pytest.raises(KeyboardInterrupt):
        world.fire(at(T1))
    world.clock.t = world.store.run("nightly-report", T1)["lease_until"] + 1
    assert world.fire(at(T2), holder="req-2").status == "succeeded"


def test_allow_runs_overlapping_times_concurrently() -> None:
    world, first, outcomes = run_overlapping("allow", T2)
    assert first.status == "succeeded" and [o.status for o in outcomes] == ["succeeded"]
    assert len(world.caller.requests) == 2
    assert world.store.state("nightly-report") == {}  # allow without max_runs keeps no job state


def test_queue_keeps_one_waiting_run_and_starts_it_when_the_current_finishes() -> None:
    world, first, outcomes = run_overlapping("queue", T2, T3)
    assert [o.status for o in outcomes] == ["queued", "skipped"]  # at most one waiting
    assert first.status == "succeeded" and first.next is not None
    assert first.next.scheduled_time == T2 and first.next.status == "succeeded"
    assert world.store.run("nightly-report", T2)["status"] == "succeeded"
    assert world.store.run("nightly-report", T3)["status"] == "skipped"
    assert [r.headers["X-Cron-Scheduled-Time"] for r, _ in world.caller.requests] == [T1, T2]
    state = world.store.state("nightly-report")
    assert "running" not in state and "queued" not in state and state["runs"] == 2
    assert world.metrics.count(c.METRIC_QUEUED) == 1 and world.metrics.count(c.METRIC_CLAIMED) == 2


def test_queue_drops_the_waiting_run_when_no_time_is_left() -> None:
    world, first, outcomes = run_overlapping("queue", T2, remaining=60.0)
    assert [o.status for o in outcomes] == ["queued"]
    assert first.next is None
    assert world.store.run("nightly-report", T2)["status"] == "skipped"
    assert "queued" not in world.store.state("nightly-report")


def test_duplicate_of_a_queued_run_is_a_duplicate() -> None:
    ref: list[World] = []
    outcomes: list = []
    world = World(FakeCaller(nested(ref, outcomes, at(T2, overlap="queue"), at(T2, overlap="queue"))))
    ref.append(world)
    world.fire(at(T1, overlap="queue"))
    assert [o.status for o in outcomes] == ["queued", "duplicate"]


def test_a_run_that_outlived_its_lease_does_not_free_the_next_runs_slot() -> None:
    ref: list[World] = []
    seen: list = []

    def slow(request, timeout):
        w = ref[0]
        w.clock.t = w.store.run("nightly-report", T1)["lease_until"] + 1  # T1 overran its lease
        seen.append(w.fire(at(T2), holder="req-2"))  # T2 takes the job's slot, runs, releases it
        return TargetResponse(200)

    world = World(FakeCaller(slow))
    ref.append(world)
    first = world.fire(at(T1), holder="req-1")
    assert first.status == "succeeded" and [o.status for o in seen] == ["succeeded"]
    assert world.store.run("nightly-report", T1)["status"] == "succeeded"
    assert "running" not in world.store.state("nightly-report")


def test_a_promoted_queued_run_with_no_time_left_is_skipped_not_failed() -> None:
    from tests.unit.fire.fakes import FakeStore

    class SlowFinish(FakeStore):
        """The finish that promotes the queued run comes back 60 s later."""

        def finish(self, f):
            if f.promote is not None:
                ref[0].clock.t += 60
            return super().finish(f)

    ref: list[World] = []
    outcomes: list = []
    world = World(FakeCaller(nested(ref, outcomes, at(T2, overlap="queue"))))
    world.store = world.service.store = SlowFinish()
    ref.append(world)
    job = {"overlap": "queue", "target": {"url": "https://x.example/h", "timeout": 5}}
    first = world.fire(at(T1, **job), holder="req-00", remaining=80.0)
    assert [o.status for o in outcomes] == ["queued"] and first.status == "succeeded"
    assert first.next is not None and first.next.status == "skipped" and first.next.attempts == 0
    assert world.store.run("nightly-report", T2)["status"] == "skipped"
    assert len(world.caller.requests) == 1 and world.metrics.count(c.METRIC_TARGET_FAILED) == 0


def test_a_catch_up_beside_a_running_run_is_recorded_nowhere_and_runs_later() -> None:
    """The next audit fires it again once the slot is free: nothing in the table stops it."""
    catch_up = parse_input({**input_dict(make_input()), "scheduled_time": T2, "run": "catch-up"})
    world, first, outcomes = run_overlapping("skip")
    ref: list[World] = [world]
    busy: list = []
    world.caller.script.append(nested(ref, busy, catch_up))
    assert world.fire(at(T1), holder="req-00").status == "duplicate"  # T1 already ran
    world.fire(at(T3), holder="req-10")
    assert [o.status for o in busy] == ["busy"]
    assert world.store.run("nightly-report", f"{T2}~catch-up") is None
    assert world.metrics.count(c.METRIC_SKIPPED_OVERLAP) == 0
    assert world.fire(catch_up, holder="audit-2").status == "succeeded"
