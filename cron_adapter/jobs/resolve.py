"""Resolve schema-valid jobs into a ``JobSet``: defaults applied, every job's rules checked.

This is the per-job loop of every load (``bench/bench_translate.py`` times 100,000 jobs): the
date checks run only for a job that has dates, and each problem is appended where it is found,
so a job's problems always come in the same order (zone or schedule, target, id, dates).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from cron_adapter.errors import InvalidJobsFile, Problem, ScheduleError
from cron_adapter.jobs.model import DefaultsIn, Job, JobIn, JobSet, RetryIn, RetryPolicy, Target
from cron_adapter.jobs.target_rules import resolve_target
from cron_adapter.kinds import MAX_YEAR, MIN_YEAR
from cron_adapter.schedule import engine
from cron_adapter.schedule.grammar import Schedule, check_year, parse_schedule
from cron_adapter.schedule.phase import AUTO, Phase, offset_seconds, parse_phase
from cron_adapter.schedule.wallclock import zone

# C0 and C1 control characters and DEL: one regex search instead of a per-character loop.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_new_job = tuple.__new__


def resolve_jobs(
    items: list[tuple[JobIn, bool]],
    defaults: DefaultsIn,
    fmt: str,
    allow_mass_delete: bool,
    problems: list[Problem],
    warnings: list[tuple[str | None, str]],
    source: str,
    unscheduled: list[Problem] | None = None,
) -> JobSet:
    """The ``JobSet`` of ``items`` (each with its done flag); InvalidJobsFile if any problem was found."""
    jobs: list[Job] = []
    seen: set[str] = set()
    # A hermes store is written by a machine: a job it accepts but EventBridge cannot express
    # is left out (with a warning and a metric), so one odd job does not stop every other one.
    skipped = unscheduled if unscheduled is not None else []
    for job_in, done in items:
        if job_in.id in seen:
            problems.append(Problem(job_in.id, "id", "duplicate job id", "give every job a unique id"))
            continue
        seen.add(job_in.id)
        job = _resolve_job(job_in, defaults, fmt, done, problems, warnings, skipped)
        if job is not None:
            jobs.append(job)
    if problems:
        raise InvalidJobsFile(problems, source)
    warnings.extend((p.job_id, f"left unscheduled: {p.message} (fix: {p.fix})") for p in skipped)
    return JobSet(
        jobs=tuple(jobs),
        format=fmt,  # type: ignore[arg-type]
        allow_mass_delete=allow_mass_delete,
        warnings=_merge_warnings(warnings),
        unscheduled=tuple(skipped),
    )


def _merge_warnings(warnings: list[tuple[str | None, str]]) -> tuple[str, ...]:
    """One line per distinct warning, naming every job it concerns."""
    jobs_by_text: dict[str, list[str]] = {}
    for job_id, text in warnings:
        jobs_by_text.setdefault(text, []).append(job_id or "")
    out = []
    for text, ids in jobs_by_text.items():
        named = [i for i in ids if i]
        if not named:
            out.append(text)
        elif len(named) <= 3:
            out.append(f"job {', '.join(repr(i) for i in named)}: {text}")
        else:
            out.append(f"{len(named)} jobs ({', '.join(repr(i) for i in named[:3])}, ...): {text}")
    return tuple(out)


def _resolve_job(
    job: JobIn,
    defaults: DefaultsIn,
    fmt: str,
    done: bool,
    problems: list[Problem],
    warnings: list[tuple[str | None, str]],
    unscheduled: list[Problem],
) -> Job | None:
    """The resolved job, or None with its problems appended (a hermes job EventBridge cannot run: unscheduled)."""
    before, skipped = len(problems), len(unscheduled)
    tz = job.timezone or defaults.timezone or "UTC"
    phase: Phase = AUTO
    tzinfo = schedule = None
    try:
        tzinfo = zone(tz)
    except ScheduleError as exc:
        problems.append(Problem(job.id, "timezone" if job.timezone else "defaults.timezone", exc.message, exc.fix))
    try:
        # An unknown zone does not hide the schedule's own problems: its grammar is checked in
        # UTC. Only what needs the zone (a one-shot in a DST gap, the UTC window) waits for a valid one.
        schedule = parse_schedule(job.schedule, timezone=tz if tzinfo else "UTC")
        phase = _phase(job, schedule)
    except ScheduleError as exc:
        if fmt == "hermes":
            unscheduled.append(Problem(job.id, "schedule", exc.message, exc.fix))
            return None
        problems.append(Problem(job.id, exc.field, exc.message, exc.fix))
    target = resolve_target(job, defaults, problems, warnings)
    if _CONTROL.search(job.id):
        problems.append(
            Problem(job.id, "id", "the job id contains a control character (CR, LF, tab, ...)", "remove it")
        )
    if job.start_at is not None or job.end_at is not None:
        # A hermes job's only date is its interval's first run: one out of range leaves that job out.
        _dates(job, tzinfo, schedule, unscheduled if fmt == "hermes" else problems)
    if len(problems) > before or len(unscheduled) > skipped or target is None:
        return None
    return _job(job, defaults, fmt, done, tz, phase, target)


def _job(job: JobIn, defaults: DefaultsIn, fmt: str, done: bool, tz: str, phase: Phase, target: Target) -> Job:
    """The ``Job``: each value the job's own, else the file's default, else the built-in one."""
    # Built positionally, in ``Job._fields`` order: a 20-keyword call costs three times as
    # much, and this runs once per job (tests/unit/test_resolved_fields.py checks the order).
    return _new_job(
        Job,
        (
            job.id,
            job.schedule,
            target,
            tz,
            job.enabled,
            job.start_at,
            job.end_at,
            job.max_runs,
            job.jitter if job.jitter is not None else (defaults.jitter or 0),
            job.overlap or defaults.overlap or "skip",
            job.delivery or defaults.delivery or "at-least-once",
            job.catch_up or defaults.catch_up or "none",
            job.catch_up_window or defaults.catch_up_window or 60,
            job.pause_after_failures,
            _retry_policy(job.retry or defaults.retry),
            fmt,
            job.description,
            done,
            phase,
            job.fire_on_create,
        ),
    )


def _dates(job: JobIn, tz: ZoneInfo | None, schedule: Schedule | None, problems: list[Problem]) -> None:
    """The job's start_at/end_at checks: their years, their order, and that the schedule fires between them."""
    before = len(problems)
    if tz is not None:
        _check_window(job, tz, problems)
    _date_problems(job, problems)
    if tz is not None and schedule is not None and len(problems) == before:  # dates in range: no overflow
        _never_fires(job, schedule, problems)


# A window without start_at is searched from here: no schedule fires before MIN_YEAR.
_EARLIEST = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)


def _never_fires(job: JobIn, schedule: Schedule, problems: list[Problem]) -> None:
    """A problem when the schedule fires nowhere from start_at up to end_at (EventBridge's StartDate
    is inclusive, its EndDate exclusive), e.g. a one-shot after end_at or a cron year before start_at."""
    tz, start = schedule.timezone, job.start_at
    after = start - timedelta(minutes=1) if start else _EARLIEST
    if engine.next_fires(schedule, tz, after, 1, start=start, end=job.end_at):
        return
    what = f"the one-shot time {schedule.at.isoformat()}" if schedule.at else repr(job.schedule)
    # Nothing at all from start_at on: start_at is what shuts it out; else end_at ends it too early.
    early = start is not None and not engine.next_fires(schedule, tz, after, 1, start=start)
    field, side = ("start_at", "from start_at on") if early else ("end_at", "before end_at")
    problems.append(
        Problem(job.id, field, f"{what} never fires: it has no time {side}", f"move {field} or change the schedule")
    )


def _date_problems(job: JobIn, problems: list[Problem]) -> None:
    """Dates no schedule can reach: a year out of range, or an end_at not after start_at."""
    for name in ("start_at", "end_at"):
        value = getattr(job, name)
        if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
            problems.append(
                Problem(job.id, name, f"year {value.year} is outside {MIN_YEAR}..{MAX_YEAR}", "fix the date")
            )
    if job.start_at and job.end_at and _naive(job.end_at) <= _naive(job.start_at):
        problems.append(Problem(job.id, "end_at", "end_at is not after start_at", "move end_at later or remove it"))


def _phase(job: JobIn, schedule: Schedule) -> Phase:
    """The job's resolved phase; only every/rate schedules have one, and start_at sets its own."""
    if job.phase is None:
        return AUTO
    if schedule.kind != "rate":
        raise ScheduleError(
            "phase applies only to every/rate schedules", fix="remove phase; use jitter to move a cron", field="phase"
        )
    if job.start_at is not None:
        raise ScheduleError(
            "phase and start_at both set when the schedule counts from", fix="keep one of the two", field="phase"
        )
    phase = parse_phase(job.phase)
    if schedule.period is not None:
        offset_seconds(job.id, schedule.period, phase)  # refuses a phase not shorter than the period
    return phase


@lru_cache(maxsize=256)
def _retry_policy(retry_in: RetryIn | None) -> RetryPolicy:
    """Jobs that share a retry setting share one (frozen) policy."""
    if retry_in is None:
        return RetryPolicy()
    return RetryPolicy(**{k: v for k, v in retry_in.model_dump().items() if v is not None})


def _check_window(job: JobIn, tz: ZoneInfo, problems: list[Problem]) -> None:
    """start_at/end_at in range as written must stay in range in UTC (2199-12-31T23:30-05:00 is 2200)."""
    for name, value in (("start_at", job.start_at), ("end_at", job.end_at)):
        if value is None or not MIN_YEAR <= value.year <= MAX_YEAR:
            continue  # _date_problems reports it, before any zone arithmetic can overflow
        try:
            check_year((value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(UTC), name)
        except ScheduleError as exc:
            problems.append(Problem(job.id, name, exc.message, exc.fix))


def _naive(value):  # noqa: ANN001, ANN202 - compare wall times when one side lacks a zone
    return value.replace(tzinfo=None)
