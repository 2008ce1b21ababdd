"""An operations world on moto: the table, the schedule group, the alarm topic, the fire service.

Schedules are created by a real reconcile; runs are made by the real FireService with a
scripted target; the audit runs with the real adapters. Times are relative to the world's
wall clock: the real now, or a fixed instant set in ``OpsWorld.at``, which moto's scheduler
(CreationDate, LastModificationDate) and the reconcile then read too, so a test can run a
whole day (a DST day, say) that is not today, and no test depends on when it runs.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.scheduler import models as scheduler_models

from cron_adapter import constants as c
from cron_adapter.adapters.claims import DynamoClaimStore
from cron_adapter.adapters.ledger import Ledger
from cron_adapter.adapters.notify import SnsNotifier
from cron_adapter.adapters.runs import DynamoRunStore
from cron_adapter.adapters.schedule_control import SchedulerControl
from cron_adapter.adapters.scheduler import SchedulerAdapter
from cron_adapter.adapters.scheduleview import SchedulerView
from cron_adapter.fire.inputsig import InputKey
from cron_adapter.fire.service import FireService
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.model import JobSet
from cron_adapter.ops.audit import AuditConfig
from cron_adapter.ops.runs import fire_input
from cron_adapter.ops.service import AuditReport, AuditService
from cron_adapter.reconcile.service import Options, Reconciler
from cron_adapter.reconcile.translate import Wiring
from cron_adapter.tablekeys import job_pk, run_sk
from tests.adapters.fire_support import INPUT_KEY, fake_aws_env, lock_moto_writes
from tests.unit.fire.fakes import FakeCaller, FakeClock, FakeMetrics, FakeSecrets

GROUP, TABLE = "cron-adapter", "cron-adapter-ops"
WIRING = Wiring(
    GROUP, "arn:aws:lambda:us-east-1:123456789012:function:fire", "arn:aws:iam::123456789012:role/scheduler"
)
CONFIG = AuditConfig(lookback=timedelta(minutes=90), grace=timedelta(minutes=10))


def jobs_doc(*jobs: dict[str, Any]) -> JobSet:
    doc = {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": list(jobs)}
    return load_bytes(json.dumps(doc).encode())


def job(job_id: str, schedule: str = "*/10 * * * *", **extra: Any) -> dict[str, Any]:
    return {"id": job_id, "schedule": schedule, "target": {"path": f"/run/{job_id}"}, **extra}


def minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


@dataclass
class OpsWorld:
    ddb: Any
    scheduler: Any
    sns: Any
    sqs: Any
    topic: str
    queue: str
    jobs: JobSet = field(default_factory=lambda: jobs_doc())
    caller: FakeCaller = field(default_factory=FakeCaller)
    clock: FakeClock = field(default_factory=FakeClock)
    metrics: FakeMetrics = field(default_factory=FakeMetrics)
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    at: datetime | None = None  # the injected wall clock; None = the real one
    config: AuditConfig = CONFIG

    def wall(self) -> datetime:
        """The world's current time: ``at`` when set, else the real clock."""
        return self.at or datetime.now(UTC)

    def apply(self, jobs: JobSet, grace: float = 0.0) -> None:
        self.jobs = jobs
        self.created = self.wall()
        reconciler = Reconciler(
            SchedulerAdapter(GROUP, self.scheduler, tps=1000),
            Ledger(TABLE, GROUP, boto3.client("dynamodb")),
            replace(WIRING, key=InputKey(INPUT_KEY)),  # as the reconcile Lambda signs
            options=Options(workers=1, create_grace_seconds=grace),
            clock=self.wall,
        )
        reconciler.run(lambda: jobs)

    def fire_service(self) -> FireService:
        return FireService(
            DynamoClaimStore(TABLE, self.ddb),
            self.caller,
            FakeSecrets(),
            self.clock,
            SchedulerControl(GROUP, self.scheduler),
            self.metrics,
        )

    def fire(self, job_id: str, when: datetime, run: str | None = None) -> str:
        """One delivery of ``job_id`` at ``when`` through the real fire service."""
        job = next(j for j in self.jobs.jobs if j.id == job_id)
        self.clock.t = when.timestamp() + 5
        return self.fire_service().fire(fire_input(job, WIRING, when, run), "h-" + job_id, self.clock.t + 600).status

    def audit_service(self) -> AuditService:
        holder = f"audit-{uuid.uuid4().hex[:8]}"  # each audit is its own invocation, with its own request id

        def fire(fi: Any) -> str:
            return self.fire_service().fire(fi, holder, self.clock.t + 600).status

        ledger = Ledger(TABLE, GROUP, boto3.client("dynamodb"))
        return AuditService(
            DynamoRunStore(TABLE, self.ddb),
            SchedulerView(SchedulerAdapter(GROUP, self.scheduler, tps=1000), ledger),
            SnsNotifier(self.topic, self.sns),
            self.metrics,
            WIRING,
            fire,
            self.config,
        )

    def audit(self, now: datetime) -> AuditReport:
        self.clock.t = now.timestamp()
        return self.audit_service().audit(self.jobs, now)

    def messages(self) -> list[dict[str, str]]:
        out = []
        for _ in range(10):
            got = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                return out
            out += [json.loads(m["Body"]) for m in got]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)],
            )
        return out

    def run_item(self, job_id: str, run: str) -> dict[str, Any] | None:
        from cron_adapter.adapters.dynamo_expr import plain

        item = self.ddb.get_item(TableName=TABLE, Key={"pk": {"S": job_pk(job_id)}, "sk": {"S": run_sk(run)}})
        return plain(item["Item"]) if "Item" in item else None


@pytest.fixture
def ops(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpsWorld]:
    fake_aws_env(monkeypatch)
    lock_moto_writes(monkeypatch)
    with mock_aws():
        ddb = boto3.client("dynamodb")
        ddb.create_table(TableName=TABLE, **c.TABLE_DEFINITION)
        scheduler = boto3.client("scheduler")
        scheduler.create_schedule_group(Name=GROUP)
        sns, sqs = boto3.client("sns"), boto3.client("sqs")
        topic = sns.create_topic(Name="alarms")["TopicArn"]
        queue = sqs.create_queue(QueueName="alarm-inbox")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        world = OpsWorld(ddb, scheduler, sns, sqs, topic, queue)
        # moto stamps schedules with its own clock: hand it the world's.
        stamp = scheduler_models.unix_time
        monkeypatch.setattr(
            scheduler_models, "unix_time", lambda dt=None: stamp(dt) if dt else world.wall().timestamp()
        )
        yield world
