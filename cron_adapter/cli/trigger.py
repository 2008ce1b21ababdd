"""``cron-adapter trigger JOB FILE``: run a job now, through the fire path, under a key of its own."""

from __future__ import annotations

import argparse
import json
import uuid

from cron_adapter.cli.common import job_in_file, now, wiring_from_args
from cron_adapter.cli.errors import command
from cron_adapter.cli.jobsargs import add_jobs_file_args, add_output_arg, load_from_args
from cron_adapter.cli.opsargs import EXIT_ABORTED, add_fire_args, fire_runner
from cron_adapter.fire.input import run_id
from cron_adapter.ops.runs import fire_input, trigger_label

EPILOG = """examples:
  cron-adapter trigger nightly-sync jobs.json
  cron-adapter trigger nightly-sync jobs.json --output json | jq .status

The run goes through the fire service exactly as a scheduled fire: the claim (so the
overlap policy, max_runs and the job's slot apply), the target call with the shared secret
and retries, and the run record. Its key is <now>~trigger-<id>, which no scheduled time can
equal, so it never replaces or blocks a scheduled run; `cron-adapter runs JOB` lists it.
Needs what the fire Lambda needs: the table, the secret (--secret-id) and the live wiring.
exit codes: 0 the target succeeded or accepted, 1 it failed (or a table error),
2 bad arguments or jobs file, 3 not run (skipped: overlap, max_runs, end_at), 6 AWS unusable"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the trigger command."""
    p = sub.add_parser(
        "trigger",
        help="run a job now through the same claim path and target call",
        description="Run one job now, through the fire path, as a run of its own.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("job", metavar="JOB", help="the job id")
    add_jobs_file_args(p)
    add_output_arg(p)
    add_fire_args(p)
    p.set_defaults(func=run)


def exit_code(status: str) -> int:
    """0 ran fine, 1 failed, 3 not run."""
    return 0 if status in ("succeeded", "accepted") else (1 if status in ("failed", "gone", "lost") else EXIT_ABORTED)


@command
def run(args: argparse.Namespace) -> int:
    """Fire the job once."""
    job = job_in_file(load_from_args(args), args.job, args.file)
    fi = fire_input(job, wiring_from_args(args), now(), run=trigger_label(uuid.uuid4().hex[:8]))
    if args.output == "text":
        print(f"triggering job {job.id!r} as run {run_id(fi)} ...", flush=True)
    outcome = fire_runner(args)(fi)
    if args.output == "json":
        print(json.dumps(outcome.to_dict(), indent=2))
    else:
        detail = f"HTTP {outcome.http_status}, " if outcome.http_status else ""
        print(
            f"{outcome.status} ({detail}{outcome.attempts} attempt(s), {outcome.duration_ms} ms)"
            + (f": {outcome.error}" if outcome.error else "")
        )
    return exit_code(outcome.status)
