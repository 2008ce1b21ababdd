"""max_runs, end_at, one-shot and "gone" exhaust a job: EXHAUSTED marker + schedules stopped."""

from __future__ import annotations

from typing import Any

from cron_adapter import constants as c
from cron_adapter.fire.input import FireInput, input_dict, parse_input
from cron_adapter.fire.ports import TargetResponse
from cron_adapter.tablekeys import EXHAUSTED_PK
from tests.unit.fire.conftest import World, make_input
from tests.unit.fire.fakes import FakeCaller


def at(when: str, name: str = "fire.json", **job: Any) -> FireInput:
    return parse_input({**input_dict(make_input(name, **job)), "scheduled_time": when})


def marker(world: World, job_id: str) -> dict | None:
    return world.store.rows.get((EXHAUSTED_PK, job_id))


def test_max_runs_marks_the_job_exhausted_on_its_last_run(world: World) -> None:
    assert world.fire(at("2026-11-23T03:00:00Z", max_runs=2)).exhausted is None
    assert marker(world, "nightly-report") is None
    second = world.fire(at("2026-11-23T04:00:00Z", max_runs=2), holder="req-2")
    assert second.status == "succeeded" and second.exhausted == "max_runs"
    assert marker(world, "nightly-report") == {"spec_hash": "3f9a1c0b7d2e4a61", "reason": "max_runs"}
    assert world.schedules.stopped == [("nightly-report", ("nightly-report",))]
    third = world.fire(at("2026-11-23T05:00:00Z", max_runs=2), holder="req-3")
    assert third.status == "skipped" and "max_runs" in (third.error or "")
    assert len(world.caller.requests) == 2
    assert world.metrics.count(c.METRIC_EXHAUSTED) == 2  # last run, then the straggler re-stops


def test_hermes_repeat_times_is_max_runs(world: World) -> None:
    fire = make_input("fire-hermes.json")
    assert fire.job.max_runs == 3
    for hour in ("09", "10", "11"):
        world.fire(parse_input({**input_dict(fire), "scheduled_time": f"2026-11-23T{hour}:30:00Z"}))
    assert marker(world, "a1b2c3d4e5f6")["reason"] == "max_runs"
    assert world.schedules.stopped == [("a1b2c3d4e5f6", ("hermes-a1b2c3d4e5f6",))]


def test_fire_after_end_at_is_skipped_and_exhausts_the_job(world: World) -> None:
    outcome = world.fire(at("2026-11-23T03:00:00Z", end_at="2026-11-22T23:59:00Z"))
    assert outcome.status == "skipped" and outcome.exhausted == "end_at"
    assert world.caller.requests == []
    assert marker(world, "nightly-report")["reason"] == "end_at"
    assert world.store.run("nightly-report", "2026-11-23T03:00:00Z")["status"] == "skipped"


def test_one_shot_is_exhausted_after_its_run(world: World) -> None:
    outcome = world.fire(make_input("fire-one-shot.json"))
    assert outcome.status == "succeeded" and outcome.exhausted == "one_shot"
    assert world.schedules.stopped == [("send-invoice-42", ("send-invoice-42",))]
    assert world.store.calls == 2  # the marker rides in the finish transaction


def test_gone_is_recorded_and_exhausts_the_job() -> None:
    world = World(FakeCaller(TargetResponse(200, b'{"status": "gone"}')))
    outcome = world.fire(make_input())
    assert outcome.status == "gone" and outcome.exhausted == "gone"
    assert world.store.run("nightly-report", "2026-11-23T03:00:00Z")["status"] == "gone"
    assert world.metrics.count(c.METRIC_GONE) == 1 and world.metrics.count(c.METRIC_TARGET_SUCCEEDED) == 0
    assert marker(world, "nightly-report")["reason"] == "gone"
