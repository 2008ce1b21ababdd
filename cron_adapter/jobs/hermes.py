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

ZERO_SECONDS = ("0", "00")
_WHOLE_MINUTE = "EventBridge Scheduler fires on whole minutes"


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


def interval_start(created_at: Any, minutes: int) -> datetime | None:
    """hermes's first interval run: ``created_at + minutes`` (None when created_at is unreadable)."""
    if not isinstance(created_at, str):
        return None
    try:
        created = datetime.fromisoformat(created_at)
    except ValueError:
        return None
    return created + timedelta(minutes=minutes)


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
