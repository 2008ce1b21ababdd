"""The pure audit: expected fires vs run records, DST, jitter, limits, stale claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cron_adapter.jobs.model import Job, Target
from cron_adapter.ops.audit import AuditConfig, JobFacts, audit_job
from cron_adapter.ops.expected import Window, expected_fires, job_window
from cron_adapter.ops.records import PAUSE_REASON, JobState, Marker, RunRecord, current_marker

TARGET = Target(url="https://app.example.com/run")
CONFIG = AuditConfig(lookback=timedelta(hours=2), grace=timedelta(minutes=10))


def job(schedule: str = "*/15 * * * *", **kw: object) -> Job:
    return Job(id=str(kw.pop("id", "j")), schedule=schedule, target=TARGET, **kw)  # type: ignore[arg-type]


def ran(*times: str, status: str = "succeeded", job_id: str = "j") -> list[RunRecord]:
    return [RunRecord(job_id, t, status) for t in times]


NOW = datetime(2026, 12, 1, 12, 5, tzinfo=UTC)  # window [10:05, 11:55): 10:15 ... 11:45


def test_every_expected_fire_without_a_record_is_missed() -> None:
    records = ran("2026-12-01T10:15:00Z", "2026-12-01T10:30:00Z", "2026-12-01T11:00:00Z")
    found = audit_job(job(), JobFacts(records), NOW, CONFIG)
    assert found.missed == (
        "2026-12-01T10:45:00Z",
        "2026-12-01T11:15:00Z",
        "2026-12-01T11:30:00Z",
        "2026-12-01T11:45:00Z",
    )


def test_runs_that_happened_are_not_flagged_whatever_their_outcome() -> None:
    times = [f"2026-12-01T{h}:{m}:00Z" for h in ("10", "11") for m in ("00", "15", "30", "45")][1:]
    statuses = ["succeeded", "accepted", "failed", "skipped", "queued", "gone", "lost"]
    records = [RunRecord("j", t, statuses[i % len(statuses)]) for i, t in enumerate(times)]
    assert audit_job(job(), JobFacts(records), NOW, CONFIG).missed == ()


def test_a_fire_inside_the_grace_period_is_not_judged_yet() -> None:
    found = audit_job(job("*/5 * * * *"), JobFacts(), datetime(2026, 12, 1, 12, 9, tzinfo=UTC), CONFIG)
    assert found.missed[-1] == "2026-12-01T11:55:00Z"  # 12:00 and 12:05 are within 10 min grace


def test_jitter_extends_the_grace_by_the_flexible_window() -> None:
    found = audit_job(job("*/5 * * * *", jitter=20), JobFacts(), datetime(2026, 12, 1, 12, 9, tzinfo=UTC), CONFIG)
    assert found.missed[-1] == "2026-12-01T11:35:00Z"


def test_a_berlin_spring_forward_night_expects_no_fire_at_the_missing_0230() -> None:
    j = job("30 2 * * *", timezone="Europe/Berlin")
    window = Window(datetime(2027, 3, 27, 0, tzinfo=UTC), datetime(2027, 3, 30, 0, tzinfo=UTC))
    got = [t.isoformat() for t in expected_fires(j, window)]
    assert got == ["2027-03-27T01:30:00+00:00", "2027-03-29T00:30:00+00:00"]  # none on the 28th


def test_a_fall_back_night_expects_the_repeated_time_once_and_a_run_then_is_on_time() -> None:
    j = job("30 2 * * *", timezone="Europe/Berlin")
    now = datetime(2027, 10, 31, 3, 0, tzinfo=UTC)
    facts = JobFacts(ran("2027-10-31T00:30:00Z"))  # 02:30 CEST, the first occurrence
    assert audit_job(j, facts, now, AuditConfig(lookback=timedelta(hours=4))).missed == ()


def test_paused_done_and_not_yet_started_jobs_expect_nothing() -> None:
    window = Window(NOW - timedelta(hours=2), NOW)
    assert expected_fires(job(enabled=False), window) == []
    assert expected_fires(job(done=True), window) == []
    assert expected_fires(job(start_at=NOW + timedelta(hours=1)), window) == []
    assert len(expected_fires(job(end_at=NOW - timedelta(minutes=80)), window)) == 2  # not 10:45 (EndDate)


def test_a_marker_or_max_runs_stops_expectation_after_the_last_run() -> None:
    records = ran("2026-12-01T10:15:00Z")
    marker = Marker("j", PAUSE_REASON)
    assert audit_job(job(), JobFacts(records, marker=marker), NOW, CONFIG).missed == ()
    capped = JobFacts(records, state=JobState(runs=1))
    assert audit_job(job(max_runs=1), capped, NOW, CONFIG).missed == ()
    assert len(audit_job(job(max_runs=5), capped, NOW, CONFIG).missed) == 6


def test_a_schedule_created_inside_the_window_is_judged_from_its_creation() -> None:
    facts = JobFacts(live_since=datetime(2026, 12, 1, 11, 20, tzinfo=UTC))
    assert audit_job(job(), facts, NOW, CONFIG).missed == ("2026-12-01T11:30:00Z", "2026-12-01T11:45:00Z")


def test_a_claim_whose_lease_expired_is_lost_and_a_live_one_is_not() -> None:
    stale = RunRecord("j", "2026-12-01T11:00:00Z", "claimed", holder="h1", lease_until=NOW.timestamp() - 60)
    live = RunRecord("j", "2026-12-01T11:15:00Z", "claimed", holder="h2", lease_until=NOW.timestamp() + 60)
    records = [*ran("2026-12-01T10:15:00Z", "2026-12-01T10:30:00Z", "2026-12-01T10:45:00Z"), stale, live]
    records += ran("2026-12-01T11:30:00Z", "2026-12-01T11:45:00Z")
    found = audit_job(job(), JobFacts(records), NOW, CONFIG)
    assert found.missed == () and found.lost == (stale,)
    assert found.findings == ("2026-12-01T11:00:00Z",)


def test_a_crashed_at_least_once_run_within_the_hour_is_delivered_again_not_lost() -> None:
    lease = NOW.timestamp() - 60
    old = RunRecord("j", "2026-12-01T10:45:00Z", "claimed", holder="h1", lease_until=lease)  # 80 min ago
    recent = RunRecord("j", "2026-12-01T11:15:00Z", "claimed", holder="h2", lease_until=lease)  # 50 min ago
    records = [*ran("2026-12-01T10:15:00Z", "2026-12-01T10:30:00Z", "2026-12-01T11:00:00Z"), old, recent]
    records += ran("2026-12-01T11:30:00Z", "2026-12-01T11:45:00Z")
    found = audit_job(job(), JobFacts(records), NOW, CONFIG)
    assert found.redeliver == (recent,) and found.lost == (old,)
    assert found.findings == ("2026-12-01T10:45:00Z",)  # only the lost one is recorded and notified
    careful = audit_job(job(delivery="at-most-once"), JobFacts(records), NOW, CONFIG)
    assert careful.redeliver == () and careful.lost == (old, recent)


def test_trigger_and_catch_up_runs_do_not_count_as_the_scheduled_run() -> None:
    records = ran("2026-12-01T10:15:00Z~trigger-ab12", "2026-12-01T10:30:00Z~catch-up")
    assert audit_job(job(), JobFacts(records), NOW, CONFIG).missed[:2] == (
        "2026-12-01T10:15:00Z",
        "2026-12-01T10:30:00Z",
    )


def test_a_rate_schedule_on_its_phase_grid_is_judged_there_not_from_its_creation() -> None:
    created = datetime(2026, 12, 1, 9, 7, tzinfo=UTC)
    found = audit_job(job("every 30m", phase=15 * 60), JobFacts(anchor=created), NOW, CONFIG)
    assert found.missed[:2] == ("2026-12-01T10:15:00Z", "2026-12-01T10:45:00Z")  # epoch + 15m + k x 30m


def test_a_rate_schedule_without_a_phase_is_judged_from_its_anchor() -> None:
    anchor = datetime(2026, 12, 1, 9, 7, tzinfo=UTC)
    found = audit_job(job("every 30m", phase="creation"), JobFacts(anchor=anchor), NOW, CONFIG)
    assert found.missed == (
        "2026-12-01T10:07:00Z",
        "2026-12-01T10:37:00Z",
        "2026-12-01T11:07:00Z",
        "2026-12-01T11:37:00Z",
    )


def test_a_jitter_longer_than_the_lookback_still_leaves_a_window() -> None:
    """Both ends move back by the jitter: a 4-hour flexible window is still audited."""
    found = audit_job(job("0 * * * *", jitter=240), JobFacts(), NOW, CONFIG)
    assert found.missed == ("2026-12-01T07:00:00Z",)  # window [06:05, 07:55): it was empty before

    window = job_window(job(jitter=240), NOW, CONFIG.lookback, CONFIG.grace)
    assert window.end - window.start == CONFIG.lookback - CONFIG.grace


def test_a_lost_at_most_once_run_is_never_caught_up_an_at_least_once_one_is() -> None:
    """At most once: the crashed claimer may have called the target already."""
    old = RunRecord("j", "2026-12-01T10:45:00Z", "claimed", holder="h1", lease_until=NOW.timestamp() - 3600)
    for delivery, caught in (("at-most-once", {}), ("at-least-once", {"2026-12-01T10:45:00Z": NOW.timestamp()})):
        j = job(catch_up="all", catch_up_window=180, delivery=delivery)
        records = ran("2026-12-01T10:15:00Z", "2026-12-01T10:30:00Z", "2026-12-01T11:00:00Z")
        records += ran("2026-12-01T11:15:00Z", "2026-12-01T11:30:00Z", "2026-12-01T11:45:00Z")
        found = audit_job(j, JobFacts(sorted([*records, old], key=lambda r: r.run)), NOW, CONFIG)
        assert found.lost == (old,) and found.catch_up_at == caught, delivery


def test_a_marker_from_before_an_edit_no_longer_applies() -> None:
    marker = Marker("j", "max_runs", spec_hash="old")
    assert current_marker(marker, frozenset({"new"})) is None
    assert current_marker(marker, frozenset({"new", "old"})) is marker
    assert current_marker(Marker("j", "gone"), frozenset({"new"})) is not None  # no hash: kept
    assert current_marker(None, frozenset({"new"})) is None
