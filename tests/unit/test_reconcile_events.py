"""Which events trigger a reconcile, using the sample events in events/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cron_adapter.reconcile.triggers import parse_trigger

EVENTS = Path(__file__).resolve().parents[2] / "events"


def sample(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


@pytest.mark.parametrize("name", ["s3-put-jobs.json", "s3-eventbridge-jobs.json", "sqs-s3-put-jobs.json"])
def test_uploads_of_the_jobs_key_trigger(name: str):
    assert parse_trigger(sample(name), "cron-adapter-jobs", "jobs.json").kind == "upload"


def test_drift_repair_triggers():
    assert parse_trigger(sample("drift-repair.json"), "b", "jobs.json").kind == "drift-repair"


@pytest.mark.parametrize(
    "bucket,key,name",
    [
        ("cron-adapter-jobs", "jobs.json", "s3-put-other-key.json"),
        ("other-bucket", "jobs.json", "s3-put-jobs.json"),
        ("cron-adapter-jobs", "other.json", "sqs-s3-put-jobs.json"),
    ],
)
def test_other_objects_are_ignored(bucket: str, key: str, name: str):
    trigger = parse_trigger(sample(name), bucket, key)
    assert trigger.kind == "ignored" and "s3://" in trigger.detail


def test_url_encoded_keys_and_odd_events():
    event = sample("s3-put-jobs.json")
    event["Records"][0]["s3"]["object"]["key"] = "my+jobs%2Fprod.json"
    assert parse_trigger(event, "cron-adapter-jobs", "my jobs/prod.json").kind == "upload"
    assert parse_trigger([], "b", "k").kind == "ignored"
    assert parse_trigger({"Records": [{"eventSource": "aws:sqs", "body": "not json"}]}, "b", "k").kind == "ignored"
    removed = sample("s3-put-jobs.json")
    removed["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    assert parse_trigger(removed, "cron-adapter-jobs", "jobs.json").kind == "ignored"
