"""A hermes store through handlers/reconcile.py on moto: the uploaded timezone, unscheduled jobs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cron_adapter import constants as c
from cron_adapter.adapters.jobs_object import S3JobsObject
from tests.adapters import reconcile_support as support
from tests.adapters.fire_support import INPUT_KEY_NAME, create_input_key
from tests.adapters.reconcile_support import BUCKET, GROUP, TABLE, WIRING
from tests.adapters.test_reconcile_handler import Context, emitted, event

aws_env = support.aws_env  # the shared pytest fixture


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
        c.ENV_BASE_URL: "https://agent.example.com",
        c.ENV_STORE_TIMEZONE: "UTC",
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


def hermes_store(*exprs: tuple[str, str]) -> bytes:
    jobs = [{"id": i, "name": i, "schedule": {"kind": "cron", "expr": e}, "enabled": True} for i, e in exprs]
    return json.dumps({"jobs": jobs}).encode()


def schedule(name: str) -> dict[str, Any]:
    return boto3.client("scheduler").get_schedule(Name=name, GroupName=GROUP)


def test_the_timezone_uploaded_with_the_store_wins_over_the_stack_default(env: Any):
    S3JobsObject(BUCKET, "jobs.json").put(hermes_store(("daily", "0 9 * * * 0")), timezone="Asia/Tokyo")
    assert env.handler(event("s3-put-jobs.json"), Context())["status"] == "applied"
    got = schedule("daily")
    assert got["ScheduleExpression"] == "cron(0 9 * * ? *)" and got["ScheduleExpressionTimezone"] == "Asia/Tokyo"


def test_without_metadata_the_stack_default_applies(env: Any):
    S3JobsObject(BUCKET, "jobs.json").put(hermes_store(("daily", "0 9 * * *")))
    env.handler(event("s3-put-jobs.json"), Context())
    assert schedule("daily")["ScheduleExpressionTimezone"] == "UTC"


def test_an_inexpressible_job_is_logged_counted_and_the_rest_applies(
    env: Any, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
):
    S3JobsObject(BUCKET, "jobs.json").put(hermes_store(("odd", "0 9 * * * 30"), ("fine", "0 9 * * *")))
    result = env.handler(event("s3-put-jobs.json"), Context())
    assert result["status"] == "applied" and result["counts"]["created"] == 1
    assert result["unscheduled"][0]["job_id"] == "odd"
    out = capsys.readouterr().out
    assert emitted(out)[c.METRIC_JOB_UNSCHEDULED] == 1
    (logged,) = [r for r in caplog.records if r.getMessage() == "job left unscheduled"]
    assert logged.levelname == "WARNING" and logged.job_id == "odd" and "second '30'" in logged.reason


def test_job_unscheduled_counts_each_job_once_not_every_reconcile(env: Any, capsys: pytest.CaptureFixture[str]):
    """Else the alarm pages again after each drift repair (or each hermes write) for the same job,
    and with reconciles in every period it never returns to OK, so a new job would be silent."""

    def reconcile(store: bytes | None, kind: str = "s3-put-jobs.json") -> float:
        if store is not None:
            S3JobsObject(BUCKET, "jobs.json").put(store)
        capsys.readouterr()
        result = env.handler(event(kind), Context())
        assert result["status"] in ("applied", "no-op"), result
        return emitted(capsys.readouterr().out).get(c.METRIC_JOB_UNSCHEDULED, 0)

    fine, odd, odder = ("fine", "0 9 * * *"), ("odd", "0 9 * * * 30"), ("odder", "0 9 * * * 2031")
    assert reconcile(hermes_store(odd, fine)) == 1
    assert reconcile(None, "drift-repair.json") == 0  # the same job, still out: no new count
    assert reconcile(hermes_store(odd, fine, ("fine2", "0 10 * * *"))) == 0  # a write that keeps it
    assert reconcile(hermes_store(odd, odder, fine)) == 1  # only the new one
    assert reconcile(hermes_store(fine)) == 0  # both fixed: forgotten
    assert reconcile(hermes_store(odd, fine)) == 1  # broken again: counted again
