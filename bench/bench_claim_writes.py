"""Claim-store cost benchmark: DynamoDB write request units (WRU) per fire, by job policy.

Run: .venv/bin/python bench/bench_claim_writes.py [--fires N]

Each policy fires N times (distinct scheduled times, one after another) through the real
FireService and DynamoClaimStore on moto (in-process), plus one duplicate delivery. Every
write request is metered by DynamoDB's on-demand rules, computed from the request type
and the sizes of the items it touches, read before and after the write:

* PutItem / UpdateItem / DeleteItem: ceil(max(size before, size after) / 1 KB), at least 1;
  a write whose condition fails is charged the same.
* TransactWriteItems: twice that for every item in the transaction.

moto's own ``ReturnConsumedCapacity`` is not used: it reports 0.5 units for a 3 KB update
and nothing for transactions. It measures and prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POLICIES = [  # label, job fields, goal (None: no goal, the job's policy needs a transaction)
    ("overlap allow, no max_runs", {"overlap": "allow"}, 2),
    ("overlap skip, no max_runs (the default)", {"overlap": "skip"}, 4),
    ("overlap queue", {"overlap": "queue"}, None),
    ("overlap skip, max_runs", {"overlap": "skip", "max_runs": 1_000_000}, None),
]
KB = 1024


def value_size(v: dict[str, Any]) -> int:
    """Bytes of one attribute value, by DynamoDB's item-size rules."""
    ((kind, raw),) = v.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "N":
        return (len(raw.lstrip("-").replace(".", "").strip("0")) + 1) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(x) + 1 for k, x in raw.items())
    if kind == "L":
        return 3 + sum(value_size(x) + 1 for x in raw)
    return len(str(raw))


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(name.encode()) + value_size(v) for name, v in (item or {}).items())


class Metered:
    """A DynamoDB client that charges every write its WRU (see the module docstring)."""

    def __init__(self, client: Any) -> None:
        self._client, self.units, self.requests = client, 0, Counter()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def _get(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        return self._client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")

    def _metered(self, name: str, writes: list[tuple[str, dict[str, Any]]], factor: int, call: Any) -> Any:
        before = [item_size(self._get(t, k)) for t, k in writes]
        try:
            return call()
        finally:
            after = [item_size(self._get(t, k)) for t, k in writes]
            self.units += sum(factor * max(1, math.ceil(max(b, a) / KB)) for b, a in zip(before, after, strict=True))
            self.requests[name] += 1

    def _key(self, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        item = params.get("Item")
        key = params.get("Key") or {"pk": item["pk"], "sk": item["sk"]}  # type: ignore[index]
        return params["TableName"], key

    def put_item(self, **p: Any) -> Any:
        return self._metered("PutItem", [self._key(p)], 1, lambda: self._client.put_item(**p))

    def update_item(self, **p: Any) -> Any:
        return self._metered("UpdateItem", [self._key(p)], 1, lambda: self._client.update_item(**p))

    def delete_item(self, **p: Any) -> Any:
        return self._metered("DeleteItem", [self._key(p)], 1, lambda: self._client.delete_item(**p))

    def transact_write_items(self, **p: Any) -> Any:
        keys = [self._key(next(iter(op.values()))) for op in p["TransactItems"]]
        return self._metered("TransactWriteItems", keys, 2, lambda: self._client.transact_write_items(**p))


def bench_policy(client: Any, table: str, job: dict[str, Any], fires: int) -> tuple[float, float, Counter]:
    """(WRU per fire, WRU of a duplicate delivery, requests) for one job policy."""
    from cron_adapter.adapters.claims import DynamoClaimStore
    from cron_adapter.bootstrap.fire import SystemClock
    from cron_adapter.fire.input import parse_input
    from cron_adapter.fire.ports import Secret, TargetResponse
    from cron_adapter.fire.service import FireService
    from tests.unit.fire.conftest import load_event

    class Null:
        def get(self) -> Secret:
            return Secret("bench-secret-" + "b" * 40)

        def call(self, request: Any, timeout: float) -> Any:
            return TargetResponse(200)

        def stop(self, *a: Any) -> None: ...

        def add_metric(self, **k: Any) -> None: ...

    metered, null = Metered(client), Null()
    svc = FireService(DynamoClaimStore(table, client=metered), null, null, SystemClock(), null, null)
    event = load_event("fire.json")
    event["job"].update(job)
    for i in range(fires + 1):
        minute = min(i, fires - 1)  # the last delivery repeats the last run: a duplicate
        event["scheduled_time"] = time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(1_795_402_800 + 60 * minute))
        fire = parse_input(event)
        if i == fires:
            units, requests, metered.units = metered.units, Counter(metered.requests), 0
            assert svc.fire(fire, holder="dup", deadline=time.time() + 60).status == "duplicate"
            return units / fires, metered.units, requests
        assert svc.fire(fire, holder=f"d{i}", deadline=time.time() + 60).status == "succeeded"
    raise AssertionError("unreachable")


def fake_credentials() -> None:
    """Credentials and a region for moto, unless the environment has its own."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fires", type=int, default=200)
    args = parser.parse_args()
    fake_credentials()
    import boto3
    from moto import mock_aws

    from cron_adapter.constants import TABLE_DEFINITION

    print(f"claim-write benchmark: WRU per fire over {args.fires} fires per policy (computed from item sizes)")
    with mock_aws():
        client = boto3.client("dynamodb")
        for n, (label, job, goal) in enumerate(POLICIES):
            client.create_table(TableName=f"bench-{n}", **TABLE_DEFINITION)
            per_fire, duplicate, requests = bench_policy(client, f"bench-{n}", job, args.fires)
            verdict = "no goal: needs a transaction" if goal is None else f"goal <= {goal}"
            if goal is not None and per_fire > goal:
                verdict += ": MISSED"
            calls = ", ".join(f"{k} x{v / args.fires:.2f}" for k, v in sorted(requests.items()))
            print(f"  {label:42s} {per_fire:5.2f} WRU/fire ({verdict}); duplicate delivery {duplicate} WRU;")
            print(f"  {'':42s} requests per fire: {calls}")


if __name__ == "__main__":
    main()
