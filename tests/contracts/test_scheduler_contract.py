"""The scheduler contract: the same scenarios against the in-memory fake and moto's Scheduler.

The reconcile unit tests run on ``tests.fakes.reconcile.FakeScheduler``; these scenarios
keep it honest against ``adapters.scheduler.SchedulerAdapter``: idempotent writes, listing,
and a LastModificationDate that GetSchedule and ListSchedules agree on (the ledger's
change detection depends on it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cron_adapter.reconcile.ports import SchedulerPort
from tests.adapters import reconcile_support as support
from tests.adapters.reconcile_support import GROUP, WIRING
from tests.fakes.reconcile import FakeScheduler

aws_env = support.aws_env  # the shared pytest fixture


@pytest.fixture(params=["fake", "moto"])
def scheduler(request: pytest.FixtureRequest, aws_env: None) -> Iterator[SchedulerPort]:
    if request.param == "fake":
        yield FakeScheduler()
        return
    from cron_adapter.adapters.scheduler import SchedulerAdapter, client_config

    with mock_aws():
        yield SchedulerAdapter(GROUP, boto3.client("scheduler", config=client_config()), tps=1000)


def req(name: str, state: str = "ENABLED", expression: str = "rate(5 minutes)") -> dict[str, Any]:
    return {
        "Name": name,
        "GroupName": GROUP,
        "ScheduleExpression": expression,
        "State": state,
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {"Arn": WIRING.fire_arn, "RoleArn": WIRING.role_arn},
    }


def listed(s: SchedulerPort) -> dict[str, tuple[str | None, str]]:
    return {x.name: (x.state, x.last_modified) for x in s.list_schedules()}


def test_a_missing_group_lists_empty(scheduler: SchedulerPort):
    assert scheduler.list_schedules() == [] and scheduler.last_modified("x") is None


def test_created_schedules_are_listed_with_their_state(scheduler: SchedulerPort):
    scheduler.ensure_group()
    scheduler.create(req("a"))
    scheduler.create(req("b", state="DISABLED"))
    assert {n: state for n, (state, _) in listed(scheduler).items()} == {"a": "ENABLED", "b": "DISABLED"}


def test_ensure_group_twice_keeps_the_schedules(scheduler: SchedulerPort):
    scheduler.ensure_group()
    scheduler.create(req("keep"))
    scheduler.ensure_group()
    assert set(listed(scheduler)) == {"keep"}


def test_create_on_an_existing_schedule_replaces_it(scheduler: SchedulerPort):
    scheduler.ensure_group()
    scheduler.create(req("a"))
    scheduler.create(req("a", state="DISABLED"))
    assert listed(scheduler)["a"][0] == "DISABLED" and len(listed(scheduler)) == 1


def test_update_on_a_missing_schedule_creates_it(scheduler: SchedulerPort):
    scheduler.ensure_group()
    scheduler.update(req("new"))
    assert set(listed(scheduler)) == {"new"}


def test_delete_twice_is_fine(scheduler: SchedulerPort):
    scheduler.ensure_group()
    scheduler.create(req("a"))
    scheduler.delete("a")
    scheduler.delete("a")
    assert listed(scheduler) == {} and scheduler.last_modified("a") is None


def test_get_and_list_agree_on_last_modified_and_a_write_moves_it(scheduler: SchedulerPort):
    scheduler.ensure_group()
    scheduler.create(req("a"))
    before = scheduler.last_modified("a")
    assert before is not None and listed(scheduler)["a"][1] == before
    scheduler.update(req("a", expression="rate(1 hour)"))
    after = scheduler.last_modified("a")
    assert after is not None and after != before and listed(scheduler)["a"][1] == after
