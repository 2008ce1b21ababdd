"""``cron-adapter status FILE``: one line per job: next fire, last outcome, streak, paused, AWS."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from datetime import datetime

from cron_adapter.cli.common import now
from cron_adapter.cli.errors import command
from cron_adapter.cli.jobsargs import add_jobs_file_args, add_output_arg, load_from_args
from cron_adapter.cli.opsargs import EXIT_CODES, add_table_args, run_store, schedule_view, table
from cron_adapter.errors import UsageError
from cron_adapter.ops.records import JobState, current_marker
from cron_adapter.ops.status import StatusLine, status_line
from cron_adapter.reconcile.model import LedgerEntry
from cron_adapter.reconcile.planner import KEY_SEPARATOR

STREAK_READS = 10  # newest runs read per job: the last outcome and a streak up to 10
EPILOG = f"""examples:
  cron-adapter status jobs.json
  cron-adapter status jobs.json --page 2 --page-size 200
  cron-adapter status jobs.json --problems          only jobs that need a look
  cron-adapter status jobs.json --output json | jq '.jobs[] | select(.streak > 0)'

Columns: NEXT is the next fire (UTC) as EventBridge will fire it; LAST the newest run and its
status; STREAK consecutive failed runs (pause_after_failures counts these); PAUSED is empty
for a running job, "jobs file" (enabled: false), "after failures" (resume it), or "done: …"
(a marker of an earlier spec, the job edited and pushed since, no longer counts);
AWS flags a schedule that is missing, disabled or changed outside the adapter (see
`cron-adapter drift`). Reads: one Query per job, plus one per 100 schedules.
{EXIT_CODES}; 4 when --problems found any"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the status command."""
    p = sub.add_parser(
        "status",
        help="one line per job: next fire, last outcome, failure streak, paused, AWS drift",
        description="Show every job's next fire, last outcome, failure streak and paused state, "
        "and flag schedules that are missing or drifted in AWS.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_jobs_file_args(p)
    p.add_argument("--page", type=int, default=1, metavar="N", help="page N of the jobs (default 1)")
    p.add_argument("--page-size", type=int, default=200, metavar="N", help="jobs per page (default 200)")
    p.add_argument("--problems", action="store_true", help="only jobs with a streak, a pause or an AWS flag")
    add_output_arg(p)
    add_table_args(p)
    p.set_defaults(func=run)


def problem(line: StatusLine) -> bool:
    """True when a job needs a look."""
    return bool(line.streak or line.paused == "after failures" or line.aws not in ("ok", "not deployed"))


def status_lines(args: argparse.Namespace, jobs: list, at: datetime) -> list[StatusLine]:
    """The status of each job at ``at``, read from the live table and schedule group."""
    store, view = run_store(args), schedule_view(args)
    markers, listed, entries = store.markers(), view.listed(), view.ledger.entries()
    ledger = {name: entry.last_modified for name, entry in entries.items()}
    specs = written_specs(entries.values())
    out = []
    for job in jobs:
        recent = store.recent(job.id, STREAK_READS)
        state = store.state(job.id) if job.pause_after_failures else JobState()
        marker = current_marker(markers.get(job.id), specs.get(job.id, frozenset()))
        out.append(status_line(job, recent, state, marker, listed, ledger, at))
    return out


def written_specs(entries: Iterable[LedgerEntry]) -> dict[str, frozenset[str]]:
    """Job id -> the spec hashes the reconcile last wrote for its schedules (the ledger's, key id cut off).

    A marker naming another spec is stale: the job was edited (and pushed) since it was
    paused or finished, so, as for the audit and the reconcile, it no longer applies.
    """
    specs: dict[str, set[str]] = {}
    for entry in entries:
        specs.setdefault(entry.job_id, set()).add(entry.spec_hash.partition(KEY_SEPARATOR)[0])
    return {job_id: frozenset(hashes) for job_id, hashes in specs.items()}


@command
def run(args: argparse.Namespace) -> int:
    """Print the status page."""
    if args.page < 1 or args.page_size < 1:
        raise UsageError("--page and --page-size must be at least 1")
    jobs = list(load_from_args(args).jobs)
    pages = max(1, -(-len(jobs) // args.page_size))
    if args.page > pages:
        raise UsageError(
            f"--page {args.page} is past the last page, {pages} ({len(jobs)} job(s) at --page-size "
            f"{args.page_size}); fix: --page {pages}, or any page from 1 to {pages}"
        )
    chunk = jobs[(args.page - 1) * args.page_size : args.page * args.page_size]
    lines = status_lines(args, chunk, now())
    shown = [line for line in lines if problem(line)] if args.problems else lines
    if args.output == "json":
        print(json.dumps({"page": args.page, "pages": pages, "jobs": [s.as_dict() for s in shown]}, indent=2))
    else:
        rows = [
            [s.job_id, s.next_fire or "-", f"{s.last_run or '-'} {s.last_status or ''}".strip(), str(s.streak),
             s.paused or "-", s.aws]
            for s in shown
        ]  # fmt: skip
        print(table(rows, ["JOB", "NEXT", "LAST", "STREAK", "PAUSED", "AWS"]))
        print(
            f"page {args.page} of {pages} ({len(jobs)} jobs)"
            + (f"; next: --page {args.page + 1}" if args.page < pages else "")
        )
    return 4 if args.problems and shown else 0
