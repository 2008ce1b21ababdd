"""handlers/reconcile.py on moto, driven by the sample events in events/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cron_adapter import constants as c
from cron_adapter import tablekeys as keys
from cron_adapter.errors import DeadlineReached
from tests.adapters import reconcile_support as support
from tests.adapters.fire_support import INPUT_KEY_NAME, create_input_key
from tests.adapters.reconcile_support import BUCKET, GROUP, TABLE, WIRING, jobs_bytes, jobs_doc

EVENTS = Path(__file__).resolve().parents[2] / "events"

aws_env = support.aws_env  # the shared pytest fixture


def event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


class Context:
    function_name = "cron-adapter-reconcile"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cron-adapter-reconcile"
    aws_request_id = "req-1"

    def __init__(self, remaining_ms: int = 600_000) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def env(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key, value in {
        c.ENV_TABLE: TABLE,
        c.ENV_BUCKET: BUCKET,
        c.ENV_GROUP: GROUP,
        c.ENV_FIRE_ARN: WIRING.fire_arn,
        c.ENV_SCHEDULER_ROLE_ARN: WIRING.role_arn,
        c.ENV_SCHEDULER_TPS: "500",
        c.ENV_INPUT_KEY_ID: INPUT_KEY_NAME,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        boto3.resource("dynamodb").create_table(TableName=TABLE, **c.TABLE_DEFINITION)
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        create_input_key(boto3.client("secretsmanager"))
        from handlers import reconcile

        reconcile.app.cache_clear()
        yield reconcile
        reconcile.app.cache_clear()


def upload(doc: dict[str, Any] | bytes) -> str:
    body = doc if isinstance(doc, bytes) else jobs_bytes(doc)
    return boto3.client("s3").put_object(Bucket=BUCKET, Key="jobs.json", Body=body)["ETag"].strip('"')


def names() -> set[str]:
    return {s["Name"] for s in boto3.client("scheduler").list_schedules(GroupName=GROUP)["Schedules"]}


def emitted(out: str) -> dict[str, float]:
    """Metric name -> value from the EMF lines printed to stdout."""
    found: dict[str, float] = {}
    for line in out.splitlines():
        blob = json.loads(line) if line.startswith("{") else {}
        for metric in blob.get("_aws", {}).get("CloudWatchMetrics", [{}])[0].get("Metrics", []):
            value = blob[metric["Name"]]
            found[metric["Name"]] = sum(value) if isinstance(value, list) else value
    return found


@pytest.mark.parametrize("sample", ["s3-put-jobs.json", "s3-eventbridge-jobs.json", "sqs-s3-put-jobs.json"])
def test_upload_events_apply_the_current_object(env: Any, sample: str, capsys: pytest.CaptureFixture[str]):
    etag = upload(jobs_doc(3))
    result = env.handler(event(sample), Context())
    assert result["status"] == "applied" and result["counts"]["created"] == 3 and names() == {"j0", "j1", "j2"}
    assert emitted(capsys.readouterr().out)[c.METRIC_RECONCILE_CREATED] == 3
    status = boto3.resource("dynamodb").Table(TABLE).get_item(Key={"pk": keys.status_pk(GROUP), "sk": etag})["Item"]
    assert status["status"] == "applied" and status["etag"] == etag


def test_other_keys_are_ignored(env: Any):
    upload(jobs_doc(3))
    assert env.handler(event("s3-put-other-key.json"), Context())["status"] == "ignored"
    assert names() == set()


def test_stale_event_reads_the_current_version(env: Any):
    upload(jobs_doc(2))
    upload(jobs_doc(4))  # the event below was for the first upload; the current object wins
    assert env.handler(event("s3-put-jobs.json"), Context())["counts"]["created"] == 4


def test_drift_repair_recreates_a_deleted_schedule(env: Any, capsys: pytest.CaptureFixture[str]):
    upload(jobs_doc(3))
    env.handler(event("s3-put-jobs.json"), Context())
    boto3.client("scheduler").delete_schedule(Name="j1", GroupName=GROUP)
    capsys.readouterr()
    result = env.handler(event("drift-repair.json"), Context())
    assert result["counts"]["drift_repaired"] == 1 and "j1" in names()
    assert emitted(capsys.readouterr().out)[c.METRIC_DRIFT_REPAIRED] == 1


def test_idle_drift_repair_publishes_no_count_metric(env: Any, capsys: pytest.CaptureFixture[str]):
    upload(jobs_doc(3))
    env.handler(event("s3-put-jobs.json"), Context())
    capsys.readouterr()
    assert env.handler(event("drift-repair.json"), Context())["status"] == "no-op"
    counts = {
        c.METRIC_RECONCILE_CREATED,
        c.METRIC_RECONCILE_UPDATED,
        c.METRIC_RECONCILE_DELETED,
        c.METRIC_DRIFT_REPAIRED,
    }
    assert not counts & set(emitted(capsys.readouterr().out))


def test_invalid_file_changes_nothing_and_is_counted(env: Any, capsys: pytest.CaptureFixture[str]):
    upload(jobs_doc(3))
    env.handler(event("s3-put-jobs.json"), Context())
    capsys.readouterr()
    upload(jobs_doc(1, j0={"schedule": "*/0 * * * *"}))
    result = env.handler(event("s3-put-jobs.json"), Context())
    assert result["status"] == "rejected" and names() == {"j0", "j1", "j2"}
    assert "j0" in result["problems"][0] and "schedule" in result["problems"][0]
    out = capsys.readouterr().out
    assert emitted(out)[c.METRIC_RECONCILE_REJECTED] == 1


def test_concurrent_run_exits_cleanly_and_is_counted(env: Any, capsys: pytest.CaptureFixture[str]):
    upload(jobs_doc(3))
    boto3.resource("dynamodb").Table(TABLE).put_item(
        Item={"pk": keys.LOCK_PK, "sk": keys.lock_sk(GROUP), "holder": "other", "expires_at": 4_000_000_000}
    )
    result = env.handler(event("s3-put-jobs.json"), Context())
    assert result["status"] == "contended" and names() == set()
    assert emitted(capsys.readouterr().out)[c.METRIC_RECONCILE_CONTENDED] == 1


def test_near_deadline_saves_progress_and_raises_for_a_retry(env: Any):
    upload(jobs_doc(3))
    with pytest.raises(DeadlineReached):
        env.handler(event("s3-put-jobs.json"), Context(remaining_ms=5_000))
    assert env.handler(event("drift-repair.json"), Context())["counts"]["created"] == 3
