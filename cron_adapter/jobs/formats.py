"""Read the job stores of real clients, as they are, into native ``JobIn`` values.

- hermes-agent's ``jobs.json`` (``{"jobs": [...]}``): ``schedule.kind`` cron / interval /
  once, ``repeat.times``/``completed``, ``enabled: false`` or ``state: paused`` = paused,
  ``state: completed`` = done; no per-job timezone (the store's zone comes with the upload).
  Target: the store's fire webhook. Time semantics: :mod:`cron_adapter.jobs.hermes`.
- a sidecar job list: ``[{"name", "schedule", "endpoint", "method", "timeout"}]``.

Each reader returns a :class:`Read` and never raises on bad input.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from pydantic import ValidationError

from cron_adapter.constants import HERMES_FIRE_PATH
from cron_adapter.errors import Problem
from cron_adapter.jobs.hermes import hermes_cron, interval_start, repeat_of
from cron_adapter.jobs.model import JobIn

SIDECAR_KEYS = {"name", "schedule", "endpoint", "method", "timeout"}
HERMES_KINDS = {"cron", "interval", "once"}

Sched = tuple[str, datetime | None] | None


class Read(NamedTuple):
    """What a reader found: jobs with their done flag, problems (refuse the file), warnings, and
    jobs left unscheduled (hermes only: accepted by hermes, inexpressible in EventBridge)."""

    jobs: list[tuple[JobIn, bool]]
    problems: list[Problem]
    warnings: list[tuple[str | None, str]]
    unscheduled: list[Problem]


def detect(raw: Any) -> str | None:
    """Guess the format of parsed JSON: native, hermes, sidecar, or None."""
    if isinstance(raw, list):
        return "sidecar"
    if isinstance(raw, dict) and "version" in raw:
        return "native"
    if isinstance(raw, dict) and isinstance(raw.get("jobs"), list):
        return "hermes"
    return None


def _hermes_schedule(job_id: str, item: dict[str, Any], problems: list[Problem], unscheduled: list[Problem]) -> Sched:
    """(schedule text, interval anchor) of one hermes job, or None after noting why not."""
    sched = item.get("schedule")
    if not isinstance(sched, dict) or sched.get("kind") not in HERMES_KINDS:
        problems.append(
            Problem(
                job_id,
                "schedule.kind",
                "must be one of cron, interval, once",
                'write {"kind": "cron", "expr": "0 9 * * *"}',
            )
        )
        return None
    kind = sched["kind"]
    if kind == "cron":
        expr = sched.get("expr")
        if not isinstance(expr, str) or not expr.strip():
            problems.append(
                Problem(job_id, "schedule.expr", "a cron schedule needs a non-empty expr", 'e.g. "expr": "0 9 * * 1-5"')
            )
            return None
        text, why = hermes_cron(job_id, expr)
        if why:
            unscheduled.append(why)  # hermes accepts it; EventBridge cannot: this job only is skipped
            return None
        return text or "", None
    if kind == "interval":
        minutes = sched.get("minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool):
            problems.append(
                Problem(job_id, "schedule.minutes", "an interval needs whole minutes", 'e.g. "minutes": 30')
            )
            return None
        return f"every {minutes}m", interval_start(item.get("created_at"), minutes)
    run_at = sched.get("run_at")
    if not isinstance(run_at, str) or not run_at.strip():
        problems.append(
            Problem(
                job_id, "schedule.run_at", "a once schedule needs run_at", 'e.g. "run_at": "2026-12-24T09:00:00+00:00"'
            )
        )
        return None
    return run_at, None


def read_hermes(raw: dict[str, Any], base_url: str | None) -> Read:
    """Convert a hermes-agent store; returns (jobs with their done flag, problems, warnings, unscheduled)."""
    jobs: list[tuple[JobIn, bool]] = []
    problems: list[Problem] = []
    unscheduled: list[Problem] = []
    if not base_url:
        problems.append(
            Problem(
                None,
                "base_url",
                "a hermes store needs the agent's base URL for its fire webhook",
                "pass --base-url https://agent.example.com or set API_URL",
            )
        )
    for index, item in enumerate(raw["jobs"]):
        job_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(job_id, str) or not job_id:
            problems.append(
                Problem(f"#{index}", "id", "every hermes job needs a string id", "recreate the job with hermes")
            )
            continue
        problem = _hermes_fields(job_id, item)
        if problem:
            problems.append(problem)
            continue
        read = _hermes_schedule(job_id, item, problems, unscheduled)
        if read is None:
            continue
        text, start = read
        times, finished = repeat_of(item)
        paused = item.get("enabled") is False or item.get("state") == "paused"
        fields = {
            "id": job_id,
            "schedule": text,
            "description": item.get("name"),
            "enabled": not paused,
            "start_at": start,
            "max_runs": times,
            # hermes's /api/cron/fire accepts only a signed JWT (its chronos verifier)
            "target": {
                "url": (base_url or "https://invalid.example").rstrip("/") + HERMES_FIRE_PATH,
                "method": "POST",
                "auth": "jwt",
            },
        }
        job, problem = _job_in(job_id, fields, {"description": "name", "max_runs": "repeat.times"})
        if job is None:
            problems.append(problem)  # type: ignore[arg-type]
            continue
        jobs.append((job, finished or item.get("state") == "completed"))
    return Read(jobs, problems, [], unscheduled)


def _hermes_fields(job_id: str, item: dict[str, Any]) -> Problem | None:
    """The shapes hermes writes; anything else is refused here, not crashed on later."""
    if item.get("repeat") is not None and not isinstance(item["repeat"], dict):
        return Problem(job_id, "repeat", "must be an object or null", 'e.g. "repeat": {"times": 3}')
    if item.get("name") is not None and not isinstance(item["name"], str):
        return Problem(job_id, "name", "must be a string", 'e.g. "name": "morning digest"')
    return None


def _job_in(job_id: str, fields: dict[str, Any], names: dict[str, str]) -> tuple[JobIn | None, Problem | None]:
    """Build one JobIn; a refusal names the field as the source file spells it (``names``)."""
    try:
        return JobIn(**fields), None
    except ValidationError as exc:
        first = exc.errors()[0]
        dotted = ".".join(str(p) for p in first["loc"])
        field = names.get(dotted, dotted)
        return None, Problem(job_id, field, first["msg"], "see `cron-adapter schema` for the allowed values")


def read_sidecar(raw: list[Any], base_url: str | None) -> Read:
    """Convert a sidecar job list; ``timeout`` is in seconds, URL = base URL + endpoint."""
    jobs: list[tuple[JobIn, bool]] = []
    problems: list[Problem] = []
    warnings: list[tuple[str | None, str]] = []
    if not base_url:
        problems.append(
            Problem(
                None,
                "base_url",
                "a sidecar job list needs the app's base URL",
                "pass --base-url https://app.example.com or set API_URL",
            )
        )
    for index, item in enumerate(raw):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name:
            problems.append(
                Problem(f"#{index}", "name", "every sidecar job needs a string name", 'add "name": "data-refresh"')
            )
            continue
        for key in ("schedule", "endpoint"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                problems.append(Problem(name, key, f"{key} is required and must be a string", f'add "{key}"'))
        extra = sorted(set(item) - SIDECAR_KEYS)
        if extra:
            warnings.append((name, f"ignored unknown sidecar keys {extra}"))
        if any(p.job_id == name for p in problems):
            continue
        endpoint = item["endpoint"] if item["endpoint"].startswith("/") else "/" + item["endpoint"]
        target: dict[str, Any] = {"url": (base_url or "https://invalid.example").rstrip("/") + endpoint}
        if item.get("method") is not None:
            target["method"] = str(item["method"]).upper()
        if item.get("timeout") is not None:
            target["timeout"] = item["timeout"]
        fields = {"id": name, "schedule": item["schedule"], "target": target}
        job, problem = _job_in(name, fields, _SIDECAR_NAMES)
        if job is None:
            problems.append(problem)  # type: ignore[arg-type]
            continue
        jobs.append((job, False))
    return Read(jobs, problems, warnings, [])


_SIDECAR_NAMES = {"id": "name", "target.method": "method", "target.timeout": "timeout", "target.url": "endpoint"}
