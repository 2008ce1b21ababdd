"""Every grammar, every translation trap and every refusal, with literal EventBridge expressions."""

from __future__ import annotations

from datetime import datetime

import pytest

from cron_adapter.errors import ScheduleError
from cron_adapter.schedule.grammar import EventBridgeExpression, parse_schedule


def expressions(text: str, timezone: str = "UTC") -> list[tuple[str, str]]:
    return [(e.expression, e.suffix) for e in parse_schedule(text, timezone=timezone).eventbridge()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("every 15m", "rate(15 minutes)"),
        ("every 1m", "rate(1 minute)"),  # singular, as EventBridge requires
        ("every 1h", "rate(1 hour)"),
        ("every 2h", "rate(2 hours)"),
        ("every 1d", "rate(1 day)"),
        ("every 2d", "rate(2 days)"),
        ("every 120s", "rate(2 minutes)"),
        ("every 10 minutes", "rate(10 minutes)"),
        ("rate(1 minutes)", "rate(1 minute)"),
        ("rate(5 minute)", "rate(5 minutes)"),
        ("rate(3 days)", "rate(3 days)"),
    ],
)
def test_intervals_become_rate_expressions(text: str, expected: str) -> None:
    schedule = parse_schedule(text)
    assert (schedule.kind, schedule.one_shot) == ("rate", False)
    assert expressions(text) == [(expected, "")]


def test_daily_times_sharing_a_minute_are_one_expression() -> None:
    assert expressions("daily 07:00,13:00") == [("cron(0 7,13 * * ? *)", "")]


def test_daily_times_with_different_minutes_split_by_minute() -> None:
    assert expressions("daily 07:00,13:30") == [("cron(0 7 * * ? *)", "0700"), ("cron(30 13 * * ? *)", "1330")]
    assert expressions("daily 03:00") == [("cron(0 3 * * ? *)", "")]
    assert expressions("daily 09:15, 18:15, 07:45") == [
        ("cron(15 9,18 * * ? *)", "0915"),
        ("cron(45 7 * * ? *)", "0745"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0 3 * * *", "cron(0 3 * * ? *)"),
        ("0 9 * * 1-5", "cron(0 9 ? * 2-6 *)"),  # days renumbered 1-7 = SUN-SAT
        ("0 9 * * MON-FRI", "cron(0 9 ? * 2-6 *)"),
        ("0 9 * * 0", "cron(0 9 ? * 1 *)"),  # 0 is Sunday
        ("0 9 * * 7", "cron(0 9 ? * 1 *)"),  # and so is 7
        ("0 9 * * 5-7", "cron(0 9 ? * 1,6,7 *)"),
        ("0 9 * * FRI-SUN", "cron(0 9 ? * 1,6,7 *)"),
        ("0 0 * * */2", "cron(0 0 ? * 1,3,5,7 *)"),  # no / in EventBridge day-of-week: expanded
        ("0 0 * * 1-5/2", "cron(0 0 ? * 2,4,6 *)"),
        ("*/15 9-17 * * *", "cron(0/15 9-17 * * ? *)"),
        ("5/20 * * * *", "cron(5/20 * * * ? *)"),
        ("0 12 1 */3 *", "cron(0 12 1 1/3 ? *)"),
        ("0 0 1 JAN,JUL *", "cron(0 0 1 1,7 ? *)"),
        ("30 4 15 * *", "cron(30 4 15 * ? *)"),
        ("0 5-5 * * *", "cron(0 5 * * ? *)"),  # croniter 7 reads 5-5 as *; we read 5
        ("@daily", "cron(0 0 * * ? *)"),
        ("@hourly", "cron(0 * * * ? *)"),
        ("@weekly", "cron(0 0 ? * 1 *)"),
        ("@monthly", "cron(0 0 1 * ? *)"),
        ("@yearly", "cron(0 0 1 1 ? *)"),
        ("0 */5 * * * *", "cron(0/5 * * * ? *)"),  # 6 fields: seconds 0 only
        ("0 0 1 * 0-6", "cron(0 0 * * ? *)"),  # day-of-month OR every weekday = every day
    ],
)
def test_standard_cron_translates_to_eventbridge(text: str, expected: str) -> None:
    assert expressions(text) == [(expected, "")]


def test_restricted_day_of_month_and_day_of_week_split_into_two_schedules() -> None:
    assert expressions("0 9 1,15 * MON") == [("cron(0 9 1,15 * ? *)", "dom"), ("cron(0 9 ? * 2 *)", "dow")]


def test_split_drops_a_day_of_month_half_that_can_never_fire() -> None:
    assert expressions("0 9 31 2 1") == [("cron(0 9 ? 2 2 *)", "")]


def test_a_full_day_of_week_next_to_a_starred_day_of_month_counts_as_star() -> None:
    # croniter's rule: DOW covers every day and DOM contains "*": AND, so DOM alone decides.
    assert expressions("0 6 */13 * 0-6") == [("cron(0 6 1/13 * ? *)", "")]


@pytest.mark.parametrize(
    "text",
    ["cron(0 3 * * ? *)", "cron(0/15 9-17 ? * MON-FRI *)", "cron(0 9 L * ? *)", "cron(0 9 15W * ? *)",
     "cron(0 9 ? * 6L *)", "cron(0 9 ? * 2#1 2027-2030)", "cron(0 9 ? * L *)"],
)  # fmt: skip
def test_eventbridge_cron_passes_through(text: str) -> None:
    assert expressions(text) == [(text, "")]


def test_eventbridge_cron_whitespace_is_normalized() -> None:
    assert expressions("cron( 0  3 * * ? * )") == [("cron(0 3 * * ? *)", "")]


@pytest.mark.parametrize(
    ("text", "timezone", "expected"),
    [
        ("at 2026-12-01T10:00", "UTC", "at(2026-12-01T10:00:00)"),
        ("at 2026-12-01T10:00:30", "Europe/Berlin", "at(2026-12-01T10:00:30)"),
        ("at(2026-12-01T10:00:00)", "Europe/Berlin", "at(2026-12-01T10:00:00)"),
        ("2026-12-24T09:00:00+00:00", "UTC", "at(2026-12-24T09:00:00)"),
        ("2026-12-24T09:00:00+00:00", "Europe/Berlin", "at(2026-12-24T10:00:00)"),  # instant -> wall time
        ("2026-12-24T09:00:00.123456+00:00", "America/New_York", "at(2026-12-24T04:00:00)"),
        ("2026-12-24T09:00:00Z", "Asia/Kolkata", "at(2026-12-24T14:30:00)"),
        ("2026-12-24T09:00:00", "Europe/Berlin", "at(2026-12-24T09:00:00)"),  # no offset: job-local
    ],
)
def test_one_shots_become_at_expressions(text: str, timezone: str, expected: str) -> None:
    schedule = parse_schedule(text, timezone=timezone)
    assert (schedule.kind, schedule.one_shot) == ("at", True)
    assert expressions(text, timezone) == [(expected, "")]


def test_schedule_keeps_what_the_user_wrote_and_is_frozen() -> None:
    schedule = parse_schedule("  0 9 * *   1-5 ", timezone="Europe/Berlin")
    assert schedule.text == "  0 9 * *   1-5 "
    assert schedule.timezone == "Europe/Berlin"
    assert schedule.eventbridge() == (EventBridgeExpression("cron(0 9 ? * 2-6 *)", ""),)
    with pytest.raises(AttributeError):
        schedule.kind = "rate"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("every 0m", "at least 1 minute"),
        ("every 0h", "at least 1 hour"),
        ("rate(0 minutes)", "at least 1 minute"),
        ("every 30s", "resolution is one minute"),
        ("every 90s", "resolution is one minute"),
        ("*/30 * * * * *", "resolution is one minute"),
        ("30 0 9 * * *", "resolution is one minute"),
        ("every 5 fortnights", "cannot read"),
        ("every", "cannot read"),
        ("rate(5 weeks)", "cannot read"),
        ("daily 25:00", "not a time"),
        ("daily 07:60", "not a time"),
        ("daily 7am", "not a time"),
        ("daily", "not a time"),
        ("60 * * * *", "minute field '60': value 60 is out of range 0-59"),
        ("0 24 * * *", "hour field '24': value 24 is out of range 0-23"),
        ("0 0 0 * *", "day-of-month field '0': value 0 is out of range 1-31"),
        ("0 0 32 * *", "day-of-month field '32': value 32 is out of range 1-31"),
        ("0 0 * 13 *", "month field '13': value 13 is out of range 1-12"),
        ("0 0 * * 8", "day-of-week field '8': value 8 is out of range 0-7"),
        ("0 0 * * FOO", "'FOO' is not a number"),
        ("0 0 * * 5-1", "runs backwards"),
        ("*/0 * * * *", "step '0' must be a positive number"),
        ("0 9 31 2 *", "can never fire"),
        ("0 9 30,31 2 *", "can never fire"),
        ("0 9 31 4,6,9,11 *", "can never fire"),
        ("0 9 * * ?", "write it as EventBridge cron(...)"),
        ("0 9 L * *", "write it as EventBridge cron(...)"),
        ("0 9 * * 5#3", "write it as EventBridge cron(...)"),
        ("0 9 * *", "4 fields"),
        ("0 9 * * * * *", "7 fields"),
        ("@reboot", "unknown cron macro"),
        ("cron(0 3 * * *)", "needs 6 fields"),
        ("cron(0 3 * * * *)", "? in exactly one"),
        ("cron(0 3 ? * ? *)", "? in exactly one"),
        ("cron(60 3 * * ? *)", "minute field '60': value 60 is out of range 0-59"),
        ("cron(0 3 ? * 0 *)", "day-of-week field '0': value 0 is out of range 1-7"),
        ("cron(0 3 ? * 8 *)", "out of range 1-7"),
        ("cron(0 3 * * ? 1969)", "year field '1969': value 1969 is out of range 1970-2199"),
        ("cron(0 3 ? * */2 *)", "no /"),
        ("cron(0 3 ? * 2#1,4#3 *)", "only one #"),
        ("cron(0 3 ? * 2#6 *)", "1-5"),
        ("cron(0 3 32W * ? *)", "out of range 1-31"),
        ("cron(0 3 LW * ? *)", "L and W stand alone"),
        ("cron(0 9 30 2 ? *)", "can never fire"),
        ("cron(0 9 29 2 ? 2027)", "can never fire"),
        ("at(2026-12-01 10:00)", "cannot read"),
        ("at 2026-02-30T10:00", "not a date"),
        ("at tomorrow", "not a date"),
        ("2026-13-01T10:00:00", "not a date"),
        (
            f"cron({','.join(map(str, range(60)))} {','.join(map(str, range(24)))} * * ? "
            f"{','.join(map(str, range(2027, 2040)))})",
            "over EventBridge's 256",
        ),
    ],
)
def test_refusals_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text)
    assert says in str(caught.value)
    assert caught.value.field == "schedule"
    assert caught.value.fix


def test_unknown_timezone_is_refused_on_the_timezone_field() -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule("every 5m", timezone="Mars/Olympus_Mons")
    assert caught.value.field == "timezone"
    assert "Mars/Olympus_Mons" in str(caught.value)


def test_a_one_shot_inside_a_spring_forward_gap_is_refused() -> None:
    with pytest.raises(ScheduleError, match="does not exist in Europe/Berlin"):
        parse_schedule("at 2027-03-28T02:30", timezone="Europe/Berlin")


def test_a_one_shot_in_a_fall_back_hour_is_accepted() -> None:
    schedule = parse_schedule("at 2027-10-31T02:30", timezone="Europe/Berlin")
    assert schedule.at == datetime(2027, 10, 31, 2, 30)


def test_february_29_can_fire() -> None:
    assert expressions("0 9 29 2 *") == [("cron(0 9 29 2 ? *)", "")]
    assert expressions("cron(0 9 29 2 ? 2028)") == [("cron(0 9 29 2 ? 2028)", "")]
