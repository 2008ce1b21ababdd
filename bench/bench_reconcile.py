"""Reconcile benchmark on moto's server: API calls by operation and wall time.

    .venv/bin/python bench/bench_reconcile.py [--jobs 10000] [--quota-jobs 1000] [--quota-tps 50]

Phases (one run): a cold reconcile of N jobs, a no-op drift repair (full listing), a
no-op upload and a one-job change upload (both planned against the ledger), a naive
baseline that lists the group and calls GetSchedule for every schedule, and a cold
reconcile of a subset under a simulated quota (our token bucket at --quota-tps), whose
write throughput is compared with the quota. moto itself enforces no quota, so the first
phases run with the limiter wide open. Goals are printed next to the figures, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WRITES = ("CreateSchedule", "UpdateSchedule", "DeleteSchedule")


def jobs_doc(n: int, changed: int | None = None) -> bytes:
    jobs = [
        {"id": f"job-{i:05d}", "schedule": f"every {5 + i % 50}m", "target": {"path": f"/run/{i}"}} for i in range(n)
    ]
    if changed is not None:
        jobs[changed]["schedule"] = "daily 04:15"
    return json.dumps(
        {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": jobs}
    ).encode()


class World:
    """Counted clients against the server, and reconcilers for a group."""

    def __init__(self) -> None:
        import boto3
        from botocore.config import Config

        from cron_adapter import constants as c

        self.calls: Counter[str] = Counter()
        config = Config(retries={"mode": "standard", "max_attempts": 8}, max_pool_connections=32)
        self.scheduler = boto3.client("scheduler", config=config)
        self.dynamodb = boto3.client("dynamodb", config=config)
        self.dynamodb.create_table(TableName="bench", **c.TABLE_DEFINITION)
        for client in (self.scheduler, self.dynamodb):
            client.meta.events.register("before-call.*.*", lambda model, **_: self.calls.update([model.name]))

    def reconciler(self, group: str, tps: float, progress: Any = None, upload: bool = False) -> Any:
        from cron_adapter.adapters.ledger import Ledger
        from cron_adapter.adapters.scheduler import SchedulerAdapter
        from cron_adapter.reconcile.service import Options, Reconciler
        from cron_adapter.reconcile.translate import Wiring

        wiring = Wiring(
            group, "arn:aws:lambda:us-east-1:123456789012:function:fire", "arn:aws:iam::123456789012:role/scheduler"
        )
        return Reconciler(
            SchedulerAdapter(group, self.scheduler, tps=tps),
            Ledger("bench", group, self.dynamodb),
            wiring,
            options=Options(workers=16, from_ledger=upload),
            progress=progress,
        )

    def phase(self, title: str, fn: Any) -> tuple[Counter[str], float, Any]:
        self.calls.clear()
        start = time.perf_counter()
        out = fn()
        wall = time.perf_counter() - start
        calls = Counter(self.calls)
        ops = ", ".join(f"{k} {v}" for k, v in sorted(calls.items()))
        print(f"{title:<34} {wall:8.2f} s  {sum(calls.values()):6d} calls ({ops})")
        return calls, wall, out


def naive_baseline(world: World, group: str) -> None:
    """What a reconcile without a ledger must do: read every schedule to compare it."""
    pages = world.scheduler.get_paginator("list_schedules").paginate(
        GroupName=group, PaginationConfig={"PageSize": 100}
    )
    for page in pages:
        for item in page["Schedules"]:
            world.scheduler.get_schedule(Name=item["Name"], GroupName=group)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--quota-jobs", type=int, default=1_000)
    parser.add_argument("--quota-tps", type=float, default=50.0)
    args = parser.parse_args()
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per request

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
    )
    try:
        run(args)
    finally:
        server.stop()
    return 0


def run(args: argparse.Namespace) -> None:
    from cron_adapter.jobs.loader import load_bytes

    world, n = World(), args.jobs
    base, changed = load_bytes(jobs_doc(n)), load_bytes(jobs_doc(n, changed=n // 2))
    print(f"reconcile benchmark: {n} jobs on moto's ThreadedMotoServer ({os.environ['AWS_ENDPOINT_URL']})\n")
    world.phase(f"cold reconcile ({n} jobs)", lambda: world.reconciler("bench", 1e6).run(lambda: base))
    noop, noop_wall, _ = world.phase("no-op drift repair", lambda: world.reconciler("bench", 1e6).run(lambda: base))
    up, up_wall, _ = world.phase(
        "no-op upload (ledger plan)", lambda: world.reconciler("bench", 1e6, upload=True).run(lambda: base)
    )
    one, _, _ = world.phase(
        "one-job change upload", lambda: world.reconciler("bench", 1e6, upload=True).run(lambda: changed)
    )
    naive, _, _ = world.phase("naive baseline (GetSchedule each)", lambda: naive_baseline(world, "bench"))
    subset = load_bytes(jobs_doc(args.quota_jobs))
    stamps: list[float] = []
    quota, quota_wall, _ = world.phase(
        f"cold {args.quota_jobs} jobs at {args.quota_tps:g} TPS",
        lambda: world.reconciler("quota", args.quota_tps, lambda *_: stamps.append(time.perf_counter())).run(
            lambda: subset
        ),
    )
    write_phase = (len(stamps) - 1) / max(1e-9, stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    ratio = sum(naive.values()) / max(1, sum(noop.values()))
    throughput = quota["CreateSchedule"] / quota_wall
    print()
    print(
        f"no-op wall time        {noop_wall:8.2f} s    goal < 10 s            {'met' if noop_wall < 10 else 'MISSED'}"
    )
    print(
        f"no-op writes           {sum(noop[w] for w in WRITES):8d}      goal 0                 "
        f"{'met' if not any(noop[w] for w in WRITES) else 'MISSED'}"
    )
    print(
        f"no-op upload writes    {sum(up[w] for w in WRITES):8d}      goal 0                 "
        f"{'met' if not any(up[w] for w in WRITES) else 'MISSED'}   ({sum(up.values())} calls, {up_wall:.2f} s)"
    )
    print(
        f"one-job change writes  {sum(one[w] for w in WRITES):8d}      goal 1                 "
        f"{'met' if sum(one[w] for w in WRITES) == 1 else 'MISSED'}"
    )
    sched = sum(v for k, v in one.items() if k.endswith(("Schedule", "Schedules", "ScheduleGroup")))
    print(
        f"one-job change calls   {sched:8d}      goal O(changes), no ListSchedules "
        f"{'met' if sched <= 3 and not one['ListSchedules'] else 'MISSED'}   (scheduler calls; all: {dict(one)})"
    )
    print(
        f"calls vs baseline      {ratio:8.1f} x    goal >= 20x fewer      {'met' if ratio >= 20 else 'MISSED'}"
        f"   (no-op {sum(noop.values())} calls vs baseline {sum(naive.values())})"
    )
    print(
        f"throughput under quota {throughput:8.1f} /s   goal >= {0.9 * args.quota_tps:.0f}/s (90% of "
        f"{args.quota_tps:g})  {'met' if throughput >= 0.9 * args.quota_tps else 'MISSED'}"
        f"   (CreateSchedule calls / whole reconcile wall time, {args.quota_jobs} jobs;"
        f" write phase alone {write_phase:.1f}/s)"
    )


if __name__ == "__main__":
    sys.exit(main())
