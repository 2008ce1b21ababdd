"""``cron-adapter simulate FILE --from DATE --to DATE``: fires, DST, collisions and cost, offline."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cron_adapter.cli.argtypes import bounded, count_or_all, utc_time
from cron_adapter.cli.errors import command
from cron_adapter.cli.jobsargs import add_jobs_file_args, add_output_arg, load_from_args
from cron_adapter.errors import CronAdapterError, UsageError
from cron_adapter.jobs.model import JobSet
from cron_adapter.schedule.engine import LAST_YEAR
from cron_adapter.simulate.load import TEXT_LIMIT, day_matrix, heatmap_text, hot_minutes, window_warnings
from cron_adapter.simulate.model import SimOptions, Simulation
from cron_adapter.simulate.pricing import Lambda
from cron_adapter.simulate.progress import reporting
from cron_adapter.simulate.report import to_dict, to_text
from cron_adapter.simulate.simulator import simulate

DESCRIPTION = """\
Run a jobs file through a fake clock with the same engine EventBridge Scheduler's fires are
computed with, and report: every fire (with retries for targets set to fail), DST days that
change a fire, per-job counts, collisions (minutes in which many jobs fire together), and a
cost and quota projection at list price (invocations and dollars per month, the jobs that
dominate the bill, the peak minute against the 1,000 invocations/s quota). Nothing is called."""
EPILOG = """\
examples:
  cron-adapter simulate examples/jobs.json --from 2027-03-01 --to 2027-04-01
  cron-adapter simulate examples/jobs.json --from 2027-10-30 --to 2027-11-08 --fires 0   # DST weeks
  cron-adapter simulate jobs.json --from 2027-01-01 --to 2027-02-01 --fail nightly-export --output json
  cron-adapter simulate jobs.json --from 2027-01-01 --to 2027-02-01 --memory 512 --arch x86_64 --call-ms 800

DATE is 2027-03-01 (midnight UTC) or an ISO timestamp; an offset is converted to UTC
(2027-03-01T00:00+02:00 is 2027-02-28T22:00Z). The window is [--from, --to).
A target "fails" when its URL contains /fail or its job is named with --fail. A job named
with --accepted, and every hermes-agent job, has an asynchronous target: it answers 202 and
its runs are recorded accepted, not succeeded (counted as accepted_fires).
exit codes: 0 ok, 2 invalid jobs file or flag"""

UNSET = -1
TEXT_FIRES = 50
# A job fires at most once a minute, so in this window no job reaches the simulator's
# MAX_FIRES_PER_JOB (2,000,000 minutes is 1,388 days) and no count is ever cut short.
MAX_WINDOW = timedelta(days=1000)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the simulate command."""
    p = sub.add_parser(
        "simulate",
        help="run a jobs file through a fake clock: fires, DST, collisions, cost",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_jobs_file_args(p)
    p.add_argument(
        "--from", dest="start", required=True, type=utc_time, metavar="DATE", help="window start (inclusive)"
    )
    p.add_argument("--to", dest="end", required=True, type=utc_time, metavar="DATE", help="window end (exclusive)")
    add_output_arg(p)
    _add_target_args(p)
    _add_cost_args(p)
    _add_report_args(p)
    p.set_defaults(func=run)


def _add_target_args(p: argparse.ArgumentParser) -> None:
    """How targets answer: --fail, --accepted."""
    p.add_argument(
        "--fail", action="append", default=[], metavar="JOB_ID", help="treat this job's target as failing (repeatable)"
    )
    p.add_argument(
        "--accepted",
        action="append",
        default=[],
        metavar="JOB_ID",
        help="treat this job's target as asynchronous: it answers 202, runs are recorded accepted "
        "(repeatable; hermes-agent jobs always are)",
    )


def _add_cost_args(p: argparse.ArgumentParser) -> None:
    """The collision threshold and the fire Lambda's shape: --collision-threshold, --memory, --arch, --call-ms."""
    p.add_argument(
        "--collision-threshold",
        type=bounded(int, 1, 1_000_000),
        default=5,
        metavar="K",
        help="a collision is a minute with >= K fires (default 5)",
    )
    p.add_argument(
        "--memory",
        type=bounded(int, 128, 10240),
        default=256,
        metavar="MB",
        help="fire Lambda memory, 128..10240 as Lambda allows (default 256)",
    )
    p.add_argument(
        "--arch", choices=("arm64", "x86_64"), default="arm64", help="fire Lambda architecture (default arm64)"
    )
    p.add_argument(
        "--call-ms",
        type=bounded(float, 1, 900_000),
        default=200.0,
        metavar="MS",
        help="billed Lambda ms per target call, 1..900000 (default 200)",
    )


def _add_report_args(p: argparse.ArgumentParser) -> None:
    """Jitter placement and what the report shows: --seed, --heatmap, --plot, --fires."""
    p.add_argument("--seed", type=int, default=0, help="seed for jitter placement (default 0)")
    p.add_argument(
        "--heatmap", action="store_true", help="print fires per minute of the day (hour x minute, UTC) in the terminal"
    )
    p.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help="write the heatmap before and after phase offsets to FILE (.png or .svg; needs the plot extra)",
    )
    p.add_argument(
        "--fires",
        type=count_or_all,
        default=UNSET,
        metavar="N|all",
        help="how many fires to list (default: 50 in text, all in JSON)",
    )


@command
def run(args: argparse.Namespace) -> int:
    """Simulate and print the report."""
    _check_window(args)
    jobset = load_from_args(args)
    for flag, named_ids in (("--fail", args.fail), ("--accepted", args.accepted)):
        _check_named(flag, named_ids, [j.id for j in jobset.jobs])
    opts = _options(args)
    with reporting("simulating") as progress:
        sim = simulate(jobset, opts, progress)
    if args.plot:
        try:
            _plot(args.plot, jobset, opts, sim, args.file)
        except CronAdapterError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    with reporting("grouping collisions") as progress:
        advice = window_warnings(sim, None if args.output == "json" else TEXT_LIMIT, progress)
    if args.output == "json":
        data = to_dict(sim, None if args.fires == UNSET else args.fires)
        data["collisions"]["warnings"] = list(advice)
        print(json.dumps(data, indent=2))
        return 0
    print(_report(sim, args.file, TEXT_FIRES if args.fires == UNSET else args.fires))
    for line in advice:
        print(f"warning: {line}")
    if args.heatmap:
        heatmap = heatmap_text(day_matrix(sim), hot_minutes(sim), opts.collision_threshold)
        print(f"\nload by minute of the day:\n{heatmap}")
    if args.plot:
        print(f"\nwrote {args.plot}: fires per minute of the day, without and with phase offsets")
    return 0


def _report(sim: Simulation, name: str, max_fires: int | None) -> str:
    """The text report; with nothing firing in the window, its peak line says so instead of '0 (None)'."""
    text = to_text(sim, name, max_fires)
    if sim.peak[0] is not None:
        return text
    why = "the file has no jobs" if not sim.runs else "no job fires in this window"
    quiet = f"peak: none: {why}, so nothing counts against the 1,000/s invocation quota"
    return "\n".join(quiet if line.startswith("peak: ") else line for line in text.split("\n"))


def _options(args: argparse.Namespace) -> SimOptions:
    return SimOptions(
        args.start,
        args.end,
        fail=frozenset(args.fail),
        accept=frozenset(args.accepted),
        collision_threshold=args.collision_threshold,
        fn=Lambda(memory_mb=args.memory, arch=args.arch, duration_ms=args.call_ms),
        seed=args.seed,
    )


_FIRST, _LAST = datetime(1970, 1, 1, tzinfo=UTC), datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)


def _check_window(args: argparse.Namespace) -> None:
    """Refuse, before any work, a window simulate cannot cover whole, or a plot it cannot write."""
    if args.end <= args.start:
        raise UsageError("--to must be after --from")
    if args.end - args.start > MAX_WINDOW:
        raise UsageError(
            f"--from {args.start:%Y-%m-%d} --to {args.end:%Y-%m-%d} is {(args.end - args.start).days:,} days; "
            f"simulate at most {MAX_WINDOW.days:,} (a month or a year shows the pattern and the cost per month)"
        )
    if args.start < _FIRST or args.end > _LAST:
        raise UsageError(
            f"--from/--to must lie within {_FIRST:%Y-%m-%d} .. {_LAST:%Y-%m-%d}, "
            "the years EventBridge Scheduler fires in (e.g. --from 2027-03-01 --to 2027-04-01)"
        )
    if args.plot and not args.plot.parent.is_dir():
        raise UsageError(f"--plot {args.plot}: the folder {args.plot.parent} does not exist")


def _plot(path: Path, jobset: JobSet, opts: SimOptions, after: Simulation, name: str) -> None:
    """The heatmap without phases (every rate job counted from the window's start) and with them."""
    from cron_adapter.simulate.plot import write_plot

    before = simulate(jobset, replace(opts, phases=False))
    panels = [
        ("without phases", day_matrix(before), hot_minutes(before)),
        ("with phases", day_matrix(after), hot_minutes(after)),
    ]
    write_plot(path, panels, f"{Path(name).name}: {opts.start:%Y-%m-%d %H:%M}Z to {opts.end:%Y-%m-%d %H:%M}Z")


def _check_named(flag: str, named_ids: list[str], ids: list[str]) -> None:
    """Refuse a --fail/--accepted value that names no job, suggesting the nearest id."""
    unknown = set(named_ids) - set(ids)
    if unknown:
        from cron_adapter.jobs.suggest import did_you_mean

        named = ", ".join(f"{u!r}{did_you_mean(u, ids)}" for u in sorted(unknown))
        raise UsageError(f"{flag} names no job in the file: {named}")
