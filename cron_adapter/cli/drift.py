"""``cron-adapter drift FILE``: schedules changed or deleted outside the adapter, and orphans."""

from __future__ import annotations

import argparse
import json

from cron_adapter.cli.common import add_live_args, live_reconciler
from cron_adapter.cli.errors import command
from cron_adapter.cli.jobsargs import add_jobs_file_args, add_output_arg, load_from_args
from cron_adapter.cli.opsargs import table
from cron_adapter.reconcile.planner import DRIFT_REASONS, ORPHAN

EPILOG = """examples:
  cron-adapter drift jobs.json
  cron-adapter drift jobs.json --output json | jq length

Compares the group with the ledger of what the adapter wrote: a schedule whose
LastModificationDate differs was changed outside the adapter (console, CLI, another tool);
one in the ledger but not listed was deleted outside it; one in the group but not in the
jobs file is an orphan. Nothing is repaired: `cron-adapter apply FILE` or the hourly drift
repair does that. Reads only (ListSchedules pages and one ledger Query).
exit codes: 0 no drift, 4 drift found, 2 invalid jobs file or settings, 6 AWS unusable"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the drift command."""
    p = sub.add_parser(
        "drift",
        help="list schedules changed or deleted outside the adapter, and orphans (repairs nothing)",
        description="List the drift between the schedule group and what the adapter wrote.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_jobs_file_args(p)
    add_output_arg(p)
    add_live_args(p, signing=True)
    p.set_defaults(func=run)


@command
def run(args: argparse.Namespace) -> int:
    """Print the drift."""
    plan = live_reconciler(args).observe(load_from_args(args)).plan
    found = [a for a in plan.actions if a.reason in DRIFT_REASONS or a.reason == ORPHAN]
    rows = [{"schedule": a.name, "job_id": a.job_id, "drift": a.reason, "repair": a.action} for a in found]
    if args.output == "json":
        print(json.dumps(rows, indent=2))
    elif rows:
        print(
            table(
                [[str(r["schedule"]), r["job_id"] or "-", str(r["drift"]), str(r["repair"])] for r in rows],
                ["SCHEDULE", "JOB", "DRIFT", "REPAIR"],
            )
        )
    else:
        print(f"no drift: {plan.total} schedule(s) match what the adapter wrote")
    return 4 if rows else 0
