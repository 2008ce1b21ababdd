"""Why a schedule fires nothing more: a cron year field that has ended, or a job that can never fire again.

The jobs loader has no clock, so a recurring job whose cron lists only past years, such as
``cron(0 9 * * ? 2020)``, passes it. The CLI reads the clock, so ``validate`` and ``jobs add``
warn about such a job here, and ``next`` names the year field as the reason it lists nothing.
The fire times always come from the one engine (``engine.next_fires``); this module only
words why there are none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from cron_adapter.errors import CronAdapterError
from cron_adapter.schedule import engine
from cron_adapter.schedule.grammar import Schedule, parse_schedule

if TYPE_CHECKING:
    from cron_adapter.jobs.model import Job

FIX = "change the schedule's year field (e.g. to *) or the year, or remove the job"


def last_year(schedule: Schedule) -> int | None:
    """The last year a cron's year field allows, when it ends before EventBridge's last year (else None)."""
    if schedule.kind != "cron" or not schedule.crons or any(not f.years for f in schedule.crons):
        return None
    last = max(max(f.years or ()) for f in schedule.crons)
    return last if last < engine.LAST_YEAR else None


def year_end_note(schedule: Schedule, after: datetime, fires: Sequence[datetime]) -> str | None:
    """Why fewer fires than asked follow ``after`` (zoned) when the year field ended, else None."""
    last = last_year(schedule)
    if last is None:
        return None
    if fires:
        return f"its year field ends in {last}: nothing fires after that"
    if last < after.year:
        return f"the schedule's years are all in the past (its year field ends in {last})"
    return f"the schedule's fire times are all in the past (its year field ends in {last})"


def never_again(job: Job, now: datetime) -> str | None:
    """A warning for a recurring job whose cron year field has no fire time left after ``now``, else None.

    A one-shot whose time has passed and a job whose end_at has passed are over on purpose
    (the planner warns about those); a cron whose years are all past is most likely a
    mistake. Only a cron with a bounded year field can run out of fire times this way.
    """
    if job.done:
        return None
    try:
        schedule = parse_schedule(job.schedule, timezone=job.timezone)
    except CronAdapterError:  # the loader accepted it; nothing to add here
        return None
    if schedule.one_shot or last_year(schedule) is None:
        return None
    zone = engine.zone(job.timezone)
    end = job.end_at.replace(tzinfo=zone) if job.end_at and job.end_at.tzinfo is None else job.end_at
    if end is not None and end <= now:
        return None  # over on purpose: plan says "end_at has passed"
    local = now.astimezone(zone)
    if engine.next_fires(schedule, job.timezone, local, 1, start=job.start_at):
        return None
    why = year_end_note(schedule, local, [])
    return f"job {job.id!r}, field schedule: {job.schedule} can never fire again: {why}; fix: {FIX}"


def never_again_warnings(jobs: Sequence[Job], now: datetime) -> list[str]:
    """The warnings of ``never_again`` for every job that has one."""
    return [w for w in (never_again(job, now) for job in jobs) if w]
