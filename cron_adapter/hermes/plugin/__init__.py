"""cron-adapter as a hermes-agent cron scheduler provider (a ``CronScheduler``).

Installed by ``cron-adapter hermes install-plugin`` into ``$HERMES_HOME/plugins/<name>/``;
hermes finds it when ``cron.provider`` names that directory, and loads it through
``register(ctx)`` -> ``ctx.register_cron_scheduler(...)``. This file runs inside hermes's
interpreter: it imports hermes and the sibling ``pusher`` module, never cron_adapter.

EventBridge Scheduler (through cron-adapter's stack) decides when a job fires; it calls
hermes's own ``POST /api/cron/fire`` with a signed token, and hermes runs the job through
``fire_due``. This provider's only job is to keep the uploaded store current:
``start``, ``on_jobs_changed`` and ``reconcile`` push it and return at once, and ``fire_due``
pushes again afterwards, because hermes does not notify a provider after a run.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from cron.scheduler_provider import CronScheduler

from . import pusher as _pusher

log = logging.getLogger("cron_adapter_provider")
NAME = Path(__file__).resolve().parent.name  # the plugin directory = the cron.provider value
_PUSHER = _pusher.Pusher()  # module level: hermes builds a new provider instance per lookup


def _section() -> Any:
    from hermes_cli.config import load_config

    cron = load_config().get("cron") or {}
    return cron.get(NAME) if isinstance(cron, dict) else None


def _local_zone() -> str:
    """The server's IANA zone name (hermes's fallback is server-local time)."""
    tz = os.environ.get("TZ", "").lstrip(":").strip()
    if tz and ("/" in tz or tz == "UTC"):
        return tz
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        target = ""
    marker = "zoneinfo/"
    if marker in target:
        return target.split(marker, 1)[1]
    log.warning("cron-adapter: cannot name the server's local timezone; using UTC (set HERMES_TIMEZONE)")
    return "UTC"


def store_timezone() -> str:
    """hermes's own order: HERMES_TIMEZONE, then config.yaml ``timezone:``, then server-local."""
    import hermes_time

    hermes_time.reset_cache()  # a config edit since the last push must count
    zone = hermes_time.get_timezone()
    return getattr(zone, "key", None) or _local_zone()


def _snapshot() -> tuple[list[dict[str, Any]], str]:
    from cron.jobs import load_jobs

    return load_jobs(), store_timezone()


def _state_file() -> _pusher.StateFile:
    from hermes_constants import get_hermes_home

    return _pusher.StateFile(Path(get_hermes_home()) / "cron" / f"{NAME}-push.json")


class CronAdapterScheduler(CronScheduler):
    """Keeps cron-adapter's jobs object in S3 equal to hermes's job store."""

    @property
    def name(self) -> str:
        return NAME

    def is_available(self) -> bool:
        """True when ``cron.<name>.bucket`` is configured (config only: no network, no boto3)."""
        return _pusher.target_from_config(_section()) is not None

    def start(self, stop_event: Any, *, adapters: Any = None, loop: Any = None, interval: int = 60) -> None:
        """Recover interrupted runs, push once, and return: EventBridge does the ticking."""
        self.recover_interrupted()
        self.reconcile()

    def on_jobs_changed(self) -> None:
        self.reconcile()

    def reconcile(self) -> None:
        """Push the store in the background (skipped when nothing relevant changed)."""
        self.push()

    def push(self) -> Any:
        """Start (or join) the background upload; returns its thread, or None when unconfigured."""
        target = _pusher.target_from_config(_section())
        if target is None:
            log.warning("cron-adapter: cron.%s.bucket is not set; the job store is not uploaded", NAME)
            return None
        return _PUSHER.request(target, _snapshot, _state_file())

    def fire_due(self, job_id: str, *, adapters: Any = None, loop: Any = None) -> bool:
        """Run the job (hermes's own claim and run), then push: a run changes repeat counts."""
        try:
            return super().fire_due(job_id, adapters=adapters, loop=loop)
        finally:
            self.push()


def register(ctx: Any) -> None:
    """hermes's plugin entry point: ``ctx.register_cron_scheduler(provider)``."""
    ctx.register_cron_scheduler(CronAdapterScheduler())
