"""``cron-adapter resume JOB FILE``: lift a pause after a failure streak; the streak starts again."""

from __future__ import annotations

import argparse
import json

from cron_adapter.cli.common import job_in_file, live_value
from cron_adapter.cli.errors import NOT_PAUSED, command, not_done
from cron_adapter.cli.jobsargs import add_jobs_file_args, add_output_arg, load_from_args
from cron_adapter.cli.opsargs import EXIT_ABORTED, add_table_args, run_store

EPILOG = """examples:
  cron-adapter resume billing-export jobs.json
  cron-adapter resume billing-export jobs.json --output json

Removes the "paused_after_failures" marker and enables the job's schedules. The failures
before the pause no longer count: the streak starts again from zero. A job stopped on
purpose (max_runs, end_at, one-shot, gone) is not resumed; change the job to restart it.
`cron-adapter jobs resume JOB` runs the same code after resuming the job in the live store.
exit codes: 0 resumed, 1 a table error, 2 bad arguments or jobs file, 3 the job is not paused,
6 AWS unusable (no region or credentials, endpoint down, table missing, access denied)"""


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
    add_output_arg(p)
    add_table_args(p)
    p.set_defaults(func=run)


@command
def run(args: argparse.Namespace) -> int:
    """Remove the pause and enable the schedules."""
    from cron_adapter.adapters.scheduler import SchedulerAdapter
    from cron_adapter.manage import lift_failure_pause

    job = job_in_file(load_from_args(args), args.job, args.file)
    store = run_store(args)
    live = lift_failure_pause(store, SchedulerAdapter(live_value(args, "group")), job)
    if live is None:
        marker = store.markers().get(job.id)
        why = f"it is stopped on purpose ({marker.reason})" if marker else "it is not paused"
        return not_done(f"job {job.id!r} not resumed: {why}", EXIT_ABORTED, args.output, NOT_PAUSED, job_id=job.id)
    switched = [s.name for s in live if s.changed]
    if args.output == "json":
        states = [{"schedule": s.name, "before": s.before, "after": s.after} for s in live]
        print(json.dumps({"ok": True, "job_id": job.id, "resumed": True, "live": states}, indent=2))
        return 0
    print(f"job {job.id!r} resumed; schedules enabled: {', '.join(switched) or 'none (reconcile restores them)'}")
    return 0
