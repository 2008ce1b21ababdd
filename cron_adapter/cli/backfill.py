"""``cron-adapter backfill JOB FILE --from T --to T``: fire the scheduled times of a range that never ran."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from cron_adapter.cli.common import job_in_file, now, wiring_from_args
from cron_adapter.cli.errors import ask, command, not_done
from cron_adapter.cli.jobsargs import add_jobs_file_args, add_output_arg, load_from_args
from cron_adapter.cli.opsargs import EXIT_ABORTED, add_fire_args, fire_runner, parse_when, run_store
from cron_adapter.errors import UsageError
from cron_adapter.fire.input import iso_utc
from cron_adapter.jobs.model import Job
from cron_adapter.ops.backfill import MAX_BACKFILL, BackfillItem, plan_backfill
from cron_adapter.ops.expected import Window, expected_fires
from cron_adapter.ops.runs import fire_input

EPILOG = f"""examples:
  cron-adapter backfill nightly-sync jobs.json --from 2026-12-01T00:00 --to 2026-12-01T06:00
  cron-adapter backfill heartbeat jobs.json --from 6h --to 1h --yes --output json

Lists the job's scheduled times in [--from, --to) (at most {MAX_BACKFILL}; --to is capped at
now), says which already ran, asks, then fires the others oldest first through the fire
service. Each time is claimed, so a time that already ran (or runs meanwhile) is not called
again; a time the audit recorded "missed" is fired as <time>~catch-up, the key the auditor's
catch-up uses. Times: ISO-8601 (no offset = UTC) or 30m / 2h / 7d ago.
exit codes: 0 every fired time succeeded, 1 some failed (or a table error),
2 bad arguments or jobs file, 3 not confirmed (non-interactive runs need --yes), 6 AWS unusable"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add the backfill command."""
    p = sub.add_parser(
        "backfill",
        help="fire a job's scheduled times in a range that never ran (asks first)",
        description="Fire the scheduled times of a range that have no run, through the fire path.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("job", metavar="JOB", help="the job id")
    add_jobs_file_args(p)
    p.add_argument("--from", dest="start", required=True, metavar="T", help="first scheduled time (inclusive)")
    p.add_argument("--to", dest="end", required=True, metavar="T", help="end of the range (exclusive; at most now)")
    p.add_argument("--yes", "-y", action="store_true", help="fire without asking")
    add_output_arg(p)
    add_fire_args(p)
    p.set_defaults(func=run)


def _confirm(items: list[BackfillItem], job_id: str, args: argparse.Namespace) -> str | None:
    """None when the times may be fired, else why not (the list and the prompt never go to JSON stdout)."""
    todo = [i for i in items if i.fire]
    if args.output == "text":
        for i in items:
            what = "fire" + (" as catch-up" if i.label else "") if i.fire else f"skip (already {i.ran})"
            print(f"  {iso_utc(i.time)}  {what}")
        print(f"{len(todo)} of {len(items)} scheduled time(s) of job {job_id!r} to fire.")
    if not todo or args.yes:
        return None
    if not sys.stdin.isatty():
        return "refusing to backfill without --yes on a non-interactive terminal; nothing was fired (fix: pass --yes)"
    answer = ask("Fire them? Only 'yes' is accepted: ", args.output)
    return None if answer.strip() == "yes" else "backfill cancelled; nothing was fired"


def _check_size(job: Job, start: datetime, end: datetime) -> None:
    """Refuse, before the run store is read, a range holding more times than one backfill fires."""
    times = expected_fires(job._replace(enabled=True), Window(start, end))  # as plan_backfill counts them
    if len(times) >= MAX_BACKFILL:
        raise UsageError(
            f"--from/--to: job {job.id!r} has {MAX_BACKFILL} or more scheduled times from {iso_utc(start)} "
            f"to {iso_utc(end)}, and one backfill fires fewer; fix: narrow the range, "
            f"e.g. --from {iso_utc(start)} --to {iso_utc(times[MAX_BACKFILL - 1])}"
        )


def _fire(args: argparse.Namespace, job: Job, todo: list[BackfillItem]) -> list[dict[str, str | None]]:
    """Fire each time in order, printing progress; the outcome of each."""
    if not todo:
        return []
    fire, wiring, results = fire_runner(args), wiring_from_args(args), []
    for i in todo:
        outcome = fire(fire_input(job, wiring, i.time, run=i.label))
        results.append({"time": iso_utc(i.time), "status": outcome.status, "error": outcome.error})
        if args.output == "text":
            print(
                f"  {iso_utc(i.time)}  {outcome.status}" + (f": {outcome.error}" if outcome.error else ""), flush=True
            )
    return results


@command
def run(args: argparse.Namespace) -> int:
    """Plan, confirm, fire."""
    at = now()
    job = job_in_file(load_from_args(args), args.job, args.file)
    start, end = parse_when(args.start, at, "--from"), min(parse_when(args.end, at, "--to"), at)
    if end <= start:
        raise UsageError("--from must be before --to (and before now)")
    _check_size(job, start, end)
    records = run_store(args).records(job.id, iso_utc(start), iso_utc(end) + "~~")
    items = plan_backfill(job, start, end, records)
    refusal = _confirm(items, job.id, args)
    if refusal:
        fire = [{"time": iso_utc(i.time), "catch_up": bool(i.label)} for i in items if i.fire]
        skipped = [{"time": iso_utc(i.time), "ran": i.ran} for i in items if not i.fire]
        return not_done(refusal, EXIT_ABORTED, args.output, fire=fire, skipped=skipped)
    results = _fire(args, job, [i for i in items if i.fire])
    if args.output == "json":
        skipped = [{"time": iso_utc(i.time), "ran": i.ran} for i in items if not i.fire]
        print(json.dumps({"fired": results, "skipped": skipped}, indent=2))
    return 0 if all(r["status"] in ("succeeded", "accepted", "duplicate") for r in results) else 1
