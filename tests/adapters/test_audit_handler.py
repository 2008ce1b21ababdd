"""The audit Lambda on moto, with the environment the stack gives it: miss, MissedRun, notify, catch up."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from cron_adapter import constants as c
from handlers import audit as audit_handler
from tests.adapters import ops_support
from tests.adapters.fire_support import TargetServer
from tests.adapters.ops_support import GROUP, TABLE, WIRING, OpsWorld, job, jobs_doc
from tests.adapters.test_fire_handler import Context

ops = ops_support.ops  # the shared pytest fixture
BUCKET, SECRET = "jobs-bucket", "audit-secret-" + "s" * 40


class AuditContext(Context):
    """The audit Lambda's context: ten minutes (its timeout), time for its catch-up fires."""

    def get_remaining_time_in_millis(self) -> int:
        return 600_000


@pytest.fixture
def lam(ops: OpsWorld, monkeypatch: pytest.MonkeyPatch) -> OpsWorld:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    boto3.client("secretsmanager").create_secret(Name="target-secret", SecretString=SECRET)
    for name, value in {
        c.ENV_TABLE: TABLE,
        c.ENV_BUCKET: BUCKET,
        c.ENV_GROUP: GROUP,
        c.ENV_FIRE_ARN: WIRING.fire_arn,
        c.ENV_SCHEDULER_ROLE_ARN: WIRING.role_arn,
        c.ENV_SECRET_ID: "target-secret",
        c.ENV_INPUT_KEY_ID: "input-key",  # catch-ups fire in-process: the audit never reads it
        c.ENV_ALLOW_HTTP_LOOPBACK: "true",
        c.ENV_ALARM_TOPIC_ARN: ops.topic,
        c.ENV_POWERTOOLS_SERVICE: "deployment-a",
    }.items():
        monkeypatch.setenv(name, value)
    audit_handler.app.cache_clear()
    return ops


def upload(doc_jobs: list[dict]) -> None:
    doc = {"version": 1, "jobs": doc_jobs}
    boto3.client("s3").put_object(Bucket=BUCKET, Key=c.DEFAULT_JOBS_KEY, Body=json.dumps(doc).encode())


def test_a_deleted_schedule_is_missed_notified_counted_and_caught_up(
    lam: OpsWorld, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with TargetServer() as server:
        jobs = [
            job("steady", "every 30m") | {"target": {"url": server.url}},
            job("vanished", "*/20 * * * *", catch_up="latest") | {"target": {"url": server.url}},
        ]
        upload(jobs)
        lam.apply(jobs_doc(*jobs))
        boto3.client("scheduler").delete_schedule(Name="vanished", GroupName=GROUP)
        capsys.readouterr()
        report = audit_handler.handler({"source": "aws.events"}, AuditContext())
        calls = list(server.seen)
    missed = [m["time"] for m in report["missed"] if m["job_id"] == "vanished"]
    assert len(missed) >= 5 and not [m for m in report["missed"] if m["job_id"] == "steady"]
    assert report["caught_up"] == [{"job_id": "vanished", "time": missed[-1], "status": "succeeded"}]
    assert len(calls) == 1 and calls[0].headers["Idempotency-Key"] == f"vanished:{missed[-1]}~catch-up"
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    points = {k: v for e in emf for k, v in e.items() if k == c.METRIC_MISSED_RUN}
    assert points == {c.METRIC_MISSED_RUN: float(len(missed))} or points == {c.METRIC_MISSED_RUN: [float(len(missed))]}
    assert all(e.get("service") == "deployment-a" for e in emf if c.METRIC_MISSED_RUN in e)
    messages = lam.messages()
    assert [m["Subject"] for m in messages] == ["cron-adapter: missed run: vanished"]
    assert SECRET not in json.dumps(messages) and SECRET not in json.dumps(report)
