"""Builds a dev session's parts from its options and the emulator's resources."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cron_adapter.local.clock import Chaos, LocalEventBridge
from cron_adapter.local.emulator import Resources, client
from cron_adapter.local.journal import Journal
from cron_adapter.local.lambda_context import LocalContext, load_module
from cron_adapter.local.options import DevOptions
from cron_adapter.local.provision import provision_fire_token_key
from cron_adapter.local.simclock import SimClock
from cron_adapter.local.watch import JobsFileWatcher


def token_env(opts: DevOptions, res: Resources) -> dict[str, str]:
    """The fire Lambda's fire-token settings, with the key stored in the emulator (none without a key)."""
    if not opts.jwt_key:
        return {}
    return provision_fire_token_key(res.endpoint, opts.jwt_key or "", opts.jwt_audience, opts.jwt_issuer)


def load_fire_handler(clock: SimClock) -> Any:
    """The real fire handler, cold, judging delivered scheduled times against the simulated ``clock``.

    At ``--speed`` above 1 the simulated time runs ahead of real time, which the fire's leases
    and TTLs keep; its time-window check must follow the clock the scheduled times come from.
    """
    module = load_module("handlers.fire")
    module.factory.use_schedule_clock(lambda: clock.now().timestamp())
    return module.handler


def make_bridge(opts: DevOptions, res: Resources, clock: SimClock, journal: Journal, fire: Any) -> LocalEventBridge:
    """The local EventBridge clock: it reads the emulated schedules and invokes the ``fire`` handler."""
    context = lambda: LocalContext("cron-adapter-fire", res.fire_arn)  # noqa: E731 - one per invocation
    return LocalEventBridge(
        client("scheduler", res.endpoint, res.region),
        res.group,
        res.fire_arn,
        clock,
        journal,
        lambda event: fire(event, context()),
        chaos=Chaos(seed=opts.seed) if opts.chaos else None,
        seed=opts.seed,
    )


def make_watcher(
    opts: DevOptions, push: Callable[[bytes], object], report: Callable[[str, str], None], local_port: int | None
) -> JobsFileWatcher:
    """The watcher that pushes the jobs file whenever it changes (paths resolve against ``local_port``)."""
    return JobsFileWatcher(
        opts.jobs_file,
        push,
        report,
        format=opts.format,
        timezone=opts.timezone,
        base_url=opts.base_url,
        local_port=local_port,
    )
