"""Property: the EventBridge expressions a standard cron becomes fire exactly when croniter says.

The EventBridge side is evaluated by ``eventbridge_oracle`` (independent of the translation);
the reference side is croniter on the original expression. Both cover a whole wall-clock
year (2027, or the leap year 2028) in a sample of IANA zones with DST quirks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from croniter import CroniterBadDateError, croniter
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cron_adapter.errors import ScheduleError
from cron_adapter.schedule.engine import iter_fires
from cron_adapter.schedule.grammar import parse_schedule
from tests.unit import eventbridge_oracle as oracle

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo"]
MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


def _item(lo: int, hi: int, names: list[str] | None, max_span: int) -> st.SearchStrategy[str]:
    """One list item: a value, a name, a range, or a step over a range or the whole field."""

    def name_or_number(v: int) -> st.SearchStrategy[str]:
        if names and v - lo < len(names):
            return st.sampled_from([str(v), names[v - lo]])
        return st.just(str(v))

    value = st.integers(lo, hi).flatmap(name_or_number)
    # No "a-a" ranges: croniter 7 misreads them as "*" (test_schedules covers our reading).
    span = st.tuples(st.integers(lo, hi - 1), st.integers(1, max_span)).map(lambda t: (t[0], min(hi, t[0] + t[1])))
    ranged = span.map(lambda r: f"{r[0]}-{r[1]}")
    stepped = st.one_of(
        st.integers(max(2, (hi - lo) // 6), hi - lo + 1).map(lambda n: f"*/{n}"),
        st.tuples(span, st.integers(1, 4)).map(lambda t: f"{t[0][0]}-{t[0][1]}/{t[1]}"),
        st.tuples(st.integers(lo, hi), st.integers(max(2, (hi - lo) // 4), hi - lo + 1)).map(
            lambda t: f"{t[0]}/{t[1]}"
        ),
    )
    return st.one_of(value, ranged, stepped)


def _field(
    lo: int, hi: int, names: list[str] | None = None, *, star_weight: int = 1, max_span: int = 6
) -> st.SearchStrategy[str]:
    """A whole field: "*" (one time in 1 + star_weight) or a list of 1-3 items."""
    listed = st.lists(_item(lo, hi, names, max_span), min_size=1, max_size=3).map(",".join)
    return st.one_of(st.just("*"), *[listed] * star_weight)


# Minutes stay sparse (at most a handful a hour) so a year of fires stays cheap to enumerate.
MINUTE = st.one_of(st.integers(0, 59).map(str), st.lists(st.integers(0, 59).map(str), min_size=2, max_size=3).map(","
                   .join), st.sampled_from(["*/20", "*/30", "5/15", "10-12"]))  # fmt: skip
HOUR = _field(0, 23, star_weight=3, max_span=3)
DOM = _field(1, 31)
MONTH = _field(1, 12, MONTH_NAMES)
DOW = _field(0, 7, DAY_NAMES + ["7"])
NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]
CRON = st.tuples(MINUTE, HOUR, DOM, MONTH, DOW).map(" ".join)


def _croniter_walls(expr: str, first: date, last: date) -> list[datetime]:
    it = croniter(expr, datetime.combine(first, datetime.min.time()) - timedelta(minutes=1))
    end = datetime.combine(last, datetime.min.time())
    out = []
    while (wall := it.get_next(datetime)) < end:
        out.append(wall)
    return out


def _never_fires(expr: str) -> bool:
    try:
        croniter(expr, datetime(2024, 1, 1), max_years_between_matches=8).get_next(datetime)
    except CroniterBadDateError:
        return True
    return False


# No shrinking: each example enumerates a year, and the unshrunk failure is readable anyway.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=NO_SHRINK)
@given(expr=CRON, timezone=st.sampled_from(ZONES), year=st.sampled_from([2027, 2028]))
def test_eventbridge_expressions_fire_exactly_when_croniter_does(expr: str, timezone: str, year: int) -> None:
    first, last = date(year, 1, 1), date(year + 1, 1, 1)
    try:
        schedule = parse_schedule(expr, timezone=timezone)
    except ScheduleError as exc:
        assert "never fire" in str(exc) and _never_fires(expr), f"{expr!r} refused: {exc}"
        return
    expressions = [part.expression for part in schedule.eventbridge()]
    for expression in expressions:  # `plan` re-reads live expressions: ours must validate
        parse_schedule(expression, timezone=timezone)
    # Wall clock: the translation selects exactly croniter's minutes.
    assert oracle.wall_fires(expressions, first, last) == _croniter_walls(expr, first, last), expressions
    # Instants: the engine (croniter + EventBridge DST rules) agrees with the oracle's placement.
    tz = ZoneInfo(timezone)
    start, end = datetime.combine(first, datetime.min.time(), tz), datetime.combine(last, datetime.min.time(), tz)
    engine = [t.astimezone(oracle.UTC) for t in iter_fires(schedule, timezone, start, end)]
    assert engine == oracle.fires(expressions, timezone, first, last), expressions


TIMES = st.lists(st.tuples(st.integers(0, 23), st.integers(0, 59)), min_size=1, max_size=5)


@settings(max_examples=40, deadline=None, phases=NO_SHRINK)
@given(times=TIMES, timezone=st.sampled_from(ZONES))
def test_daily_times_fire_once_each_per_day(times: list[tuple[int, int]], timezone: str) -> None:
    text = "daily " + ",".join(f"{h:02d}:{m:02d}" for h, m in times)
    expressions = [p.expression for p in parse_schedule(text, timezone=timezone).eventbridge()]
    walls = oracle.wall_fires(expressions, date(2027, 5, 1), date(2027, 5, 3))
    expected = sorted({datetime(2027, 5, d, h, m) for d in (1, 2) for h, m in times})
    assert walls == expected
    assert len(expressions) == len({m for _, m in times})


@pytest.mark.parametrize(
    ("expression", "day", "fires"),
    [
        ("cron(0 9 ? * 6L *)", date(2027, 1, 29), True),  # last Friday of January 2027
        ("cron(0 9 ? * 6L *)", date(2027, 1, 22), False),
        ("cron(0 9 ? * 2#1 *)", date(2027, 2, 1), True),  # first Monday
        ("cron(0 9 15W * ? *)", date(2027, 5, 14), True),  # 15 May 2027 is a Saturday
        ("cron(0 9 1W * ? *)", date(2027, 5, 3), True),  # 1 May is a Saturday: Monday the 3rd
        ("cron(0 9 L * ? *)", date(2028, 2, 29), True),
        ("cron(0 9 * * ? 2028)", date(2027, 2, 1), False),
    ],
)
def test_oracle_reads_eventbridge_special_characters(expression: str, day: date, fires: bool) -> None:
    assert oracle.EventBridgeCron(expression).matches_day(day) is fires
