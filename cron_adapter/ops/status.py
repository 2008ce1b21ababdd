"""One ``status`` line per job: next fire, last outcome, failure streak, paused, AWS state.

Pure: the CLI reads the table and the group (a Query per job plus two for the deployment)
and passes plain values here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from cron_adapter.errors import CronAdapterError
from cron_adapter.fire.input import iso_utc
from cron_adapter.jobs.model import Job
from cron_adapter.ops.ports import Listed
from cron_adapter.ops.records import JobState, Marker, RunRecord
from cron_adapter.ops.streak import failure_streak
from cron_adapter.schedule import engine
from cron_adapter.schedule.grammar import parse_schedule
from cron_adapter.schedule.names import schedule_name


@dataclass(frozen=True)
class StatusLine:
    """What ``status`` shows for one job."""

    job_id: str
    schedule: str
    next_fire: str | None
    last_run: str | None
    last_status: str | None
    streak: int
    paused: str  # "" running | "jobs file" | "after failures" | "done: <reason>"
    aws: str  # "ok" | "missing" | "disabled outside the adapter" | "changed outside the adapter"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def schedule_names(job: Job) -> tuple[str, ...]:
    """The job's schedule names (a split cron has two), without building requests."""
    parts = parse_schedule(job.schedule, timezone=job.timezone).eventbridge()
    return tuple(schedule_name(job.id, p.suffix) for p in parts) if len(parts) > 1 else (schedule_name(job.id),)


def _paused(job: Job, marker: Marker | None) -> str:
    if job.done:
        return "done: completed"
    if marker is not None:
        return "after failures" if marker.paused else f"done: {marker.reason}"
    return "" if job.enabled else "jobs file"


def _aws(job: Job, marker: Marker | None, listed: Mapping[str, Listed], ledger: Mapping[str, str | None]) -> str:
    if job.done or (marker is not None and not marker.paused):
        return "ok"  # a finished job's schedules are deleted on purpose
    for name in schedule_names(job):
        seen = listed.get(name)
        if seen is None:
            return "missing" if name in ledger else "not deployed"
        if seen.state == "DISABLED" and job.enabled and marker is None:
            return "disabled outside the adapter"
        if name in ledger and ledger[name] is not None and ledger[name] != seen.modified:
            return "changed outside the adapter"
    return "ok"


def _next(job: Job, paused: str, now: datetime) -> str | None:
    if paused:
        return None
    try:
        schedule = parse_schedule(job.schedule, timezone=job.timezone)
        fires = engine.next_fires(schedule, job.timezone, now, 1, start=job.start_at, end=job.end_at)
    except CronAdapterError:
        return None
    return iso_utc(fires[0]) if fires else None


def status_line(
    job: Job,
    recent: Sequence[RunRecord],
    state: JobState,
    marker: Marker | None,
    listed: Mapping[str, Listed],
    ledger: Mapping[str, str | None],
    now: datetime,
) -> StatusLine:
    """The status of one job; ``recent`` newest first, ``ledger`` name -> last_modified."""
    paused = _paused(job, marker)
    last = recent[0] if recent else None
    return StatusLine(
        job.id,
        job.schedule,
        _next(job, paused, now.astimezone(UTC)),
        last.run if last else None,
        last.status if last else None,
        failure_streak(recent, state.streak_from),
        paused,
        _aws(job, marker, listed, ledger),
    )
