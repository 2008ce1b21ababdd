"""Jobs to exact CreateSchedule requests."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from cron_adapter.errors import InvalidJobsFile
from cron_adapter.fire.input import parse_input_json
from cron_adapter.jobs.loader import load_bytes
from cron_adapter.jobs.model import Job, JobSet, Target
from cron_adapter.reconcile.translate import Wiring, translate, translate_all

WIRING = Wiring(
    group="g",
    fire_arn="arn:aws:lambda:eu-west-1:1:function:fire",
    role_arn="arn:aws:iam::1:role/sched",
    dlq_arn="arn:aws:sqs:eu-west-1:1:dlq",
)


def job(schedule: str = "every 15m", **kw) -> Job:
    return Job(id=kw.pop("id", "j1"), schedule=schedule, target=Target(url="https://app.example.com/run"), **kw)


def test_request_carries_every_field():
    (req,) = translate(job("daily 03:00", timezone="Europe/Berlin", jitter=5), WIRING)
    r = req.request
    assert r["Name"] == "j1" and r["GroupName"] == "g"
    assert r["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert r["ScheduleExpressionTimezone"] == "Europe/Berlin"
    assert r["State"] == "ENABLED"
    assert r["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 5}
    assert r["ActionAfterCompletion"] == "NONE"
    assert r["Target"]["Arn"] == WIRING.fire_arn and r["Target"]["RoleArn"] == WIRING.role_arn
    assert r["Target"]["DeadLetterConfig"] == {"Arn": WIRING.dlq_arn}
    assert r["Target"]["RetryPolicy"]["MaximumEventAgeInSeconds"] == 3600


def test_a_request_reads_like_the_dict_it_stands_for_and_shares_its_template():
    start = datetime(2027, 1, 1, 9, 0)
    first, second = (translate(job(id=i, start_at=start, description="d"), WIRING)[0].request for i in ("a", "b"))
    written = dict(first)
    assert list(first) == list(written) and len(first) == len(written) == 10
    assert list(written)[:2] == ["Name", "GroupName"] and list(written)[-2:] == ["Description", "StartDate"]
    assert first == written and written == first and first != dict(second)
    assert first.get("EndDate") is None and "StartDate" in first and "Missing" not in first
    assert first["Target"] is first["Target"]  # built once, then kept
    assert first["Target"]["Input"] != second["Target"]["Input"]
    assert first["Target"]["RetryPolicy"] is second["Target"]["RetryPolicy"]  # one template for one shape
    assert json.loads(json.dumps(written))["Name"] == "a" and repr(first) == repr(written)


def test_input_carries_the_scheduled_time_placeholder_and_parses_as_fire_input():
    (req,) = translate(job(max_runs=3, overlap="queue"), WIRING)
    raw = req.request["Target"]["Input"]
    assert '"scheduled_time":"<aws.scheduler.scheduled-time>"' in raw
    substituted = raw.replace("<aws.scheduler.scheduled-time>", "2026-11-23T03:00:00Z").replace(
        "<aws.scheduler.attempt-number>", "2"
    )
    fire = parse_input_json(substituted)
    assert fire.job_id == "j1" and fire.attempt == 2 and fire.schedule == "j1"
    assert fire.spec_hash == req.spec_hash
    assert fire.job.max_runs == 3 and fire.job.overlap == "queue"
    assert fire.job.target.url == "https://app.example.com/run"


def test_paused_job_is_disabled():
    (req,) = translate(job(enabled=False), WIRING)
    assert req.request["State"] == "DISABLED"


def test_one_shot_deletes_itself_after_completion_and_ignores_start_end():
    (req,) = translate(job("at 2027-01-15T09:00", timezone="Europe/Berlin"), WIRING)
    assert req.request["ScheduleExpression"] == "at(2027-01-15T09:00:00)"
    assert req.request["ActionAfterCompletion"] == "DELETE"
    assert "StartDate" not in req.request


def test_start_and_end_are_utc():
    from datetime import datetime

    (req,) = translate(
        job(timezone="Europe/Berlin", start_at=datetime(2027, 1, 1, 9), end_at=datetime(2027, 6, 1, 9)), WIRING
    )
    assert req.request["StartDate"] == "2027-01-01T08:00:00Z"
    assert req.request["EndDate"] == "2027-06-01T07:00:00Z"


def test_split_schedules_get_distinct_names_and_share_sibling_list():
    reqs = translate(job("0 9 1 * MON"), WIRING)
    assert len(reqs) == 2
    names = [r.name for r in reqs]
    assert len(set(names)) == 2 and all(n.startswith("j1--") for n in names)
    for r in reqs:
        fire = json.loads(r.request["Target"]["Input"])
        assert tuple(fire["job"]["schedules"]) == tuple(names)


def test_daily_times_with_different_minutes_are_split():
    reqs = translate(job("daily 07:00,13:30"), WIRING)
    assert sorted(r.request["ScheduleExpression"] for r in reqs) == ["cron(0 7 * * ? *)", "cron(30 13 * * ? *)"]


def test_rate_one_minute_is_singular():
    (req,) = translate(job("every 1m"), WIRING)
    assert req.request["ScheduleExpression"] == "rate(1 minute)"


def test_spec_hash_is_stable_and_changes_with_the_spec():
    a = translate(job(), WIRING)[0].spec_hash
    assert a == translate(job(), WIRING)[0].spec_hash
    assert a != translate(job("every 16m"), WIRING)[0].spec_hash
    assert a != translate(job(jitter=1), WIRING)[0].spec_hash


def test_done_hermes_job_gets_no_schedule():
    assert translate(job(done=True), WIRING) == ()


def test_oversized_input_is_refused_naming_the_field():
    big = Job(id="big", schedule="every 5m", target=Target(url="https://a.example/x", body={"blob": "x" * 9000}))
    with pytest.raises(InvalidJobsFile) as info:
        translate_all(JobSet(jobs=(big,), format="native"), WIRING)
    assert [(p.job_id, p.field) for p in info.value.problems] == [("big", "target.body")]


def test_sidecar_example_translates_to_valid_names():
    import re
    from pathlib import Path

    data = (Path(__file__).resolve().parents[2] / "examples" / "sidecar-jobs.json").read_bytes()
    reqs = translate_all(load_bytes(data, base_url="https://app.example.com"), WIRING)
    assert len(reqs) == 11
    for r in reqs:
        assert re.fullmatch(r"[0-9A-Za-z\-_.]{1,64}", r.name)
    by_job = {r.job_id: r.request for r in reqs}
    assert by_job["script-runner"]["ScheduleExpression"] == "rate(1 minute)"
    assert by_job["marketplaces"]["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert by_job["bq-metadata-refresh"]["ScheduleExpression"] == "rate(4 hours)"


def test_spec_hash_covers_every_field_of_the_request():
    """Each variation changes a different request field; each must change the hash."""
    from dataclasses import replace as dc_replace
    from datetime import datetime

    base = job(timezone="Europe/Berlin")
    variants = {
        "expression": job("every 16m", timezone="Europe/Berlin"),
        "timezone": job(timezone="Europe/Paris"),
        "state": job(timezone="Europe/Berlin", enabled=False),
        "window": job(timezone="Europe/Berlin", jitter=3),
        "start": job(timezone="Europe/Berlin", start_at=datetime(2027, 1, 1)),
        "end": job(timezone="Europe/Berlin", end_at=datetime(2027, 1, 1)),
        "description/id": job(timezone="Europe/Berlin", id="j2"),
        "input": job(timezone="Europe/Berlin", overlap="queue"),
        "target": Job(
            id="j1", schedule="every 15m", timezone="Europe/Berlin", target=Target(url="https://other.example/run")
        ),
    }
    wirings = {
        "group": dc_replace(WIRING, group="g2"),
        "fire arn": dc_replace(WIRING, fire_arn=WIRING.fire_arn + "2"),
        "role": dc_replace(WIRING, role_arn=WIRING.role_arn + "2"),
        "dlq": dc_replace(WIRING, dlq_arn=None),
    }
    reference = translate(base, WIRING)[0].spec_hash
    hashes = {name: translate(j, WIRING)[0].spec_hash for name, j in variants.items()}
    hashes |= {name: translate(base, w)[0].spec_hash for name, w in wirings.items()}
    assert reference not in hashes.values()
    assert len(set(hashes.values())) == len(hashes)
    assert translate(base, dc_replace(WIRING))[0].spec_hash == reference


def test_requests_of_one_shape_do_not_share_their_target_dict():
    a, b = (translate(job(id=i), WIRING)[0].request for i in ("a", "b"))
    assert a["Target"] is not b["Target"] and a["Target"]["Input"] != b["Target"]["Input"]


def test_description_names_the_job_and_its_human_name():
    (req,) = translate(job(description="morning-digest"), WIRING)
    assert req.request["Description"] == "cron-adapter job j1 (morning-digest): every 15m"
