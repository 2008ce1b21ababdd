"""hermes-agent's schedule semantics, read into our grammar (hermes-agent 0.19.0's ``cron/jobs.py``).

hermes evaluates its store with croniter and its own clock, so a faithful translation must:

- read a 6-field cron the croniter way, **seconds last** (``0 9 * * * 0`` is 09:00:00), and a
  7th field as the year. EventBridge fires on whole minutes and we take no year, so a
  non-zero seconds field or a year other than ``*`` leaves that one job unscheduled;
- anchor an interval at ``created_at + N`` (hermes's first run), not at our CreateSchedule;
- count ``repeat.completed``: a job with ``completed >= times`` is finished. hermes removes
  such a job itself and answers a later fire with ``gone``, so our own cap stays ``times``
  (a stable spec hash) and hermes's count decides the rest;
- fire an overdue one-shot however late (the planner schedules it for the next minute).

Pure: no I/O, no clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cron_adapter.errors import Problem
from cron_adapter.kinds import MAX_YEAR, MIN_YEAR
from cron_adapter.schedule.grammar import MAX_RATE_SECONDS

ZERO_SECONDS = ("0", "00")
_WHOLE_MINUTE = "EventBridge Scheduler fires on whole minutes"
MAX_INTERVAL_MINUTES = MAX_RATE_SECONDS // 60  # the longest every/rate() period we translate


def hermes_cron(job_id: str, expr: str) -> tuple[str | None, Problem | None]:
    """The 5-field cron for a hermes ``expr``, or why EventBridge cannot express it."""
    fields = expr.split()
    if len(fields) == 5:
        return " ".join(fields), None
    if len(fields) not in (6, 7):
        return None, Problem(
            job_id, "schedule.expr", f"{expr!r} has {len(fields)} fields", "use 5 fields: minute hour dom month dow"
        )
    seconds = fields[5]
    if seconds not in ZERO_SECONDS:
        return None, Problem(
            job_id,
            "schedule.expr",
            f"{expr!r} fires at second {seconds!r} of the minute (hermes reads the 6th field as seconds); "
            f"{_WHOLE_MINUTE}",
            "set the seconds field to 0 or drop it",
        )
    if len(fields) == 7 and fields[6] != "*":
        return None, Problem(
            job_id,
            "schedule.expr",
            f"{expr!r} has a year field {fields[6]!r}, which cron-adapter does not translate",
            "drop the year field, or use a one-shot schedule (an ISO time)",
        )
    return " ".join(fields[:5]), None


def interval_start(job_id: str, created_at: Any, minutes: int) -> tuple[datetime | None, Problem | None]:
    """hermes's first interval run, ``created_at + minutes`` (None when created_at is unreadable), or
    why the interval cannot be scheduled: a length EventBridge's rate() cannot take, or a first run
    outside the years a schedule can fire in."""
    if not 1 <= minutes <= MAX_INTERVAL_MINUTES:
        return None, Problem(
            job_id,
            "schedule",
            f"an interval must be 1 to {MAX_INTERVAL_MINUTES} minutes ({MAX_RATE_SECONDS // 86400} days)",
            "recreate the job with a shorter interval, or as a one-shot",
        )
    if not isinstance(created_at, str):
        return None, None
    try:
        start = datetime.fromisoformat(created_at) + timedelta(minutes=minutes)
    except ValueError:
        return None, None  # unreadable: the interval counts from its schedule's creation
    except OverflowError:
        start = None
    if start is None or not MIN_YEAR <= start.year <= MAX_YEAR:
        return None, Problem(
            job_id,
            "created_at",
            f"the first run, created_at {created_at[:40]!r} + {minutes} minutes, is outside the years "
            f"{MIN_YEAR}-{MAX_YEAR}",
            "recreate the job (hermes writes created_at as the current time)",
        )
    return start, None


def repeat_of(item: dict[str, Any]) -> tuple[int | None, bool]:
    """(``times`` as our max_runs, whether ``completed`` already reached it)."""
    repeat = item.get("repeat")
    if not isinstance(repeat, dict):
        return None, False
    times, completed = repeat.get("times"), repeat.get("completed")
    if not isinstance(times, int) or isinstance(times, bool) or times <= 0:
        return None, False
    done = isinstance(completed, int) and not isinstance(completed, bool) and completed >= times
    return times, done
