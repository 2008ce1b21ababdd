"""Cost per million warm fires, from measured write units and measured log bytes.

Run: .venv/bin/python bench/bench_cost.py [--fires N]

Two figures are measured, the rest are list prices (``cron_adapter.simulate.pricing``):

* DynamoDB write units per fire, by job policy: ``bench_claim_writes.py``'s metering of the
  real FireService and claim store on moto (in-process).
* CloudWatch Logs bytes per fire: what the real ``handlers.fire.handler`` prints for a warm
  fire that succeeds (its log line and its EMF metrics record; AWS answered in-process by
  ``bench_fire.py``'s fake), plus Lambda's own START, END and REPORT lines in their
  documented text format, plus CloudWatch's 26 bytes of metering per log event.

Lambda time is the cost model's assumption (256 MB arm64, 200 ms billed per warm fire: the
claim, one call to a fast target, the finish). Goal: <= $5 per million warm fires for the
default policy (overlap ``skip``, no ``max_runs``). It measures and prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

GOAL = 5.00


def write_units(fires: int) -> dict[str, float]:
    """WRU per fire for each of bench_claim_writes' policies, measured on moto."""
    import boto3
    from bench_claim_writes import POLICIES, bench_policy
    from moto import mock_aws

    from cron_adapter.constants import TABLE_DEFINITION

    out = {}
    with mock_aws():
        client = boto3.client("dynamodb")
        for n, (label, job, _) in enumerate(POLICIES):
            client.create_table(TableName=f"cost-{n}", **TABLE_DEFINITION)
            out[label] = bench_policy(client, f"cost-{n}", job, fires)[0]
    return out


def log_bytes(fires: int) -> tuple[float, float, str]:
    """(bytes, events) the fire handler prints per warm succeeded fire, and one fire's output."""
    from bench_fire import Context, event, handler_with_fake_aws

    os.environ["BENCH_KEEP_LOGS"] = "1"
    stdout = sys.stdout
    try:
        fire_handler, _ = handler_with_fake_aws()  # points sys.stdout at a buffer
        buffer = sys.stdout
        assert isinstance(buffer, io.StringIO)
        statuses = {fire_handler.handler(event(0), Context())["status"]}  # the cold one is left out
        start = buffer.tell()
        statuses |= {fire_handler.handler(event(i), Context())["status"] for i in range(1, fires + 1)}
        printed = buffer.getvalue()[start:]
    finally:
        sys.stdout = stdout
    if statuses != {"succeeded"}:
        raise SystemExit(f"the measured fires did not all succeed: {statuses}")
    lines = printed.splitlines(keepends=True)
    sample = "".join(lines[: len(lines) // fires])
    return len(printed.encode()) / fires, len(lines) / fires, sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fires", type=int, default=100)
    args = parser.parse_args()
    from bench_claim_writes import fake_credentials

    fake_credentials()
    from cron_adapter.simulate.pricing import (
        LOG_EVENT_OVERHEAD,
        MILLION,
        PLATFORM_LOG_LINES,
        Lambda,
        Pricing,
        fire_log_bytes,
        monthly_cost,
    )

    units = write_units(args.fires)
    app_bytes, app_events, sample = log_bytes(args.fires)
    per_fire = fire_log_bytes(app_bytes, app_events)
    model, fn = Pricing(), Lambda()
    measured = replace(model, log_bytes_per_fire=round(per_fire))
    print(f"cost benchmark: {args.fires} warm fires per figure; prices as of {model.checked}")
    print(f"  log bytes per warm fire: {per_fire:.0f} (the cost model assumes {model.log_bytes_per_fire}): handler")
    print(f"  {app_bytes:.0f} B in {app_events:.0f} events, Lambda platform lines")
    events = app_events + len(PLATFORM_LOG_LINES)
    print(f"  {sum(map(len, PLATFORM_LOG_LINES))} B, metering {LOG_EVENT_OVERHEAD} B x {events:.0f} events")
    print("  one warm fire's handler output:")
    print("".join(f"    {line}" for line in sample.splitlines(keepends=True)), end="")
    # A million warm fires past the free tier, each billed the model's Lambda time.
    costs = {
        label: monthly_cost(MILLION, MILLION * fn.duration_ms / 1000, fn, measured, write_units=wru * MILLION,
                            scheduler_billable=MILLION)
        for label, wru in units.items()
    }  # fmt: skip
    first = next(iter(costs.values()))  # the lines every policy shares
    for item, dollars in (
        ("EventBridge Scheduler (beyond 14M/month free)", first.scheduler),
        ("Lambda requests", first.lambda_requests),
        (f"Lambda compute ({fn.memory_mb} MB {fn.arch}, {fn.duration_ms:g} ms)", first.lambda_compute),
        (f"CloudWatch Logs ({per_fire:.0f} B/fire)", first.logs),
    ):
        print(f"  {item:<46} ${dollars:5.2f} per million fires")
    for label, cost in costs.items():
        verdict = (f"goal <= ${GOAL:.2f}: " + ("MET" if cost.total <= GOAL else "MISSED")) if "default" in label else ""
        print(
            f"  {label:<42} DynamoDB {units[label]:4.2f} WRU ${cost.dynamodb:4.2f}; "
            f"total ${cost.total:5.2f} per million ({verdict or 'no goal'})"
        )


if __name__ == "__main__":
    main()
