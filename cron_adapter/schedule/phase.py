"""Phase offsets: spread recurring ``rate()`` schedules across their period, deterministically.

A ``rate()`` schedule fires at StartDate + k x period. Created without a StartDate, every
``every 15m`` job of one reconcile starts in the same second and fires in the same minute
forever. So each rate schedule gets an offset within its period, taken from a hash of its
job id (or set by the job's ``phase``), and reconcile sends the next instant on that grid
as StartDate::

    period 15 min, offset 7 min:   ..., 10:07, 10:22, 10:37, ...   (grid = epoch + 7m + k x 15m)
    reconcile at 10:30 -> StartDate 10:37 (EventBridge refuses one more than 5 minutes past)

The offset, not the date, is part of the spec hash, so a later reconcile computes the same
grid and writes nothing. Offsets are whole minutes: EventBridge's resolution is a minute.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cron_adapter.errors import ScheduleError
from cron_adapter.schedule.names import id_digest

if TYPE_CHECKING:
    from cron_adapter.schedule.grammar import Schedule

AUTO = "auto"  # offset from a hash of the job id (the default)
CREATION = "creation"  # no offset: the schedule counts from its creation (``phase: 0``)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DURATION = re.compile(r"(?:(\d{1,4})h)?\s*(?:(\d{1,5})m)?", re.IGNORECASE)

Phase = int | str  # seconds, AUTO or CREATION


def parse_phase(value: object) -> Phase:
    """A job's ``phase`` as written: None (auto), ``0`` (creation) or a duration like ``"7m"``."""
    if value is None:
        return AUTO
    if value == 0 and not isinstance(value, bool):
        return CREATION
    match = _DURATION.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None or not any(match.groups()):
        raise ScheduleError(
            f"phase {value!r} is not a duration",
            fix='write minutes or hours such as "7m" or "1h30m", or 0 to count from creation',
            field="phase",
        )
    hours, minutes = (int(g) if g else 0 for g in match.groups())
    return (hours * 60 + minutes) * 60


def offset_seconds(job_id: str, period: timedelta, phase: Phase) -> int | None:
    """The schedule's offset within its period (whole minutes), or None to count from creation."""
    if phase == CREATION:
        return None
    minutes = max(1, int(period.total_seconds()) // 60)
    if phase == AUTO:
        return (int.from_bytes(id_digest(job_id)[:8], "big") % minutes) * 60
    assert isinstance(phase, int)
    if phase >= minutes * 60:
        raise ScheduleError(
            f"phase {phase // 60}m is not shorter than the schedule's period of {minutes}m",
            fix=f"use a phase below {minutes}m",
            field="phase",
        )
    return phase


def rate_grid(schedule: Schedule, job_id: str, phase: Phase, start_at: datetime | None) -> tuple[int, int | None]:
    """(period, offset) in seconds of a rate schedule, (0, None) for any other; start_at is its own anchor."""
    if schedule.kind != "rate" or schedule.period is None:
        return 0, None
    period = int(schedule.period.total_seconds())
    if start_at is not None:
        return period, int((start_at.astimezone(UTC) - EPOCH).total_seconds()) % period
    return period, offset_seconds(job_id, schedule.period, phase)


def next_aligned(offset: int, period: timedelta, not_before: datetime) -> datetime:
    """The first instant of the grid ``epoch + offset + k x period`` at or after ``not_before``."""
    step = int(period.total_seconds())
    elapsed = (not_before.astimezone(UTC) - EPOCH).total_seconds() - offset
    k = math.ceil(elapsed / step)
    return EPOCH + timedelta(seconds=offset + k * step)


def anchor(offset: int) -> datetime:
    """An instant on the grid of ``offset``: what the engine takes as a rate schedule's anchor."""
    return EPOCH + timedelta(seconds=offset)
