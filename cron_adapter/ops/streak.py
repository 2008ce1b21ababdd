"""Failure streaks: N consecutive failed runs pause a job (``pause_after_failures``).

Counted newest first over the job's finished runs: ``failed`` adds one; a success or an
accepted run ends the streak; runs still in flight, skipped by the overlap policy or queued
neither add nor end it. Runs at or before the job's ``streak_from`` (set when the job was
paused) no longer count, so after ``resume`` the streak starts again from zero.
"""

from __future__ import annotations

from collections.abc import Iterable

from cron_adapter.jobs.model import Job
from cron_adapter.ops.records import FAILED, Marker, RunRecord

NEUTRAL = frozenset({"claimed", "queued", "skipped"})


def failure_streak(newest_first: Iterable[RunRecord], streak_from: str | None = None) -> int:
    """Consecutive failed runs, newest first, since ``streak_from``."""
    count = 0
    for record in newest_first:
        if streak_from is not None and record.run <= streak_from:
            break
        if record.status in NEUTRAL:
            continue
        if record.status != FAILED:
            break
        count += 1
    return count


def should_pause(job: Job, streak: int, marker: Marker | None) -> bool:
    """True once the streak reaches the job's ``pause_after_failures`` (and it is not stopped already)."""
    limit = job.pause_after_failures
    return limit is not None and marker is None and job.enabled and streak >= limit
