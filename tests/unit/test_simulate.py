"""simulate: fires from the shared engine, DST days, collisions, cost figures worked out by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.model import JobSet
from cron_adapter.simulate.model import SimOptions
from cron_adapter.simulate.pricing import Lambda, Pricing
from cron_adapter.simulate.report import to_dict, to_text
from cron_adapter.simulate.simulator import parse_when, simulate

BASE = "https://app.example.com"


def jobset(*jobs: dict[str, Any]) -> JobSet:
    doc = {"version": 1, "defaults": {"target": {"base_url": BASE}}, "jobs": list(jobs)}
    return load_bytes(json.dumps(doc).encode())


def job(id: str, schedule: str, **extra: Any) -> dict[str, Any]:  # noqa: A002 - mirrors the file's field
    return {"id": id, "schedule": schedule, "target": {"path": f"/ok/{id}"}, **extra}


def window(start: str, end: str, **kw: Any) -> SimOptions:
    return SimOptions(parse_when(start), parse_when(end), **kw)


def fires_of(sim: Any, job_id: str) -> list[str]:
    return [f"{sched:%Y-%m-%dT%H:%M}Z" for _, j, sched, attempt, _ in sim.fires() if j == job_id and attempt == 1]


# --- DST ---------------------------------------------------------------------------


def test_europe_spring_forward_skips_the_missing_time_and_notes_the_day() -> None:
    sim = simulate(jobset(job("nightly", "30 2 * * *", timezone="Europe/Berlin")), window("2027-03-27", "2027-03-30"))
    assert fires_of(sim, "nightly") == ["2027-03-27T01:30Z", "2027-03-29T00:30Z"]  # 28th: 02:30 does not exist
    notes = to_dict(sim)["dst"]
    assert [(n["day"], n["kind"]) for n in notes] == [("2027-03-28", "gap")]


def test_europe_fall_back_fires_the_repeated_time_once() -> None:
    sim = simulate(jobset(job("nightly", "30 2 * * *", timezone="Europe/Berlin")), window("2027-10-30", "2027-11-02"))
    assert fires_of(sim, "nightly") == ["2027-10-30T00:30Z", "2027-10-31T00:30Z", "2027-11-01T01:30Z"]
    assert [(n["day"], n["kind"]) for n in to_dict(sim)["dst"]] == [("2027-10-31", "overlap")]


def test_america_spring_forward_and_fall_back() -> None:
    spring = simulate(jobset(job("ny", "daily 02:30", timezone="America/New_York")), window("2027-03-13", "2027-03-16"))
    assert fires_of(spring, "ny") == ["2027-03-13T07:30Z", "2027-03-15T06:30Z"]  # 2027-03-14 02:30 is skipped
    assert [n["day"] for n in to_dict(spring)["dst"]] == ["2027-03-14"]
    fall = simulate(jobset(job("ny", "daily 01:30", timezone="America/New_York")), window("2027-11-06", "2027-11-09"))
    assert fires_of(fall, "ny") == ["2027-11-06T05:30Z", "2027-11-07T05:30Z", "2027-11-08T06:30Z"]  # once, EDT
    assert [(n["day"], n["kind"]) for n in to_dict(fall)["dst"]] == [("2027-11-07", "overlap")]


def test_a_utc_job_has_no_dst_days() -> None:
    sim = simulate(jobset(job("utc", "30 2 * * *")), window("2027-03-01", "2027-12-01"))
    assert to_dict(sim)["dst"] == []


# --- counts, failures, windows ------------------------------------------------------


def test_counts_respect_paused_max_runs_and_windows() -> None:
    sim = simulate(
        jobset(
            job("every-15", "every 15m"),
            job("paused", "every 1m", enabled=False),
            job("capped", "every 1h", max_runs=5),
            job("late", "every 1h", start_at="2027-01-01T12:00:00Z"),
        ),
        window("2027-01-01", "2027-01-02"),
    )
    counts = {j["id"]: j["fires"] for j in to_dict(sim)["jobs"]}
    assert counts == {"every-15": 96, "paused": 0, "capped": 5, "late": 12}


def test_a_failing_target_lists_every_retry_with_backoff() -> None:
    files = jobset(
        {
            "id": "flaky",
            "schedule": "every 1h",
            "phase": 0,  # count from the window's start, so the times below are round
            "target": {"path": "/api/fail"},
            "retry": {"attempts": 3, "backoff": 2},
        }
    )
    sim = simulate(files, window("2027-01-01T00:00", "2027-01-01T02:00"))
    listed = [(f["at"], f["attempt"], f["outcome"]) for f in to_dict(sim)["fires"]]
    assert listed == [
        # the fire Lambda's equal-jitter backoff at its mean: 0.75 x (2 s, 4 s) = 1.5 s, 3 s
        ("2027-01-01T00:00:00Z", 1, "retry"),
        ("2027-01-01T00:00:01Z", 2, "retry"),
        ("2027-01-01T00:00:04Z", 3, "failed"),
        ("2027-01-01T01:00:00Z", 1, "retry"),
        ("2027-01-01T01:00:01Z", 2, "retry"),
        ("2027-01-01T01:00:04Z", 3, "failed"),
    ]


def test_fail_option_marks_a_job_failing() -> None:
    sim = simulate(jobset(job("a", "every 1h")), window("2027-01-01", "2027-01-02", fail=frozenset({"a"})))
    assert to_dict(sim)["jobs"][0]["target_calls"] == 24 * 3  # default retry.attempts = 3


# --- collisions and quota ------------------------------------------------------------


def test_collisions_find_minutes_where_many_jobs_fire_together() -> None:
    herd = [job(f"hourly-{i}", "0 * * * *") for i in range(6)] + [job("offset", "7 * * * *")]
    sim = simulate(jobset(*herd), window("2027-01-01", "2027-01-02", collision_threshold=5))
    col = to_dict(sim)["collisions"]
    assert col["minutes"] == 24
    assert col["worst"][0]["minute"] == "2027-01-01T00:00:00Z" and col["worst"][0]["fires"] == 6
    assert set(col["worst"][0]["jobs"]) == {f"hourly-{i}" for i in range(6)}
    assert to_dict(sim)["quota"]["peak_fires_per_minute"] == 6


def test_jitter_spreads_the_herd() -> None:
    herd = [job(f"hourly-{i}", "0 * * * *", jitter=30) for i in range(6)]
    sim = simulate(jobset(*herd), window("2027-01-01", "2027-01-02", collision_threshold=5))
    assert to_dict(sim)["collisions"]["minutes"] == 0
    again = simulate(jobset(*herd), window("2027-01-01", "2027-01-02", collision_threshold=5))
    assert to_dict(again)["fires"] == to_dict(sim)["fires"]  # seeded: deterministic


def test_peak_minute_against_the_quota() -> None:
    sim = simulate(jobset(*[job(f"j{i}", "every 1m") for i in range(4)]), window("2027-01-01", "2027-01-01T01:00"))
    quota = to_dict(sim)["quota"]
    assert quota["peak_fires_per_minute"] == 4 and quota["worst_case_share_of_quota"] == 0.004


# --- cost, by hand -------------------------------------------------------------------


def test_cost_of_one_minutely_job_by_hand() -> None:
    # 1 day -> 1,440 fires; a 730-hour month -> 1,440 * 730 / 24 = 43,800 invocations.
    sim = simulate(jobset(job("minutely", "every 1m")), window("2027-01-01", "2027-01-02"))
    cost = to_dict(sim)["cost"]["per_month"]
    assert cost["invocations"] == pytest.approx(43_800)
    assert cost["scheduler"] == 0  # under 14M free
    assert cost["lambda_requests"] == pytest.approx(43_800 * 0.20 / 1e6)  # $0.00876
    # 200 ms per fire at 256 MB arm64: 8,760 s * 0.25 GB = 2,190 GB-s * $0.0000133334 = $0.0292
    assert cost["lambda_compute"] == pytest.approx(2_190 * 0.0000133334, abs=1e-6)
    # overlap skip (the default), no max_runs: 4 write units per fire (run record and slot,
    # claimed then finished): 175,200 units * $0.625/M = $0.1095
    assert cost["write_units"] == pytest.approx(43_800 * 4)
    assert cost["dynamodb"] == pytest.approx(43_800 * 4 * 0.625 / 1e6)
    # 1,029 bytes logged per fire: 45.07 MB * ($0.50 + $0.03)/GB = $0.0239
    assert cost["log_bytes"] == pytest.approx(43_800 * 1029)
    assert cost["logs"] == pytest.approx(43_800 * 1029 / 1e9 * 0.53, abs=1e-6)
    assert cost["total"] == pytest.approx(0.00876 + 0.0292001 + 0.1095 + 0.0238874, abs=1e-5)


@pytest.mark.parametrize(
    ("fields", "units"), [({"overlap": "allow"}, 2), ({"overlap": "queue"}, 8), ({"max_runs": 1000}, 8)]
)
def test_write_units_per_fire_follow_the_jobs_policy(fields: dict, units: int) -> None:
    sim = simulate(jobset({**job("minutely", "every 1m"), **fields}), window("2027-01-01", "2027-01-02"))
    month = to_dict(sim)["cost"]["per_month"]
    assert month["invocations"] > 0 and month["write_units"] == pytest.approx(month["invocations"] * units)


def test_cost_above_the_free_tier_on_x86_with_a_failing_target() -> None:
    files = jobset(
        {
            "id": "flaky",
            "schedule": "every 1m",
            "target": {"path": "/fail"},
            "retry": {"attempts": 3, "backoff": 1, "max_backoff": 30},
        }
    )
    opts = window(
        "2027-01-01",
        "2027-01-02",
        pricing=Pricing(scheduler_free_invocations=0),
        fn=Lambda(memory_mb=1024, arch="x86_64", duration_ms=100),
    )
    cost = to_dict(simulate(files, opts))["cost"]["per_month"]
    assert cost["scheduler"] == pytest.approx(43_800 / 1e6 * 1.00)
    # per fire: 3 calls * 0.1 s + mean jittered backoffs 0.75 s + 1.5 s = 2.55 s at 1 GB x86
    assert cost["billed_seconds"] == pytest.approx(43_800 * 2.55)
    assert cost["lambda_compute"] == pytest.approx(43_800 * 2.55 * 0.0000166667, rel=1e-5)


def test_jobs_that_dominate_cost_are_flagged() -> None:
    sim = simulate(
        jobset(job("chatty", "every 1m"), job("daily", "daily 03:00"), job("hourly", "every 1h")),
        window("2027-01-01", "2027-01-08"),
    )
    data = to_dict(sim)
    assert data["cost"]["dominant_jobs"] == ["chatty"]
    assert [j["id"] for j in data["jobs"] if j["dominates_cost"]] == ["chatty"]
    assert "<- dominates cost" in to_text(sim, "jobs.json")


def test_an_empty_or_inverted_window_is_refused() -> None:
    with pytest.raises(ValueError):
        simulate(jobset(job("a", "every 1m")), window("2027-01-02", "2027-01-01"))


def test_parse_when_reads_dates_and_timestamps_as_utc() -> None:
    assert parse_when("2027-03-01") == datetime(2027, 3, 1, tzinfo=UTC)
    assert parse_when("2027-03-01T10:00:00Z") == datetime(2027, 3, 1, 10, tzinfo=UTC)
    assert parse_when("2027-03-01T10:00:00+02:00") == datetime(2027, 3, 1, 8, tzinfo=UTC)
