"""Shared helpers for the reconcile tests on moto: a world with counted API calls."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cron_adapter import constants as c
from cron_adapter.adapters.ledger import Ledger
from cron_adapter.adapters.scheduler import SchedulerAdapter, client_config
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.model import JobSet
from cron_adapter.reconcile.service import Options, Reconciler
from cron_adapter.reconcile.translate import Wiring

GROUP, TABLE, BUCKET = "cron-adapter", "cron-adapter-table", "cron-adapter-jobs"
WIRING = Wiring(
    GROUP,
    "arn:aws:lambda:us-east-1:123456789012:function:fire",
    "arn:aws:iam::123456789012:role/scheduler",
    "arn:aws:sqs:us-east-1:123456789012:dlq",
)
WRITES = ("CreateSchedule", "UpdateSchedule", "DeleteSchedule")


def jobs_doc(n: int = 3, **overrides: dict[str, Any]) -> dict[str, Any]:
    """A native jobs file of ``n`` jobs j0..j{n-1}; ``overrides`` patch single jobs by id."""
    jobs = [{"id": f"j{i}", "schedule": f"every {5 + i}m", "target": {"path": f"/run/{i}"}} for i in range(n)]
    for job in jobs:
        job.update(overrides.get(job["id"], {}))
    return {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": jobs}


def jobs_bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


def jobset(doc: dict[str, Any]) -> JobSet:
    return load_bytes(jobs_bytes(doc))


class Calls(Counter):
    """API calls by operation name, counted by a botocore ``before-call`` hook."""

    def hook(self, model: Any, **_: Any) -> None:
        self[model.name] += 1

    def writes(self) -> int:
        return sum(self[op] for op in WRITES)


@dataclass
class World:
    """moto-backed clients with call counting, and factories for the adapters."""

    scheduler: Any
    dynamodb: Any
    calls: Calls = field(default_factory=Calls)

    def reconciler(self, **kwargs: Any) -> Reconciler:
        options = kwargs.pop("options", Options(workers=4))
        return Reconciler(
            SchedulerAdapter(GROUP, self.scheduler, tps=1000),
            Ledger(TABLE, GROUP, self.dynamodb),
            WIRING,
            options=options,
            **kwargs,
        )

    def listed(self) -> dict[str, dict[str, Any]]:
        pages = self.scheduler.get_paginator("list_schedules").paginate(GroupName=GROUP)
        return {s["Name"]: s for p in pages for s in p["Schedules"]}

    def get(self, name: str) -> dict[str, Any]:
        return self.scheduler.get_schedule(Name=name, GroupName=GROUP)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def world(aws_env: None) -> Iterator[World]:
    with mock_aws():
        ddb = boto3.client("dynamodb")
        ddb.create_table(TableName=TABLE, **c.TABLE_DEFINITION)
        w = World(boto3.client("scheduler", config=client_config()), ddb)
        w.scheduler.meta.events.register("before-call.*.*", w.calls.hook)
        w.dynamodb.meta.events.register("before-call.*.*", w.calls.hook)
        yield w


def reconcile_after_upload() -> threading.Thread:
    """Stands in for the S3 notification -> reconcile Lambda: one reconcile of the first upload."""
    from cron_adapter.reconcile.triggers import Trigger
    from handlers import reconcile

    reconcile.app.cache_clear()

    def run() -> None:
        for _ in range(100):
            if boto3.client("s3").list_objects_v2(Bucket=BUCKET)["KeyCount"]:
                reconcile.app().run(Trigger("upload"))
                reconcile.app.cache_clear()  # its clients belong to this test's moto
                return
            time.sleep(0.05)

    thread = threading.Thread(target=run)
    thread.start()
    return thread
