"""``jobs resume`` and ``resume`` lift the auditor's pause after failures the same way, on moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from cron_adapter import constants as c
from cron_adapter.adapters.runs import DynamoRunStore
from cron_adapter.cli import main
from cron_adapter.errors import TargetHTTPError
from tests.adapters import ops_support
from tests.adapters.ops_support import GROUP, TABLE, OpsWorld, job, jobs_doc, minute
from tests.adapters.test_ops_audit import ten_minute_marks

ops = ops_support.ops  # the shared pytest fixture

BUCKET = "ops-jobs"
SPEC = job("flaky", pause_after_failures=2, retry={"attempts": 1})


def paused_by_the_audit(world: OpsWorld) -> datetime:
    """The job in the live store, two failures, and the audit that paused it; returns the audit's time."""
    world.at = datetime(2026, 6, 1, 12, 3, tzinfo=UTC)
    doc = {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}, "jobs": [SPEC]}
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=c.DEFAULT_JOBS_KEY, Body=json.dumps(doc).encode())
    world.apply(jobs_doc(SPEC))
    now = minute(world.created) + timedelta(hours=1)
    world.caller.script = [TargetHTTPError(500)] * 2
    for t in ten_minute_marks(now - timedelta(minutes=31), now - timedelta(minutes=10)):
        assert world.fire("flaky", t) == "failed"
    assert world.audit(now).paused == ["flaky"]
    assert state(world) == "DISABLED"
    return now


def state(world: OpsWorld) -> str:
    return str(world.scheduler.get_schedule(Name="flaky", GroupName=GROUP)["State"])


def resume_json(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any], str]:
    code = main(["jobs", "resume", "flaky", "--bucket", BUCKET, "--group", GROUP, *extra, "--output", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_jobs_resume_lifts_a_pause_after_failures_and_the_streak_starts_again(
    ops: OpsWorld, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    now = paused_by_the_audit(ops)

    code, out, _ = resume_json(capsys, "--table", TABLE)

    assert code == 0 and out["failure_pause_lifted"] is True
    assert out["changed"] is False  # the store already had the job enabled: nothing written there
    assert state(ops) == "ENABLED" and "flaky" not in DynamoRunStore(TABLE, ops.ddb).markers()
    ops.caller.script = [TargetHTTPError(500)]
    assert ops.fire("flaky", now + timedelta(minutes=10)) == "failed"
    assert ops.audit(now + timedelta(minutes=21)).paused == []  # 1 failure since the resume, of 2
    code, out, _ = resume_json(capsys, "--table", TABLE)
    assert code == 0 and out["failure_pause_lifted"] is False  # nothing left to lift
    local = tmp_path / "jobs.json"
    local.write_bytes(boto3.client("s3").get_object(Bucket=BUCKET, Key=c.DEFAULT_JOBS_KEY)["Body"].read())
    assert main(["resume", "flaky", str(local), "--table", TABLE, "--group", GROUP]) == 3  # the same verdict


def test_jobs_resume_without_a_table_says_the_pause_was_not_lifted_and_leaves_it(
    ops: OpsWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    paused_by_the_audit(ops)
    monkeypatch.delenv(c.ENV_TABLE, raising=False)

    code = main(["jobs", "resume", "flaky", "--bucket", BUCKET, "--group", GROUP])

    assert code == 0
    assert "a pause after failures, if any, is not lifted" in capsys.readouterr().err
    assert "flaky" in DynamoRunStore(TABLE, ops.ddb).markers()  # still paused after failures
