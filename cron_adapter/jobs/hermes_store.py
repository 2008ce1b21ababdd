"""Read a hermes-agent store (its ``jobs.json``, ``{"jobs": [...]}``), as it is, into native ``JobIn`` values.

``schedule.kind`` cron / interval / once, ``repeat.times``/``completed``, ``enabled: false``
or ``state: paused`` = paused, ``state: completed`` = done; no per-job timezone (the store's
zone comes with the upload). Target: the store's fire webhook. Time semantics:
:mod:`cron_adapter.jobs.hermes`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cron_adapter.constants import HERMES_FIRE_PATH
from cron_adapter.errors import Problem
from cron_adapter.jobs.formats import Read, base_root, job_in
from cron_adapter.jobs.hermes import hermes_cron, interval_start, repeat_of
from cron_adapter.jobs.model import JobIn

HERMES_KINDS = {"cron", "interval", "once"}

Sched = tuple[str, datetime | None] | None


def read_hermes(raw: dict[str, Any], base_url: str | None) -> Read:
    """Convert a hermes-agent store; returns (jobs with their done flag, problems, warnings, unscheduled)."""
    jobs: list[tuple[JobIn, bool]] = []
    problems: list[Problem] = []
    unscheduled: list[Problem] = []
    needs = "a hermes store needs the agent's base URL for its fire webhook"
    url = base_root(base_url, needs, "https://agent.example.com", problems) + HERMES_FIRE_PATH
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
        job, problem = _hermes_job(job_id, item, read, url)
        if job is None:
            # A schedule or first run our model refuses (e.g. too long) leaves this job out, like any other.
            sink = unscheduled if problem and problem.field in ("schedule", "start_at") else problems
            sink.append(problem)  # type: ignore[arg-type]
            continue
        jobs.append(job)
    return Read(jobs, problems, [], unscheduled)


def _hermes_fields(job_id: str, item: dict[str, Any]) -> Problem | None:
    """The shapes hermes writes; anything else is refused here, not crashed on later."""
    if item.get("repeat") is not None and not isinstance(item["repeat"], dict):
        return Problem(job_id, "repeat", "must be an object or null", 'e.g. "repeat": {"times": 3}')
    if item.get("name") is not None and not isinstance(item["name"], str):
        return Problem(job_id, "name", "must be a string", 'e.g. "name": "morning digest"')
    return None


def _hermes_job(
    job_id: str, item: dict[str, Any], sched: tuple[str, datetime | None], url: str
) -> tuple[tuple[JobIn, bool] | None, Problem | None]:
    """One hermes job as (a JobIn with its done flag, None), or (None, why not)."""
    text, start = sched
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
        "target": {"url": url, "method": "POST", "auth": "jwt"},
    }
    job, problem = job_in(job_id, fields, {"description": "name", "max_runs": "repeat.times"})
    if job is None:
        return None, problem
    return (job, finished or item.get("state") == "completed"), None


def _hermes_schedule(job_id: str, item: dict[str, Any], problems: list[Problem], unscheduled: list[Problem]) -> Sched:
    """(schedule text, interval anchor) of one hermes job, or None after noting why not."""
    sched = item.get("schedule")
    kind = sched.get("kind") if isinstance(sched, dict) else None
    if not isinstance(sched, dict) or not isinstance(kind, str) or kind not in HERMES_KINDS:  # [] is unhashable
        problems.append(
            Problem(
                job_id,
                "schedule.kind",
                "must be one of cron, interval, once",
                'write {"kind": "cron", "expr": "0 9 * * *"}',
            )
        )
        return None
    if kind == "cron":
        return _cron(job_id, sched, problems, unscheduled)
    if kind == "interval":
        return _interval(job_id, sched, item.get("created_at"), problems, unscheduled)
    return _once(job_id, sched, problems)


def _cron(job_id: str, sched: dict[str, Any], problems: list[Problem], unscheduled: list[Problem]) -> Sched:
    """A ``cron`` schedule: its expr as our 5-field cron."""
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


def _interval(
    job_id: str, sched: dict[str, Any], created_at: Any, problems: list[Problem], unscheduled: list[Problem]
) -> Sched:
    """An ``interval`` schedule: every N minutes, anchored where hermes runs it first."""
    minutes = sched.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        problems.append(Problem(job_id, "schedule.minutes", "an interval needs whole minutes", 'e.g. "minutes": 30'))
        return None
    start, why = interval_start(job_id, created_at, minutes)
    if why:
        unscheduled.append(why)  # hermes runs it; we cannot translate it: this job only is skipped
        return None
    return f"every {minutes}m", start


def _once(job_id: str, sched: dict[str, Any], problems: list[Problem]) -> Sched:
    """A ``once`` schedule: its run_at as a one-shot."""
    run_at = sched.get("run_at")
    if not isinstance(run_at, str) or not run_at.strip():
        problems.append(
            Problem(
                job_id, "schedule.run_at", "a once schedule needs run_at", 'e.g. "run_at": "2026-12-24T09:00:00+00:00"'
            )
        )
        return None
    return run_at, None
