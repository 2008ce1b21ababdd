"""The real fire handler on the embedded emulator, with wire faults on its AWS clients.

``FireRig`` builds the handler's factory from boto3 clients that carry a :class:`Script`
(``tests/faults/wire.py``) and a clock that can jump ahead (to expire a lease), delivers
events as Lambda would, and keeps every outcome, exception and traceback text for the
secret scan.
"""

from __future__ import annotations

import json
import time
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3

import handlers.fire as fire_handler
from cron_adapter.adapters.aws import FIRE_PATH_CONFIG
from cron_adapter.bootstrap.fire import FireFactory
from cron_adapter.tablekeys import job_pk, run_sk
from tests.faults.refusals import sealed
from tests.faults.wire import Script

# The faults' events name 2026-11-23T03:00Z (events/fire.json): they are delivered then, as far
# as the handler's scheduled-time window is concerned (leases and deadlines keep the real clock).
DELIVERED_AT = datetime(2026, 11, 23, 3, 0, tzinfo=UTC).timestamp()


class JumpClock:
    """The real clock, plus an offset a test can add to (a redelivery minutes later)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def delivered_at(self) -> float:
        """The events' delivery moment, moved by the same offset (a redelivery an hour later is one)."""
        return DELIVERED_AT + self.offset

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass
class LambdaContext:
    """What the handler reads from Lambda's context; the deadline follows the rig's clock."""

    clock: JumpClock
    remaining_s: float = 60.0
    function_name: str = "cron-adapter-fire"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:cron-adapter-fire"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return int((self.remaining_s + self.clock.offset) * 1000)


@dataclass
class Delivery:
    """One invocation: its result, or the exception it raised (as Lambda would see it)."""

    result: dict[str, Any] | None
    error: BaseException | None
    seconds: float

    @property
    def status(self) -> str:
        return self.result["status"] if self.result else f"raised {type(self.error).__name__}"


class FireRig:
    """The real handler with scripted faults on DynamoDB and Secrets Manager."""

    def __init__(self, emulator: Any, monkeypatch: Any) -> None:
        self.emulator = emulator
        self.clock = JumpClock()
        self.dynamodb = Script("dynamodb")
        self.secrets = Script("secretsmanager")
        self.scheduler = Script("scheduler")
        self.deliveries: list[Delivery] = []
        self.texts: list[str] = []  # results, errors and tracebacks, for the secret scan
        self.monkeypatch = monkeypatch
        # Powertools keeps one metric buffer per process: what an earlier in-process test left in
        # it (the dev loop's concurrent fire-handler threads share it) must not be counted here.
        fire_handler.metrics.clear_metrics()
        self.reset()

    def reset(self, **plans: dict[str, list[str]]) -> None:
        """A cold container (fresh clients and secret cache) with new fault scripts, by client."""
        self.dynamodb = Script("dynamodb", plans.get("dynamodb"))
        self.secrets = Script("secretsmanager", plans.get("secrets"))
        self.scheduler = Script("scheduler", plans.get("scheduler"))
        clients = {
            script.service: script.install(boto3.client(script.service, config=FIRE_PATH_CONFIG))
            for script in (self.dynamodb, self.secrets, self.scheduler)
        }
        factory = FireFactory(clients=clients, clock=self.clock, schedule_clock=self.clock.delivered_at)
        self.monkeypatch.setattr(fire_handler, "factory", factory)

    def deliver(self, event: dict[str, Any], remaining_s: float = 60.0) -> Delivery:
        """Invoke the handler once; an exception is kept (Lambda would retry the event)."""
        started = time.monotonic()
        try:
            result, error = fire_handler.handler(sealed(event), LambdaContext(self.clock, remaining_s)), None
            self.texts.append(json.dumps(result, default=str))
        except Exception as exc:  # noqa: BLE001 - the invocation's failure is the observation
            result, error = None, exc
            self.texts.append("".join(traceback.format_exception(exc)))
        delivery = Delivery(result, error, time.monotonic() - started)
        self.deliveries.append(delivery)
        return delivery

    def run(self, job_id: str, scheduled_time: str) -> dict[str, Any] | None:
        """The run record (plain values), read straight from the emulator's table."""
        from cron_adapter.adapters.dynamo_expr import plain

        ddb = boto3.client("dynamodb", endpoint_url=self.emulator.endpoint)
        key = {"pk": {"S": job_pk(job_id)}, "sk": {"S": run_sk(scheduled_time)}}
        item = ddb.get_item(TableName=self.emulator.table, Key=key).get("Item")
        if item:
            self.texts.append(json.dumps(item))
        return plain(item) if item else None

    def injected(self) -> int:
        """Faults injected on both clients so far."""
        return self.dynamodb.total() + self.secrets.total() + self.scheduler.total()


def metrics(stdout: str) -> Counter[str]:
    """Sum every metric in the EMF documents Powertools printed."""
    totals: Counter[str] = Counter()
    for line in stdout.splitlines():
        if '"_aws"' not in line:
            continue
        doc = json.loads(line)
        for directive in doc["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = doc[metric["Name"]]
                totals[metric["Name"]] += sum(value) if isinstance(value, list) else value
    return totals
