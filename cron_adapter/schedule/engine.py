"""The one next-fire-time engine: ``next``, ``plan``, the auditor and the local emulator use it.

croniter walks *naive wall-clock* times; this module then places each wall time in the
job's zone the way EventBridge Scheduler does, which differs from croniter's own tz mode:

    spring forward (Europe/Berlin 2027-03-28)   fall back (2027-10-31)
    01:59 CET -> 03:00 CEST                     02:59 CEST -> 02:00 CET
    02:30 does not exist: skipped               02:30 happens twice: fires once, the first time
    (croniter would fire at 03:00)              (croniter would fire twice)

https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst — rate(N days) is
24-hour steps, so its wall-clock time drifts by the DST shift.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cron_adapter.schedule.dst import DstNote, dst_notes
from cron_adapter.schedule.wallclock import can_fire, check_timezone, localize, wall_times, zone

if TYPE_CHECKING:
    from cron_adapter.schedule.grammar import Schedule

# The last year EventBridge Scheduler can fire in (its cron year field is 1970-2199).
LAST_YEAR = 2199

__all__ = [
    "LAST_YEAR",
    "DstNote",
    "can_fire",
    "check_timezone",
    "dst_notes",
    "iter_fires",
    "localize",
    "next_fires",
    "zone",
]


def _aware(value: datetime, tz: ZoneInfo) -> datetime:
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def _instants(schedule: Schedule, tz: ZoneInfo, lower: datetime, anchor: datetime) -> Iterator[datetime]:
    """Fire instants (UTC) at or after ``lower``, ascending, possibly a few before it."""
    if schedule.kind == "at":
        instant = localize(schedule.at, tz) if schedule.at else None
        yield from [instant] if instant else []
    elif schedule.kind == "rate":
        # Rate fires at anchor + k * period by elapsed time (anchor: StartDate or creation).
        assert schedule.period is not None
        base = anchor.astimezone(UTC).replace(second=0, microsecond=0)
        k = max(0, (lower.astimezone(UTC) - base) // schedule.period)
        while True:
            yield base + k * schedule.period
            k += 1
    else:
        # Start early enough that a fall-back hour's first occurrence is not missed.
        begin = lower.astimezone(tz).replace(tzinfo=None) - timedelta(hours=3)
        for wall in wall_times(schedule.crons, begin):
            instant = localize(wall, tz)
            if instant is not None:
                yield instant


def _fires(schedule: Schedule, tz: ZoneInfo, lower: datetime, inclusive: bool, anchor: datetime) -> Iterator[datetime]:
    lower = lower.astimezone(UTC)
    if lower.astimezone(tz).year > LAST_YEAR:
        return
    for instant in _instants(schedule, tz, lower, anchor):
        local = instant.astimezone(tz)
        if local.year > LAST_YEAR:
            return  # EventBridge's year field ends at 2199: nothing fires after it
        if instant > lower or (inclusive and instant == lower):
            yield local


def next_fires(
    schedule: Schedule,
    timezone: str,
    after: datetime,
    n: int,
    *,
    anchor: datetime | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[datetime]:
    """The next n fire times strictly after `after`, tz-aware in `timezone`, exactly as EventBridge fires them."""
    tz = zone(timezone)
    after = _aware(after, tz)
    start = _aware(start, tz) if start else None
    lower, inclusive = (start, True) if start and start > after else (after, False)
    fires = _fires(schedule, tz, lower, inclusive, _aware(anchor, tz) if anchor else start or after)
    if end is not None:
        end = _aware(end, tz)  # EndDate: EventBridge fires only before it
        fires = _until(fires, end)
    return list(islice(fires, max(n, 0)))


def _until(fires: Iterator[datetime], end: datetime) -> Iterator[datetime]:
    for t in fires:
        if t >= end:
            return
        yield t


def iter_fires(
    schedule: Schedule, timezone: str, start: datetime, end: datetime, *, anchor: datetime | None = None
) -> Iterator[datetime]:
    """Every fire time in [start, end)."""
    tz = zone(timezone)
    start, end = _aware(start, tz), _aware(end, tz)
    return _until(_fires(schedule, tz, start, True, _aware(anchor, tz) if anchor else start), end)
