"""`cron-adapter validate FILE`: check a jobs file completely, change nothing."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import TYPE_CHECKING

from cron_adapter.cli.common import now
from cron_adapter.cli.errors import command
from cron_adapter.cli.jobsargs import add_jobs_file_args, add_output_arg, load_from_args
from cron_adapter.cli.neverfires import never_again_warnings
from cron_adapter.reconcile.planner import plan
from cron_adapter.reconcile.translate import ScheduleRequest, Wiring, translate_all

if TYPE_CHECKING:
    from cron_adapter.jobs.model import JobSet

EPILOG = """examples:
  cron-adapter validate examples/jobs.json
  cron-adapter validate examples/sidecar-jobs.json --base-url https://app.example.com
  cron-adapter validate examples/hermes-jobs.json --base-url https://agent.example.com \\
      --timezone Europe/Berlin --output json

Warnings (e.g. a one-shot whose time has passed, which apply will not create) are the
same ones `plan` shows, plus a recurring job that can never fire again (a cron whose year
field lists only past years); they do not make the file invalid.
exit codes: 0 valid, 2 invalid (every problem is listed with its job, field and fix)"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the validate command."""
    p = sub.add_parser(
        "validate",
        help="check a jobs file (grammar, fields, targets) without touching AWS",
        description="Parse and validate a jobs file and translate every job to EventBridge "
        "Scheduler requests, offline. Nothing is applied.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_jobs_file_args(p)
    add_output_arg(p)
    p.set_defaults(func=run)


def checked(jobset: JobSet, at: datetime) -> tuple[tuple[ScheduleRequest, ...], list[str]]:
    """The jobs' schedule requests and every warning `validate` shows for them at ``at``.

    The loader's warnings, the offline plan's against an empty group (the ones `plan`
    shows, e.g. a past one-shot), and each recurring job that can never fire again: the
    loader has no clock, the CLI does.
    """
    wiring = Wiring.offline()
    requests = translate_all(jobset, wiring)
    warnings = list(jobset.warnings) + list(plan(requests, [], {}, at, group=wiring.group).warnings)
    return requests, warnings + never_again_warnings(jobset.jobs, at)


@command
def run(args: argparse.Namespace) -> int:
    """Validate and print a summary."""
    jobset = load_from_args(args)
    requests, warnings = checked(jobset, now())
    summary = {
        "valid": True,
        "format": jobset.format,
        "jobs": len(jobset.jobs),
        "schedules": len(requests),
        "warnings": warnings,
    }
    if args.output == "json":
        print(json.dumps(summary, indent=2))
        return 0
    print(f"{args.file}: valid {jobset.format} jobs file, {len(jobset.jobs)} job(s), {len(requests)} schedule(s)")
    for warning in warnings:
        print(f"warning: {warning}")
    return 0
