"""Wall-clock time: IANA zones, croniter's naive wall times, and EventBridge's DST placement.

A wall time is placed in its zone as EventBridge Scheduler does: a time inside a
spring-forward gap does not exist and is skipped; a time inside a fall-back overlap fires
once, at its first occurrence (https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst).
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadDateError, CroniterError, croniter

from cron_adapter.errors import ScheduleError

if TYPE_CHECKING:
    from cron_adapter.schedule.eventbridge import CroniterForm

# Long enough for Feb 29 (twice, even across 2100) and any 5th weekday of a month.
HORIZON_YEARS = 8
# The longest IANA name is 32 characters (America/Argentina/ComodRivadavia); allow room.
MAX_ZONE_NAME = 64


def check_timezone(name: str) -> None:
    """Raise ScheduleError(field="timezone") unless ``name`` is a known IANA timezone."""
    zone(name)


@functools.lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name, or ScheduleError(field="timezone")."""
    try:
        if len(name) > MAX_ZONE_NAME:
            raise ValueError("too long")
        return ZoneInfo(name)
    # OSError: a directory of the zone database ("Europe") or a name too long for the file system.
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        shown = repr(name) if len(str(name)) <= MAX_ZONE_NAME else f"{name[:20]!r}... ({len(name)} characters)"
        raise ScheduleError(
            f"unknown timezone {shown}", fix="use an IANA name such as Europe/Berlin or UTC", field="timezone"
        ) from None


def localize(wall: datetime, tz: ZoneInfo) -> datetime | None:
    """The instant EventBridge fires ``wall``: None in a spring-forward gap, else its first occurrence."""
    aware = wall.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall.replace(fold=0):
        return None
    return aware.astimezone(UTC)


def _walls(form: CroniterForm, begin: datetime) -> Iterator[datetime]:
    """Naive wall times of one croniter expression strictly after ``begin``."""
    it = croniter(form.expr, begin, max_years_between_matches=HORIZON_YEARS)
    while True:
        try:
            wall = it.get_next(datetime)
        except CroniterBadDateError:
            return
        if form.years is None or wall.year in form.years:
            yield wall
            continue
        later = [y for y in form.years if y > wall.year]
        if not later:
            return
        it = croniter(
            form.expr, datetime(min(later), 1, 1) - timedelta(minutes=1), max_years_between_matches=HORIZON_YEARS
        )


def wall_times(forms: Iterable[CroniterForm], begin: datetime) -> Iterator[datetime]:
    """The union of several expressions' wall times after ``begin``, in order, each once."""
    last = None
    for wall in heapq.merge(*(_walls(f, begin) for f in forms)):
        if wall != last:
            yield wall
        last = wall


@functools.lru_cache(maxsize=4096)
def can_fire(form: CroniterForm) -> bool:
    """Whether the expression fires at all within its years (or the next HORIZON_YEARS)."""
    first_year = min(form.years) if form.years else 2024
    try:
        return next(_walls(form, datetime(first_year, 1, 1) - timedelta(minutes=1)), None) is not None
    except (CroniterError, ValueError, KeyError) as exc:
        raise ScheduleError(f"cannot evaluate cron {form.expr!r}: {exc}", fix="check the cron fields") from None
