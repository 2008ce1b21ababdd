"""A bounded load test on loopback: thousands of fires through the real fire handler.

The handler runs unchanged against the embedded emulator (moto's server on 127.0.0.1, as
``cron-adapter dev`` runs it, here in a child process so it has a core of its own, as
DynamoDB is not the Lambda's CPU) and calls a real HTTP target on 127.0.0.1. Every fifth delivery
is sent twice, concurrently, as EventBridge may. Each (job, scheduled time) must reach the
target exactly once. It runs in the heavy step only (``CRON_ADAPTER_HEAVY=1``): 2,000 fires.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import handlers.fire as fire_handler
from cron_adapter.bootstrap.fire import FireFactory
from tests.adapters.fire_support import TargetServer, signed
from tests.adapters.test_fire_handler import Context
from tests.faults import tally
from tests.faults.moto_process import emulator_process

EVENTS = Path(__file__).resolve().parents[2] / "events"
FIRES = tally.examples(200, 2000)
pytestmark = pytest.mark.skipif(not tally.heavy(), reason="the load test runs in the heavy step (CRON_ADAPTER_HEAVY=1)")
JOBS = 50
WORKERS = 4
# An hour ago: every due time (FIRES / JOBS minutes of them) lies inside the handler's time window.
START = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)


def fire_event(url: str, key: str, job: str, when: datetime) -> dict[str, Any]:
    event = json.loads((EVENTS / "fire.json").read_text())
    event.update(job_id=job, schedule=job, scheduled_time=when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    event["job"].update(schedules=[job], overlap="allow")  # runs of one job may overlap under load
    event["job"]["target"]["url"] = url
    return signed(event, key)  # as the emulator's reconcile would sign it


def test_thousands_of_fires_reach_the_target_exactly_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fire_handler, "factory", FireFactory())  # clients and secrets of this emulator
    with emulator_process(monkeypatch) as emulator, TargetServer() as target:
        key = emulator["input_key"]
        due = [(f"load-{i % JOBS}", START + timedelta(minutes=i // JOBS)) for i in range(FIRES)]
        deliveries = [d for i, d in enumerate(due) for _ in range(2 if i % 5 == 0 else 1)]
        started = time.monotonic()
        with ThreadPoolExecutor(WORKERS) as pool:
            outcomes = list(
                pool.map(lambda d: fire_handler.handler(fire_event(target.url, key, *d), Context()), deliveries)
            )
        seconds = time.monotonic() - started
        calls = Counter((s.headers.get("X-Cron-Job-Id"), s.headers.get("X-Cron-Scheduled-Time")) for s in target.seen)
    wanted = {(job, when.strftime("%Y-%m-%dT%H:%M:%SZ")) for job, when in due}
    lost = len(wanted - set(calls))
    duplicated = sum(n - 1 for n in calls.values() if n > 1)
    statuses = Counter(o["status"] for o in outcomes)
    tally.add(
        "load.fire",
        due=len(wanted),
        deliveries=len(deliveries),
        target_calls=len(target.seen),
        lost=lost,
        duplicated=duplicated,
        fires_per_s_x100=int(len(wanted) / seconds * 100),
    )
    assert lost == 0 and duplicated == 0, (lost, duplicated, statuses)
    assert statuses["succeeded"] == len(wanted), statuses
