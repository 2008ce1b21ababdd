"""Load and validate a jobs file of any supported format into a ``JobSet``.

Every problem in the file is collected and reported together (job, field, fix); a file
with any problem is refused whole, so nothing from it can be applied.
"""

from __future__ import annotations

import re
from datetime import UTC
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from cron_adapter._gc import paused_gc
from cron_adapter.errors import InvalidJobsFile, Problem, ScheduleError
from cron_adapter.jobs.formats import detect, read_hermes, read_sidecar
from cron_adapter.jobs.model import (
    DefaultsIn,
    Job,
    JobIn,
    JobSet,
    JobsFile,
    RetryIn,
    RetryPolicy,
)
from cron_adapter.jobs.rawjson import parse_json
from cron_adapter.jobs.schema_problems import pydantic_problems, schema_valid_part
from cron_adapter.jobs.target_rules import NO_TARGET, resolve_target
from cron_adapter.jobs.urls import check_target_url
from cron_adapter.kinds import MAX_YEAR, MIN_YEAR
from cron_adapter.schedule.grammar import Schedule, check_year, parse_schedule
from cron_adapter.schedule.phase import AUTO, Phase, offset_seconds, parse_phase
from cron_adapter.schedule.wallclock import zone

FORMATS = ("native", "hermes", "sidecar")
# C0 and C1 control characters and DEL: one regex search instead of a per-character loop.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def load_path(
    path: str | Path, *, format: str | None = None, timezone: str | None = None, base_url: str | None = None
) -> JobSet:
    """Read and validate the jobs file at ``path``."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InvalidJobsFile(
            [Problem(None, "(file)", f"cannot read {p}: {exc.strerror}", "check the path")], str(p)
        ) from exc
    return load_bytes(data, format=format, timezone=timezone, base_url=base_url, source=str(p))


def load_bytes(
    data: bytes,
    *,
    format: str | None = None,
    timezone: str | None = None,
    base_url: str | None = None,
    source: str = "jobs.json",
) -> JobSet:
    """Parse, detect the format (unless forced), resolve defaults and validate everything."""
    with paused_gc():
        return _load_parsed(parse_json(data, source), format, timezone, base_url, source)


def _check_flags(timezone: str | None, base_url: str | None, source: str) -> None:
    """A bad --timezone or --base-url is one problem of the command line, not one per job."""
    problems = []
    if timezone is not None:
        try:
            zone(timezone)
        except ScheduleError as exc:
            problems.append(Problem(None, "--timezone", exc.message, exc.fix))
    if base_url is not None:
        problem, _ = check_target_url(base_url)
        if problem:
            problems.append(Problem(None, "--base-url", problem, "use an https:// URL on a public host"))
    if problems:
        raise InvalidJobsFile(problems, source)


def _load_parsed(raw: Any, format: str | None, timezone: str | None, base_url: str | None, source: str) -> JobSet:
    _check_flags(timezone, base_url, source)
    fmt = format or detect(raw)
    if fmt not in FORMATS:
        raise InvalidJobsFile(
            [
                Problem(
                    None,
                    "(format)",
                    "cannot tell the format of this file",
                    'native files have "version": 1; hermes stores have "jobs"; '
                    "sidecar lists are arrays; or pass --format",
                )
            ],
            source,
        )
    if fmt == "native":
        return _load_native(raw, timezone, base_url, source)
    return _load_foreign(raw, fmt, timezone, base_url, source)


def _load_foreign(raw: Any, fmt: str, timezone: str | None, base_url: str | None, source: str) -> JobSet:
    if fmt == "hermes" and not (isinstance(raw, dict) and isinstance(raw.get("jobs"), list)):
        raise InvalidJobsFile([Problem(None, "jobs", 'a hermes store is {"jobs": [...]}', "check --format")], source)
    if fmt == "sidecar" and not isinstance(raw, list):
        raise InvalidJobsFile([Problem(None, "(root)", "a sidecar job list is a JSON array", "check --format")], source)
    reader = read_hermes if fmt == "hermes" else read_sidecar
    read = reader(raw, base_url)
    defaults = DefaultsIn(timezone=timezone or "UTC")
    return _resolve(read.jobs, defaults, fmt, False, read.problems, read.warnings, source, read.unscheduled)


def _load_native(raw: Any, timezone: str | None, base_url: str | None, source: str) -> JobSet:
    try:
        parsed = JobsFile.model_validate(raw)
    except ValidationError as exc:
        # Schema problems first; then the rule problems of every job that passed the schema,
        # so one run shows them all.
        problems = pydantic_problems(exc, raw)
        rest = schema_valid_part(raw, exc)
        if rest is None:
            raise InvalidJobsFile(problems, source) from exc
        defaults, items = rest
        _resolve(items, _with_flags(defaults, timezone, base_url), "native", False, problems, [], source)
        raise InvalidJobsFile(problems, source) from exc  # pragma: no cover - _resolve raised already
    items = [(job, False) for job in parsed.jobs]
    defaults = _with_flags(parsed.defaults, timezone, base_url)
    return _resolve(items, defaults, "native", parsed.allow_mass_delete, [], [], source)


def _with_flags(defaults: DefaultsIn, timezone: str | None, base_url: str | None) -> DefaultsIn:
    """The file's defaults completed by --timezone and --base-url where the file sets none."""
    if defaults.timezone is None and timezone:
        defaults = defaults.model_copy(update={"timezone": timezone})
    if base_url and (defaults.target is None or not (defaults.target.base_url or defaults.target.url)):
        target = (defaults.target or NO_TARGET).model_copy(update={"base_url": base_url})
        defaults = defaults.model_copy(update={"target": target})
    return defaults


def _resolve(
    items: list[tuple[JobIn, bool]],
    defaults: DefaultsIn,
    fmt: str,
    allow_mass_delete: bool,
    problems: list[Problem],
    warnings: list[tuple[str | None, str]],
    source: str,
    unscheduled: list[Problem] | None = None,
) -> JobSet:
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
    before = len(problems)
    tz = job.timezone or defaults.timezone or "UTC"
    phase: Phase = AUTO
    try:
        zone(tz)
    except ScheduleError as exc:
        problems.append(Problem(job.id, "timezone" if job.timezone else "defaults.timezone", exc.message, exc.fix))
    else:
        try:
            phase = _phase(job, parse_schedule(job.schedule, timezone=tz))
        except ScheduleError as exc:
            if fmt == "hermes":
                unscheduled.append(Problem(job.id, "schedule", exc.message, exc.fix))
                return None
            problems.append(Problem(job.id, exc.field, exc.message, exc.fix))
        _check_window(job, zone(tz), problems)
    target = resolve_target(job, defaults, problems, warnings)
    problems.extend(_id_and_date_problems(job))
    if job.start_at and job.end_at and _naive(job.end_at) <= _naive(job.start_at):
        problems.append(Problem(job.id, "end_at", "end_at is not after start_at", "move end_at later or remove it"))
    if len(problems) > before or target is None:
        return None
    retry = _retry_policy(job.retry or defaults.retry)
    return Job(
        id=job.id,
        schedule=job.schedule,
        timezone=tz,
        enabled=job.enabled,
        start_at=job.start_at,
        end_at=job.end_at,
        max_runs=job.max_runs,
        jitter=job.jitter if job.jitter is not None else (defaults.jitter or 0),
        overlap=job.overlap or defaults.overlap or "skip",
        delivery=job.delivery or defaults.delivery or "at-least-once",
        catch_up=job.catch_up or defaults.catch_up or "none",
        catch_up_window=job.catch_up_window or defaults.catch_up_window or 60,
        pause_after_failures=job.pause_after_failures,
        retry=retry,
        target=target,
        source=fmt,  # type: ignore[arg-type]
        description=job.description,
        done=done,
        phase=phase,
        fire_on_create=job.fire_on_create,
    )


def _id_and_date_problems(job: JobIn) -> list[Problem]:
    """A job id with control characters, and dates no schedule can reach."""
    out = []
    if _CONTROL.search(job.id):
        out.append(Problem(job.id, "id", "the job id contains a control character (CR, LF, tab, ...)", "remove it"))
    if job.start_at is None and job.end_at is None:
        return out
    for name in ("start_at", "end_at"):
        value = getattr(job, name)
        if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
            out.append(Problem(job.id, name, f"year {value.year} is outside {MIN_YEAR}..{MAX_YEAR}", "fix the date"))
    return out


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
            continue  # _id_and_date_problems reports it, before any zone arithmetic can overflow
        try:
            check_year((value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(UTC), name)
        except ScheduleError as exc:
            problems.append(Problem(job.id, name, exc.message, exc.fix))


def _naive(value):  # noqa: ANN001, ANN202 - compare wall times when one side lacks a zone
    return value.replace(tzinfo=None)
