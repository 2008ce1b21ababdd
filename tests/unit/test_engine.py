"""The engine: next fire times exactly as EventBridge fires them, DST rules included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter

from cron_adapter.errors import ScheduleError
from cron_adapter.schedule.engine import DstNote, check_timezone, dst_notes, iter_fires, next_fires
from cron_adapter.schedule.grammar import parse_schedule

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def iso(times: list[datetime]) -> list[str]:
    return [t.isoformat() for t in times]


def fires(text: str, tz: str, after: datetime, n: int, **kw: datetime) -> list[str]:
    return iso(next_fires(parse_schedule(text, timezone=tz), tz, after, n, **kw))


# --- DST: EventBridge skips a nonexistent time and fires a repeated time once ----------------


def test_berlin_spring_forward_skips_0230() -> None:
    got = fires("30 2 * * *", "Europe/Berlin", datetime(2027, 3, 27, 12, tzinfo=BERLIN), 2)
    assert got == ["2027-03-29T02:30:00+02:00", "2027-03-30T02:30:00+02:00"]


def test_berlin_fall_back_fires_0230_once_at_the_first_occurrence() -> None:
    got = fires("30 2 * * *", "Europe/Berlin", datetime(2027, 10, 30, 12, tzinfo=BERLIN), 2)
    assert got == ["2027-10-31T02:30:00+02:00", "2027-11-01T02:30:00+01:00"]


def test_new_york_spring_forward_skips_0230() -> None:
    got = fires("30 2 * * *", "America/New_York", datetime(2027, 3, 13, 12, tzinfo=NEW_YORK), 2)
    assert got == ["2027-03-15T02:30:00-04:00", "2027-03-16T02:30:00-04:00"]


def test_new_york_fall_back_fires_0130_once() -> None:
    got = fires("30 1 * * *", "America/New_York", datetime(2027, 11, 6, 12, tzinfo=NEW_YORK), 2)
    assert got == ["2027-11-07T01:30:00-04:00", "2027-11-08T01:30:00-05:00"]


def test_croniter_alone_would_get_both_dst_cases_wrong() -> None:
    """Why the engine does not use croniter's tz mode: it moves the gap fire and doubles the overlap."""
    gap = croniter("30 2 * * *", datetime(2027, 3, 27, 12, tzinfo=BERLIN)).get_next(datetime)
    assert gap.isoformat() == "2027-03-28T03:00:00+02:00"
    overlap = croniter("30 2 * * *", datetime(2027, 10, 30, 12, tzinfo=BERLIN))
    assert [overlap.get_next(datetime).isoformat() for _ in range(2)] == [
        "2027-10-31T02:30:00+02:00",
        "2027-10-31T02:30:00+01:00",
    ]


def test_half_hourly_through_the_berlin_fall_back_hour() -> None:
    got = fires("*/30 * * * *", "Europe/Berlin", datetime(2027, 10, 31, 1, 45, tzinfo=BERLIN), 4)
    assert got == [
        "2027-10-31T02:00:00+02:00",
        "2027-10-31T02:30:00+02:00",
        "2027-10-31T03:00:00+01:00",
        "2027-10-31T03:30:00+01:00",
    ]


def test_after_inside_the_second_occurrence_does_not_refire_the_hour() -> None:
    after = datetime(2027, 10, 31, 1, 5, tzinfo=UTC)  # 02:05 CET, the second 02:05 of the night
    assert fires("30 2 * * *", "Europe/Berlin", after, 1) == ["2027-11-01T02:30:00+01:00"]


def test_lord_howe_half_hour_gap() -> None:
    tz = ZoneInfo("Australia/Lord_Howe")  # 2027-10-03 02:00 -> 02:30
    got = fires("15 2 * * *", "Australia/Lord_Howe", datetime(2027, 10, 2, 12, tzinfo=tz), 1)
    assert got == ["2027-10-04T02:15:00+11:00"]


# --- rate, at, windows ------------------------------------------------------------------


def test_rate_fires_from_the_anchor_every_period() -> None:
    anchor = datetime(2027, 1, 1, 0, 7, tzinfo=UTC)
    got = fires("every 15m", "UTC", datetime(2027, 1, 1, 1, 0, tzinfo=UTC), 3, anchor=anchor)
    assert got == ["2027-01-01T01:07:00+00:00", "2027-01-01T01:22:00+00:00", "2027-01-01T01:37:00+00:00"]


def test_rate_without_anchor_fires_as_if_created_at_after() -> None:
    got = fires("every 1h", "UTC", datetime(2027, 1, 1, 10, 20, 33, tzinfo=UTC), 2)
    assert got == ["2027-01-01T11:20:00+00:00", "2027-01-01T12:20:00+00:00"]


def test_rate_days_are_24_hours_so_wall_clock_drifts_across_dst() -> None:
    got = fires(
        "every 1d",
        "Europe/Berlin",
        datetime(2027, 3, 27, 3, 0, tzinfo=BERLIN),
        2,
        anchor=datetime(2027, 3, 27, 3, 0, tzinfo=BERLIN),
    )
    assert got == ["2027-03-28T04:00:00+02:00", "2027-03-29T04:00:00+02:00"]


def test_start_and_end_bound_the_fires() -> None:
    start, end = datetime(2027, 1, 10, tzinfo=UTC), datetime(2027, 1, 12, 9, tzinfo=UTC)
    got = fires("0 9 * * *", "UTC", datetime(2027, 1, 1, tzinfo=UTC), 5, start=start, end=end)
    assert got == ["2027-01-10T09:00:00+00:00", "2027-01-11T09:00:00+00:00"]  # EndDate is exclusive


def test_rate_with_a_start_date_fires_first_at_the_start() -> None:
    start = datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
    got = fires("every 2h", "UTC", datetime(2027, 1, 1, tzinfo=UTC), 2, start=start)
    assert got == ["2027-01-10T08:00:00+00:00", "2027-01-10T10:00:00+00:00"]


def test_a_one_shot_fires_once_then_never() -> None:
    schedule = parse_schedule("2026-12-24T09:00:00+00:00", timezone="Europe/Berlin")
    got = next_fires(schedule, "Europe/Berlin", datetime(2026, 12, 1, tzinfo=UTC), 3)
    assert iso(got) == ["2026-12-24T10:00:00+01:00"]
    assert next_fires(schedule, "Europe/Berlin", datetime(2026, 12, 25, tzinfo=UTC), 3) == []


def test_split_schedules_union_and_share_a_minute_once() -> None:
    # 1 Feb 2027 is a Monday: both halves fire then, the engine lists it once.
    got = fires("0 9 1 * MON", "UTC", datetime(2027, 1, 30, tzinfo=UTC), 3)
    assert got == ["2027-02-01T09:00:00+00:00", "2027-02-08T09:00:00+00:00", "2027-02-15T09:00:00+00:00"]


def test_daily_split_times_come_back_in_order() -> None:
    got = fires("daily 13:30,07:00", "UTC", datetime(2027, 1, 1, tzinfo=UTC), 3)
    assert got == ["2027-01-01T07:00:00+00:00", "2027-01-01T13:30:00+00:00", "2027-01-02T07:00:00+00:00"]


def test_eventbridge_year_field_and_last_weekday() -> None:
    got = fires("cron(0 9 ? * 6L 2028)", "UTC", datetime(2026, 1, 1, tzinfo=UTC), 2)
    assert got == ["2028-01-28T09:00:00+00:00", "2028-02-25T09:00:00+00:00"]
    assert fires("cron(0 9 * * ? 2027)", "UTC", datetime(2027, 12, 31, 10, tzinfo=UTC), 5) == []


def test_degenerate_range_means_one_value_not_every_value() -> None:
    got = fires("0 5-5 * * *", "UTC", datetime(2027, 1, 1, tzinfo=UTC), 2)
    assert got == ["2027-01-01T05:00:00+00:00", "2027-01-02T05:00:00+00:00"]


def test_naive_after_is_read_in_the_timezone() -> None:
    assert fires("0 9 * * *", "Asia/Kolkata", datetime(2027, 1, 1, 8), 1) == ["2027-01-01T09:00:00+05:30"]


def test_iter_fires_is_half_open() -> None:
    schedule = parse_schedule("0 * * * *")
    got = list(iter_fires(schedule, "UTC", datetime(2027, 1, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, 4, tzinfo=UTC)))
    assert iso(got) == ["2027-01-01T01:00:00+00:00", "2027-01-01T02:00:00+00:00", "2027-01-01T03:00:00+00:00"]


def test_iter_fires_over_a_year_counts_the_skipped_and_merged_hours() -> None:
    schedule = parse_schedule("30 * * * *")
    start, end = datetime(2027, 1, 1, tzinfo=BERLIN), datetime(2028, 1, 1, tzinfo=BERLIN)
    got = list(iter_fires(schedule, "Europe/Berlin", start, end))
    assert len(got) == 365 * 24 - 1  # spring forward loses 02:30; fall back fires 02:30 once
    assert all(b - a >= timedelta(minutes=60) for a, b in zip(got, got[1:], strict=False))


# --- notes and timezones -------------------------------------------------------------------


def test_dst_notes_name_the_gap_and_the_overlap() -> None:
    schedule = parse_schedule("30 2 * * *", timezone="Europe/Berlin")
    notes = dst_notes(
        schedule, "Europe/Berlin", datetime(2027, 1, 1, tzinfo=BERLIN), datetime(2028, 1, 1, tzinfo=BERLIN)
    )
    assert notes == [
        DstNote(
            datetime(2027, 3, 28, 2, 30),
            "gap",
            "02:30 does not exist on 2027-03-28 in Europe/Berlin (spring forward): that fire is skipped",
        ),
        DstNote(
            datetime(2027, 10, 31, 2, 30),
            "overlap",
            "02:30 occurs twice on 2027-10-31 in Europe/Berlin (fall back): "
            "EventBridge fires once, at the first occurrence (+02:00)",
        ),
    ]


def test_dst_notes_skip_schedules_the_change_does_not_touch() -> None:
    schedule = parse_schedule("0 9 * * *", timezone="America/New_York")
    assert (
        dst_notes(
            schedule, "America/New_York", datetime(2027, 1, 1, tzinfo=NEW_YORK), datetime(2028, 1, 1, tzinfo=NEW_YORK)
        )
        == []
    )
    assert (
        dst_notes(
            parse_schedule("every 15m"),
            "Europe/Berlin",
            datetime(2027, 1, 1, tzinfo=BERLIN),
            datetime(2028, 1, 1, tzinfo=BERLIN),
        )
        == []
    )


def test_rate_days_note_the_drift() -> None:
    notes = dst_notes(
        parse_schedule("every 1d"),
        "America/New_York",
        datetime(2027, 3, 1, tzinfo=NEW_YORK),
        datetime(2027, 4, 1, tzinfo=NEW_YORK),
    )
    assert [(n.kind, n.at) for n in notes] == [("rate-days-drift", datetime(2027, 3, 14, 3, 0))]
    assert "fires 1 hour later" in notes[0].message


def test_many_fires_in_a_gap_are_summarised() -> None:
    notes = dst_notes(
        parse_schedule("* * * * *"),
        "America/New_York",
        datetime(2027, 3, 14, tzinfo=NEW_YORK),
        datetime(2027, 3, 15, tzinfo=NEW_YORK),
    )
    assert notes[0].message.startswith("02:00 to 02:59 (60 times) do not exist on 2027-03-14")


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/Sao_Paulo", "Australia/Lord_Howe"])
def test_known_timezones_pass(name: str) -> None:
    check_timezone(name)


@pytest.mark.parametrize("name", ["Europe/Atlantis", "", "CEST", "../etc/passwd"])
def test_unknown_timezones_are_refused(name: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        check_timezone(name)
    assert caught.value.field == "timezone"
