"""EventBridge's own ``cron()`` expressions: validate them and say them in croniter's words.

EventBridge cron has six fields ``minutes hours day-of-month month day-of-week year``; days
of week are 1-7 = SUN-SAT; exactly one of day-of-month and day-of-week is ``?``; ``L``, ``W``
and ``#`` are allowed only where the docs allow them, and no ``/`` in day-of-week.
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cron_adapter.errors import ScheduleError
from cron_adapter.schedule.fields import (
    DOM,
    DOW_EB,
    HOUR,
    MINUTE,
    MONTH,
    YEAR,
    FieldSpec,
    every_field,
    field_error,
    parse_field,
)

_LAST_DOW = re.compile(r"^(\d)L$", re.IGNORECASE | re.ASCII)  # 6L = last Friday of the month
_NTH_DOW = re.compile(r"^(\d)#(\d)$", re.ASCII)  # 2#1 = first Monday of the month
_WEEKDAY = re.compile(r"^(\d{1,2})W$", re.IGNORECASE | re.ASCII)  # 15W = weekday nearest the 15th


@dataclass(frozen=True)
class CroniterForm:
    """A cron expression as croniter evaluates it (5 fields, 0-6 days), plus a year filter."""

    expr: str
    years: frozenset[int] | None  # None: every year


def _list(values: frozenset[int], spec: FieldSpec, shift: int = 0) -> str:
    if len(values) == spec.hi - spec.lo + 1:
        return "*"
    return ",".join(str(v - shift) for v in sorted(values))


def _dom(text: str) -> str:
    if text == "?":
        return "*"
    if text.upper() == "L":
        return "L"
    weekday = _WEEKDAY.match(text)
    if weekday:
        day = int(weekday.group(1))
        if not 1 <= day <= 31:
            raise field_error(DOM, text, f"value {day} is out of range {DOM.allowed}")
        return f"{day}W"
    if any(c in text.upper() for c in "LW#"):
        raise field_error(DOM, text, "L and W stand alone in day-of-month (L, or 15W for the weekday nearest the 15th)")
    return _list(parse_field(text, DOM), DOM)


def _day(digit: str, text: str) -> int:
    day = int(digit)
    if not 1 <= day <= 7:
        raise field_error(DOW_EB, text, f"value {day} is out of range {DOW_EB.allowed} (1 = SUN)")
    return day


def _dow(text: str) -> str:
    if text == "?":
        return "*"
    if text.upper() == "L":
        return "6"  # L alone in day-of-week is its last day, Saturday
    if text.count("#") > 1:
        raise field_error(DOW_EB, text, "only one # is allowed in day-of-week")
    last = _LAST_DOW.match(text)
    if last:
        return f"L{_day(last.group(1), text) - 1}"
    nth = _NTH_DOW.match(text)
    if nth:
        if not 1 <= int(nth.group(2)) <= 5:
            raise field_error(DOW_EB, text, "the week number after # must be 1-5")
        return f"{_day(nth.group(1), text) - 1}#{nth.group(2)}"
    if "#" in text or "/" in text or re.search(r"\dL", text, re.IGNORECASE):
        raise field_error(DOW_EB, text, "EventBridge allows no / and no lists with L or # in day-of-week")
    return _list(parse_field(text, DOW_EB), DOW_EB, shift=1)


def parse_eventbridge_cron(inner: str) -> CroniterForm:
    """Validate the six fields inside ``cron(...)``; return what croniter should evaluate."""
    fields = inner.split()
    if len(fields) != 6:
        raise ScheduleError(
            f"cron() needs 6 fields (minutes hours day-of-month month day-of-week year), got {len(fields)}",
            fix="e.g. cron(0 3 * * ? *)",
        )
    minute, hour, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ScheduleError(
            "EventBridge cron needs ? in exactly one of day-of-month and day-of-week",
            fix="e.g. cron(0 9 ? * MON-FRI *) or cron(0 9 1 * ? *)",
        )
    *parts, years = every_field(
        lambda: _list(parse_field(minute, MINUTE), MINUTE),
        lambda: _list(parse_field(hour, HOUR), HOUR),
        lambda: _dom(dom),
        lambda: _list(parse_field(month, MONTH), MONTH),
        lambda: _dow(dow),
        lambda: parse_field(year, YEAR),
    )
    expr = " ".join(parts)
    return CroniterForm(expr, None if len(years) == YEAR.hi - YEAR.lo + 1 else years)
