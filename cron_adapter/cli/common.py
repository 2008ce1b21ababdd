"""Helpers shared by plan/apply/push: the live account's wiring, from flags or environment.

Flags beat the environment (the same CRON_ADAPTER_* variables the reconcile Lambda reads),
and both are read once, through :class:`cron_adapter.cli.settings.CliSettings`. boto3
honours the standard AWS environment, so ``AWS_ENDPOINT_URL`` points every command at the
local emulator.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from cron_adapter import constants as c
from cron_adapter.cli.argtypes import bounded
from cron_adapter.cli.exitcodes import EXIT_INVALID, EXIT_LOCKED, EXIT_PARTIAL, EXIT_REFUSED
from cron_adapter.cli.settings import CliSettings
from cron_adapter.errors import UsageError
from cron_adapter.reconcile.service import Options, Reconciler
from cron_adapter.reconcile.translate import Wiring

__all__ = ["EXIT_INVALID", "EXIT_LOCKED", "EXIT_PARTIAL", "EXIT_REFUSED"]

MIN_TPS, MAX_TPS = c.MIN_SCHEDULER_TPS, c.MAX_SCHEDULER_TPS
_LIVE = {
    "group": (c.ENV_GROUP, "schedule group the adapter owns"),
    "table": (c.ENV_TABLE, "DynamoDB table holding the ledger and lock"),
    "fire_arn": (c.ENV_FIRE_ARN, "ARN of the fire Lambda every schedule invokes"),
    "role_arn": (c.ENV_SCHEDULER_ROLE_ARN, "ARN of the role EventBridge Scheduler assumes"),
    "dlq_arn": (c.ENV_DLQ_ARN, "ARN of the dead-letter queue (optional)"),
}
# Only the commands that write (or compare with) schedules need the input-signing key.
_SIGNING = {
    "input_key_id": (
        c.ENV_INPUT_KEY_ID,
        "input-signing key secret (ARN or name; stack output InputKeyArn): every schedule's input is signed with it",
    ),
}
# Parsed-argument name -> the setting it overrides (flags beat the environment).
_FLAG_SETTINGS = {
    "group": c.ENV_GROUP,
    "table": c.ENV_TABLE,
    "fire_arn": c.ENV_FIRE_ARN,
    "role_arn": c.ENV_SCHEDULER_ROLE_ARN,
    "dlq_arn": c.ENV_DLQ_ARN,
    "bucket": c.ENV_BUCKET,
    "key": c.ENV_JOBS_KEY,
    "tps": c.ENV_SCHEDULER_TPS,
    "base_url": c.ENV_API_URL,
    "input_key_id": c.ENV_INPUT_KEY_ID,
}


def add_live_args(
    parser: argparse.ArgumentParser, *, names: tuple[str, ...] = tuple(_LIVE), signing: bool = False
) -> None:
    """Add --group/--table/--fire-arn/--role-arn/--dlq-arn (+ --input-key-id if ``signing``; defaults: env)."""
    group = parser.add_argument_group("live account (flags beat the environment)")
    flags = {**_LIVE, **_SIGNING}
    for name in (*names, *(_SIGNING if signing else ())):
        env, text = flags[name]
        group.add_argument("--" + name.replace("_", "-"), dest=name, metavar="VALUE", help=f"{text} (env {env})")
    if "table" in names:
        group.add_argument(
            "--tps",
            type=bounded(float, MIN_TPS, MAX_TPS),
            default=None,
            help=(
                f"client-side rate limit per API operation, {MIN_TPS:g}..{MAX_TPS:g} "
                f"(env {c.ENV_SCHEDULER_TPS}, default {c.DEFAULT_SCHEDULER_TPS:g})"
            ),
        )


def cli_settings(args: argparse.Namespace) -> CliSettings:
    """The command's settings (flags over environment), read once and kept on ``args``."""
    cached = getattr(args, "settings", None)
    if isinstance(cached, CliSettings):
        return cached
    flags = {env: getattr(args, name, None) for name, env in _FLAG_SETTINGS.items()}
    args.settings = CliSettings.from_env(flags=flags)
    return args.settings


def live_value(args: argparse.Namespace, name: str) -> str:
    """A live setting (``table``, ``fire_arn`` ...) from its flag or the environment; SettingsError if unset."""
    return cli_settings(args).require(_FLAG_SETTINGS[name])


def wiring_from_args(args: argparse.Namespace) -> Wiring:
    """The live wiring (group, fire ARN, role ARN, DLQ)."""
    s = cli_settings(args)
    return Wiring(s.group, s.require(c.ENV_FIRE_ARN), s.require(c.ENV_SCHEDULER_ROLE_ARN), s.dlq_arn)


def live_reconciler(args: argparse.Namespace, **kwargs: object) -> Reconciler:
    """A Reconciler on the live account (or AWS_ENDPOINT_URL) built from the arguments.

    The ledger is read first (``preflight``), with fail-fast clients, so a missing region,
    missing credentials, a stopped endpoint or a missing table is reported in seconds.
    """
    from cron_adapter.adapters.secrets import SecretsManagerSource
    from cron_adapter.cli import aws

    s = cli_settings(args)
    # Every missing setting in one error, not one per attempt.
    names = (c.ENV_FIRE_ARN, c.ENV_SCHEDULER_ROLE_ARN, c.ENV_TABLE, c.ENV_INPUT_KEY_ID)
    fire_arn, role_arn, table, key_id = s.require_all(*names)
    wiring = Wiring(s.group, fire_arn, role_arn, s.dlq_arn)
    options = Options(
        allow_mass_delete=bool(getattr(args, "allow_mass_delete", False)), max_delete_share=s.max_delete_share
    )
    ledger = aws.ledger(table, wiring.group)
    ledger.peek_lock()  # preflight: one fast read that fails with the cause
    key = SecretsManagerSource(key_id, client=aws.client("secretsmanager")).input_key()
    reconciler = Reconciler(
        aws.scheduler(wiring.group, s.scheduler_tps),
        ledger,
        replace(wiring, key=key),  # the ledger's hashes name the key, so even plan must know it
        options=options,
        holder=f"cli-{os.getpid()}",
        **kwargs,  # type: ignore[arg-type]
    )
    return reconciler


@contextmanager
def aws_region_honoured() -> Iterator[None]:
    """While a command runs, let ``AWS_REGION`` name the region when ``AWS_DEFAULT_REGION`` does not.

    The installed botocore reads only ``AWS_DEFAULT_REGION`` (then the profile's ``region``
    in ~/.aws/config); Lambda sets both, and the AWS CLI v2 and the other SDKs read
    ``AWS_REGION``. Precedence here: an explicit ``region_name`` (e.g. ``hermes --region``),
    then ``AWS_DEFAULT_REGION``, then ``AWS_REGION``, then the profile's region: the
    environment beats the config file, as it does in botocore. Filling ``AWS_DEFAULT_REGION``
    for the command's duration reaches every client and session the command builds,
    including the adapters' lazily created ones, and imports nothing (offline commands stay
    fast). The variable is removed again afterwards.
    """
    region = os.environ.get("AWS_REGION")
    before = os.environ.get("AWS_DEFAULT_REGION")
    if not region or before:  # an empty AWS_DEFAULT_REGION names no region: AWS_REGION fills it too
        yield
        return
    os.environ["AWS_DEFAULT_REGION"] = region
    try:
        yield
    finally:
        if os.environ.get("AWS_DEFAULT_REGION") == region:  # unless the command set its own meanwhile
            if before is None:
                os.environ.pop("AWS_DEFAULT_REGION", None)
            else:
                os.environ["AWS_DEFAULT_REGION"] = before


JOBS_LISTED = 10  # a missing job's error lists this many of the file's ids, then counts the rest


def job_in_file(jobs: Any, job_id: str, source: str) -> Any:
    """The job with this id, or a UsageError that lists the file's ids (the first few, then a count)."""
    from cron_adapter.jobs.suggest import did_you_mean

    for job in jobs.jobs:
        if job.id == job_id:
            return job
    ids = [job.id for job in jobs.jobs]
    listed = ", ".join(ids[:JOBS_LISTED]) or "none"
    more = f" and {len(ids) - JOBS_LISTED} more" if len(ids) > JOBS_LISTED else ""
    raise UsageError(f"job {job_id!r} is not in {source}{did_you_mean(job_id, ids)} (its jobs: {listed}{more})")


def fail(message: str, code: int = 1) -> int:
    """Print an error to stderr and return ``code``."""
    print(f"error: {message}", file=sys.stderr)
    return code


def now() -> datetime:
    """The current time (UTC); the CLI is the edge where the clock is read."""
    return datetime.now(UTC)
