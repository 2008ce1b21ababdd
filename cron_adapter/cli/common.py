"""Helpers shared by plan/apply/push: the live account's wiring, from flags or environment.

Flags beat the environment (the same CRON_ADAPTER_* variables the reconcile Lambda reads);
boto3 honours the standard AWS environment, so ``AWS_ENDPOINT_URL`` points every command
at the local emulator.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime

from cron_adapter import constants as c
from cron_adapter.errors import SettingsError
from cron_adapter.reconcile.service import Options, Reconciler
from cron_adapter.reconcile.translate import Wiring

_LIVE = {
    "group": (c.ENV_GROUP, "schedule group the adapter owns", c.DEFAULT_GROUP),
    "table": (c.ENV_TABLE, "DynamoDB table holding the ledger and lock", None),
    "fire_arn": (c.ENV_FIRE_ARN, "ARN of the fire Lambda every schedule invokes", None),
    "role_arn": (c.ENV_SCHEDULER_ROLE_ARN, "ARN of the role EventBridge Scheduler assumes", None),
    "dlq_arn": (c.ENV_DLQ_ARN, "ARN of the dead-letter queue (optional)", ""),
}


def add_live_args(parser: argparse.ArgumentParser, *, names: tuple[str, ...] = tuple(_LIVE)) -> None:
    """Add --group/--table/--fire-arn/--role-arn/--dlq-arn (defaults: CRON_ADAPTER_* env)."""
    group = parser.add_argument_group("live account (flags beat the environment)")
    for name in names:
        env, text, _ = _LIVE[name]
        group.add_argument("--" + name.replace("_", "-"), dest=name, metavar="VALUE", help=f"{text} (env {env})")
    if "table" in names:
        group.add_argument(
            "--tps",
            type=float,
            default=None,
            help=(
                f"client-side rate limit per API operation "
                f"(env {c.ENV_SCHEDULER_TPS}, default {c.DEFAULT_SCHEDULER_TPS:g})"
            ),
        )


def live_value(args: argparse.Namespace, name: str) -> str:
    """A live setting from its flag, else the environment, else its default; SettingsError if none."""
    env, _, default = _LIVE[name]
    value = getattr(args, name, None) or os.environ.get(env) or default
    if value is None:
        raise SettingsError(env, f"is not set; pass --{name.replace('_', '-')} or set {env}")
    return value


def wiring_from_args(args: argparse.Namespace) -> Wiring:
    """The live wiring (group, fire ARN, role ARN, DLQ)."""
    return Wiring(
        live_value(args, "group"),
        live_value(args, "fire_arn"),
        live_value(args, "role_arn"),
        live_value(args, "dlq_arn") or None,
    )


def live_reconciler(args: argparse.Namespace, **kwargs: object) -> Reconciler:
    """A Reconciler on the live account (or AWS_ENDPOINT_URL) built from the arguments."""
    from cron_adapter.adapters.ledger import Ledger
    from cron_adapter.adapters.scheduler import SchedulerAdapter

    wiring = wiring_from_args(args)
    tps = args.tps or float(os.environ.get(c.ENV_SCHEDULER_TPS) or c.DEFAULT_SCHEDULER_TPS)
    options = Options(
        allow_mass_delete=bool(getattr(args, "allow_mass_delete", False)),
        max_delete_share=float(os.environ.get(c.ENV_MAX_DELETE_SHARE) or c.DEFAULT_MAX_DELETE_SHARE),
    )
    return Reconciler(
        SchedulerAdapter(wiring.group, tps=tps),
        Ledger(live_value(args, "table"), wiring.group),
        wiring,
        options=options,
        holder=f"cli-{os.getpid()}",
        **kwargs,  # type: ignore[arg-type]
    )


def fail(message: str, code: int = 1) -> int:
    """Print an error to stderr and return ``code``."""
    print(f"error: {message}", file=sys.stderr)
    return code


def now() -> datetime:
    """The current time (UTC); the CLI is the edge where the clock is read."""
    return datetime.now(UTC)


EXIT_INVALID, EXIT_REFUSED, EXIT_LOCKED, EXIT_PARTIAL = 2, 3, 4, 1
