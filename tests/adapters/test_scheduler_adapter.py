"""The EventBridge Scheduler adapter on moto (the ledger's scenarios are in tests/contracts)."""

from __future__ import annotations

import boto3
import pytest

from cron_adapter.adapters.ledger import Ledger
from cron_adapter.adapters.scheduler import SchedulerAdapter
from tests.adapters import reconcile_support as support
from tests.adapters.reconcile_support import GROUP, TABLE, WIRING, World

aws_env = support.aws_env  # the shared pytest fixture
world = support.world  # the shared pytest fixture


def request(name: str, expr: str = "rate(5 minutes)") -> dict:
    return {
        "Name": name,
        "GroupName": GROUP,
        "ScheduleExpression": expr,
        "State": "ENABLED",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {"Arn": WIRING.fire_arn, "RoleArn": WIRING.role_arn},
    }


def adapter(w: World) -> SchedulerAdapter:
    return SchedulerAdapter(GROUP, w.scheduler, tps=1000)


def test_list_paginates_one_hundred_per_page(world: World):
    a = adapter(world)
    a.ensure_group()
    for i in range(230):
        a.create(request(f"s{i:03d}"))
    world.calls.clear()
    listed = a.list_schedules()
    assert len(listed) == 230 and world.calls["ListSchedules"] == 3
    assert listed[0].state == "ENABLED" and listed[0].last_modified.startswith("20")


def test_listing_a_missing_group_is_empty(world: World):
    assert adapter(world).list_schedules() == []


def test_writes_are_idempotent(world: World):
    a = adapter(world)
    a.ensure_group()
    a.create(request("x"))
    a.create(request("x", "rate(1 hour)"))  # exists: becomes an update
    assert world.get("x")["ScheduleExpression"] == "rate(1 hour)"
    a.update(request("y"))  # missing: becomes a create
    assert world.get("y")["ScheduleExpression"] == "rate(5 minutes)"
    a.delete("x")
    a.delete("x")  # already gone: fine
    assert a.get_schedule("x") is None and a.last_modified("y")


def test_ensure_group_never_recreates_an_existing_group(world: World):
    a = adapter(world)
    a.ensure_group()
    a.create(request("keep"))
    world.calls.clear()
    a.ensure_group()  # moto wipes a group's schedules on CreateScheduleGroup; we must not call it
    assert world.calls["CreateScheduleGroup"] == 0 and "keep" in world.listed()


def test_lazy_client_honours_aws_endpoint_url(aws_env: None, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4599")
    a = SchedulerAdapter(GROUP)
    assert a._client is None  # nothing built at construction
    assert a.client.meta.endpoint_url == "http://127.0.0.1:4599"
    assert a.client.meta.config.retries["mode"] == "standard"
    ledger = Ledger(TABLE, GROUP)
    assert ledger._client is None and ledger.client.meta.endpoint_url == "http://127.0.0.1:4599"


def test_resource_client_never_created_at_import():
    import cron_adapter.adapters.scheduler as mod

    assert not any(isinstance(v, boto3.session.Session) for v in vars(mod).values())
