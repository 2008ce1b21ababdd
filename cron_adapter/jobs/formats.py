"""Read the job stores of real clients, as they are, into native ``JobIn`` values.

- hermes-agent's ``jobs.json`` (``{"jobs": [...]}``): ``schedule.kind`` cron / interval /
  once, ``repeat.times``, ``enabled: false`` or ``state: paused`` = paused,
  ``state: completed`` = done; no per-job timezone. Target: the store's fire webhook.
- a sidecar job list: ``[{"name", "schedule", "endpoint", "method", "timeout"}]``.

Each reader returns ``(jobs, problems, warnings)`` and never raises on bad input.
"""

from __future__ import annotations

from typing import Any

from cron_adapter.constants import HERMES_FIRE_PATH
from cron_adapter.errors import Problem
from cron_adapter.jobs.model import JobIn

SIDECAR_KEYS = {"name", "schedule", "endpoint", "method", "timeout"}
HERMES_KINDS = {"cron", "interval", "once"}

Read = tuple[list[tuple[JobIn, bool]], list[Problem], list[tuple[str | None, str]]]


def detect(raw: Any) -> str | None:
    """Guess the format of parsed JSON: native, hermes, sidecar, or None."""
    if isinstance(raw, list):
        return "sidecar"
    if isinstance(raw, dict) and "version" in raw:
        return "native"
    if isinstance(raw, dict) and isinstance(raw.get("jobs"), list):
        return "hermes"
    return None


def _hermes_schedule(job_id: str, sched: Any) -> tuple[str | None, Problem | None]:
    if not isinstance(sched, dict) or sched.get("kind") not in HERMES_KINDS:
        return None, Problem(
            job_id,
            "schedule.kind",
            "must be one of cron, interval, once",
            'write {"kind": "cron", "expr": "0 9 * * *"}',
        )
    kind = sched["kind"]
    if kind == "cron":
        expr = sched.get("expr")
        if not isinstance(expr, str) or not expr.strip():
            return None, Problem(
                job_id, "schedule.expr", "a cron schedule needs a non-empty expr", 'e.g. "expr": "0 9 * * 1-5"'
            )
        return expr, None
    if kind == "interval":
        minutes = sched.get("minutes")
        if not isinstance(minutes, int) or isinstance(minutes, bool):
            return None, Problem(job_id, "schedule.minutes", "an interval needs whole minutes", 'e.g. "minutes": 30')
        return f"every {minutes}m", None
    run_at = sched.get("run_at")
    if not isinstance(run_at, str) or not run_at.strip():
        return None, Problem(
            job_id, "schedule.run_at", "a once schedule needs run_at", 'e.g. "run_at": "2026-12-24T09:00:00+00:00"'
        )
    return run_at, None


def read_hermes(raw: dict[str, Any], base_url: str | None) -> Read:
    """Convert a hermes-agent store; returns (jobs with their done flag, problems, warnings)."""
    jobs: list[tuple[JobIn, bool]] = []
    problems: list[Problem] = []
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
        text, problem = _hermes_schedule(job_id, item.get("schedule"))
        if problem:
            problems.append(problem)
            continue
        times = (item.get("repeat") or {}).get("times")
        paused = item.get("enabled") is False or item.get("state") == "paused"
        job = JobIn(
            id=job_id,
            schedule=text or "",
            description=item.get("name"),
            enabled=not paused,
            max_runs=times if isinstance(times, int) and times > 0 else None,
            target={"url": (base_url or "https://invalid.example").rstrip("/") + HERMES_FIRE_PATH, "method": "POST"},
        )
        jobs.append((job, item.get("state") == "completed"))
    return jobs, problems, []


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
        try:
            jobs.append((JobIn(id=name, schedule=item["schedule"], target=target), False))
        except ValueError as exc:  # pydantic ValidationError is a ValueError
            problems.append(
                Problem(
                    name, "method/timeout", _first_error(exc), "use GET/POST/PUT/PATCH/DELETE and a positive timeout"
                )
            )
    return jobs, problems, warnings


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)
