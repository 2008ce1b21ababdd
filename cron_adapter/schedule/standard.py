"""Standard 5-field cron -> EventBridge cron: the translation traps, each handled here.

- EventBridge cron has 6 fields (year last) and needs ``?`` in exactly one day field.
- Days of week are renumbered 0-7 (0 and 7 = Sunday) -> 1-7 = SUN-SAT.
- EventBridge allows no ``/`` in day-of-week, so day-of-week steps become lists.
- Standard cron ORs a restricted day-of-month with a restricted day-of-week; one
  EventBridge expression cannot, so that becomes two ("dom" and "dow"), and the fire
  claim dedupes a minute both fire at.
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cron_adapter.errors import ScheduleError
from cron_adapter.schedule.eventbridge import CroniterForm
from cron_adapter.schedule.fields import (
    DOM,
    DOW_EB,
    DOW_STD,
    HOUR,
    MINUTE,
    MONTH,
    every_field,
    max_days,
    parse_field,
    render,
)


@dataclass(frozen=True)
class StandardCron:
    """The EventBridge expressions (suffix, expression) and the croniter form of one standard cron."""

    parts: tuple[tuple[str, str], ...]
    form: CroniterForm


def translate_standard(text: str, fields: list[str]) -> StandardCron:
    """Validate a 5-field cron and translate it; ScheduleError names the bad field."""
    minute, hour, dom, month, dow = fields
    if "?" in text or re.search(r"[LW]", dom, re.IGNORECASE) or re.search(r"#|(^|\d)L", dow, re.IGNORECASE):
        raise ScheduleError(
            f"{text!r} uses ?, L, W or #, which standard cron lacks", fix="write it as EventBridge cron(...)"
        )
    minutes, hours, doms, months, dows = every_field(
        lambda: parse_field(minute, MINUTE),
        lambda: parse_field(hour, HOUR),
        lambda: parse_field(dom, DOM),
        lambda: parse_field(month, MONTH),
        lambda: frozenset(d % 7 for d in parse_field(dow, DOW_STD)),  # 7 is Sunday too
    )
    # croniter ORs day-of-month with day-of-week unless one counts as "*": written "*", or
    # covering every day while the other field contains a "*" (croniter 7's rule, matched
    # here so EventBridge fires as croniter-based stores such as hermes expect).
    dom_star = dom == "*" or (len(doms) == 31 and "*" in dow)
    dow_star = dow == "*" or (len(dows) == 7 and "*" in dom)
    days = _days(text, doms, dows, months, dom_star, dow_star)
    head, tail = f"{render(minutes, MINUTE)} {render(hours, HOUR)}", render(months, MONTH)
    parts = tuple((suffix, f"cron({head} {d} {tail} {w} *)") for suffix, d, w in days)
    # croniter gets plain value lists, as it misreads some syntax (croniter 7 reads "5-5" as "*");
    # a day field is "*" exactly where it counts as "*", which keeps the OR rule above.
    stars = (minute == "*", hour == "*", dom_star, month == "*", dow_star)
    sets = (minutes, hours, doms, months, dows)
    form = " ".join("*" if star else ",".join(map(str, sorted(v))) for star, v in zip(stars, sets, strict=True))
    return StandardCron(parts, CroniterForm(form, None))


def _days(
    text: str, doms: frozenset[int], dows: frozenset[int], months: frozenset[int], dom_star: bool, dow_star: bool
) -> list[tuple[str, str, str]]:
    """(suffix, day-of-month, day-of-week) of each EventBridge expression."""
    dom_text, dow_text = render(doms, DOM), render(frozenset(d + 1 for d in dows), DOW_EB, steps=False)
    dom_fires = min(doms) <= max_days(months)  # else e.g. "31 2": never, even in a leap year
    either = not dom_star and not dow_star
    if either and "*" in (dom_text, dow_text):  # one side is every day, so the OR is every day
        return [("", "*", "?")]
    if either and dom_fires:
        return [("dom", dom_text, "?"), ("dow", "?", dow_text)]
    if either or not dow_star:  # a day-of-month half that never fires is dropped
        return [("", "?", dow_text)]
    if dom_fires:
        return [("", dom_text, "?")]
    raise ScheduleError(
        f"{text!r} can never fire: day {min(doms)} never occurs in month {render(months, MONTH)}",
        fix="fix day-of-month or month",
    )
