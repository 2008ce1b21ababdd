"""List prices and quotas behind ``cron-adapter simulate``'s cost and quota projection.

Pure. Prices are AWS list prices for us-east-1 (checked 2026-11), before any account-wide
free tier except EventBridge Scheduler's, which is per account and large enough to matter:

* EventBridge Scheduler: 14 million invocations a month free, then $1.00 per million.
  https://aws.amazon.com/eventbridge/pricing/
* Lambda: $0.20 per million requests, plus $0.0000166667 per GB-second on x86_64 or
  $0.0000133334 on arm64. A fire that retries a failing target is billed while it waits
  out its backoffs. https://aws.amazon.com/lambda/pricing/
* DynamoDB on-demand: $0.625 per million write request units (WRU). A single-item write
  of an item under 1 KB costs 1 WRU, a transactional one 2 per item. What a fire writes
  depends on the job's policy (``bench/bench_claim_writes.py`` measures it): overlap
  ``allow`` without ``max_runs`` writes its run record twice (claim, outcome), 2 WRU;
  ``skip`` without ``max_runs`` (the default) also takes and releases the job's slot,
  4 WRU; ``queue`` or ``max_runs`` needs two 2-item transactions, 8 WRU.
  https://aws.amazon.com/dynamodb/pricing/on-demand/
* CloudWatch Logs: $0.50 per GB ingested (standard class), $0.03 per GB-month stored. A
  fire logs about 1 KB: the handler's line and EMF record, Lambda's own lines and 26 bytes
  of metering per log event (``bench/bench_cost.py`` measures it; a test keeps the figure
  here within 15% of what the handler prints).
  https://aws.amazon.com/cloudwatch/pricing/
* Quota: 1,000 target invocations per second per account and region (adjustable).
  https://docs.aws.amazon.com/scheduler/latest/UserGuide/scheduler-quotas.html

A month is 730 hours, the convention AWS's own calculator uses.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

HOURS_PER_MONTH = 730.0
MILLION = 1_000_000
LOG_EVENT_OVERHEAD = 26  # bytes CloudWatch Logs meters per log event on top of its message
_ID = "00000000-0000-0000-0000-000000000000"
# Lambda's own lines for one warm invocation in the text log format (tab-separated REPORT
# fields; a cold one adds "Init Duration", active tracing an XRAY line).
PLATFORM_LOG_LINES = (
    f"START RequestId: {_ID} Version: $LATEST\n",
    f"END RequestId: {_ID}\n",
    f"REPORT RequestId: {_ID}\tDuration: 187.41 ms\tBilled Duration: 188 ms\t"
    "Memory Size: 256 MB\tMax Memory Used: 96 MB\t\n",
)


@dataclass(frozen=True)
class Pricing:
    """List prices (USD) and the invocation quota."""

    scheduler_free_invocations: int = 14 * MILLION
    scheduler_per_million: float = 1.00
    lambda_per_million_requests: float = 0.20
    lambda_gb_second_x86_64: float = 0.0000166667
    lambda_gb_second_arm64: float = 0.0000133334
    dynamodb_per_million_writes: float = 0.625
    writes_no_state: int = 2  # WRU: the run record, claimed then finished (overlap allow, no max_runs)
    writes_slot: int = 4  # ... and the job's slot taken and released (overlap skip, no max_runs)
    writes_transaction: int = 8  # two 2-item transactions at 2 WRU per item (queue, or max_runs)
    invocations_per_second_quota: int = 1000
    logs_per_gb_ingested: float = 0.50
    logs_per_gb_month_stored: float = 0.03
    log_bytes_per_fire: int = 1029  # measured by bench/bench_cost.py (2026-12-02)
    checked: str = "2026-11"  # when these list prices were last checked

    def writes_per_fire(self, overlap: str, max_runs: int | None) -> int:
        """DynamoDB write units of one fire of a job with this overlap policy and run limit."""
        if overlap == "queue" or max_runs is not None:
            return self.writes_transaction
        return self.writes_no_state if overlap == "allow" else self.writes_slot

    def gb_second(self, arch: str) -> float:
        """The Lambda price per GB-second for ``arch`` (x86_64 or arm64)."""
        return self.lambda_gb_second_arm64 if arch == "arm64" else self.lambda_gb_second_x86_64


@dataclass(frozen=True)
class Lambda:
    """How the fire Lambda is sized: memory, architecture and billed milliseconds per fire."""

    memory_mb: int = 256
    arch: str = "arm64"
    duration_ms: float = 200.0


@dataclass(frozen=True)
class MonthlyCost:
    """Projected monthly cost of a number of fires (USD)."""

    invocations: float
    billed_seconds: float
    scheduler: float
    lambda_requests: float
    lambda_compute: float
    write_units: float
    dynamodb: float
    log_bytes: float = 0.0
    logs: float = 0.0

    @property
    def total(self) -> float:
        """Sum of all lines."""
        return self.scheduler + self.lambda_requests + self.lambda_compute + self.dynamodb + self.logs

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, rounded to 1/10,000 of a cent."""
        data = {k: round(v, 6) for k, v in asdict(self).items()}
        data["total"] = round(self.total, 6)
        return data


def fire_log_bytes(handler_bytes: float, handler_events: float) -> float:
    """Bytes CloudWatch Logs meters for one warm fire that printed ``handler_bytes`` in ``handler_events`` lines.

    Lambda adds its own START, END and REPORT lines, and every event is metered 26 bytes more.
    """
    platform = sum(len(line) for line in PLATFORM_LOG_LINES)
    return handler_bytes + platform + LOG_EVENT_OVERHEAD * (handler_events + len(PLATFORM_LOG_LINES))


def per_month(count: float, window_hours: float) -> float:
    """Scale a count observed over ``window_hours`` to a 730-hour month."""
    return count * HOURS_PER_MONTH / window_hours if window_hours > 0 else 0.0


def monthly_cost(
    invocations: float,
    billed_seconds: float,
    fn: Lambda,
    pricing: Pricing,
    *,
    write_units: float,
    scheduler_billable: float | None = None,
) -> MonthlyCost:
    """Cost of ``invocations`` fires a month that bill ``billed_seconds`` of Lambda time and
    ``write_units`` DynamoDB write units in total.

    ``scheduler_billable`` is this share of the account's invocations above the free tier
    (default: all of ``invocations`` minus the free tier).
    """
    if scheduler_billable is None:
        scheduler_billable = max(0.0, invocations - pricing.scheduler_free_invocations)
    gb_seconds = billed_seconds * fn.memory_mb / 1024
    log_bytes = invocations * pricing.log_bytes_per_fire
    return MonthlyCost(
        invocations=invocations,
        billed_seconds=billed_seconds,
        scheduler=scheduler_billable / MILLION * pricing.scheduler_per_million,
        lambda_requests=invocations / MILLION * pricing.lambda_per_million_requests,
        lambda_compute=gb_seconds * pricing.gb_second(fn.arch),
        write_units=write_units,
        dynamodb=write_units / MILLION * pricing.dynamodb_per_million_writes,
        log_bytes=log_bytes,
        logs=log_bytes / 1e9 * (pricing.logs_per_gb_ingested + pricing.logs_per_gb_month_stored),
    )
