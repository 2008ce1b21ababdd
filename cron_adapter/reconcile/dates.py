"""When a request can be sent: one-shot instants, passed start and end dates (pure).

EventBridge refuses a StartDate earlier than five minutes ago and never fires a recurring
schedule past its EndDate; a one-shot (``at()``) fires once at its wall time. The planner
asks these helpers what each desired request looks like ``now``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cron_adapter.fire.input import iso_utc
from cron_adapter.schedule.phase import next_aligned

if TYPE_CHECKING:
    from cron_adapter.reconcile.translate import ScheduleRequest

_AT = re.compile(r"at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)")


def at_time(request: Mapping[str, Any]) -> datetime | None:
    """The instant of a one-shot ``at()`` request, or None for a recurring one."""
    match = _AT.fullmatch(str(request.get("ScheduleExpression", "")))
    if not match:
        return None
    zone = ZoneInfo(str(request.get("ScheduleExpressionTimezone") or "UTC"))
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=zone)


def passed(request: Mapping[str, Any], now: datetime) -> bool:
    """True for a one-shot whose instant is at or before ``now``."""
    when = at_time(request)
    return when is not None and when <= now


def _utc(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def dated(want: ScheduleRequest, now: datetime, grace: float = 0.0) -> tuple[Mapping[str, Any] | None, str | None]:
    """The request as it can be sent ``now``, or None (with a warning) when it never fires again.

    EventBridge refuses a StartDate earlier than five minutes ago, so a start that has
    passed is replaced: a rate schedule gets the next instant of its phase grid (so an
    update keeps its phase), any other recurring schedule simply has started. ``grace``
    (seconds, for a schedule being created) holds the first fire back, unless the job sets
    ``fire_on_create``. A recurring schedule whose EndDate has passed would never fire: it
    is not written at all. One-shots keep their explicit time.
    https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
    """
    request = want.request
    end = _utc(request.get("EndDate"))
    if end is not None and end <= now:
        return None, f"job {want.job_id!r}: end_at {request['EndDate']} has passed; schedule {want.name!r} not written"
    if at_time(request) is not None:
        return request, None
    not_before = now + timedelta(seconds=0 if want.fire_on_create else grace)
    start = _utc(request.get("StartDate"))
    if start is not None and start > not_before:
        return request, None
    if want.phase is not None and want.period:  # on the grid (a start_at with seconds keeps them)
        first = next_aligned(want.phase, timedelta(seconds=want.period), not_before)
    elif not_before > now:
        first = ceil_minute(not_before)
    else:
        first = None
    request = {k: v for k, v in request.items() if k != "StartDate"}
    if first is not None:
        request["StartDate"] = iso_utc(first)
    return request, None


def ceil_minute(value: datetime) -> datetime:
    """``value`` rounded up to the next whole minute (unchanged on one)."""
    floor = value.replace(second=0, microsecond=0)
    return floor if floor == value else floor + timedelta(minutes=1)
