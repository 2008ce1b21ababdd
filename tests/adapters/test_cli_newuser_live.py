"""What a new user sees from push, jobs add and status on moto: warnings that say what runs, and no stale pause."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from cron_adapter import constants as c
from cron_adapter.adapters.ledger import Ledger
from cron_adapter.adapters.runs import DynamoRunStore
from cron_adapter.cli import main
from tests.adapters import ops_support
from tests.adapters import reconcile_support as support
from tests.adapters.jobs_support import KEY, lock_moto_s3_puts, make_bucket
from tests.adapters.ops_support import OpsWorld, job, jobs_doc
from tests.adapters.reconcile_support import BUCKET, GROUP, TABLE, World, jobs_bytes
from tests.adapters.reconcile_support import jobs_doc as native_doc

aws_env = support.aws_env  # the shared pytest fixtures
world = support.world
ops = ops_support.ops

SIDECAR = [{"name": "sync", "schedule": "every 15m", "endpoint": "/api/sync", "method": "POST", "timeout": 30}]


@pytest.fixture
def bucket(world: World, monkeypatch: pytest.MonkeyPatch) -> Any:
    lock_moto_s3_puts(monkeypatch)
    for key, value in {c.ENV_BUCKET: BUCKET, c.ENV_GROUP: GROUP, c.ENV_TABLE: TABLE}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv(c.ENV_API_URL, raising=False)
    monkeypatch.delenv(c.ENV_BASE_URL, raising=False)
    return make_bucket()


def test_push_base_url_warns_that_the_deployed_reconcile_uses_the_stacks_base_url(
    bucket: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    sidecar = tmp_path / "sidecar.json"
    sidecar.write_text(json.dumps(SIDECAR))
    assert main(["push", str(sidecar), "--base-url", "https://app.example.com"]) == 0
    captured = capsys.readouterr()
    [warning] = [line for line in captured.err.splitlines() if line.startswith("warning: ")]
    assert "--base-url https://app.example.com only validated the file" in warning
    assert c.ENV_BASE_URL in warning and "CronAdapterProps" in warning and "docs/deploy.md" in warning
    assert "uploaded s3://" in captured.out and "warning" not in captured.out

    assert main(["push", str(sidecar), "--base-url", "https://app.example.com", "--output", "json"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)  # one JSON document on stdout
    assert len(doc["warnings"]) == 1 and c.ENV_BASE_URL in doc["warnings"][0]
    assert captured.err == ""


def test_push_without_a_base_url_has_no_warning(bucket: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    native = tmp_path / "jobs.json"
    native.write_bytes(jobs_bytes(native_doc(2)))
    assert main(["push", str(native), "--output", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == []


def test_push_help_says_the_base_url_only_validates(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        main(["push", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "it does not change what runs" in text and c.ENV_BASE_URL in text


def test_jobs_add_prints_the_warnings_validate_prints_for_that_job(bucket: Any, capsys: pytest.CaptureFixture[str]):
    bucket.put_object(Bucket=BUCKET, Key=KEY, Body=jobs_bytes(native_doc(1, j0={"target": {}})))  # j0: root too
    assert main(["jobs", "add", "root", "--schedule", "every 15m"]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning: ")]
    assert warnings == ["warning: job 'root': no target.path: calls the base URL's root https://app.example.com"]
    assert "added job 'root'" in captured.out

    code = main(["jobs", "add", "--json", '{"id": "y", "schedule": "cron(0 9 * * ? 2020)"}', "--output", "json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert any("'y'" in w and "no target.path" in w for w in result["warnings"])
    assert any("job 'y', field schedule" in w and "all in the past" in w for w in result["warnings"])
    assert not any("'j0'" in w or "'root'" in w for w in result["warnings"])  # only the added job's


def test_jobs_add_of_a_clean_job_has_no_warnings(bucket: Any, capsys: pytest.CaptureFixture[str]):
    bucket.put_object(Bucket=BUCKET, Key=KEY, Body=jobs_bytes(native_doc(1)))
    assert main(["jobs", "add", "ok", "--schedule", "every 15m", "--path", "/ok", "--output", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == []


def _status(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["status", str(path), "--output", "json"]) == 0
    return {j["job_id"]: j for j in json.loads(capsys.readouterr().out)["jobs"]}


def test_status_drops_a_pause_marker_of_an_earlier_spec_as_the_audit_does(
    ops: OpsWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    monkeypatch.setenv(c.ENV_TABLE, ops_support.TABLE)
    monkeypatch.setenv(c.ENV_GROUP, ops_support.GROUP)
    path = tmp_path / "jobs.json"
    base = {"version": 1, "defaults": {"target": {"base_url": "https://app.example.com"}}}
    before = [job("flaky", pause_after_failures=2)]
    path.write_text(json.dumps({**base, "jobs": before}))
    ops.apply(jobs_doc(*before))
    [entry] = Ledger(ops_support.TABLE, ops_support.GROUP, boto3.client("dynamodb")).entries().values()
    spec = entry.spec_hash.partition(".")[0]
    assert DynamoRunStore(ops_support.TABLE).pause("flaky", spec, "", ops.wall().timestamp())
    assert _status(path, capsys)["flaky"]["paused"] == "after failures"  # the marker names the live spec

    after = [job("flaky", "*/20 * * * *", pause_after_failures=2)]  # edited and pushed: a new spec hash
    path.write_text(json.dumps({**base, "jobs": after}))
    ops.apply(jobs_doc(*after))
    line = _status(path, capsys)["flaky"]
    assert line["paused"] == "" and line["next_fire"]  # the stale marker no longer counts
