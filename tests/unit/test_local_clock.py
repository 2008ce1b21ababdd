"""The local EventBridge clock against an in-memory Scheduler fake and a hand-moved clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from cron_adapter.local.clock import Chaos, LocalEventBridge, render_input
from cron_adapter.local.journal import Journal

FIRE_ARN = "arn:aws:lambda:us-east-1:123456789012:function:cron-adapter-fire"
T0 = datetime(2027, 1, 4, 9, 0, 30, tzinfo=UTC)
INPUT = json.dumps(
    {"job_id": "JOB", "scheduled_time": "<aws.scheduler.scheduled-time>", "attempt": "<aws.scheduler.attempt-number>"}
)


class ManualClock:
    """A simulated clock the test moves by hand; real time == simulated time at speed 1."""

    speed = 1.0

    def __init__(self, now: datetime) -> None:
        self.t = now

    def now(self) -> datetime:
        return self.t

    def from_real(self, real: datetime) -> datetime:
        return real

    def advance(self, **delta: float) -> None:
        self.t += timedelta(**delta)


class NotFound(Exception):
    pass


class FakeScheduler:
    """ListSchedules (paginated shape), GetSchedule, DeleteSchedule, in memory."""

    class exceptions:  # noqa: N801 - mirrors boto3's client.exceptions
        ResourceNotFoundException = NotFound

    def __init__(self) -> None:
        self.schedules: dict[str, dict[str, Any]] = {}
        self.deleted: list[str] = []

    def put(
        self,
        name: str,
        expression: str,
        *,
        created: datetime = T0,
        state: str = "ENABLED",
        window: int = 0,
        after: str = "NONE",
        tz: str = "UTC",
    ) -> None:
        self.schedules[name] = {
            "Name": name,
            "ScheduleExpression": expression,
            "ScheduleExpressionTimezone": tz,
            "State": state,
            "CreationDate": created,
            "LastModificationDate": datetime.now(UTC),
            "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": window} if window else {"Mode": "OFF"},
            "ActionAfterCompletion": after,
            "Target": {"Arn": FIRE_ARN, "Input": INPUT.replace("JOB", name)},
        }

    def get_paginator(self, _: str) -> Any:
        fake = self

        class Pages:
            def paginate(self, **_: Any) -> list[dict[str, Any]]:
                return [{"Schedules": [dict(s) for s in fake.schedules.values()]}]

        return Pages()

    def get_schedule(self, Name: str, GroupName: str) -> dict[str, Any]:  # noqa: N803 - boto3 names
        if Name not in self.schedules:
            raise NotFound(Name)
        return dict(self.schedules[Name])

    def delete_schedule(self, Name: str, GroupName: str) -> None:  # noqa: N803
        if self.schedules.pop(Name, None) is None:
            raise NotFound(Name)
        self.deleted.append(Name)


def bridge(
    scheduler: FakeScheduler, clock: ManualClock, chaos: Chaos | None = None
) -> tuple[LocalEventBridge, list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    b = LocalEventBridge(
        scheduler,
        "cron-adapter",
        FIRE_ARN,
        clock,
        Journal(),  # type: ignore[arg-type]
        lambda e: events.append(e) or {"status": "succeeded"},
        chaos=chaos,
    )
    return b, events


def run(b: LocalEventBridge, clock: ManualClock, minutes: int) -> None:
    for _ in range(minutes * 4):
        clock.advance(seconds=15)
        b.tick()
        b.drain(5)


def test_render_input_substitutes_exactly_what_eventbridge_does() -> None:
    event = render_input(INPUT, datetime(2026, 11, 23, 3, 0, tzinfo=UTC), 2)
    assert event == {"job_id": "JOB", "scheduled_time": "2026-11-23T03:00:00Z", "attempt": "2"}


def test_a_rate_schedule_fires_every_period_from_its_creation() -> None:
    sched, clock = FakeScheduler(), ManualClock(T0)
    sched.put("minutely", "rate(1 minute)")
    b, events = bridge(sched, clock)
    run(b, clock, 5)
    assert [e["scheduled_time"] for e in events] == [f"2027-01-04T09:0{m}:00Z" for m in range(1, 6)]
    assert {e["attempt"] for e in events} == {"1"}


def test_a_disabled_schedule_is_silent_and_does_not_backfill_when_resumed() -> None:
    sched, clock = FakeScheduler(), ManualClock(T0)
    sched.put("paused", "rate(1 minute)", state="DISABLED")
    b, events = bridge(sched, clock)
    run(b, clock, 5)
    assert events == []
    sched.put("paused", "rate(1 minute)", state="ENABLED")
    run(b, clock, 2)
    assert [e["scheduled_time"] for e in events] == ["2027-01-04T09:06:00Z", "2027-01-04T09:07:00Z"]


def test_a_flexible_window_delays_delivery_but_not_the_scheduled_time() -> None:
    sched, clock = FakeScheduler(), ManualClock(T0)
    sched.put("jittery", "cron(0 10 * * ? *)", window=20)
    b, events = bridge(sched, clock)
    run(b, clock, 60)  # to 10:00:30
    assert events == [] or events[0]["scheduled_time"] == "2027-01-04T10:00:00Z"
    run(b, clock, 20)
    assert [e["scheduled_time"] for e in events] == ["2027-01-04T10:00:00Z"]


def test_a_one_shot_with_delete_after_completion_is_deleted_after_it_fires() -> None:
    sched, clock = FakeScheduler(), ManualClock(T0)
    sched.put("once", "at(2027-01-04T10:02:00)", after="DELETE", tz="Europe/Berlin")  # 09:02 UTC
    b, events = bridge(sched, clock)
    run(b, clock, 4)
    assert [e["scheduled_time"] for e in events] == ["2027-01-04T09:02:00Z"]
    assert sched.deleted == ["once"]


def test_chaos_adds_duplicates_and_retries_deterministically() -> None:
    def chaotic() -> list[tuple[str, str]]:
        sched, clock = FakeScheduler(), ManualClock(T0)
        sched.put("minutely", "rate(1 minute)")
        b, events = bridge(sched, clock, Chaos(seed=5, duplicate_rate=0.5, retry_rate=0.5))
        run(b, clock, 20)
        return sorted((e["scheduled_time"], e["attempt"]) for e in events)

    first = chaotic()
    attempts = [a for _, a in first]
    assert len({t for t, _ in first}) == 20
    assert attempts.count("2") >= 3 and len(first) - 20 - attempts.count("2") >= 3  # retries and duplicates
    assert chaotic() == first


def test_upcoming_lists_the_next_fire_of_each_enabled_schedule() -> None:
    sched, clock = FakeScheduler(), ManualClock(T0)
    sched.put("daily", "cron(0 3 * * ? *)", tz="Europe/Berlin")
    sched.put("minutely", "rate(1 minute)")
    sched.put("paused", "rate(1 minute)", state="DISABLED")
    b, _ = bridge(sched, clock)
    b.tick()
    assert [(t.name, when) for when, t in b.upcoming()] == [
        ("minutely", datetime(2027, 1, 4, 9, 1, tzinfo=UTC)),
        ("daily", datetime(2027, 1, 5, 2, 0, tzinfo=UTC)),
    ]
