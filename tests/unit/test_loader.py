"""The three input formats, read from realistic files, and every refusal of the loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cron_adapter.constants import HERMES_FIRE_PATH
from cron_adapter.errors import InvalidJobsFile
from cron_adapter.jobs.loader import load_bytes, load_path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def native(*jobs: dict, **extra) -> bytes:
    doc = {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": list(jobs), **extra}
    return json.dumps(doc).encode()


def problems_of(data: bytes, **kw) -> list[tuple[str | None, str]]:
    with pytest.raises(InvalidJobsFile) as info:
        load_bytes(data, **kw)
    return [(p.job_id, p.field) for p in info.value.problems]


# --- native -------------------------------------------------------------------------


def test_native_example_resolves_defaults():
    jobs = {j.id: j for j in load_path(EXAMPLES / "jobs.json").jobs}
    assert len(jobs) == 7
    assert jobs["heartbeat"].target.url == "http://127.0.0.1:8787/api/heartbeat"
    assert jobs["heartbeat"].target.method == "GET"
    assert jobs["heartbeat"].target.timeout == 10
    assert jobs["heartbeat"].retry.attempts == 2 and jobs["heartbeat"].retry.backoff == 0.5
    assert jobs["marketplaces-sync"].timezone == "Europe/Berlin"
    assert jobs["marketplaces-sync"].target.timeout == 120
    assert jobs["legacy-cleanup"].enabled is False
    assert jobs["weekday-report"].overlap == "queue"
    assert jobs["data-refresh"].jitter == 5


def test_native_job_overrides_and_defaults_merge_headers():
    data = json.dumps(
        {
            "version": 1,
            "defaults": {
                "timezone": "Europe/Paris",
                "target": {"base_url": "https://a.example", "headers": {"X-Team": "ops"}},
            },
            "jobs": [
                {
                    "id": "j",
                    "schedule": "every 5m",
                    "timezone": "Asia/Tokyo",
                    "target": {"path": "run?x=1", "headers": {"X-Job": "j"}, "timeout": 5},
                }
            ],
        }
    ).encode()
    job = load_bytes(data).jobs[0]
    assert job.timezone == "Asia/Tokyo"
    assert job.target.url == "https://a.example/run?x=1"
    assert job.target.headers == {"X-Team": "ops", "X-Job": "j"}


def test_timezone_flag_is_the_fallback_for_native_files():
    assert (
        load_bytes(native({"id": "a", "schedule": "every 5m"}), timezone="America/Chicago").jobs[0].timezone
        == "America/Chicago"
    )


# --- hermes -------------------------------------------------------------------------


def test_hermes_store_written_by_hermes_itself():
    """examples/hermes-jobs.json was written by hermes-agent 0.19.0's cron.jobs.create_job."""
    raw = json.loads((EXAMPLES / "hermes-jobs.json").read_text())
    assert {"prompt", "skills", "deliver", "repeat", "next_run_at", "schedule_display"} <= set(raw["jobs"][0])
    jobset = load_path(EXAMPLES / "hermes-jobs.json", base_url="https://agent.example.com/", timezone="Europe/Berlin")
    assert jobset.format == "hermes"
    jobs = {j.id: j for j in jobset.jobs}
    assert set(jobs) == {j["id"] for j in raw["jobs"]}
    by_name = {j["name"]: jobs[j["id"]] for j in raw["jobs"]}
    assert by_name["morning-digest"].schedule == "0 9 * * 1-5"
    assert by_name["queue-watch"].schedule == "every 30m"
    assert by_name["xmas-reminder"].schedule == "2026-12-24T09:00:00+00:00"
    assert by_name["xmas-reminder"].max_runs == 1
    assert by_name["limited"].max_runs == 3
    assert by_name["weekly-cleanup"].enabled is False
    for job in jobs.values():
        assert job.timezone == "Europe/Berlin"
        assert job.target.url == "https://agent.example.com" + HERMES_FIRE_PATH
        assert job.target.body is None  # the fire path sends {"job_id", "fire_at"}


def test_hermes_completed_job_is_done_and_state_paused_is_paused():
    store = {
        "jobs": [
            {"id": "a1", "schedule": {"kind": "interval", "minutes": 10}, "enabled": True, "state": "completed"},
            {"id": "b2", "schedule": {"kind": "cron", "expr": "0 * * * *"}, "enabled": True, "state": "paused"},
        ]
    }
    jobs = {j.id: j for j in load_bytes(json.dumps(store).encode(), base_url="https://h.example").jobs}
    assert jobs["a1"].done is True
    assert jobs["b2"].enabled is False


def test_hermes_without_base_url_is_refused():
    assert (None, "base_url") in problems_of((EXAMPLES / "hermes-jobs.json").read_bytes())


def test_hermes_bad_schedule_kind_names_job_and_field():
    store = {"jobs": [{"id": "zz", "schedule": {"kind": "weekly"}}]}
    assert ("zz", "schedule.kind") in problems_of(json.dumps(store).encode(), base_url="https://h.example")


# --- sidecar ------------------------------------------------------------------------


def test_sidecar_list_reads_as_is():
    jobset = load_path(EXAMPLES / "sidecar-jobs.json", base_url="https://app.example.com")
    assert jobset.format == "sidecar"
    jobs = {j.id: j for j in jobset.jobs}
    assert len(jobs) == 11
    v = jobs["session-processor:verification"]
    assert v.target.url == "https://app.example.com/api/admin/run-session-processor?processor=verification"
    assert v.target.timeout == 840  # 900 s asked; capped below the fire Lambda's limit
    assert jobs["health-check"].target.method == "GET"
    assert jobs["data-refresh"].target.timeout == 120
    assert any("bq-metadata-refresh" in w and "cut to 840" in w for w in jobset.warnings)


def test_repeated_warnings_are_merged_naming_the_jobs():
    jobs = [{"id": f"j{i}", "schedule": "every 5m", "target": {"url": "http://127.0.0.1:9/x"}} for i in range(5)]
    (warning,) = load_bytes(native(*jobs)).warnings
    assert warning.startswith("5 jobs ('j0', 'j1', 'j2', ...): plain http")


def test_sidecar_missing_endpoint_names_job_and_field():
    data = json.dumps([{"name": "x", "schedule": "every 5m"}]).encode()
    assert ("x", "endpoint") in problems_of(data, base_url="https://a.example")


def test_format_can_be_forced_and_mismatch_is_refused():
    data = (EXAMPLES / "sidecar-jobs.json").read_bytes()
    assert (None, "jobs") in problems_of(data, format="hermes", base_url="https://a.example")


# --- refusals -----------------------------------------------------------------------


def test_duplicate_ids_are_refused():
    data = native({"id": "a", "schedule": "every 5m"}, {"id": "a", "schedule": "every 6m"})
    assert ("a", "id") in problems_of(data)


def test_unknown_timezone_is_refused():
    assert ("a", "timezone") in problems_of(native({"id": "a", "schedule": "every 5m", "timezone": "Mars/Olympus"}))


def test_unknown_field_is_refused_with_job_id():
    assert ("a", "shedule") in problems_of(native({"id": "a", "schedule": "every 5m", "shedule": "x"}))


def test_missing_target_is_refused():
    data = json.dumps({"version": 1, "jobs": [{"id": "a", "schedule": "every 5m"}]}).encode()
    assert ("a", "target.url") in problems_of(data)


@pytest.mark.parametrize(
    "url",
    [
        "http://app.example.com/x",
        "https://169.254.169.254/latest",
        "http://[fd00:ec2::254]/",
        "https://user:pw@app.example.com/",
        "ftp://app.example.com/",
    ],
)
def test_unsafe_target_urls_are_refused(url):
    assert ("a", "target.url") in problems_of(native({"id": "a", "schedule": "every 5m", "target": {"url": url}}))


def test_plain_http_on_loopback_is_only_a_warning():
    jobset = load_bytes(native({"id": "a", "schedule": "every 5m", "target": {"url": "http://127.0.0.1:9/x"}}))
    assert any("CRON_ADAPTER_ALLOW_HTTP_LOOPBACK" in w for w in jobset.warnings)


def test_authorization_header_is_refused():
    job = {"id": "a", "schedule": "every 5m", "target": {"path": "/x", "headers": {"Authorization": "Bearer s3cret"}}}
    with pytest.raises(InvalidJobsFile) as info:
        load_bytes(native(job))
    assert "s3cret" not in str(info.value)
    assert [(p.job_id, p.field) for p in info.value.problems] == [("a", "target.headers")]


def test_end_before_start_is_refused():
    job = {"id": "a", "schedule": "every 5m", "start_at": "2027-01-02T00:00:00", "end_at": "2027-01-01T00:00:00"}
    assert ("a", "end_at") in problems_of(native(job))


def test_invalid_json_and_unknown_format_are_refused():
    assert problems_of(b'{"version": 1,') == [(None, "(json)")]
    assert problems_of(b'{"hello": 1}') == [(None, "(format)")]


@pytest.mark.parametrize("schedule", ["every 0m", "every 30s", "0 9 31 2 *", "61 * * * *", "*/30 * * * * *"])
def test_bad_schedules_are_refused_naming_job_and_field(schedule):
    assert ("a", "schedule") in problems_of(native({"id": "a", "schedule": schedule}))


def test_every_problem_is_reported_at_once():
    data = native(
        {"id": "a", "schedule": "every 0m"},
        {"id": "b", "schedule": "every 5m", "timezone": "Nope/Nope"},
        {"id": "c", "schedule": "every 5m", "target": {"url": "http://x.example"}},
    )
    assert set(problems_of(data)) == {("a", "schedule"), ("b", "timezone"), ("c", "target.url")}
