"""``cron-adapter resume JOB FILE``: lift a pause after a failure streak; the streak starts again."""

from __future__ import annotations

import argparse

from cron_adapter.cli.common import fail
from cron_adapter.cli.jobsargs import add_jobs_file_args, load_from_args, report_invalid
from cron_adapter.cli.opsargs import (
    EXIT_ABORTED,
    EXIT_INVALID,
    BadArgument,
    add_table_args,
    aws_errors,
    find_job,
    run_store,
    schedule_view,
)
from cron_adapter.errors import InvalidJobsFile
from cron_adapter.ops.status import schedule_names

EPILOG = """examples:
  cron-adapter resume billing-export jobs.json

Removes the "paused_after_failures" marker and enables the job's schedules. The failures
before the pause no longer count: the streak starts again from zero. A job stopped on
purpose (max_runs, end_at, one-shot, gone) is not resumed; change the job to restart it.
exit codes: 0 resumed, 1 AWS error, 2 bad arguments or jobs file, 3 the job is not paused"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the resume command."""
    p = sub.add_parser(
        "resume",
        help="resume a job paused by pause_after_failures",
        description="Resume a job that pause_after_failures paused.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("job", metavar="JOB", help="the job id")
    add_jobs_file_args(p)
    add_table_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Remove the pause and enable the schedules."""
    try:
        jobs = load_from_args(args)
    except InvalidJobsFile as exc:
        return report_invalid(exc, "text")
    try:
        job = find_job(jobs, args.job, args.file)
        store = run_store(args)
        if not store.resume(job.id):
            marker = store.markers().get(job.id)
            why = f"it is stopped on purpose ({marker.reason})" if marker else "it is not paused"
            return fail(f"job {job.id!r} not resumed: {why}", EXIT_ABORTED)
        switched = schedule_view(args).set_state(schedule_names(job), "ENABLED") if job.enabled else []
    except BadArgument as exc:
        return fail(str(exc), EXIT_INVALID)
    except aws_errors() as exc:
        return fail(str(exc))
    print(f"job {job.id!r} resumed; schedules enabled: {', '.join(switched) or 'none (reconcile restores them)'}")
    return 0
