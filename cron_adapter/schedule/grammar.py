"""Schedule strings: parse every accepted grammar and translate it to EventBridge expressions.

Pure: no boto3, no I/O, no clock. ``parse_schedule`` returns a frozen :class:`Schedule`
that knows its EventBridge expressions (``eventbridge()``) and what the engine evaluates.

Accepted: ``every 15m|1h|2d``, ``daily 07:00,13:30``, standard 5-field cron and ``@daily``
style macros, 6-field cron with a ``0`` seconds field, ``at 2026-12-01T10:00``, ISO
timestamps, and EventBridge's own ``rate()``, ``cron()``, ``at()``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from cron_adapter.errors import ScheduleError
from cron_adapter.kinds import MAX_YEAR, MIN_YEAR
from cron_adapter.schedule import engine
from cron_adapter.schedule.eventbridge import CroniterForm, parse_eventbridge_cron
from cron_adapter.schedule.fields import HOUR, render
from cron_adapter.schedule.standard import translate_standard

Kind = Literal["rate", "cron", "at"]
MAX_EXPRESSION = 256  # ScheduleExpression length limit (CreateSchedule API reference)
EXAMPLES = "e.g. every 15m, daily 03:00, 0 9 * * 1-5, at 2026-12-01T10:00, cron(0 3 * * ? *)"
SUB_MINUTE = "EventBridge Scheduler's resolution is one minute, so it cannot fire more often than that"
MACROS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}  # fmt: skip
_UNITS = {"m": "minute", "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
          "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
          "d": "day", "day": "day", "days": "day",
          "s": "second", "sec": "second", "secs": "second", "second": "second", "seconds": "second"}  # fmt: skip
_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
# A sanity bound, not an AWS limit: a longer period is a typo (or a one-shot: use at).
MAX_RATE_SECONDS = 3650 * 86400
# A one-shot outside the years a job's dates may take is a typo, not a plan.
AT_YEARS = range(MIN_YEAR, MAX_YEAR + 1)
_WRAPPED = re.compile(r"^(rate|cron|at)\((.*)\)$", re.IGNORECASE | re.DOTALL)
_EVERY = re.compile(r"^every\s+([0-9]+)\s*([a-z]+)$", re.IGNORECASE)
_RATE = re.compile(r"^([0-9]+)\s+(minutes?|hours?|days?)$", re.IGNORECASE)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", re.ASCII)
_AT_NATIVE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$", re.ASCII)
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$", re.ASCII)


@dataclass(frozen=True)
class EventBridgeExpression:
    """One EventBridge ScheduleExpression and the suffix naming it among a job's parts."""

    expression: str
    suffix: str = ""


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: what the user wrote, its EventBridge form and what the engine evaluates."""

    text: str
    kind: Kind
    one_shot: bool
    expressions: tuple[EventBridgeExpression, ...]
    timezone: str = "UTC"
    period: timedelta | None = None  # rate: fixed elapsed time between fires
    crons: tuple[CroniterForm, ...] = ()  # cron: croniter expressions whose union is the schedule
    at: datetime | None = None  # at: naive wall time in `timezone`

    def eventbridge(self) -> tuple[EventBridgeExpression, ...]:
        """The EventBridge expressions (one schedule each) that together implement this schedule."""
        return self.expressions


def parse_schedule(text: str, *, timezone: str = "UTC") -> Schedule:
    """Parse any accepted grammar; raise ScheduleError(message, fix) on refusal."""
    return _parse_schedule(text, timezone)


# Job files repeat a few schedule strings many times; a Schedule is frozen, so share it.
@functools.lru_cache(maxsize=8192)
def _parse_schedule(text: str, timezone: str) -> Schedule:
    engine.check_timezone(timezone)
    if not text or not text.strip():
        raise ScheduleError("the schedule is empty", fix=EXAMPLES)
    schedule = _parse(" ".join(text.split()), timezone)
    too_long = [e.expression for e in schedule.expressions if len(e.expression) > MAX_EXPRESSION]
    if too_long:
        raise ScheduleError(
            f"{too_long[0]} is {len(too_long[0])} characters, over EventBridge's {MAX_EXPRESSION}",
            fix="use ranges or steps instead of long lists",
        )
    return replace(schedule, text=text, timezone=timezone)


@functools.lru_cache(maxsize=4096)
def _parse(text: str, timezone: str) -> Schedule:
    wrapped = _WRAPPED.match(text)
    if wrapped:
        kind, inner = wrapped.group(1).lower(), wrapped.group(2).strip()
        return {"rate": _native_rate, "cron": _native_cron, "at": _native_at}[kind](text, inner, timezone)
    lower = text.lower()
    if lower.startswith("every"):
        return _every(text)
    if lower.startswith("daily"):
        return _daily(text, text[5:].strip())
    if lower.startswith("at "):
        return _one_shot(text, text[3:].strip(), timezone)
    if _ISO.match(text):
        return _one_shot(text, text, timezone)
    if text.startswith("@"):
        if lower not in MACROS:
            raise ScheduleError(f"unknown cron macro {text!r}", fix="use " + ", ".join(MACROS))
        return _standard(text, MACROS[lower].split())
    return _cron_fields(text)


# --- rate ------------------------------------------------------------------------------


def _count(text: str, digits: str) -> int:
    """The interval's number; refuse one too long to be meant before converting it."""
    if len(digits) > 9:  # int() of thousands of digits is slow, and no period is that long
        raise ScheduleError(f"{text[:40]!r}: the interval {digits[:12]}... is too large", fix="e.g. every 15m")
    return int(digits)


def _rate(text: str, value: int, unit: str) -> Schedule:
    if value < 1:
        raise ScheduleError(f"{text!r} never fires: the interval must be at least 1 {unit}", fix="e.g. every 1m")
    if value * _SECONDS[unit] > MAX_RATE_SECONDS:
        raise ScheduleError(
            f"{text!r} is longer than {MAX_RATE_SECONDS // 86400} days",
            fix="use a shorter interval, or a one-shot: at 2030-01-01T00:00",
        )
    plural = "" if value == 1 else "s"  # EventBridge wants rate(1 minute), rate(5 minutes)
    expression = EventBridgeExpression(f"rate({value} {unit}{plural})")
    return Schedule(text, "rate", False, (expression,), period=timedelta(seconds=value * _SECONDS[unit]))


def _every(text: str) -> Schedule:
    match = _EVERY.match(text)
    unit = _UNITS.get(match.group(2).lower()) if match else None
    if not match or not unit:
        raise ScheduleError(f"cannot read {text!r}", fix="write every <N>m, every <N>h or every <N>d, e.g. every 15m")
    value = _count(text, match.group(1))
    if unit == "second":
        if value == 0 or value % 60:
            raise ScheduleError(f"{text!r} is below one minute: {SUB_MINUTE}", fix="use every 1m or longer")
        value, unit = value // 60, "minute"
    return _rate(text, value, unit)


def _native_rate(text: str, inner: str, timezone: str) -> Schedule:
    match = _RATE.match(inner)
    if not match:
        raise ScheduleError(f"cannot read {text!r}", fix="write rate(<N> minutes|hours|days), e.g. rate(5 minutes)")
    return _rate(text, _count(text, match.group(1)), match.group(2).lower().rstrip("s"))


# --- daily ---------------------------------------------------------------------------


def _daily(text: str, times: str) -> Schedule:
    by_minute: dict[int, set[int]] = {}
    for item in times.replace(" ", "").split(","):
        match = _HHMM.match(item)
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ScheduleError(f"{text!r}: {item!r} is not a time HH:MM (00:00-23:59)", fix="e.g. daily 07:00,13:30")
        by_minute.setdefault(int(match.group(2)), set()).add(int(match.group(1)))
    parts, crons = [], []
    for minute, hours in sorted(by_minute.items()):
        # EventBridge cron cannot pair each hour with its own minute: one expression per minute.
        hour_list = render(frozenset(hours), HOUR, steps=False)
        suffix = f"{min(hours):02d}{minute:02d}" if len(by_minute) > 1 else ""
        parts.append(EventBridgeExpression(f"cron({minute} {hour_list} * * ? *)", suffix))
        crons.append(CroniterForm(f"{minute} {hour_list} * * *", None))
    return Schedule(text, "cron", False, tuple(parts), crons=tuple(crons))


# --- one-shots -------------------------------------------------------------------------


def _one_shot(text: str, value: str, timezone: str) -> Schedule:
    if not _ISO.match(value):
        raise ScheduleError(f"{value!r} is not a date and time", fix="e.g. at 2026-12-01T10:00")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ScheduleError(f"{value!r} is not a date and time", fix="e.g. at 2026-12-01T10:00") from None
    zone = ZoneInfo(timezone)
    check_year(when, "the one-shot time")
    if when.tzinfo is not None:  # an instant: EventBridge takes the wall time in the job's zone
        when = when.astimezone(zone).replace(tzinfo=None)
        check_year(when, "the one-shot time")
    when = when.replace(microsecond=0)
    if engine.localize(when, zone) is None:
        raise ScheduleError(
            f"{when.isoformat()} does not exist in {timezone} (clocks spring forward then)",
            fix="pick a time outside the daylight-saving gap, or give an ISO timestamp with an offset",
        )
    expression = EventBridgeExpression(f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})")
    return Schedule(text, "at", True, (expression,), timezone=timezone, at=when)


def check_year(when: datetime, what: str) -> None:
    """Refuse a time outside EventBridge's years, before any zone arithmetic overflows on it."""
    if when.year not in AT_YEARS:
        raise ScheduleError(
            f"{what} {when.isoformat()} is outside the years {AT_YEARS.start}-{AT_YEARS.stop - 1}",
            fix=f"use a four-digit year between {MIN_YEAR} and {MAX_YEAR}",
        )


def _native_at(text: str, inner: str, timezone: str) -> Schedule:
    if not _AT_NATIVE.match(inner):
        raise ScheduleError(f"cannot read {text!r}", fix="write at(yyyy-mm-ddThh:mm:ss), e.g. at(2026-12-01T10:00:00)")
    return _one_shot(text, inner, timezone)


# --- cron ------------------------------------------------------------------------------


def _native_cron(text: str, inner: str, timezone: str) -> Schedule:
    form = parse_eventbridge_cron(inner)
    if not engine.can_fire(form):
        raise ScheduleError(f"{text!r} can never fire", fix="check day-of-month against month, and the year")
    expression = EventBridgeExpression(f"cron({' '.join(inner.split())})")
    return Schedule(text, "cron", False, (expression,), crons=(form,))


def _cron_fields(text: str) -> Schedule:
    fields = text.split()
    if len(fields) == 6:
        if fields[0] not in ("0", "00"):
            raise ScheduleError(f"{text!r} has a seconds field {fields[0]!r}: {SUB_MINUTE}", fix="set seconds to 0")
        return _standard(text, fields[1:])
    if len(fields) != 5:
        raise ScheduleError(f"cannot read {text!r} ({len(fields)} fields)", fix=EXAMPLES)
    return _standard(text, fields)


def _standard(text: str, fields: list[str]) -> Schedule:
    """Standard cron: see :mod:`cron_adapter.schedule.standard` for the translation traps."""
    cron = translate_standard(text, fields)
    parts = tuple(EventBridgeExpression(expression, suffix) for suffix, expression in cron.parts)
    return Schedule(text, "cron", False, parts, crons=(cron.form,))
