"""The CLI's AWS clients: botocore's standard retries, but few attempts and short connect timeouts.

A person at a terminal should learn in seconds that the endpoint is down, not after
botocore's default 5 legacy attempts with backoff (about 11 s). The scheduler client keeps
more attempts because apply's writes can be throttled; it is only used after the ledger's
fail-fast preflight read has succeeded.
"""

from __future__ import annotations

from typing import Any

from botocore.config import Config

from cron_adapter.adapters.ledger import Ledger
from cron_adapter.adapters.scheduler import SchedulerAdapter

CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 20
FAST = Config(
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
    retries={"mode": "standard", "max_attempts": 2},
)
SCHEDULER = Config(
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
    retries={"mode": "standard", "max_attempts": 8},
)


def client(service: str) -> Any:
    """A fail-fast boto3 client (honours AWS_ENDPOINT_URL, region and credentials as usual).

    Every client needs a region, S3's too: without one boto3 would send S3 calls to the
    global endpoint, which is never where the stack's bucket was created by the CLI user.
    """
    import boto3
    from botocore.exceptions import NoRegionError

    if boto3.session.Session().region_name is None:
        raise NoRegionError
    return boto3.client(service, config=FAST)  # type: ignore[call-overload]


def ledger(table: str, group: str) -> Ledger:
    """The reconcile ledger on a fail-fast DynamoDB client."""
    import boto3

    return Ledger(table, group, boto3.client("dynamodb", config=FAST))


def scheduler(group: str, tps: float) -> SchedulerAdapter:
    """The schedule group adapter with the CLI's timeouts."""
    import boto3

    return SchedulerAdapter(group, boto3.client("scheduler", config=SCHEDULER), tps=tps)
