"""Load and validate a jobs file of any supported format into a ``JobSet``.

Every problem in the file is collected and reported together (job, field, fix); a file
with any problem is refused whole, so nothing from it can be applied.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cron_adapter._gc import paused_gc
from cron_adapter.errors import InvalidJobsFile, Problem, ScheduleError
from cron_adapter.jobs.formats import detect
from cron_adapter.jobs.hermes_store import read_hermes
from cron_adapter.jobs.model import DefaultsIn, JobSet, JobsFile
from cron_adapter.jobs.rawjson import check_job_count, parse_json
from cron_adapter.jobs.resolve import resolve_jobs
from cron_adapter.jobs.schema_problems import pydantic_problems, schema_valid_part
from cron_adapter.jobs.sidecar import read_sidecar
from cron_adapter.jobs.target_rules import NO_TARGET
from cron_adapter.jobs.urls import check_target_url
from cron_adapter.schedule.wallclock import zone

FORMATS = ("native", "hermes", "sidecar")


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
    listed = raw if isinstance(raw, list) else raw.get("jobs") if isinstance(raw, dict) else None
    if isinstance(listed, list | dict):  # before any model sees them: 100k is the measured scale
        check_job_count(len(listed), source)
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
    return resolve_jobs(read.jobs, defaults, fmt, False, read.problems, read.warnings, source, read.unscheduled)


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
        resolve_jobs(items, _with_flags(defaults, timezone, base_url), "native", False, problems, [], source)
        raise InvalidJobsFile(problems, source) from exc  # pragma: no cover - resolve_jobs raised already
    items = [(job, False) for job in parsed.jobs]
    defaults = _with_flags(parsed.defaults, timezone, base_url)
    return resolve_jobs(items, defaults, "native", parsed.allow_mass_delete, [], [], source)


def _with_flags(defaults: DefaultsIn, timezone: str | None, base_url: str | None) -> DefaultsIn:
    """The file's defaults completed by --timezone and --base-url where the file sets none."""
    if defaults.timezone is None and timezone:
        defaults = defaults.model_copy(update={"timezone": timezone})
    if base_url and (defaults.target is None or not (defaults.target.base_url or defaults.target.url)):
        target = (defaults.target or NO_TARGET).model_copy(update={"base_url": base_url})
        defaults = defaults.model_copy(update={"target": target})
    return defaults
