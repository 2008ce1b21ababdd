"""Cron fields: parse them into sets of values and render sets back in EventBridge's syntax.

Pure helpers for :mod:`cron_adapter.schedule.grammar`. A field error names the cron field and its
allowed range, so the user sees "day-of-week value 8 is out of range 0-7", not "bad cron".
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cron_adapter.errors import ScheduleError

MONTH_NAMES = {name.upper(): i for i, name in enumerate(calendar.month_abbr) if name}
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


@dataclass(frozen=True)
class FieldSpec:
    """One cron field: its name, its value range and the names it accepts."""

    name: str
    lo: int
    hi: int
    names: tuple[tuple[str, int], ...] = ()
    syntax: str = ", - * and /"

    @property
    def allowed(self) -> str:
        """The allowed range as the error messages print it."""
        return f"{self.lo}-{self.hi}"


MINUTE = FieldSpec("minute", 0, 59)
HOUR = FieldSpec("hour", 0, 23)
DOM = FieldSpec("day-of-month", 1, 31)
MONTH = FieldSpec("month", 1, 12, tuple(MONTH_NAMES.items()))
# Standard cron: 0-7 with 0 and 7 = Sunday. EventBridge: 1-7 = SUN-SAT.
DOW_STD = FieldSpec("day-of-week", 0, 7, tuple((n, i) for i, n in enumerate(DAY_NAMES)))
DOW_EB = FieldSpec("day-of-week", 1, 7, tuple((n, i + 1) for i, n in enumerate(DAY_NAMES)), ", - * ? L and # (no /)")
YEAR = FieldSpec("year", 1970, 2199)


def field_error(spec: FieldSpec, text: str, why: str) -> ScheduleError:
    """A ScheduleError naming the cron field, its offending text and its allowed range."""
    names = " or names" if spec.names else ""
    return ScheduleError(
        f"{spec.name} field {text!r}: {why}",
        fix=f"{spec.name} takes values {spec.allowed}{names}, with {spec.syntax}",
    )


def every_field(*parsers: Callable[[], Any]) -> list[Any]:
    """Run each field's parser; a bad field does not hide the next: one ScheduleError names them all."""
    values, errors = [], []
    for parse in parsers:
        try:
            values.append(parse())
        except ScheduleError as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ScheduleError("; ".join(e.message for e in errors), fix="; ".join(e.fix for e in errors if e.fix))
    return values


def _value(token: str, spec: FieldSpec, whole: str) -> int:
    upper = token.upper()
    for name, value in spec.names:
        if upper == name:
            return value
    if not _is_number(token):
        raise field_error(spec, whole, f"{token!r} is not a number")
    if len(token) > 4:  # no field goes past 4 digits; int() of a huge one only wastes time
        raise field_error(spec, whole, f"value {token[:12]}... is out of range {spec.allowed}")
    value = int(token)
    if not spec.lo <= value <= spec.hi:
        raise field_error(spec, whole, f"value {value} is out of range {spec.allowed}")
    return value


def _is_number(token: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts other scripts' digits and superscripts."""
    return token.isascii() and token.isdigit()


def _item(item: str, spec: FieldSpec, whole: str) -> range:
    base, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if not _is_number(step_text) or len(step_text) > 4 or int(step_text) == 0:
            raise field_error(spec, whole, f"step {step_text[:12]!r} must be a positive number up to 9999")
        step = int(step_text)
    if base == "*":
        return range(spec.lo, spec.hi + 1, step)
    first, dash, last = base.partition("-")
    lo = _value(first, spec, whole)
    if not dash:  # "5/15" means 5 to the end of the field, every 15 (Saturday ends a week, as in croniter)
        end = 6 if spec is DOW_STD else spec.hi
        lo = 0 if spec is DOW_STD and lo == 7 else lo  # "7/2": Sunday first, as croniter reads it
        return range(lo, (end if slash else lo) + 1, step)
    hi = _value(last, spec, whole)
    if spec.name == DOW_STD.name and spec.lo == 0 and hi == 0 and lo > 0:
        hi = 7  # FRI-SUN: Sunday closes a range as 7
    if hi < lo:
        raise field_error(spec, whole, f"range {base!r} runs backwards")
    return range(lo, hi + 1, step)


def parse_field(text: str, spec: FieldSpec) -> frozenset[int]:
    """The set of values a field with , - * / and names selects."""
    if not text:
        raise field_error(spec, text, "is empty")
    values: set[int] = set()
    for item in text.split(","):
        if not item:
            raise field_error(spec, text, "has an empty list item")
        values.update(_item(item, spec, text))
    if not values:
        raise field_error(spec, text, "selects no value")
    return frozenset(values)


def render(values: frozenset[int], spec: FieldSpec, *, steps: bool = True) -> str:
    """EventBridge text for a value set: ``*``, ``a/n``, or ranges and lists."""
    ordered = sorted(values)
    if ordered == list(range(spec.lo, spec.hi + 1)):
        return "*"
    if steps and len(ordered) >= 3:
        step = ordered[1] - ordered[0]
        if ordered == list(range(ordered[0], spec.hi + 1, step)):
            return f"{ordered[0]}/{step}"  # EventBridge steps read "start/step" to the field's end
    return ",".join(_runs(ordered))


def _runs(ordered: list[int]) -> list[str]:
    runs: list[str] = []
    start = prev = ordered[0]
    for value in [*ordered[1:], None]:
        if value is not None and value == prev + 1:
            prev = value
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}" if prev > start + 1 else f"{start},{prev}")
        if value is not None:
            start = prev = value
    return runs


def max_days(months: frozenset[int]) -> int:
    """The most days any of these months can have (February counts 29)."""
    return max(calendar.monthrange(2024, m)[1] for m in months)
