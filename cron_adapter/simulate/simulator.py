"""``cron-adapter simulate``: run a jobs file through a fake clock over a date range.

Pure (no boto3, no clock): every fire time comes from the shared engine
(:func:`cron_adapter.schedule.engine.iter_fires`), exactly as EventBridge Scheduler would fire it,
DST included. On top of the fires it reports:

* retries: a job whose target is set to fail (path contains ``/fail``, or ``--fail ID``)
  makes ``retry.attempts`` HTTP calls per fire, with the fire Lambda's backoffs;
* DST days that change a job's fires (:func:`cron_adapter.schedule.engine.dst_notes`);
* collisions: minutes in which at least K jobs fire together (the thundering herd that
  staggered cadences and jitter avoid); a job with jitter fires at a seeded random point of
  its flexible window, as EventBridge does;
* cost and quota (:mod:`cron_adapter.simulate.pricing`): invocations and dollars per month, the
  jobs that dominate the bill, and the peak minute against 1,000 invocations/s.

Fire times are kept as epoch seconds in arrays, so a month of 100 jobs fits in seconds.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import islice
from zoneinfo import ZoneInfo

from cron_adapter.jobs.model import Job, JobSet
from cron_adapter.schedule import engine, phase
from cron_adapter.schedule.grammar import Schedule, parse_schedule
from cron_adapter.simulate.model import Collision, JobRun, SimOptions, Simulation
from cron_adapter.simulate.pricing import MonthlyCost, monthly_cost, per_month

FAIL_MARKER = "/fail"
MAX_FIRES_PER_JOB = 2_000_000  # every minute for ~3.8 years: bounds memory and time


def _aware(value: datetime, tz: str) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz))


def _window(job: Job, opts: SimOptions) -> tuple[datetime, datetime]:
    lo = max(opts.start, _aware(job.start_at, job.timezone)) if job.start_at else opts.start
    hi = min(opts.end, _aware(job.end_at, job.timezone)) if job.end_at else opts.end
    return lo, hi


def _fire_times(job: Job, opts: SimOptions, cache: dict[tuple, array]) -> array:
    schedule = parse_schedule(job.schedule, timezone=job.timezone)
    lo, hi = _window(job, opts)
    anchor = _rate_anchor(job, schedule, opts)
    key = (schedule.expressions, job.timezone, lo, hi, anchor if schedule.kind == "rate" else None)
    if key not in cache:
        times = engine.iter_fires(schedule, job.timezone, lo, hi, anchor=anchor) if lo < hi else iter(())
        cache[key] = array("q", (int(t.timestamp()) for t in islice(times, MAX_FIRES_PER_JOB)))
    return cache[key]


def _rate_anchor(job: Job, schedule: Schedule, opts: SimOptions) -> datetime:
    """Where a rate schedule counts from: its phase grid, its start_at, or (no phase) the window start."""
    start = _aware(job.start_at, job.timezone) if job.start_at else None
    if opts.phases:
        _, offset = phase.rate_grid(schedule, job.id, job.phase, start)
        if offset is not None:
            return phase.anchor(offset)
    return start or opts.start


def _run_job(job: Job, opts: SimOptions, cache: dict[tuple, array]) -> JobRun:
    failing = job.id in opts.fail or FAIL_MARKER in job.target.url
    accepting = not failing and (job.id in opts.accept or job.source == "hermes")
    run = JobRun(job, failing, accepting)
    if not job.enabled or job.done:
        return run
    times = _fire_times(job, opts, cache)
    limit = min(len(times), job.max_runs or len(times))
    run.scheduled = times[:limit]
    run.capped = len(times) >= MAX_FIRES_PER_JOB
    rng = random.Random(f"{opts.seed}:{job.id}")
    window = job.jitter * 60
    run.offsets = array("i", (rng.randrange(window) for _ in range(limit)) if window else [0] * limit)
    lo, hi = _window(job, opts)
    if lo < hi:
        run.dst = engine.dst_notes(parse_schedule(job.schedule, timezone=job.timezone), job.timezone, lo, hi)
    return run


def _per_minute(runs: tuple[JobRun, ...]) -> Counter[int]:
    counts: Counter[int] = Counter()
    for run in runs:
        counts.update(_fire_minutes(run))
    return counts


def _fire_minutes(run: JobRun) -> Iterable[int]:
    """The minute of each of ``run``'s fires (scheduled plus jitter), in one pass."""
    if not run.job.jitter:
        return (t // 60 for t in run.scheduled)
    return ((t + o) // 60 for t, o in zip(run.scheduled, run.offsets, strict=True))


def collisions(
    sim: Simulation, limit: int | None = 20, progress: Callable[[int, int], None] | None = None
) -> tuple[Collision, ...]:
    """The worst minutes with at least the threshold's fires, and the jobs firing in each.

    With ``limit=None`` every fire is read once (``progress(done, total)`` after each job).
    """
    return _collisions(sim.runs, sim.per_minute, sim.options.collision_threshold, limit, progress)


def _collisions(
    runs: tuple[JobRun, ...],
    per_minute: Counter[int],
    k: int,
    limit: int | None = 20,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Collision, ...]:
    worst = sorted((m for m, n in per_minute.items() if n >= k), key=lambda m: (-per_minute[m], m))[:limit]
    members: dict[int, list[str]] = {m: [] for m in worst}
    few = len(worst) <= _FEW
    for done, run in enumerate(runs, start=1):
        for minute in _searched(run, worst) if few else set(_fire_minutes(run)) & members.keys():
            members[minute].append(run.job.id)
        if progress is not None:
            progress(done, len(runs))
    return tuple(Collision(datetime.fromtimestamp(m * 60, UTC), per_minute[m], tuple(members[m])) for m in worst)


_FEW = 64  # up to this many minutes, bisect each job's fires instead of reading every one


def _searched(run: JobRun, minutes: list[int]) -> list[int]:
    """Which of ``minutes`` ``run`` fires in, by bisection: its scheduled times ascend, jitter only delays them."""
    window, times, found = run.job.jitter * 60, run.scheduled, []
    for minute in minutes:
        i = bisect_left(times, minute * 60 - window)
        while i < len(times) and times[i] < (minute + 1) * 60:
            if run.at(i) // 60 == minute:
                found.append(minute)
                break
            i += 1
    return found


def _costs(runs: tuple[JobRun, ...], opts: SimOptions) -> tuple[dict[str, MonthlyCost], MonthlyCost]:
    monthly = {r.job.id: per_month(r.fires, opts.hours) for r in runs}
    total_inv = sum(monthly.values())
    billable = max(0.0, total_inv - opts.pricing.scheduler_free_invocations)
    costs = {}
    for r in runs:
        inv = monthly[r.job.id]
        share = billable * inv / total_inv if total_inv else 0.0  # free tier shared pro rata
        writes = inv * opts.pricing.writes_per_fire(r.job.overlap, r.job.max_runs)
        seconds = inv * r.billed_seconds_per_fire(opts.fn)
        costs[r.job.id] = monthly_cost(
            inv, seconds, opts.fn, opts.pricing, write_units=writes, scheduler_billable=share
        )
    seconds = sum(c.billed_seconds for c in costs.values())
    writes = sum(c.write_units for c in costs.values())
    return costs, monthly_cost(total_inv, seconds, opts.fn, opts.pricing, write_units=writes)


def simulate(jobset: JobSet, opts: SimOptions, progress: Callable[[int, int], None] | None = None) -> Simulation:
    """Run every job through the window; pure and deterministic for a given seed.

    ``progress(done, total)``, if given, is called after each job (the CLI reports it on stderr).
    """
    if opts.end <= opts.start:
        raise ValueError("the end of the window must be after its start")
    cache: dict[tuple, array] = {}
    count, runs_done = len(jobset.jobs), []
    for job in jobset.jobs:
        runs_done.append(_run_job(job, opts, cache))
        if progress is not None:
            progress(len(runs_done), count)
    runs = tuple(runs_done)
    per_minute = _per_minute(runs)
    costs, total = _costs(runs, opts)
    return Simulation(opts, runs, per_minute, _collisions(runs, per_minute, opts.collision_threshold), costs, total)


def parse_when(text: str) -> datetime:
    """``2026-03-01`` (midnight UTC) or an ISO timestamp (naive = UTC), as UTC.

    An offset is honoured and converted: ``2027-03-01T00:00+02:00`` is 2027-02-28T22:00Z,
    which is what the report then says.
    """
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
