"""Which fires a job should have had in a window, from the shared schedule engine.

The same engine as ``next``, ``plan`` and the local emulator, so DST gaps (skipped), fall-back
hours (fired once), ``start_at``/``end_at`` and rate anchors are judged exactly as EventBridge
fires them. A fire is *due* only once its grace has passed: the audit's grace plus the job's
jitter window, since a flexible window delays the invocation (not the scheduled time)::

    window start ........ fire ──── jitter ──── grace ──> due (judged by this audit)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cron_adapter.jobs.model import Job
from cron_adapter.ops.records import Marker, RunRecord
from cron_adapter.reconcile.dates import ceil_minute
from cron_adapter.schedule import engine, phase
from cron_adapter.schedule.grammar import parse_schedule

MAX_EXPECTED_PER_JOB = 1000  # bounds a every-1m job over a long window (16 h of fires)


@dataclass(frozen=True)
class Window:
    """The audited span: fires in ``[start, end)`` are judged; ``end`` is now minus the grace."""

    start: datetime
    end: datetime


def job_lookback(job: Job, lookback: timedelta) -> timedelta:
    """How far back one job is judged: its jitter shifts the whole window back, not only its end."""
    return lookback + timedelta(minutes=job.jitter)


def job_window(job: Job, now: datetime, lookback: timedelta, grace: timedelta) -> Window:
    """The window of one job: its jitter delays every fire, so it waits that much longer.

    Both ends move, so a jitter longer than lookback minus grace still leaves a window.
    """
    jitter = timedelta(minutes=job.jitter)
    return Window(now - job_lookback(job, lookback), now - grace - jitter)


def first_fire_bound(created: datetime, job: Job, grace: timedelta) -> datetime:
    """No fire of a schedule reconcile created at ``created`` comes before this instant.

    Reconcile holds a new schedule's first fire back by its create grace: the StartDate it
    sends is the first whole minute (or grid instant) at least ``grace`` after it planned,
    which is at or before ``created``. A job with ``fire_on_create`` is not held back.
    """
    if job.fire_on_create or not grace:
        return created
    return ceil_minute(created + grace)


def _aware(value: datetime | None, timezone: str) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone))


def expected_fires(
    job: Job,
    window: Window,
    *,
    anchor: datetime | None = None,
    live_since: datetime | None = None,
    marker: Marker | None = None,
    runs: int = 0,
    records: Sequence[RunRecord] = (),
) -> list[datetime]:
    """The UTC fire times in the window that EventBridge should have delivered.

    Nothing for a paused or finished job. ``live_since`` (the schedule's creation) clips the
    start; a marker (exhausted or paused) or a reached ``max_runs`` stops expectation after the
    job's last recorded run.
    """
    if job.done or not job.enabled or window.end <= window.start:
        return []
    schedule = parse_schedule(job.schedule, timezone=job.timezone)
    start = max(window.start, live_since) if live_since else window.start
    if schedule.one_shot:  # at(): StartDate/EndDate do not apply
        fires = engine.iter_fires(schedule, job.timezone, start, window.end)
    else:
        begin = _aware(job.start_at, job.timezone)
        end_at = _aware(job.end_at, job.timezone)
        lo = max(start, begin) if begin else start
        hi = min(window.end, end_at) if end_at else window.end  # EventBridge fires only before EndDate
        _, offset = phase.rate_grid(schedule, job.id, job.phase, begin)  # the grid reconcile put it on
        rate_anchor = begin or (phase.anchor(offset) if offset is not None else anchor)
        fires = engine.iter_fires(schedule, job.timezone, lo, hi, anchor=rate_anchor) if hi > lo else iter(())
    out = []
    for t in fires:
        out.append(t.astimezone(UTC))
        if len(out) >= MAX_EXPECTED_PER_JOB:
            break
    stopped = marker is not None or (job.max_runs is not None and runs >= job.max_runs)
    if stopped:
        last = max((r.scheduled for r in records if r.label is None), default=None)
        out = [t for t in out if last is not None and t <= last]
    return out
