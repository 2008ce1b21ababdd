"""``cron-adapter runs JOB``: one job's run records, newest first."""

from __future__ import annotations

import argparse
import json

from cron_adapter.cli.common import now
from cron_adapter.cli.errors import command
from cron_adapter.cli.jobsargs import add_output_arg
from cron_adapter.cli.opsargs import EXIT_CODES, add_table_args, parse_when, run_store, table
from cron_adapter.errors import UsageError
from cron_adapter.fire.input import iso_utc
from cron_adapter.ops.records import RunRecord

LATEST = "9999-12-31T23:59:59Z~~"  # above every run key
EPILOG = f"""examples:
  cron-adapter runs nightly-sync                    the 20 newest runs
  cron-adapter runs nightly-sync --since 7d -n 500  every run of the last week
  cron-adapter runs nightly-sync --since 2026-12-01T00:00 --output json | jq '.[].status'

Columns: the scheduled time (a "~trigger-…" or "~catch-up" suffix marks a run EventBridge did
not deliver), status, HTTP attempts, the last HTTP status, duration and the error. Statuses:
succeeded / accepted (2xx / 202), failed (target failed after its retries), skipped (overlap
policy, end_at, max_runs), queued, claimed (running now, or its claimer crashed), lost (an
at-most-once run whose claimer crashed), gone (the target said the job no longer exists),
missed (never delivered: found by the audit). See docs/operations.md.
{EXIT_CODES}"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the runs command."""
    p = sub.add_parser(
        "runs",
        help="show one job's run history (status, attempts, HTTP status, duration, error)",
        description="Show one job's run records from the table, newest first.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("job", metavar="JOB", help="the job id")
    p.add_argument("--since", metavar="T", help="runs scheduled at or after T (ISO-8601, or 30m / 2h / 7d ago)")
    p.add_argument("-n", "--limit", type=int, default=20, metavar="N", help="at most N runs (default 20)")
    add_output_arg(p)
    add_table_args(p)
    p.set_defaults(func=run)


def row(r: RunRecord) -> dict[str, object]:
    """One run as JSON."""
    return {
        "scheduled_time": r.run,
        "status": r.status,
        "attempts": r.attempts,
        "http_status": r.http_status,
        "duration_ms": r.duration_ms,
        "error": r.error,
        "finished_at": r.finished_at,
    }


@command
def run(args: argparse.Namespace) -> int:
    """Print the runs."""
    if args.limit < 1:
        raise UsageError("-n/--limit must be at least 1")
    store = run_store(args)
    if args.since:
        since = iso_utc(parse_when(args.since, now(), "--since"))
        records = list(reversed(store.records(args.job, since, LATEST)))[: args.limit]
    else:
        records = store.recent(args.job, args.limit)
    if args.output == "json":
        print(json.dumps([row(r) for r in records], indent=2))
        return 0
    if not records:
        since = f" since {args.since}" if args.since else ""
        # The runs table knows only jobs that ran; a mistyped id reads the same as a quiet job.
        print(f"no runs recorded for job {args.job!r}{since} (is the id right? `cron-adapter status FILE` lists them)")
        return 0
    rows = [
        [
            r.run,
            r.status,
            str(r.attempts or ""),
            str(r.http_status or ""),
            f"{r.duration_ms} ms" if r.duration_ms is not None else "",
            (r.error or "")[:80],
        ]
        for r in records
    ]
    print(table(rows, ["SCHEDULED", "STATUS", "ATTEMPTS", "HTTP", "DURATION", "ERROR"]))
    return 0
