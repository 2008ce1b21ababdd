"""Catch-up selection per policy, the due list, and failure streaks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cron_adapter.jobs.model import Job, Target
from cron_adapter.ops.catchup import catch_up_key, due_catch_ups, plan_catch_up
from cron_adapter.ops.records import Marker, RunRecord
from cron_adapter.ops.streak import failure_streak, should_pause

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
MISSED = [NOW - timedelta(minutes=m) for m in (50, 40, 30, 20)]


def job(**kw: object) -> Job:
    return Job(id="j", schedule="*/10 * * * *", target=Target(url="https://a.example.com"), **kw)  # type: ignore[arg-type]


def test_none_fires_nothing() -> None:
    assert plan_catch_up(job(), MISSED, NOW) == {}


def test_latest_fires_only_the_most_recent_missed_time_now() -> None:
    assert plan_catch_up(job(catch_up="latest"), MISSED, NOW) == {MISSED[-1]: NOW.timestamp()}


def test_all_fires_every_missed_time_inside_the_window_now() -> None:
    plan = plan_catch_up(job(catch_up="all", catch_up_window=45), MISSED, NOW)
    assert plan == {t: NOW.timestamp() for t in MISSED[1:]}  # 50 minutes ago is outside 45


def test_spread_spaces_the_missed_times_evenly_over_the_window() -> None:
    plan = plan_catch_up(job(catch_up="spread", catch_up_window=60), MISSED, NOW)
    assert [at - NOW.timestamp() for at in plan.values()] == [0, 900, 1800, 2700]
    assert list(plan) == MISSED


def test_due_lists_missed_records_whose_moment_came_and_not_yet_caught_up() -> None:
    t = NOW.timestamp()
    records = [
        RunRecord("j", "2026-12-01T11:10:00Z", "missed", catch_up_at=t - 1),
        RunRecord("j", "2026-12-01T11:20:00Z", "missed", catch_up_at=t + 900),  # later
        RunRecord("j", "2026-12-01T11:30:00Z", "missed", catch_up_at=t - 5),
        RunRecord("j", catch_up_key("2026-12-01T11:30:00Z"), "succeeded"),  # done already
        RunRecord("j", "2026-12-01T11:40:00Z", "missed"),  # policy chose not to catch it up
        RunRecord("j", "2026-12-01T11:50:00Z", "lost", catch_up_at=t),
    ]
    assert [r.run for r in due_catch_ups(records, t)] == ["2026-12-01T11:10:00Z", "2026-12-01T11:50:00Z"]


def test_nothing_is_due_while_a_catch_up_of_the_job_is_in_flight() -> None:
    t = NOW.timestamp()
    missed = [RunRecord("j", f"2026-12-01T11:{m}:00Z", "missed", catch_up_at=t) for m in (10, 20)]
    running = RunRecord("j", "2026-12-01T11:10:00Z~catch-up", "claimed", lease_until=t + 60)
    assert due_catch_ups([*missed, running], t) == []  # its runner goes on to 11:20 itself
    crashed = RunRecord("j", "2026-12-01T11:10:00Z~catch-up", "claimed", lease_until=t - 1)
    assert [r.run for r in due_catch_ups([*missed, crashed], t)] == ["2026-12-01T11:20:00Z"]


def runs(*statuses: str) -> list[RunRecord]:
    """Newest first: the first status is the newest run."""
    return [RunRecord("j", f"2026-12-01T11:{59 - i:02d}:00Z", s) for i, s in enumerate(statuses)]


def test_streak_counts_consecutive_failures_and_ignores_skips_and_runs_in_flight() -> None:
    assert failure_streak(runs("failed", "skipped", "failed", "claimed", "failed", "succeeded", "failed")) == 3
    assert failure_streak(runs("accepted", "failed")) == 0
    assert failure_streak(runs("failed", "missed", "failed")) == 1


def test_streak_starts_again_after_the_reset_point() -> None:
    history = runs("failed", "failed", "failed", "failed")
    assert failure_streak(history, streak_from=history[2].run) == 2


def test_pause_after_n_failures_and_not_before() -> None:
    j = job(pause_after_failures=3)
    assert not should_pause(j, 2, None)
    assert should_pause(j, 3, None)
    assert not should_pause(j, 5, Marker("j", "paused_after_failures"))
    assert not should_pause(job(), 50, None)
