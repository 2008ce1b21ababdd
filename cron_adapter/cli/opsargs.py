"""Helpers shared by the operations commands (runs, status, trigger, backfill, drift, resume)."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from cron_adapter.cli.common import add_live_args, live_value
from cron_adapter.cli.exitcodes import EXIT_REFUSED
from cron_adapter.errors import UsageError
from cron_adapter.fire.policy import escape_controls

_RELATIVE = re.compile(r"^(\d+)\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
EXIT_ABORTED = EXIT_REFUSED  # 3: not confirmed, or nothing to resume
EXIT_CODES = (
    "exit codes: 0 ok, 1 a table or run-store error, 2 bad arguments or jobs file, "
    "6 AWS unusable (no region or credentials, endpoint down, table missing, access denied); docs/cli.md"
)


def add_table_args(parser: argparse.ArgumentParser) -> None:
    """--table and --group (defaults: CRON_ADAPTER_TABLE, CRON_ADAPTER_SCHEDULE_GROUP)."""
    add_live_args(parser, names=("group", "table"))


def parse_when(text: str, now: datetime, flag: str) -> datetime:
    """An ISO time (no offset = UTC) or a relative ``30m``/``2h``/``7d`` ago, as UTC."""
    rel = _RELATIVE.match(text.strip())
    try:
        if rel:
            return now - timedelta(**{_UNITS[rel.group(2)]: int(rel.group(1))})
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except ValueError as exc:
        raise UsageError(f"{flag} {text!r} is not a time; use ISO-8601 (2026-12-01T03:00) or 30m/2h/7d") from exc
    except OverflowError:
        raise UsageError(
            f"{flag} {text!r} is out of range; use a time between the years 1 and 9999, "
            "e.g. 2026-12-01T03:00 or 30m/2h/7d ago"
        ) from None


def run_store(args: argparse.Namespace) -> Any:
    """The DynamoDB run store of the live table (AWS_ENDPOINT_URL applies)."""
    from cron_adapter.adapters.runs import DynamoRunStore

    return DynamoRunStore(live_value(args, "table"))


def schedule_view(args: argparse.Namespace) -> Any:
    """The live schedule group with its reconcile ledger."""
    from cron_adapter.adapters.ledger import Ledger
    from cron_adapter.adapters.scheduler import SchedulerAdapter
    from cron_adapter.adapters.scheduleview import SchedulerView

    group = live_value(args, "group")
    return SchedulerView(SchedulerAdapter(group), Ledger(live_value(args, "table"), group))


def table(rows: list[list[str]], header: list[str]) -> str:
    """Left-aligned columns, as ``plan`` and ``next`` print them; control characters shown as ``\\xNN``.

    A stored text (a target's error excerpt) must not drive the terminal: ESC and every C0/C1 control escaped.
    """
    cells = [[escape_controls(str(c)) for c in row] for row in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


class _NoMetrics:
    """The CLI publishes no CloudWatch metrics (the Lambdas do)."""

    def add_metric(self, name: str, unit: str, value: float) -> None:
        """Drop the point."""


def add_fire_args(parser: argparse.ArgumentParser) -> None:
    """The live wiring (for the job's exact fire input) and the secret the fire path reads."""
    add_live_args(parser)
    parser.add_argument(
        "--secret-id", metavar="VALUE", help="Secrets Manager id of the target secret (env CRON_ADAPTER_SECRET_ID)"
    )


def fire_runner(args: argparse.Namespace) -> Any:
    """A function firing one FireInput through the real fire service (claim, call, record)."""
    import logging
    import os
    import time

    from cron_adapter import constants as c
    from cron_adapter.bootstrap.fire import FireFactory
    from cron_adapter.settings import FireSettings

    env = dict(os.environ)
    env[c.ENV_TABLE] = live_value(args, "table")
    env[c.ENV_GROUP] = live_value(args, "group")
    if getattr(args, "secret_id", None):
        env[c.ENV_SECRET_ID] = args.secret_id
    service = FireFactory(FireSettings.from_env(env)).service(logging.getLogger("cron_adapter.cli"), _NoMetrics())
    holder = f"cli-{os.getpid()}"
    return lambda fire_input: service.fire(fire_input, holder=holder, deadline=time.time() + 900)
