"""An independent EventBridge Scheduler cron evaluator, for tests only.

It shares no code with the translation (it imports nothing from ``cron_adapter``), so a
wrong translation shows up as a different set of fire times. It reads EventBridge's own
rules: six fields ``minutes hours day-of-month month day-of-week year``; days of week 1-7 =
SUN-SAT; ``?`` in one day field; ``L``, ``W``, ``#``; and it places wall times in a zone by
EventBridge's DST rules, using PEP 495 folds rather than a UTC round trip:
a wall time whose fold=0 offset is smaller than its fold=1 offset is in a spring-forward
gap (skipped); larger means a fall-back overlap (fired once, at fold=0).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

MONTHS = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
DAYS = {d: i + 1 for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
BOUNDS = {"minute": (0, 59), "hour": (0, 23), "dom": (1, 31), "month": (1, 12), "dow": (1, 7), "year": (1970, 2199)}


class OracleError(ValueError):
    """The expression is not valid EventBridge cron."""


def _number(token: str, field: str) -> int:
    names = MONTHS if field == "month" else DAYS if field == "dow" else {}
    value = names.get(token.upper()) if not token.isdigit() else int(token)
    lo, hi = BOUNDS[field]
    if value is None or not lo <= value <= hi:
        raise OracleError(f"{field}: bad value {token!r}")
    return value


def values(text: str, field: str) -> set[int]:
    """The set of values of a plain field (, - * / and names)."""
    lo, hi = BOUNDS[field]
    out: set[int] = set()
    for part in text.split(","):
        base, _, step = part.partition("/")
        if step and field == "dow":
            raise OracleError("EventBridge allows no / in day-of-week")
        if base == "*":
            first, last = lo, hi
        elif "-" in base:
            a, b = base.split("-")
            first, last = _number(a, field), _number(b, field)
        else:
            first = _number(base, field)
            last = hi if step else first
        out.update(range(first, last + 1, int(step) if step else 1))
    return out


def _eb_weekday(d: date) -> int:
    return d.isoweekday() % 7 + 1  # Monday=1..Sunday=7 -> SUN=1..SAT=7


def _nearest_weekday(year: int, month: int, day: int) -> int:
    last = calendar.monthrange(year, month)[1]
    day = min(day, last)
    weekday = date(year, month, day).weekday()  # Mon=0..Sun=6
    if weekday == 5:  # Saturday -> Friday, unless that leaves the month
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday -> Monday, unless that leaves the month
        return day + 1 if day < last else day - 2
    return day


def _dom_matcher(text: str) -> Callable[[date], bool]:
    upper = text.upper()
    if upper == "L":
        return lambda d: d.day == calendar.monthrange(d.year, d.month)[1]
    if upper.endswith("W"):
        n = _number(upper[:-1], "dom")
        return lambda d: d.day == _nearest_weekday(d.year, d.month, n)
    days = values(text, "dom")
    return lambda d: d.day in days


def _dow_matcher(text: str) -> Callable[[date], bool]:
    upper = text.upper()
    if upper == "L":
        return lambda d: _eb_weekday(d) == 7
    if upper.endswith("L"):
        n = _number(upper[:-1], "dow")
        return lambda d: _eb_weekday(d) == n and (d + timedelta(days=7)).month != d.month
    if "#" in upper:
        day, nth = upper.split("#")
        n, k = _number(day, "dow"), int(nth)
        return lambda d: _eb_weekday(d) == n and (d.day - 1) // 7 + 1 == k
    days = values(text, "dow")
    return lambda d: _eb_weekday(d) in days


class EventBridgeCron:
    """One parsed ``cron(...)`` expression."""

    def __init__(self, expression: str) -> None:
        if not (expression.startswith("cron(") and expression.endswith(")")):
            raise OracleError(f"not a cron() expression: {expression!r}")
        fields = expression[5:-1].split()
        if len(fields) != 6:
            raise OracleError("EventBridge cron has exactly 6 fields")
        minute, hour, dom, month, dow, year = fields
        if (dom == "?") == (dow == "?"):
            raise OracleError("exactly one of day-of-month and day-of-week must be ?")
        self.minutes = sorted(values(minute, "minute"))
        self.hours = sorted(values(hour, "hour"))
        self.months = values(month, "month")
        self.years = values(year, "year")
        self.day = _dow_matcher(dow) if dom == "?" else _dom_matcher(dom)

    def matches_day(self, d: date) -> bool:
        """Whether the expression fires on calendar day ``d``."""
        return d.year in self.years and d.month in self.months and self.day(d)

    def wall_times(self, first: date, last: date) -> Iterator[datetime]:
        """Naive wall times on days in [first, last), day by day."""
        d = first
        while d < last:
            if self.matches_day(d):
                for h in self.hours:
                    for m in self.minutes:
                        yield datetime(d.year, d.month, d.day, h, m)
            d += timedelta(days=1)


def place(wall: datetime, tz: ZoneInfo) -> datetime | None:
    """The UTC instant EventBridge fires wall time ``wall`` in ``tz``, or None (DST gap)."""
    early, late = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if early.utcoffset() < late.utcoffset():
        return None
    return early.astimezone(UTC)


def fires(expressions: list[str], timezone: str, first: date, last: date) -> list[datetime]:
    """Sorted UTC fire instants of the union of expressions, days in [first, last) wall-clock."""
    tz = ZoneInfo(timezone)
    out: set[datetime] = set()
    for expression in expressions:
        for wall in EventBridgeCron(expression).wall_times(first, last):
            instant = place(wall, tz)
            if instant is not None:
                out.add(instant)
    return sorted(out)


def wall_fires(expressions: list[str], first: date, last: date) -> list[datetime]:
    """Sorted naive wall times of the union of expressions, before any DST placement."""
    return sorted({w for e in expressions for w in EventBridgeCron(e).wall_times(first, last)})
