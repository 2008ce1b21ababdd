"""The scheduled times a delivered fire input may name: a little ahead of now, at most about a day behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cron_adapter import constants as c
from cron_adapter import kinds as k
from cron_adapter.errors import FireInputRefused
from cron_adapter.fire.time_window import LAG_SLACK_SECONDS, MAX_LAG_SECONDS, MAX_LEAD_SECONDS, check_window

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """The scheduled time ``seconds`` after NOW (negative: before)."""
    return NOW + timedelta(seconds=seconds)


def refused(when: datetime, job_id: str = "nightly-report") -> FireInputRefused:
    with pytest.raises(FireInputRefused) as err:
        check_window(job_id, when, NOW.timestamp())
    return err.value


@pytest.mark.parametrize("seconds", [0, 1, MAX_LEAD_SECONDS - 1, MAX_LEAD_SECONDS, -1, -3600, -MAX_LAG_SECONDS])
def test_a_time_inside_the_window_passes(seconds: float) -> None:
    check_window("nightly-report", at(seconds), NOW.timestamp())


def test_a_time_beyond_the_lead_is_refused_naming_the_job_the_time_and_why() -> None:
    err = refused(at(MAX_LEAD_SECONDS + 1), "nightly-report")
    assert err.reason == "out-of-window"
    assert "'nightly-report'" in str(err) and "2026-11-23T03:01:01Z" in str(err) and "ahead of now" in str(err)


def test_tomorrows_run_of_a_daily_job_is_refused() -> None:
    """The replay that would claim tomorrow's key now, and so suppress tomorrow's real run."""
    err = refused(NOW + timedelta(days=1))
    assert err.reason == "out-of-window" and "2026-11-24T03:00:00Z" in str(err)


def test_a_time_older_than_the_latest_real_delivery_is_refused() -> None:
    err = refused(at(-MAX_LAG_SECONDS - 1), "old-job")
    assert err.reason == "out-of-window" and "'old-job'" in str(err) and "before now" in str(err)
    assert "2026-11-21T" in str(err) or "2026-11-22T" in str(err)


def test_the_lag_is_the_largest_flexible_window_plus_both_event_ages_plus_slack() -> None:
    assert MAX_LAG_SECONDS == k.MAX_JITTER_MINUTES * 60 + c.DELIVERY_MAX_EVENT_AGE_SECONDS + 3600 + LAG_SLACK_SECONDS
    assert c.FIRE_MAX_EVENT_AGE_SECONDS == 3600 and k.MAX_JITTER_MINUTES == 1440
    # A run of the widest window, delivered at the last of EventBridge's retries and of Lambda's queue, passes.
    check_window("late", at(-(86400 + 3600 + 3600)), NOW.timestamp())


def test_a_naive_time_is_read_as_utc() -> None:
    naive = NOW.replace(tzinfo=None)
    check_window("nightly-report", naive, NOW.timestamp())
    with pytest.raises(FireInputRefused):
        check_window("nightly-report", naive + timedelta(hours=1), NOW.timestamp())


def test_the_message_carries_nothing_but_the_job_the_time_and_the_bound() -> None:
    text = str(refused(at(86400), "j"))
    assert text == (
        "fire input of job 'j' names scheduled_time 2026-11-24T03:00:00Z: "
        f"86400 s ahead of now; a delivery is never more than {MAX_LEAD_SECONDS} s early"
    )
